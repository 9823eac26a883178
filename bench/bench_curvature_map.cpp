// Curvature-map cost on a study (default: the demo): H·v per point and seconds for warm and cold
// starts on the same grid, the time to the first coarse picture, and how far the two maps differ.
//   bench_curvature_map [STUDY] [N] [SAMPLES] [TOL] [MAX_HVP] [ENDS: both|largest]
#include <cmath>
#include <cstdio>
#include <string>

#include "basin/curvature_map.h"
#include "bench_common.h"

using namespace basin;

int main(int argc, char** argv) {
    auto spec = loadStudy(bench::studyArg(argc, argv));
    const int n = argc > 2 ? std::atoi(argv[2]) : 21;
    if (argc > 3 && std::atoi(argv[3]) > 0) spec.samples = std::atoi(argv[3]);
    const double tol = argc > 4 ? std::atof(argv[4]) : 1e-3;
    const int max_hvp = argc > 5 ? std::atoi(argv[5]) : 100;
    const bool both = argc <= 6 || std::string(argv[6]) != "largest";
    auto o = Objective::open(spec);
    o.evaluate();  // warm-up
    struct Run {
        SurfaceGrid map;
        double seconds = 0, first = -1;
    };
    auto run = [&](bool warm) {
        CurvatureMapOptions opt;
        opt.surface.nx = opt.surface.ny = n;
        opt.curvature.tol = tol;
        opt.curvature.max_hvp = max_hvp;
        opt.curvature.warm_start = warm;
        opt.curvature.lambda_min = both;
        opt.seed = spec.seed;
        Run r;
        const auto t0 = std::chrono::steady_clock::now();
        r.map = computeCurvatureMap(o, opt, nullptr, [&](const SurfaceGrid& g) {
            if (r.first < 0 && g.computed() > 0)
                r.first = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        });
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return r;
    };
    const Run warm = run(true), cold = run(false);
    const auto cw = curvatureMapCost(warm.map), cc = curvatureMapCost(cold.map);
    double dmax = 0, dmin = 0;
    int unconverged_w = 0, unconverged_c = 0;
    for (size_t k = 0; k < warm.map.loss.size(); ++k) {
        const auto &a = *warm.map.curvature, &b = *cold.map.curvature;
        const double scale = std::abs(b.lambda_max[k]);
        dmax = std::max(dmax, std::abs(a.lambda_max[k] - b.lambda_max[k]) / scale);
        if (both) dmin = std::max(dmin, std::abs(a.lambda_min[k] - b.lambda_min[k]) / scale);
        unconverged_w += !a.converged[k];
        unconverged_c += !b.converged[k];
    }
    std::printf(
        "study: %s, %lld parameters, %lld samples, batch %lld; %dx%d grid over [-1, 1]^2, tol %g, max %d H*v per "
        "point\n\n",
        spec.study_path.c_str(), (long long)o.parameterCount(), (long long)o.data().samples, (long long)spec.batch_size,
        n, n, tol, max_hvp);
    std::printf(
        "| %dx%d lambda_max/lambda_min map  | warm start | cold start "
        "|\n|--------------------------------|-----------:|-----------:|\n",
        n, n);
    std::printf("| H*v per point (all points)     | %10.1f | %10.1f |\n", cw.perPoint(), cc.perPoint());
    std::printf("| H*v in all                     | %10lld | %10lld |\n", (long long)cw.hvp, (long long)cc.hvp);
    std::printf("| points not converged          | %10d | %10d |\n", unconverged_w, unconverged_c);
    std::printf("| seconds                        | %10.1f | %10.1f |\n", warm.seconds, cold.seconds);
    std::printf("| first coarse picture (s)       | %10.2f | %10.2f |\n", warm.first, cold.first);
    std::printf("| seconds per point              | %10.3f | %10.3f |\n", warm.seconds / double(cw.points),
                cold.seconds / double(cc.points));
    std::printf(
        "\nwarm start saves %.1f%% of the H*v; warm and cold differ by at most %.2e (lambda_max) and %.2e "
        "(lambda_min), "
        "relative to |lambda_max|\n",
        100.0 * (1.0 - double(cw.hvp) / double(cc.hvp)), dmax, dmin);
    std::printf("peak memory %.0f MB\n", bench::peakRssMB());
    return 0;
}
