// Loss surfaces against PyTorch evaluating the same perturbed weights (eval mode and BatchNorm
// recomputed), direction normalisation, checkpoint lines and planes, PCA, resume after cancel.
#include <QtTest/QtTest>

#include <Eigen/Dense>
#include <random>

#include "basin/directions.h"
#include "basin/error.h"
#include "basin/surface.h"
#include "basin/surface_plan.h"
#include "fixtures.h"

using namespace basin;

namespace {

StudySpec cnnSpec() { return fx::spec("cnn.pt", "cnn_data.npz", Loss::CrossEntropy); }

SurfaceGrid fixtureGrid(bool two_d, BatchNormMode bn) {
    const auto& e = fx::expected()["surface"];
    SurfaceOptions o;
    o.nx = int(e["xs"].size());
    o.ny = two_d ? int(e["ys"].size()) : 1;
    o.x0 = e["xs"].front().get<double>();
    o.x1 = e["xs"].back().get<double>();
    o.y0 = e["ys"].front().get<double>();
    o.y1 = e["ys"].back().get<double>();
    o.bn = bn;
    auto g = makeGrid(o);
    g.ys = two_d ? e["ys"].get<std::vector<double>>() : std::vector<double>{0.0};  // non-uniform ys
    return g;
}

void compareWithPyTorch(bool two_d, BatchNormMode bn) {
    auto o = Objective::open(cnnSpec());
    const auto dx = loadDirection(fx::path("cnn_dx.npy"), o.parameters());
    const auto dy = loadDirection(fx::path("cnn_dy.npy"), o.parameters());
    auto g = fixtureGrid(two_d, bn);
    const Eigen::VectorXd theta = o.parametersFlat();
    computeSurface(o, theta, dx, two_d ? &dy : nullptr, g, bn);
    QVERIFY(g.complete());
    const std::string mode = bn == BatchNormMode::Eval ? "eval" : "recompute";
    const auto& e = fx::expected()["surface"];
    for (int j = 0; j < g.ny(); ++j)
        for (int i = 0; i < g.nx(); ++i) {
            const double want = two_d ? e["grid_" + mode][size_t(j)][size_t(i)].get<double>()
                                      : e["line_" + mode][size_t(i)].get<double>();
            const double got = g.loss[size_t(j * g.nx() + i)];
            QVERIFY2(std::abs(got - want) <= 1e-5 * std::abs(want), qPrintable(QString("%1 (%2,%3): %4 vs PyTorch %5")
                                                                                   .arg(QString::fromStdString(mode))
                                                                                   .arg(i)
                                                                                   .arg(j)
                                                                                   .arg(got)
                                                                                   .arg(want)));
        }
    // The objective is left as it was found.
    QCOMPARE(fx::relErr(o.parametersFlat(), theta), 0.0);
    QVERIFY(o.batchNormMode() == BatchNormMode::Eval);
}

}  // namespace

class TestSurface : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lineEval() { compareWithPyTorch(false, BatchNormMode::Eval); }
    void lineBatchNormRecomputed() { compareWithPyTorch(false, BatchNormMode::Recompute); }
    void gridEval() { compareWithPyTorch(true, BatchNormMode::Eval); }
    void gridBatchNormRecomputed() { compareWithPyTorch(true, BatchNormMode::Recompute); }

    void accuracyMatchesPyTorch() {
        auto o = Objective::open(cnnSpec());
        const auto dx = loadDirection(fx::path("cnn_dx.npy"), o.parameters());
        const auto dy = loadDirection(fx::path("cnn_dy.npy"), o.parameters());
        auto g = fixtureGrid(true, BatchNormMode::Eval);
        computeSurface(o, o.parametersFlat(), dx, &dy, g, BatchNormMode::Eval);
        const auto& acc = fx::expected()["surface"]["grid_accuracy_eval"];
        for (int j = 0; j < g.ny(); ++j)
            for (int i = 0; i < g.nx(); ++i)
                QCOMPARE(g.accuracy[size_t(j * g.nx() + i)], acc[size_t(j)][size_t(i)].get<double>());
    }

    void evalModeRestoresStoredStatistics() {
        auto o = Objective::open(cnnSpec());
        const double before = o.evaluate().loss;
        o.setBatchNormMode(BatchNormMode::Recompute);
        const double recomputed = o.evaluate().loss;
        QVERIFY(std::abs(recomputed - before) > 1e-6);  // the fixture's stored stats differ from the data's
        o.setBatchNormMode(BatchNormMode::Eval);
        QCOMPARE(o.evaluate().loss, before);
        QCOMPARE(o.batchNormLayers(), 1);
    }

    void filterNormalisation() {
        auto o = Objective::open(cnnSpec());
        const Eigen::VectorXd theta = o.parametersFlat();
        const auto d = randomDirection(o.parameters(), theta, DirectionNorm::Filter, IgnoreMode::BiasBN, 3);
        int filters_checked = 0;
        for (const auto& p : o.parameters()) {
            if (p.shape.size() <= 1) {
                QCOMPARE(d.segment(p.offset, p.size).norm(), 0.0);  // biases and BatchNorm zeroed
                continue;
            }
            const int64_t per = p.size / p.shape[0];
            for (int64_t f = 0; f < p.shape[0]; ++f) {
                const double dn = d.segment(p.offset + f * per, per).norm(),
                             tn = theta.segment(p.offset + f * per, per).norm();
                QVERIFY(std::abs(dn - tn) <= 1e-12 * tn);
                ++filters_checked;
            }
        }
        QCOMPARE(filters_checked, 4 + 4);  // conv: 4 filters, fc: 4 rows
        const auto kept = randomDirection(o.parameters(), theta, DirectionNorm::Layer, IgnoreMode::None, 3);
        const auto& conv = o.parameters()[0];
        QVERIFY(std::abs(kept.segment(conv.offset, conv.size).norm() - theta.segment(conv.offset, conv.size).norm()) <
                1e-12);
        const auto& bias = o.parameters()[1];
        QCOMPARE(fx::relErr(kept.segment(bias.offset, bias.size), theta.segment(bias.offset, bias.size)), 0.0);
        // Same seed, same direction.
        QCOMPARE(fx::relErr(d, randomDirection(o.parameters(), theta, DirectionNorm::Filter, IgnoreMode::BiasBN, 3)),
                 0.0);
    }

    void orthogonalisationReportsTheCosine() {
        Eigen::VectorXd a(3), b(3);
        a << 1, 0, 0;
        b << 1, 1, 0;
        const double c = orthogonalise(a, b);
        QVERIFY(std::abs(c - std::sqrt(0.5)) < 1e-15);
        QCOMPARE(a.dot(b), 0.0);
    }

    void interpolationHitsBothCheckpoints() {
        auto o = Objective::open(cnnSpec());
        SurfaceRequest r;
        r.dirs = "checkpoints";
        r.two_d = false;
        r.checkpoints = {fx::path("cnn_ckpt0.pt"), fx::path("cnn_ckpt1.pt")};
        const auto plan = planSurface(o, r);
        SurfaceOptions opt;
        opt.nx = 5;
        opt.ny = 1;
        opt.x0 = -0.5;
        opt.x1 = 1.5;  // beyond both ends
        auto g = makeGrid(opt);
        computeSurface(o, plan.origin, plan.dx, nullptr, g, BatchNormMode::Eval);
        const auto& want = fx::expected()["surface"]["checkpoint_losses"];
        QVERIFY(std::abs(g.loss[1] - want[0].get<double>()) < 1e-12);  // x = 0
        QVERIFY(std::abs(g.loss[3] - want[1].get<double>()) < 1e-12);  // x = 1
        QCOMPARE(plan.trajectory.size(), size_t(2));
        QVERIFY(std::abs(plan.trajectory[1][0] - 1.0) < 1e-12);
    }

    void planeThroughThreeCheckpoints() {
        auto o = Objective::open(cnnSpec());
        SurfaceRequest r;
        r.dirs = "checkpoints";
        r.checkpoints = {fx::path("cnn_ckpt0.pt"), fx::path("cnn_ckpt1.pt"), fx::path("cnn_ckpt2.pt")};
        const auto plan = planSurface(o, r);
        QVERIFY(plan.dy.has_value());
        const auto& want = fx::expected()["surface"]["checkpoint_losses"];
        for (size_t k = 0; k < 3; ++k) {
            const Eigen::VectorXd t = plan.origin + plan.trajectory[k][0] * plan.dx + plan.trajectory[k][1] * *plan.dy;
            QCOMPARE_LE(fx::relErr(t, o.parametersOfModel(r.checkpoints[k])), 1e-12);
            o.setParameters(t);
            QVERIFY(std::abs(o.evaluate().loss - want[k].get<double>()) < 1e-10);
        }
        QVERIFY(plan.suggested_range.has_value());
        BASIN_EXPECT_ERROR(o.parametersOfModel(fx::path("mlp.pt")), "mlp.pt", "not the same architecture");
    }

    void eigenDirectionsAreEigenvectors() {
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        for (const char* dirs : {"eigen", "eigen-neg"}) {
            SurfaceRequest r;
            r.dirs = dirs;
            const auto plan = planSurface(o, r);
            QVERIFY(plan.dy.has_value());
            for (const auto* d : {&plan.dx, &*plan.dy}) {
                QVERIFY(std::abs(d->norm() - 1) < 1e-12);
                Eigen::VectorXd hd;
                o.hvp(*d, hd);
                const double lambda = d->dot(hd);
                QVERIFY2((hd - lambda * *d).norm() < 1e-3 * std::abs(lambda) + 1e-6, dirs);
            }
            Eigen::VectorXd hx, hy;
            o.hvp(plan.dx, hx);
            o.hvp(*plan.dy, hy);
            if (std::string(dirs) == "eigen-neg") QVERIFY(plan.dy->dot(hy) < 0);  // the most negative end
            else QVERIFY(plan.dx.dot(hx) >= plan.dy->dot(hy));
            QVERIFY(std::abs(plan.dx.dot(*plan.dy)) < 1e-6);
        }
    }

    void pcaPlanOfCheckpoints() {
        auto o = Objective::open(cnnSpec());
        SurfaceRequest r;
        r.dirs = "pca";
        r.ignore = IgnoreMode::None;
        r.checkpoints = {fx::path("cnn_ckpt0.pt"), fx::path("cnn_ckpt1.pt"), fx::path("cnn_ckpt2.pt")};
        const auto plan = planSurface(o, r);
        // Three points always lie in a plane: the trajectory is reproduced exactly from its coordinates.
        for (size_t k = 0; k < 3; ++k) {
            const Eigen::VectorXd t = plan.origin + plan.trajectory[k][0] * plan.dx + plan.trajectory[k][1] * *plan.dy;
            QVERIFY(fx::relErr(t, o.parametersOfModel(r.checkpoints[k])) < 1e-10);
        }
        QVERIFY(plan.x_label.find("% of variance") != std::string::npos);
        BASIN_EXPECT_ERROR(planSurface(o, SurfaceRequest{"pca",
                                                         DirectionNorm::Filter,
                                                         IgnoreMode::None,
                                                         false,
                                                         true,
                                                         0,
                                                         {fx::path("cnn_ckpt0.pt"), fx::path("cnn_ckpt1.pt")}}),
                           "at least 3 checkpoints");
    }

    void pcaRecoversAKnownPlane() {
        std::mt19937_64 rng(5);
        std::normal_distribution<double> d;
        const int n = 200;
        Eigen::VectorXd a(n), b(n), origin(n);
        for (int i = 0; i < n; ++i) {
            a[i] = d(rng);
            b[i] = d(rng);
            origin[i] = d(rng);
        }
        std::vector<Eigen::VectorXd> traj;
        for (int t = 0; t < 8; ++t) traj.push_back(origin + std::cos(0.4 * t) * 3 * a + std::sin(0.7 * t) * b);
        const auto pca = trajectoryPCA(traj, {}, IgnoreMode::None);
        QVERIFY(pca.explained_x + pca.explained_y > 1 - 1e-10);
        // Both axes lie in span{a, b}: the residual of projecting them onto it vanishes.
        Eigen::MatrixXd B(n, 2);
        B << a, b;
        const auto qr = B.colPivHouseholderQr();
        for (const auto* axis : {&pca.x, &pca.y}) {
            const Eigen::VectorXd coef = qr.solve(*axis);
            QVERIFY((B * coef - *axis).norm() < 1e-8);
        }
        QCOMPARE(pca.projected.size(), size_t(8));
        QVERIFY(std::abs(pca.projected.back()[0]) < 1e-12);
    }

    void progressiveOrderVisitsEveryPointOnce() {
        for (auto [nx, ny] : {std::pair{51, 51}, std::pair{41, 61}, std::pair{7, 1}}) {
            const auto order = progressiveOrder(nx, ny);
            std::vector<int> seen(size_t(nx * ny), 0);
            for (auto k : order) ++seen[size_t(k)];
            QVERIFY(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
            // The four corners come before any interior point of the finest level.
            const int64_t corner = int64_t(ny - 1) * nx + nx - 1;
            const auto pos = std::find(order.begin(), order.end(), corner) - order.begin();
            QVERIFY(pos < std::max<int64_t>(4, int64_t(order.size()) / 4));
        }
    }

    void resumeAfterCancelEqualsOneGo() {
        auto o = Objective::open(cnnSpec());
        const Eigen::VectorXd theta = o.parametersFlat();
        const auto dx = randomDirection(o.parameters(), theta, DirectionNorm::Filter, IgnoreMode::BiasBN, 1);
        const auto dy = randomDirection(o.parameters(), theta, DirectionNorm::Filter, IgnoreMode::BiasBN, 2);
        SurfaceOptions opt;
        opt.nx = 9;
        opt.ny = 7;
        auto whole = makeGrid(opt);
        computeSurface(o, theta, dx, &dy, whole, BatchNormMode::Eval);
        auto part = makeGrid(opt);
        JobContext* self = nullptr;
        JobContext job([&](const Progress& p) {
            if (p.done >= 30) self->cancel();
        });
        self = &job;
        QVERIFY_THROWS_EXCEPTION(Cancelled, computeSurface(o, theta, dx, &dy, part, BatchNormMode::Eval, &job));
        QCOMPARE(part.computed(), int64_t(30));
        QVERIFY(!part.complete());
        QCOMPARE(fx::relErr(o.parametersFlat(), theta), 0.0);  // restored after the cancel
        // Round trip through the JSON a resumed run reads, then finish.
        auto back = surfaceFromJson(surfaceJson(part), "partial.json");
        QCOMPARE(back.computed(), int64_t(30));
        computeSurface(o, theta, dx, &dy, back, BatchNormMode::Eval);
        QVERIFY(back.complete());
        for (size_t k = 0; k < whole.loss.size(); ++k) QCOMPARE(back.loss[k], whole.loss[k]);
    }

    void directionFilesRoundTrip() {
        auto o = Objective::open(cnnSpec());
        QTemporaryDir tmp;
        const auto d = randomDirection(o.parameters(), o.parametersFlat(), DirectionNorm::Filter, IgnoreMode::None, 8);
        const std::string f = tmp.filePath("d.npy").toStdString();
        saveDirection(f, d);
        QCOMPARE(fx::relErr(loadDirection(f, o.parameters()), d), 0.0);
        BASIN_EXPECT_ERROR(loadDirection(fx::path("arr_f32.npy"), o.parameters()), "arr_f32.npy", "24 numbers");
    }
};

QTEST_APPLESS_MAIN(TestSurface)
#include "test_surface.moc"
