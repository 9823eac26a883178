// The line between two checkpoints (issue #19): compare's path and the surface's checkpoint line are
// one code path, their ends are the checkpoints bit for bit (weights and BatchNorm statistics), and
// the points between move the statistics with the weights.
#include <QtTest/QtTest>

#include "basin/checkpoint_line.h"
#include "basin/compare.h"
#include "basin/curvature.h"
#include "basin/curvature_map.h"
#include "basin/objective.h"
#include "basin/probe.h"
#include "basin/study.h"
#include "basin/surface.h"
#include "basin/surface_plan.h"

using namespace basin;

namespace {

// The demo's CNN (BatchNorm) on its first 128 samples: its initial and trained checkpoints hold
// different running statistics, so a path that kept one end's would miss the other end.
StudySpec demoSpec() {
    StudySpec s = loadStudy(std::string(BASIN_DEMO_DIR) + "/demo.basin.json");
    s.samples = 128;
    s.batch_size = 64;
    s.threads = 1;
    return s;
}

std::string demo(const char* name) { return std::string(BASIN_DEMO_DIR) + "/" + name; }

EigenOptions topOne() {
    EigenOptions e;
    e.top_k = 1;
    e.max_hvp = 60;
    e.tol = 1e-6;
    e.seed = 3;
    return e;
}

double lambdaMax(Objective& o, EigenOptions e) {
    LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, nullptr); };
    return topEigenpairs(H, o.parameterCount(), e, nullptr).largest->eigenvalues.front();
}

}  // namespace

class TestCheckpointLine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lerpIsExactAtBothEnds() {
        Eigen::VectorXd a(3), b(3);
        a << 0.1, -0.7, 1e-9;
        b << 0.3, 0.2, 3.0;
        QVERIFY(lerp(a, b, 0.0) == a);
        QVERIFY(lerp(a, b, 1.0) == b);
        QVERIFY((a + (b - a)) != b);  // the form it replaces misses b by rounding here
        QCOMPARE(lerp(a, b, 0.5)[2], 0.5 * 1e-9 + 1.5);
    }

    void thePathEndsAtBothCheckpoints() {
        const StudySpec spec = demoSpec();
        const std::string from = demo("ckpt_0_init.pt"), to = demo("ckpt_5_epoch4.pt");
        auto first = Objective::open(spec, from);
        auto last = Objective::open(spec, to);
        QVERIFY((first.buffersFlat() - last.buffersFlat()).norm() > 1e-3);  // the statistics differ
        const Evaluation e0 = first.evaluate(), e1 = last.evaluate();
        const double l0 = lambdaMax(first, topOne()), l1 = lambdaMax(last, topOne());

        const PathResult path = interpolationPath(spec, from, to, 3, topOne(), nullptr, BatchNormMode::Eval);
        QCOMPARE(int(path.points.size()), 3);
        QCOMPARE(path.points.back().t, 1.0);
        // Bit for bit: the same weights and statistics give the same loss and accuracy.
        QCOMPARE(path.points.front().eval.loss, e0.loss);
        QCOMPARE(path.points.front().eval.accuracy, e0.accuracy);
        QCOMPARE(path.points.back().eval.loss, e1.loss);
        QCOMPARE(path.points.back().eval.accuracy, e1.accuracy);
        QVERIFY2(std::abs(path.points.front().top_eigenvalue - l0) <= 1e-9 * std::abs(l0),
                 qPrintable(QString("%1 vs %2").arg(path.points.front().top_eigenvalue).arg(l0)));
        QVERIFY2(std::abs(path.points.back().top_eigenvalue - l1) <= 1e-9 * std::abs(l1),
                 qPrintable(QString("%1 vs %2").arg(path.points.back().top_eigenvalue).arg(l1)));
        QVERIFY(path.bn.find("interpolated") != std::string::npos);

        // The middle: weights and statistics both half-way.
        CheckpointLine line = checkpointLine(first, from, to);
        placeOnLine(first, line, 0.5);
        QCOMPARE(path.points[1].eval.loss, first.evaluate().loss);
        QVERIFY((first.buffersFlat() - 0.5 * (line.from_buffers + line.to_buffers)).norm() < 1e-6);
    }

    void theSurfaceLineIsThePath() {
        const StudySpec spec = demoSpec();
        const std::string from = demo("ckpt_0_init.pt"), to = demo("ckpt_5_epoch4.pt");
        auto o = Objective::open(spec);  // the study's model (the last checkpoint)
        SurfaceRequest r;
        r.dirs = "checkpoints";
        r.two_d = false;
        r.checkpoints = {from, to};
        const SurfacePlan plan = planSurface(o, r);
        QVERIFY(plan.line.has_value());
        SurfaceOptions grid_options;
        grid_options.nx = 5;
        grid_options.ny = 1;
        grid_options.x0 = -0.5;
        grid_options.x1 = 1.5;  // x = 0, 0.5, 1 on the grid, and beyond both ends
        SurfaceGrid g = makeGrid(grid_options);
        const Eigen::VectorXd before = o.buffersFlat();
        computeSurface(o, plan.origin, plan.dx, nullptr, g, BatchNormMode::Eval, nullptr, {}, 64, {}, &*plan.line);
        QVERIFY(o.buffersFlat() == before);  // the statistics are restored

        EigenOptions none = topOne();
        none.max_hvp = 0;
        const PathResult path = interpolationPath(spec, from, to, 3, none, nullptr, BatchNormMode::Eval);
        for (int k = 0; k < 3; ++k) QCOMPARE(g.loss[size_t(k + 1)], path.points[size_t(k)].eval.loss);
    }

    void theCurvatureMapAlongTheLineIsPlacedAsTheSurface() {
        // The map's points between two checkpoints carry their interpolated BatchNorm statistics:
        // its loss is the path's at every point and the checkpoints' own at both ends.
        const StudySpec spec = demoSpec();
        const std::string from = demo("ckpt_0_init.pt"), to = demo("ckpt_5_epoch4.pt");
        auto o = Objective::open(spec);
        CurvatureMapOptions options;
        options.surface.dirs = "checkpoints";
        options.surface.checkpoints = {from, to};
        options.surface.nx = 3;
        options.surface.ny = 1;
        options.surface.range = std::array<double, 4>{0.0, 1.0, 0.0, 0.0};
        options.curvature.lambda_min = false;
        options.curvature.tol = 1e-1;
        options.curvature.max_hvp = 6;
        const Eigen::VectorXd before = o.buffersFlat();
        const SurfaceGrid map = computeCurvatureMap(o, options);
        QVERIFY(o.buffersFlat() == before);
        QVERIFY(map.complete() && map.curvature);
        EigenOptions none = topOne();
        none.max_hvp = 0;
        const PathResult path = interpolationPath(spec, from, to, 3, none, nullptr, BatchNormMode::Eval);
        for (int k = 0; k < 3; ++k) QCOMPARE(map.loss[size_t(k)], path.points[size_t(k)].eval.loss);
        QCOMPARE(map.loss.front(), Objective::open(spec, from).evaluate().loss);
        QCOMPARE(map.loss.back(), Objective::open(spec, to).evaluate().loss);
        // A probe on the line is placed the same way: at x = 1 it is the second checkpoint.
        ProbeOptions probe;
        probe.directions = options.surface;
        probe.spectrum.eigen = none;
        probe.spectrum.eigen.max_hvp = 4;
        probe.x = 1.0;
        const ProbeResult at_end = computeProbe(o, probe);
        QVERIFY(o.buffersFlat() == before);
        QCOMPARE(at_end.eval.loss, map.loss.back());
    }
};

QTEST_GUILESS_MAIN(TestCheckpointLine)
#include "test_checkpoint_line.moc"
