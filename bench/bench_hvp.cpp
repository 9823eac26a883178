// Cost of one loss+gradient and one H*v on a study (default: the demo), median of several runs.
//   bench_hvp [STUDY] [REPS]
#include <Eigen/Core>
#include <cstdio>
#include <random>

#include "basin/objective.h"
#include "bench_common.h"

int main(int argc, char** argv) {
    const auto spec = basin::loadStudy(bench::studyArg(argc, argv));
    const int reps = argc > 2 ? std::atoi(argv[2]) : 7;
    auto o = basin::Objective::open(spec);
    std::mt19937_64 rng(spec.seed);
    std::normal_distribution<double> d;
    Eigen::VectorXd v(o.parameterCount()), g, hv;
    for (auto& x : v) x = d(rng);
    o.gradient(g);  // warm-up: first calls allocate
    o.hvp(v, hv);
    const double t_eval = bench::medianSeconds(reps, [&] { o.evaluate(); });
    const double t_grad = bench::medianSeconds(reps, [&] { o.gradient(g); });
    const double t_hvp = bench::medianSeconds(reps, [&] { o.hvp(v, hv); });
    std::printf("study: %s\nparameters %lld, samples %lld, batch %lld, %s, threads %d, median of %d\n\n",
                spec.study_path.c_str(), (long long)o.parameterCount(), (long long)o.data().samples,
                (long long)spec.batch_size, basin::dtypeName(spec.dtype).c_str(), spec.threads, reps);
    std::printf("| operation          | seconds | x loss+grad |\n|--------------------|---------|-------------|\n");
    std::printf("| loss (forward)     | %7.4f | %11.2f |\n", t_eval, t_eval / t_grad);
    std::printf("| loss + gradient    | %7.4f | %11.2f |\n", t_grad, 1.0);
    std::printf("| H*v (double bwd)   | %7.4f | %11.2f |\n", t_hvp, t_hvp / t_grad);
    std::printf("\npeak memory %.0f MB\n", bench::peakRssMB());
    return 0;
}
