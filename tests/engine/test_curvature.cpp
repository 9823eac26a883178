// Curvature algorithms against known spectra: synthetic operators with planted eigenvalues,
// the exact Hessian of a small MLP (PyTorch fixture), and the closed form of linear regression.
#include <QtTest/QtTest>

#include <Eigen/Dense>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "arrays.h"
#include "basin/curvature.h"
#include "basin/error.h"
#include "fixtures.h"

using namespace basin;

namespace {

// A = Q diag(lambda) Q^T with a random orthogonal Q; products are counted.
struct Synthetic {
    Eigen::MatrixXd A;
    std::vector<double> lambda;  // descending
    mutable int64_t products = 0;

    explicit Synthetic(std::vector<double> eig, unsigned seed = 3) : lambda(std::move(eig)) {
        const auto n = Eigen::Index(lambda.size());
        std::mt19937_64 rng(seed);
        std::normal_distribution<double> d;
        Eigen::MatrixXd G(n, n);
        for (Eigen::Index i = 0; i < G.size(); ++i) G.data()[i] = d(rng);
        Eigen::HouseholderQR<Eigen::MatrixXd> qr(G);
        const Eigen::MatrixXd Q = qr.householderQ();
        A = Q * Eigen::Map<Eigen::VectorXd>(lambda.data(), n).asDiagonal() * Q.transpose();
        std::sort(lambda.begin(), lambda.end(), std::greater<>());
    }
    LinearOperator op() const {
        return [this](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
            ++products;
            out = A * v;
        };
    }
    int64_t n() const { return int64_t(lambda.size()); }
    double trace() const { return std::accumulate(lambda.begin(), lambda.end(), 0.0); }
};

// A bulk of n values uniform in [0, 1] plus the given spikes.
std::vector<double> bulkPlusSpikes(int n, const std::vector<double>& spikes, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> v(spikes);
    for (int i = 0; i < n; ++i) v.push_back(u(rng));
    return v;
}

LinearOperator hessianOf(Objective& o) {
    return [&o](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out); };
}

}  // namespace

class TestCurvature : public QObject {
    Q_OBJECT

    // Compares the top 5 and bottom 3 Lanczos eigenvalues with the exact ones; errors relative to
    // the spectral norm |lambda_max| (the bottom ones may be near zero).
    void lanczosMatchesExact(DType dtype, double tol) {
        auto o64 = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        const auto exact = exactSpectrum(hessianOf(o64), o64.parameterCount(), false);
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy, {}, dtype));
        EigenOptions opt;
        opt.top_k = 5;
        opt.which = Which::Both;
        opt.tol = dtype == DType::Float64 ? 1e-10 : 1e-5;
        opt.max_hvp = 99;
        const auto r = topEigenpairs(hessianOf(o), o.parameterCount(), opt);
        QVERIFY(r.largest && r.smallest);
        const double scale = std::abs(exact.eigenvalues.front());
        for (int i = 0; i < 5; ++i) {
            const double err = std::abs(r.largest->eigenvalues[i] - exact.eigenvalues[i]) / scale;
            QVERIFY2(err < tol,
                     qPrintable(
                         QString("top %1: %2 vs %3").arg(i).arg(r.largest->eigenvalues[i]).arg(exact.eigenvalues[i])));
        }
        const size_t n = exact.eigenvalues.size();
        for (int i = 0; i < 3; ++i) {
            // smallest: descending order, so the last entry is the most negative
            const double got = r.smallest->eigenvalues[4 - i], want = exact.eigenvalues[n - 1 - i];
            QVERIFY2(std::abs(got - want) / scale < tol,
                     qPrintable(QString("bottom %1: %2 vs %3").arg(i).arg(got).arg(want)));
        }
        QVERIFY(r.largest->hvp_count <= opt.max_hvp);
    }

private Q_SLOTS:
    void lanczosFloat64() { lanczosMatchesExact(DType::Float64, 1e-8); }
    void lanczosFloat32() { lanczosMatchesExact(DType::Float32, 1e-4); }

    void lanczosOnPlantedSpectrum() {
        Synthetic s(bulkPlusSpikes(300, {50, 20, 10, -8, -15}, 1));
        EigenOptions opt;
        opt.top_k = 3;
        opt.which = Which::Both;
        opt.tol = 1e-10;
        const auto r = topEigenpairs(s.op(), s.n(), opt);
        QVERIFY(r.largest->converged && r.smallest->converged);
        QCOMPARE_LE(std::abs(r.largest->eigenvalues[0] - 50), 1e-8);
        QCOMPARE_LE(std::abs(r.largest->eigenvalues[2] - 10), 1e-8);
        QCOMPARE_LE(std::abs(r.smallest->eigenvalues[2] + 15), 1e-8);
        QCOMPARE_LE(std::abs(r.smallest->eigenvalues[1] + 8), 1e-8);
        QCOMPARE(r.largest->hvp_count, s.products);
    }

    void powerIterationTop3() {
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        const auto exact = exactSpectrum(hessianOf(o), o.parameterCount(), false);
        EigenOptions opt;
        opt.top_k = 3;
        opt.method = EigenMethod::Power;
        opt.tol = 1e-9;
        opt.max_hvp = 5000;
        const auto r = topEigenpairs(hessianOf(o), o.parameterCount(), opt);
        QVERIFY(r.largest && r.largest->converged);
        // Stopping on a relative change below tol leaves an error of about tol * rho / (1 - rho),
        // rho the ratio of consecutive eigenvalues; 1e-5 covers rho up to 0.9999.
        for (int i = 0; i < 3; ++i) {
            const double err =
                std::abs(r.largest->eigenvalues[i] - exact.eigenvalues[i]) / std::abs(exact.eigenvalues[i]);
            QVERIFY2(
                err < 1e-5,
                qPrintable(
                    QString("power %1: %2 vs %3").arg(i).arg(r.largest->eigenvalues[i]).arg(exact.eigenvalues[i])));
        }
    }

    void powerIterationMostNegative() {
        Synthetic s(bulkPlusSpikes(100, {9, -4, -3}, 2));
        EigenOptions opt;
        opt.top_k = 2;
        opt.which = Which::Smallest;
        opt.method = EigenMethod::Power;
        opt.tol = 1e-12;
        opt.max_hvp = 20000;
        const auto r = topEigenpairs(s.op(), s.n(), opt);
        QVERIFY(r.smallest && !r.largest);
        QCOMPARE_LE(std::abs(r.smallest->eigenvalues[1] + 4), 1e-6);
        QCOMPARE_LE(std::abs(r.smallest->eigenvalues[0] + 3), 1e-6);
    }

    void exactSpectrumClosedForm() {
        auto o = Objective::open(fx::spec("linreg.pt", "linreg.npz", Loss::MSE));
        const auto arrays = detail::readNpz(fx::path("linreg.npz"));
        const auto* x = detail::findArray(arrays, "x");
        Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> X(x->shape[0], x->shape[1]);
        std::memcpy(X.data(), x->bytes.data(), x->bytes.size());
        const Eigen::MatrixXd H = 2.0 * X.transpose() * X / double(X.rows());
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(H);
        const auto r = exactSpectrum(hessianOf(o), o.parameterCount(), true);
        QCOMPARE(r.eigenvalues.size(), size_t(H.rows()));
        for (Eigen::Index i = 0; i < H.rows(); ++i) {
            const double want = es.eigenvalues()[H.rows() - 1 - i];
            QVERIFY2(std::abs(r.eigenvalues[size_t(i)] - want) <= 1e-10 * es.eigenvalues().maxCoeff(),
                     "exact vs closed form");
        }
        QVERIFY(r.asymmetry < 1e-14);
        // The vectors diagonalise H.
        const Eigen::MatrixXd D = r.vectors.transpose() * H * r.vectors;
        QVERIFY(std::abs(D(0, 0) - r.eigenvalues[0]) < 1e-10 * r.eigenvalues[0]);
        BASIN_EXPECT_ERROR(exactSpectrum(hessianOf(o), o.parameterCount(), false, 3), "offered up to 3 parameters");
    }

    void exactMatchesPyTorchHessian() {
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        const Eigen::MatrixXd Href = fx::mat(fx::expected()["mlp"]["hessian"]);
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(0.5 * (Href + Href.transpose()));
        const auto r = exactSpectrum(hessianOf(o), o.parameterCount(), false);
        const double scale = es.eigenvalues().cwiseAbs().maxCoeff();
        for (Eigen::Index i = 0; i < Href.rows(); ++i)
            QVERIFY(std::abs(r.eigenvalues[size_t(i)] - es.eigenvalues()[Href.rows() - 1 - i]) < 1e-10 * scale);
    }

    void hutchinsonWithinFourStandardErrors() {
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        const auto exact = exactSpectrum(hessianOf(o), o.parameterCount(), false);
        const double tr = std::accumulate(exact.eigenvalues.begin(), exact.eigenvalues.end(), 0.0);
        for (uint64_t seed : {1u, 2u, 3u}) {
            TraceOptions t;
            t.probes = 40;
            t.seed = seed;
            const auto r = estimateTrace(hessianOf(o), o.parameterCount(), t);
            QVERIFY(r.stderr_ > 0);
            QVERIFY2(std::abs(r.mean - tr) < 4 * r.stderr_,
                     qPrintable(QString("trace %1 +- %2 vs exact %3").arg(r.mean).arg(r.stderr_).arg(tr)));
        }
    }

    void hutchppBeatsHutchinsonWithOutliers() {
        Synthetic s(bulkPlusSpikes(300, {400, 300, 200, 150, 100}, 5));
        double err_h = 0, err_pp = 0;
        for (uint64_t seed = 0; seed < 20; ++seed) {
            TraceOptions t;
            t.probes = 30;
            t.seed = seed;
            err_h += std::abs(estimateTrace(s.op(), s.n(), t).mean - s.trace());
            t.method = TraceMethod::HutchPP;
            const auto pp = estimateTrace(s.op(), s.n(), t);
            QCOMPARE(pp.hvp_count, int64_t(30));
            err_pp += std::abs(pp.mean - s.trace());
        }
        QVERIFY2(err_pp < err_h,
                 qPrintable(QString("Hutch++ %1 vs Hutchinson %2 (sum of 20 errors)").arg(err_pp).arg(err_h)));
    }

    void slqIntegratesToOneAndMatchesMoments() {
        Synthetic s(bulkPlusSpikes(400, {30, 12, -2}, 7));
        DensityOptions d;
        d.probes = 10;
        d.steps = 60;
        d.seed = 9;
        const auto r = spectralDensity(s.op(), s.n(), d);
        double integral = 0, wsum = 0;
        for (size_t i = 1; i < r.grid.size(); ++i)
            integral += 0.5 * (r.values[i] + r.values[i - 1]) * (r.grid[i] - r.grid[i - 1]);
        for (double w : r.weights) wsum += w;
        QVERIFY2(std::abs(integral - 1) < 1e-3, qPrintable(QString("integral %1").arg(integral)));
        QVERIFY(std::abs(wsum - 1) < 1e-12);
        double log_integral = 0;
        for (size_t i = 1; i < r.log_grid.size(); ++i)
            log_integral += 0.5 * (r.log_values[i] + r.log_values[i - 1]) * (r.log_grid[i] - r.log_grid[i - 1]);
        QVERIFY(std::abs(log_integral - 1) < 1e-3);
        // Moments sum w theta^k estimate tr(A^k)/n. Tolerance: 10% of the second moment's scale,
        // several standard deviations of a 10-probe estimate on n = 400.
        for (int k = 1; k <= 3; ++k) {
            double est = 0, exact = 0;
            for (size_t i = 0; i < r.nodes.size(); ++i) est += r.weights[i] * std::pow(r.nodes[i], k);
            for (double l : s.lambda) exact += std::pow(l, k) / double(s.n());
            const double scale = k == 1 ? 1.0 : std::pow(30.0, k) / double(s.n()) + 1;
            QVERIFY2(std::abs(est - exact) < 0.1 * scale,
                     qPrintable(QString("moment %1: %2 vs %3").arg(k).arg(est).arg(exact)));
        }
        QCOMPARE(r.hvp_count, int64_t(d.probes * d.steps));
    }

    void outlierRuleFindsPlantedSpikes() {
        for (int C : {2, 5, 10}) {
            std::vector<double> spikes;
            for (int i = 0; i < C; ++i) spikes.push_back(5.0 + 3.0 * i);
            Synthetic s(bulkPlusSpikes(400, spikes, unsigned(C)));
            EigenOptions opt;
            opt.top_k = C + 5;
            opt.tol = 1e-8;
            const auto r = topEigenpairs(s.op(), s.n(), opt);
            const auto rep = splitOutliers(r.largest->eigenvalues, s.trace(), C);
            QCOMPARE(rep.count, C);
            QVERIFY(rep.edge < 1.0 && rep.edge > 0.9);
            QVERIFY(rep.rule.find("largest relative gap") != std::string::npos);
            double share = 0;
            for (double x : spikes) share += x;
            QVERIFY(std::abs(rep.trace_share - share / s.trace()) < 1e-8);
        }
        // Papyan's C-1 outliers, with C known.
        Synthetic s(bulkPlusSpikes(300, {40, 30, 20, 10}, 11));
        EigenOptions opt;
        opt.top_k = 9;
        opt.tol = 1e-8;
        const auto r = topEigenpairs(s.op(), s.n(), opt);
        QCOMPARE(splitOutliers(r.largest->eigenvalues, s.trace(), 5).count, 4);
        // No outliers in a flat spectrum; and a hand-set edge overrides the rule.
        QCOMPARE(splitOutliers({1.0, 0.99, 0.98, 0.97}, 0, 3).count, 0);
        const auto manual = splitOutliers(r.largest->eigenvalues, s.trace(), 5, 25.0);
        QCOMPARE(manual.count, 2);
        QVERIFY(manual.manual);
    }

    void sameSeedSameNumbers() {
        Synthetic s(bulkPlusSpikes(200, {10, 7}, 13));
        EigenOptions opt;
        opt.seed = 42;
        const auto a = topEigenpairs(s.op(), s.n(), opt), b = topEigenpairs(s.op(), s.n(), opt);
        QCOMPARE(a.largest->eigenvalues, b.largest->eigenvalues);
        QCOMPARE(a.largest->hvp_count, b.largest->hvp_count);
        DensityOptions d;
        d.seed = 5;
        QCOMPARE(spectralDensity(s.op(), s.n(), d).nodes, spectralDensity(s.op(), s.n(), d).nodes);
        TraceOptions t;
        t.seed = 5;
        QCOMPARE(estimateTrace(s.op(), s.n(), t).mean, estimateTrace(s.op(), s.n(), t).mean);
    }

    void cancelStopsWithinOneProduct() {
        Synthetic s(bulkPlusSpikes(300, {10, 7}, 17));
        JobContext* self = nullptr;
        JobContext job([&](const Progress& p) {
            if (p.done >= 5) self->cancel();
        });
        self = &job;
        EigenOptions opt;
        opt.tol = 1e-14;
        QVERIFY_THROWS_EXCEPTION(Cancelled, topEigenpairs(s.op(), s.n(), opt, &job));
        QVERIFY2(s.products <= 6, qPrintable(QString("%1 products after cancel at 5").arg(s.products)));
    }

    void memoryRefusalGivesTheEstimate() {
        BASIN_EXPECT_ERROR(checkMemory(int64_t(1) << 40, 100, "Lanczos"), "Lanczos needs about", "GB", "is free");
    }

    void spectrumJobOnAModel() {
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        SpectrumOptions opt;
        opt.eigen.top_k = 3;
        opt.eigen.which = Which::Both;
        opt.eigen.tol = 1e-8;
        opt.trace = true;
        opt.density = true;
        opt.density_options.steps = 20;
        opt.exact = true;
        const auto r = computeSpectrum(o, opt);
        QVERIFY(std::abs(r.largest->eigenvalues[0] - r.exact->eigenvalues[0]) < 1e-8 * r.exact->eigenvalues[0]);
        QCOMPARE(r.hvp_count, o.hvpCount());
        const auto j = nlohmann::json::parse(spectrumJson(r));
        for (const char* key : {"eigenvalues", "residuals", "converged", "hvp_count", "seconds", "trace", "density",
                                "exact_eigenvalues", "outliers", "options"})
            QVERIFY2(j.contains(key), key);
        QCOMPARE(j["eigenvalues"].size(), size_t(6));
        QVERIFY(j["eigenvalues"][0].get<double>() >= j["eigenvalues"][5].get<double>());
        QCOMPARE(j["outliers"]["classes"].get<int>(), 3);
        QVERIFY(j["trace"].contains("stderr"));
        QVERIFY(j["density"].contains("weights"));
    }
};

QTEST_APPLESS_MAIN(TestCurvature)
#include "test_curvature.moc"
