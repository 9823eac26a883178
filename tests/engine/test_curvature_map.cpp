// Curvature across the landscape: maps of λmax, λmin and the trace against the exact Hessian at
// every perturbed point (PyTorch, float64), warm against cold starts, cancel and resume, the probe
// against the spectrum at moved weights, and one layer group's landscape against PyTorch's loss.
#include <QtTest/QtTest>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "basin/curvature_map.h"
#include "basin/directions.h"
#include "basin/error.h"
#include "basin/probe.h"
#include "basin/surface_job.h"
#include "fixtures.h"

using namespace basin;

namespace {

StudySpec mlpSpec() { return fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy); }

// The fixture's 5 x 3 grid along its two direction files.
CurvatureMapOptions fixtureMap() {
    CurvatureMapOptions o;
    o.surface.dirs = fx::path("mlp_dx.npy") + "," + fx::path("mlp_dy.npy");
    o.surface.nx = 5;
    o.surface.ny = 3;
    o.surface.range = std::array<double, 4>{-1, 1, -0.5, 0.5};
    o.curvature.tol = 1e-10;
    o.curvature.max_hvp = 99;
    return o;
}

double relative(double got, double want) { return std::abs(got - want) / std::max(std::abs(want), 1e-300); }

// Random directions on a finer grid: enough points for warm starts to show.
CurvatureMapOptions randomMap(bool warm, double tol = 1e-8) {
    CurvatureMapOptions o;
    o.surface.nx = 9;
    o.surface.ny = 7;
    o.surface.range = std::array<double, 4>{-0.5, 0.5, -0.5, 0.5};
    o.curvature.tol = tol;
    o.curvature.max_hvp = 99;
    o.curvature.warm_start = warm;
    o.seed = 2;
    return o;
}

SpectrumOptions probeSpectrum() {
    SpectrumOptions s;
    s.eigen.top_k = 3;
    s.eigen.which = Which::Both;
    s.eigen.tol = 1e-9;
    s.trace = true;
    s.trace_options.probes = 12;
    s.density = true;
    s.density_options.probes = 2;
    s.density_options.steps = 15;
    return s;
}

// The numbers of two spectra, bit for bit (not their timings or provenance).
void sameSpectrum(const SpectrumResult& a, const SpectrumResult& b) {
    QCOMPARE(a.largest->eigenvalues, b.largest->eigenvalues);
    QCOMPARE(a.largest->residuals, b.largest->residuals);
    QCOMPARE(a.smallest->eigenvalues, b.smallest->eigenvalues);
    QCOMPARE(a.trace->mean, b.trace->mean);
    QCOMPARE(a.trace->stderr_, b.trace->stderr_);
    QCOMPARE(a.density->values, b.density->values);
    QCOMPARE(a.hvp_count, b.hvp_count);
}

}  // namespace

class TestCurvatureMap : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyPointEqualsTheExactHessian() {
        auto o = Objective::open(mlpSpec());
        CurvatureMapOptions opt = fixtureMap();
        opt.curvature.trace_probes = 64;
        const Eigen::VectorXd theta = o.parametersFlat();
        const SurfaceGrid map = computeCurvatureMap(o, opt);
        QVERIFY(map.complete() && map.curvature);
        const auto& e = fx::expected()["curvature"];
        const GridCurvature& c = *map.curvature;
        for (int j = 0; j < 3; ++j)
            for (int i = 0; i < 5; ++i) {
                const size_t k = size_t(j * 5 + i);
                const double lmax = e["lambda_max"][size_t(j)][size_t(i)].get<double>();
                const double lmin = e["lambda_min"][size_t(j)][size_t(i)].get<double>();
                const double tr = e["trace"][size_t(j)][size_t(i)].get<double>();
                QVERIFY2(relative(c.lambda_max[k], lmax) < 1e-8, qPrintable(QString("lambda_max (%1,%2): %3 vs %4")
                                                                                .arg(i)
                                                                                .arg(j)
                                                                                .arg(c.lambda_max[k], 0, 'g', 17)
                                                                                .arg(lmax, 0, 'g', 17)));
                QVERIFY2(relative(c.lambda_min[k], lmin) < 1e-8, qPrintable(QString("lambda_min (%1,%2): %3 vs %4")
                                                                                .arg(i)
                                                                                .arg(j)
                                                                                .arg(c.lambda_min[k], 0, 'g', 17)
                                                                                .arg(lmin, 0, 'g', 17)));
                QVERIFY2(std::abs(c.trace[k] - tr) <= 4 * c.trace_stderr[k],
                         qPrintable(QString("trace (%1,%2): %3 +- %4 vs %5")
                                        .arg(i)
                                        .arg(j)
                                        .arg(c.trace[k])
                                        .arg(c.trace_stderr[k])
                                        .arg(tr)));
                QVERIFY(c.trace_stderr[k] > 0);
                QVERIFY(c.converged[k]);
                QVERIFY(c.hvp[k] > 64 && c.hvp[k] <= 99 + 64);
                QCOMPARE(c.ratio(k), std::abs(c.lambda_min[k] / c.lambda_max[k]));
            }
        // The same probes at every point: the trace's error is smooth, not drawn anew per point.
        QCOMPARE(map.provenance.analysis, std::string("curvature-map"));
        QCOMPARE(map.provenance.options, toJson(opt));
        int64_t sum = 0;
        for (int32_t h : c.hvp) sum += h;
        QCOMPARE(map.provenance.hvp_count, sum);
        QCOMPARE(fx::relErr(o.parametersFlat(), theta), 0.0);  // the weights are put back
        // Its loss is the surface's, point for point.
        SurfaceJobOptions so = opt.surface;
        const SurfaceGrid surface = computeSurfaceJob(o, so);
        QCOMPARE(map.loss, surface.loss);
        QCOMPARE(map.directions_key, surface.directions_key);
    }

    void warmStartsAgreeWithColdOnesAndSpendLess() {
        auto o = Objective::open(mlpSpec());
        const SurfaceGrid warm = computeCurvatureMap(o, randomMap(true));
        const SurfaceGrid cold = computeCurvatureMap(o, randomMap(false));
        const auto& w = *warm.curvature;
        const auto& c = *cold.curvature;
        const double scale = *std::max_element(c.lambda_max.begin(), c.lambda_max.end());
        for (size_t k = 0; k < warm.loss.size(); ++k) {
            QVERIFY2(std::abs(w.lambda_max[k] - c.lambda_max[k]) < 1e-8 * scale, qPrintable(QString::number(k)));
            QVERIFY2(std::abs(w.lambda_min[k] - c.lambda_min[k]) < 1e-8 * scale, qPrintable(QString::number(k)));
            QVERIFY(w.converged[k] && c.converged[k]);
            QCOMPARE(c.warm[k], uint8_t(0));
        }
        const auto wc = curvatureMapCost(warm), cc = curvatureMapCost(cold);
        QCOMPARE(wc.points, int64_t(63));
        QCOMPARE(wc.warm_points, int64_t(62));  // all but the first point
        qInfo("H*v per point: warm %.1f, cold %.1f (%lld vs %lld in all)", wc.perPoint(), cc.perPoint(),
              (long long)wc.hvp, (long long)cc.hvp);
        QVERIFY2(wc.hvp < cc.hvp, "the warm start must spend fewer products");
        QCOMPARE(warm.loss, cold.loss);
        QVERIFY(toJson(curvatureMapOptions(warm)) != toJson(curvatureMapOptions(cold)));  // keyed apart
    }

    void aCancelledAndResumedMapEqualsOneGo() {
        auto o = Objective::open(mlpSpec());
        for (bool warm_start : {false, true}) {
            const CurvatureMapOptions opt = randomMap(warm_start, 1e-10);
            const SurfaceGrid whole = computeCurvatureMap(o, opt);
            const SurfacePlan plan = planCurvatureMap(o, opt);
            SurfaceGrid part = curvatureMapGridFor(o, opt, plan);
            JobContext job;
            try {
                computeCurvatureMapPoints(
                    o, plan, part, &job,
                    [&](const SurfaceGrid& g) {
                        if (g.computed() >= 20) job.cancel();
                    },
                    1);
                QFAIL("the map was not cancelled");
            } catch (const Cancelled&) {
            }
            QVERIFY(part.computed() >= 20 && !part.complete());
            // Saved as basin-cli saves it, read back, checked and finished.
            const SurfaceGrid saved = curvatureMapFromJson(curvatureMapJson(part), "part.json");
            SurfaceGrid again = curvatureMapGridFor(o, opt, planCurvatureMap(o, opt));
            resumeFrom(again, saved, "part.json");
            computeCurvatureMapPoints(o, plan, again, nullptr);
            QVERIFY(again.complete());
            QCOMPARE(again.loss, whole.loss);
            const auto& a = *again.curvature;
            const auto& b = *whole.curvature;
            if (!warm_start) {
                // Cold starts do not depend on which points were computed before: bit for bit.
                QCOMPARE(a.lambda_max, b.lambda_max);
                QCOMPARE(a.lambda_min, b.lambda_min);
                QCOMPARE(a.hvp, b.hvp);
            } else {
                // Warm starts come from other neighbours after a resume: equal to the tolerance.
                for (size_t k = 0; k < a.lambda_max.size(); ++k) {
                    QVERIFY(relative(a.lambda_max[k], b.lambda_max[k]) < 1e-8);
                    QVERIFY(std::abs(a.lambda_min[k] - b.lambda_min[k]) < 1e-8 * std::abs(b.lambda_max[k]));
                }
            }
        }
    }

    void aResumeChecksTheCurvatureOptions() {
        auto o = Objective::open(mlpSpec());
        CurvatureMapOptions opt = randomMap(true);
        opt.surface.nx = 5;
        opt.surface.ny = 3;
        const SurfaceGrid map = computeCurvatureMap(o, opt);
        CurvatureMapOptions other = opt;
        other.curvature.tol = 1e-4;
        SurfaceGrid g = curvatureMapGridFor(o, other, planCurvatureMap(o, other));
        BASIN_EXPECT_ERROR(resumeFrom(g, map, "m.json"), "m.json", "cannot be resumed", "tol 1e-08, not 0.0001");
        // A loss surface is not a map, and a map is not a surface.
        const SurfaceGrid surface = computeSurfaceJob(o, opt.surface);
        SurfaceGrid m2 = curvatureMapGridFor(o, opt, planCurvatureMap(o, opt));
        BASIN_EXPECT_ERROR(resumeFrom(m2, surface, "s.json"), "s.json", "cannot be resumed");
        BASIN_EXPECT_ERROR(curvatureMapFromJson(surfaceJson(surface), "s.json"), "s.json", "not a curvature map");
    }

    void aMapRoundTripsThroughItsJson() {
        auto o = Objective::open(mlpSpec());
        CurvatureMapOptions opt = fixtureMap();
        opt.curvature.tol = 1e-6;
        opt.curvature.trace_probes = 4;
        opt.seed = 3;
        const SurfaceGrid map = computeCurvatureMap(o, opt);
        const std::string text = curvatureMapJson(map);
        const SurfaceGrid back = curvatureMapFromJson(text, "m.json");
        QCOMPARE(curvatureMapJson(back), text);
        QCOMPARE(back.curvature->lambda_max, map.curvature->lambda_max);
        QCOMPARE(toJson(curvatureMapOptions(back)), toJson(opt));
        const auto j = nlohmann::json::parse(text);
        QCOMPARE(j["curvature"]["lambda_max"].size(), size_t(3));     // rows of y
        QCOMPARE(j["curvature"]["lambda_max"][0].size(), size_t(5));  // of nx values
        // Options out of range name themselves.
        CurvatureMapOptions bad = opt;
        bad.curvature.max_hvp = 1;
        BASIN_EXPECT_ERROR(validate(bad), "curvature-map option max_hvp (--max-hvp) is 1");
        bad = opt;
        bad.curvature.trace_probes = 1;
        BASIN_EXPECT_ERROR(validate(bad), "curvature-map option trace_probes (--probes) is 1", "0 (no trace)");
        BASIN_EXPECT_ERROR(curvatureMapOptionsFromJson(R"({"ends": "smallest"})", "s.json"), "s.json", "ends",
                           "both or largest");
    }

    void theProbeAtTheCentreIsTheCentresSpectrum() {
        auto o = Objective::open(mlpSpec());
        const Eigen::VectorXd theta = o.parametersFlat();
        SpectrumOptions s = probeSpectrum();
        s.seed = 4;
        ProbeOptions p;
        p.spectrum = s;
        p.seed = 4;
        const ProbeResult probe = computeProbe(o, p);
        const SpectrumResult centre = computeSpectrum(o, s);
        sameSpectrum(probe.spectrum, centre);
        QCOMPARE(probe.eval.loss, o.evaluate().loss);
        QCOMPARE(fx::relErr(o.parametersFlat(), theta), 0.0);
        // Keyed apart from the centre's spectrum, and from another point.
        QCOMPARE(probe.provenance.analysis, std::string("probe"));
        QVERIFY(probe.provenance.key != centre.provenance.key);
        ProbeOptions q = p;
        q.x = 0.25;
        QVERIFY(optionsKey("probe", toJson(q)) != optionsKey("probe", toJson(p)));
        // The grid and range of the plane do not move the point: not in the key.
        ProbeOptions r = p;
        r.directions.nx = 51;
        r.directions.range = std::array<double, 4>{-2, 2, -2, 2};
        QCOMPARE(toJson(r), toJson(p));
        QCOMPARE(probeJson(probeFromJson(probeJson(probe), "p.json")), probeJson(probe));
    }

    void aProbeElsewhereIsTheSpectrumAtWeightsMovedByHand() {
        auto o = Objective::open(mlpSpec());
        ProbeOptions p;
        p.spectrum = probeSpectrum();
        p.x = 0.5;
        p.y = -0.25;
        p.seed = 1;
        const ProbeResult probe = computeProbe(o, p);
        SurfaceJobOptions plane;
        plane.seed = 1;
        const SurfacePlan plan = planSurfaceJob(o, plane);
        QCOMPARE(probe.directions_key, directionsKey(plan));
        const Eigen::VectorXd theta = o.parametersFlat();
        o.setParameters(theta + 0.5 * plan.dx + -0.25 * *plan.dy);
        SpectrumOptions s = p.spectrum;
        s.seed = 1;
        const SpectrumResult moved = computeSpectrum(o, s);
        sameSpectrum(probe.spectrum, moved);
        QCOMPARE(probe.eval.loss, o.evaluate().loss);
        o.setParameters(theta);
        QVERIFY(probe.spectrum.largest->eigenvalues[0] != computeSpectrum(o, s).largest->eigenvalues[0]);
        // Along a line there is no second coordinate.
        ProbeOptions line = p;
        line.directions.ny = 1;
        BASIN_EXPECT_ERROR(validate(line), "probe option at (--at) is 0.5,-0.25", "x alone");
    }

    void aGroupsLandscapeMovesOnlyThatGroup() {
        auto o = Objective::open(mlpSpec());
        const Eigen::VectorXd theta = o.parametersFlat();
        const auto& params = o.parameters();
        auto inGroup = [&](int64_t e) {
            for (const auto& p : params)
                if (e >= p.offset && e < p.offset + p.size) return p.name.rfind("fc1.", 0) == 0;
            return false;
        };
        for (const char* dirs : {"random", "eigen"}) {
            SurfaceJobOptions so;
            so.dirs = dirs;
            so.group = "fc1";
            so.ignore = IgnoreMode::None;
            so.nx = 5;
            so.ny = 3;
            const SurfacePlan plan = planSurfaceJob(o, so);
            for (int64_t e = 0; e < theta.size(); ++e)
                if (!inGroup(e)) QVERIFY2(plan.dx[e] == 0 && (*plan.dy)[e] == 0, dirs);
            QVERIFY(plan.dx.norm() > 0 && plan.dy->norm() > 0);
            // Every point of the grid leaves the other groups' parameters bit for bit as they were.
            const SurfaceGrid g = computeSurfaceJob(o, so);
            for (int j = 0; j < g.ny(); ++j)
                for (int i = 0; i < g.nx(); ++i) {
                    const Eigen::VectorXd t = plan.origin + g.xs[size_t(i)] * plan.dx + g.ys[size_t(j)] * *plan.dy;
                    for (int64_t e = 0; e < theta.size(); ++e)
                        if (!inGroup(e)) QCOMPARE(t[e], theta[e]);
                    o.setParameters(t);
                    QCOMPARE(o.evaluate().loss, g.loss[size_t(j * g.nx() + i)]);
                }
            o.setParameters(theta);
            if (std::string(dirs) == "eigen") {
                // The top eigenvectors of fc1's Hessian block: H_gg u = λ u within the block.
                for (const Eigen::VectorXd* u : {&plan.dx, &*plan.dy}) {
                    Eigen::VectorXd hu;
                    o.hvp(*u, hu);
                    const double lambda = u->dot(hu);
                    double res = 0;
                    for (int64_t e = 0; e < theta.size(); ++e)
                        if (inGroup(e)) res += std::pow(hu[e] - lambda * (*u)[e], 2);
                    QVERIFY2(std::sqrt(res) < 1e-3 * std::abs(lambda), dirs);
                }
            } else {
                // Filter-normalised within the group.
                const auto& w = params[0];
                QCOMPARE(w.name, std::string("fc1.weight"));
                const int64_t per = w.size / w.shape[0];
                for (int64_t f = 0; f < w.shape[0]; ++f)
                    QVERIFY(std::abs(plan.dx.segment(w.offset + f * per, per).norm() -
                                     theta.segment(w.offset + f * per, per).norm()) < 1e-12);
            }
        }
        // Along the fixture's directions restricted to fc1: PyTorch's loss at those weights.
        SurfaceJobOptions files = fixtureMap().surface;
        files.group = "fc1";
        const SurfaceGrid g = computeSurfaceJob(o, files);
        const auto& want = fx::expected()["curvature"]["group_loss"];
        for (int j = 0; j < 3; ++j)
            for (int i = 0; i < 5; ++i)
                QVERIFY(relative(g.loss[size_t(j * 5 + i)], want[size_t(j)][size_t(i)].get<double>()) < 1e-10);
        QVERIFY(g.x_label.find("[fc1]") != std::string::npos);
        // What cannot be done says so.
        SurfaceJobOptions bad;
        bad.group = "fc9";
        BASIN_EXPECT_ERROR(planSurfaceJob(o, bad), "surface option group (--group) is 'fc9'", "fc1", "bn", "fc2");
        bad.group = "bn";  // BatchNorm alone, with biases and BatchNorm ignored: nothing moves
        BASIN_EXPECT_ERROR(planSurfaceJob(o, bad), "restricted to group bn are zero", "--ignore none");
        bad.dirs = "checkpoints";
        BASIN_EXPECT_ERROR(validate(bad), "surface option group (--group) is 'bn' with checkpoints");
        // Groups joined by +, as sensitivity joins them.
        SurfaceJobOptions joined;
        joined.group = "fc1+bn";
        joined.ignore = IgnoreMode::None;
        const SurfacePlan pj = planSurfaceJob(o, joined);
        QVERIFY(pj.dx.segment(params[2].offset, params[2].size).norm() > 0);            // bn.weight moves
        QCOMPARE(pj.dx.segment(params.back().offset, params.back().size).norm(), 0.0);  // fc2.bias does not
    }
};

QTEST_APPLESS_MAIN(TestCurvatureMap)
#include "test_curvature_map.moc"
