// Loss-surface throughput on a study (default: the demo): grid points per second against the
// raw cost of evaluating the loss at fixed weights, and the time to the first coarse picture.
//   bench_surface [STUDY] [NX]
#include <cstdio>

#include "basin/directions.h"
#include "basin/surface.h"
#include "bench_common.h"

using namespace basin;

int main(int argc, char** argv) {
    const auto spec = loadStudy(bench::studyArg(argc, argv));
    const int n = argc > 2 ? std::atoi(argv[2]) : 51;
    auto o = Objective::open(spec);
    const Eigen::VectorXd theta = o.parametersFlat();
    const auto dx = randomDirection(o.parameters(), theta, DirectionNorm::Filter, IgnoreMode::BiasBN, spec.seed);
    const auto dy = randomDirection(o.parameters(), theta, DirectionNorm::Filter, IgnoreMode::BiasBN, spec.seed + 1);
    SurfaceOptions opt;
    opt.nx = opt.ny = n;
    auto grid = makeGrid(opt);
    const int64_t points = int64_t(n) * n;
    o.evaluate();  // warm-up
    // The raw cost: the same number of evaluations at fixed weights (a sample of 50, scaled).
    const int sample = 50;
    const double t_fixed = bench::seconds([&] {
                               for (int i = 0; i < sample; ++i) o.evaluate();
                           }) /
                           sample;
    double t_first = -1;
    const auto t0 = std::chrono::steady_clock::now();
    int levels = 0;
    computeSurface(
        o, theta, dx, &dy, grid, BatchNormMode::Eval, nullptr,
        [&](const SurfaceGrid& g) {
            // The first level is the corners and the coarsest lattice: the first complete coarse picture.
            if (t_first < 0 && g.computed() >= 9)
                t_first = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            ++levels;
        },
        1 << 30);
    const double t_grid = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("study: %s, %lld parameters, %lld samples, batch %lld\n\n", spec.study_path.c_str(),
                (long long)o.parameterCount(), (long long)o.data().samples, (long long)spec.batch_size);
    std::printf(
        "| %dx%d grid                         | value      |\n|-----------------------------------|------------|\n", n,
        n);
    std::printf("| points                            | %10lld |\n", (long long)points);
    std::printf("| grid seconds                      | %10.1f |\n", t_grid);
    std::printf("| points per second                 | %10.2f |\n", double(points) / t_grid);
    std::printf("| one evaluation at fixed weights   | %10.4f |\n", t_fixed);
    std::printf("| grid / (points x fixed evaluation)| %10.3f |\n", t_grid / (double(points) * t_fixed));
    std::printf("| first coarse picture (s)          | %10.2f |\n", t_first);
    std::printf("\npeak memory %.0f MB\n", bench::peakRssMB());
    return 0;
}
