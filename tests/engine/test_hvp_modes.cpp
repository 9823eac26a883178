// H*v modes against PyTorch's exact H*v, the auto choice against its tolerance, and the
// Gauss-Newton product against J^T H_out J v from explicit Jacobians (PyTorch fixture).
#include <QtTest/QtTest>

#include "basin/curvature.h"
#include "basin/error.h"
#include "fixtures.h"

using namespace basin;

namespace {

Objective mlp(HvpMode mode, CurvatureKind kind = CurvatureKind::Hessian, DType dtype = DType::Float64) {
    auto s = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy, {}, dtype);
    s.hvp_mode = mode;
    s.curvature = kind;
    return Objective::open(s);
}

Eigen::VectorXd unit(Eigen::Index n, unsigned seed) {
    std::srand(seed);
    return Eigen::VectorXd::Random(n).normalized();
}

// auto chooses with the first four products of the analysis (exact untimed, exact timed,
// exact-reuse building its graphs, exact-reuse timed): make them.
void calibrate(Objective& o) {
    Eigen::VectorXd hv;
    for (unsigned k = 0; k < 4; ++k) o.hvp(unit(o.parameterCount(), 100 + k), hv);
}

}  // namespace

class TestHvpModes : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void exactAndReuseMatchPyTorch() {
        const auto& ref = fx::expected()["mlp"];
        for (HvpMode m : {HvpMode::Exact, HvpMode::ExactReuse}) {
            auto o = mlp(m);
            Eigen::VectorXd hv;
            for (int rep = 0; rep < 3; ++rep) {  // the reused graphs give the same answer every time
                o.hvp(fx::vec(ref["v"]), hv);
                const double err = fx::relErr(hv, fx::vec(ref["hv"]));
                QVERIFY2(err < 1e-10,
                         qPrintable(QString("%1: %2").arg(QString::fromStdString(hvpModeName(m))).arg(err)));
            }
            QCOMPARE(o.hvpReport().chosen, hvpModeName(m));
        }
        // After the parameters move, reuse rebuilds its graphs: compare with exact at the new point.
        auto a = mlp(HvpMode::ExactReuse), b = mlp(HvpMode::Exact);
        Eigen::VectorXd hv_a, hv_b, theta = a.parametersFlat();
        a.hvp(unit(theta.size(), 1), hv_a);
        theta *= 1.1;
        a.setParameters(theta);
        b.setParameters(theta);
        a.hvp(unit(theta.size(), 2), hv_a);
        b.hvp(unit(theta.size(), 2), hv_b);
        QVERIFY(fx::relErr(hv_a, hv_b) < 1e-12);
    }

    void finiteDifferencesWithinTheirReportedError() {
        for (DType dt : {DType::Float64, DType::Float32}) {
            auto cal = mlp(HvpMode::Auto, CurvatureKind::Hessian, dt);
            calibrate(cal);
            const double reported = cal.hvpReport().relative_error.at("fd");
            QVERIFY(reported > 0);
            QVERIFY(cal.hvpReport().fd_epsilon > 0);
            auto fd = mlp(HvpMode::FiniteDifference, CurvatureKind::Hessian, dt);
            auto ex = mlp(HvpMode::Exact, CurvatureKind::Hessian, DType::Float64);
            const Eigen::VectorXd before = fd.parametersFlat();
            for (unsigned seed : {11u, 12u, 13u}) {
                Eigen::VectorXd a, b;
                fd.hvp(unit(fd.parameterCount(), seed), a);
                ex.hvp(unit(ex.parameterCount(), seed), b);
                // Measured on two vectors, the error on others stays within 10x of it.
                const double err = fx::relErr(a, b);
                QVERIFY2(err <= 10 * reported,
                         qPrintable(QString("fd error %1 vs reported %2").arg(err).arg(reported)));
            }
            QCOMPARE(fx::relErr(fd.parametersFlat(), before), 0.0);  // weights restored exactly
        }
    }

    void autoNeverPicksAModeOutsideTheTolerance() {
        for (double tol : {1e-14, 1e-8, 1e-2}) {
            auto s = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy);
            s.hvp_mode = HvpMode::Auto;
            s.hvp_tolerance = tol;
            auto o = Objective::open(s);
            calibrate(o);
            const auto& r = o.hvpReport();
            QCOMPARE(r.requested, std::string("auto"));
            QVERIFY(r.chosen != "fd" || r.relative_error.at("fd") <= tol);
            QCOMPARE(r.tolerance, tol);
            QVERIFY(r.seconds.count("exact") && r.seconds.count("fd") && r.seconds.count("exact-reuse"));
            // The chosen mode is the fastest of those within the tolerance.
            for (const auto& [m, secs] : r.seconds)
                if (m != "fd" || r.relative_error.at(m) <= tol) QVERIFY(r.seconds.at(r.chosen) <= secs);
            // One product of its own (fd's check); the others served the analysis.
            QCOMPARE(r.calibration_products, int64_t(1));
        }
    }

    void autosFirstProductsAreTheAnalysissOwn() {
        // The products auto times are exact-reuse and exact double backward: equal to exact's.
        auto a = mlp(HvpMode::Auto), e = mlp(HvpMode::Exact);
        for (unsigned k = 0; k < 5; ++k) {
            Eigen::VectorXd ha, he;
            a.hvp(unit(a.parameterCount(), 40 + k), ha);
            e.hvp(unit(e.parameterCount(), 40 + k), he);
            // The three auto chooses with (reuse building its graphs, reuse timed, exact timed) are
            // exact's to rounding; the later ones are made by the mode chosen, which may be fd when
            // it timed fastest (on a loaded machine it can), within its tolerance.
            const double tol = k < 3 || a.hvpReport().chosen != "fd" ? 1e-12 : a.hvpReport().tolerance;
            QVERIFY2(fx::relErr(ha, he) < tol, qPrintable(QString("product %1 (%2): %3")
                                                              .arg(k)
                                                              .arg(QString::fromStdString(a.hvpReport().chosen))
                                                              .arg(fx::relErr(ha, he))));
        }
        QCOMPARE(a.hvpCount(), int64_t(5));
    }

    void fdIsNotTimedWhereItCannotBeChosen() {
        // float32 on a CNN with ReLU and max-pooling: no product is spent on finite differences.
        auto s = fx::spec("cnn.pt", "cnn_data.npz", Loss::CrossEntropy, {}, DType::Float32);
        s.hvp_mode = HvpMode::Auto;
        auto o = Objective::open(s);
        calibrate(o);
        const auto& r = o.hvpReport();
        QVERIFY(!r.chosen.empty() && r.chosen != "fd");
        QVERIFY(!r.seconds.count("fd"));
        QCOMPARE(r.calibration_products, int64_t(0));
        QVERIFY2(r.note.find("fd was not considered") != std::string::npos, r.note.c_str());
        // In float64 it is timed (and checked) there too.
        s.dtype = DType::Float64;
        auto d = Objective::open(s);
        calibrate(d);
        QVERIFY(d.hvpReport().seconds.count("fd"));
        // Asked for, fd is used whatever the model.
        s.dtype = DType::Float32;
        s.hvp_mode = HvpMode::FiniteDifference;
        auto f = Objective::open(s);
        calibrate(f);
        QCOMPARE(f.hvpReport().chosen, std::string("fd"));
    }

    void autosChoiceIsKeptInTheStudy() {
        QTemporaryDir dir;
        const std::string study = dir.filePath("s.basin.json").toStdString();
        writeFileAtomically(study, R"({"format": "basin-study", "version": 1})");
        auto s = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy);
        s.hvp_mode = HvpMode::Auto;
        s.study_path = study;
        auto first = Objective::open(s);
        calibrate(first);
        const HvpReport chosen = first.hvpReport();
        QCOMPARE(chosen.calibration_products, int64_t(1));
        // The second run: chosen at its first product, with nothing spent on choosing.
        auto second = Objective::open(s);
        Eigen::VectorXd hv;
        second.hvp(unit(second.parameterCount(), 1), hv);
        const HvpReport& again = second.hvpReport();
        QCOMPARE(again.chosen, chosen.chosen);
        QCOMPARE(again.calibration_products, int64_t(0));
        QCOMPARE(again.seconds, chosen.seconds);
        QVERIFY2(again.note.find("kept in the study") != std::string::npos, again.note.c_str());
        // Other settings (another batch size): chosen again.
        s.batch_size = 8;
        auto other = Objective::open(s);
        other.hvp(unit(other.parameterCount(), 1), hv);
        QVERIFY(other.hvpReport().note.find("kept in the study") == std::string::npos);
    }

    void eigenvaluesWithAutoEqualExact() {
        auto a = mlp(HvpMode::Auto), e = mlp(HvpMode::Exact);
        EigenOptions opt;
        opt.top_k = 3;
        opt.tol = 1e-10;
        LinearOperator Ha = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { a.hvp(v, out); };
        LinearOperator He = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { e.hvp(v, out); };
        const auto ra = topEigenpairs(Ha, a.parameterCount(), opt), re = topEigenpairs(He, e.parameterCount(), opt);
        const double tol = a.hvpReport().tolerance, scale = re.largest->eigenvalues[0];
        for (int i = 0; i < 3; ++i)
            QVERIFY2(std::abs(ra.largest->eigenvalues[size_t(i)] - re.largest->eigenvalues[size_t(i)]) <= tol * scale,
                     qPrintable(QString("%1 vs %2 (auto chose %3)")
                                    .arg(ra.largest->eigenvalues[size_t(i)])
                                    .arg(re.largest->eigenvalues[size_t(i)])
                                    .arg(QString::fromStdString(a.hvpReport().chosen))));
    }

    void gaussNewtonMatchesExplicitJacobians() {
        const auto& ref = fx::expected()["mlp"];
        auto g = mlp(HvpMode::Exact, CurvatureKind::GaussNewton);
        Eigen::VectorXd gv;
        g.hvp(fx::vec(ref["v"]), gv);
        QVERIFY2(fx::relErr(gv, fx::vec(ref["ggn_v"])) < 1e-10,
                 qPrintable(QString::number(fx::relErr(gv, fx::vec(ref["ggn_v"])))));
        // H - G
        auto d = mlp(HvpMode::Exact, CurvatureKind::HessianMinusGaussNewton);
        Eigen::VectorXd dv;
        d.hvp(fx::vec(ref["v"]), dv);
        QVERIFY(fx::relErr(dv, fx::vec(ref["hv"]) - fx::vec(ref["ggn_v"])) < 1e-9);
        // G is positive semi-definite.
        LinearOperator G = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { g.hvp(v, out); };
        const auto ex = exactSpectrum(G, g.parameterCount(), false);
        QVERIFY(ex.eigenvalues.back() >= -1e-12 * ex.eigenvalues.front());
        QCOMPARE(g.hvpReport().curvature, std::string("ggn"));
        // NLL has no Gauss-Newton matrix worth the name: a clear error.
        auto s = fx::spec("mlp.pt", "mlp_data.pt", Loss::NLL);
        s.curvature = CurvatureKind::GaussNewton;
        auto n = Objective::open(s);
        BASIN_EXPECT_ERROR(n.hvp(fx::vec(ref["v"]), gv), "Gauss-Newton", "nll");
    }
};

QTEST_APPLESS_MAIN(TestHvpModes)
#include "test_hvp_modes.moc"
