// Cost of one loss+gradient and of one H*v in each mode on a study (default: the demo), median
// of several runs, in seconds and in gradients (the "x loss+grad" column), with each mode's
// relative error against exact double backward and whether finite differences are usable.
//   bench_hvp [STUDY] [REPS]
// Transformers over token ids: /usr/bin/python3 bench/make_transformer.py DIR, then DIR/tiny.basin.json
// and DIR/large.basin.json.
#include <Eigen/Core>
#include <cstdio>
#include <random>

#include "basin/objective.h"
#include "bench_common.h"

using namespace basin;

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured, also into a pipe or a file
    const auto spec = loadStudy(bench::studyArg(argc, argv));
    const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
    auto o = Objective::open(spec);
    std::mt19937_64 rng(spec.seed);
    std::normal_distribution<double> d;
    std::vector<Eigen::VectorXd> vs;
    for (int r = 0; r < reps; ++r) {
        Eigen::VectorXd v(o.parameterCount());
        for (auto& x : v) x = d(rng);
        vs.push_back(v.normalized());
    }
    Eigen::VectorXd g, hv;
    o.gradient(g);  // warm-up: first calls allocate
    const double t_eval = bench::medianSeconds(reps, [&] { o.evaluate(); });
    const double t_grad = bench::medianSeconds(reps, [&] { o.gradient(g); });
    std::printf("study: %s\nparameters %lld, samples %lld, batch %lld, %s, threads %d, median of %d\n\n",
                spec.study_path.c_str(), (long long)o.parameterCount(), (long long)o.data().samples,
                (long long)spec.batch_size, dtypeName(spec.dtype).c_str(), spec.threads, reps);
    std::printf("| operation               | seconds | x loss+grad | rel. error vs exact |\n");
    std::printf("|-------------------------|---------|-------------|---------------------|\n");
    std::printf("| loss (forward)          | %7.4f | %11.2f |                     |\n", t_eval, t_eval / t_grad);
    std::printf("| loss + gradient         | %7.4f | %11.2f |                     |\n", t_grad, 1.0);
    std::vector<Eigen::VectorXd> exact;
    o.setHvpMode(HvpMode::Exact);
    for (const auto& v : vs) {
        o.hvp(v, hv);
        exact.push_back(hv);
    }
    double fd_error = 0;
    for (HvpMode m : {HvpMode::Exact, HvpMode::ExactReuse, HvpMode::FiniteDifference}) {
        o.setHvpMode(m);
        o.hvp(vs[0], hv);  // exact-reuse builds its graphs here; not part of a product's cost
        std::vector<double> t;
        double err = 0;
        for (size_t r = 0; r < vs.size(); ++r) {
            t.push_back(bench::seconds([&] { o.hvp(vs[r], hv); }));
            err = std::max(err, (hv - exact[r]).norm() / exact[r].norm());
        }
        const double s = bench::median(t);
        if (m == HvpMode::FiniteDifference) fd_error = err;
        std::printf("| H*v %-19s | %7.4f | %11.2f | %19.2e |\n", hvpModeName(m).c_str(), s, s / t_grad, err);
        if (!o.hvpReport().note.empty()) std::printf("  note: %s\n", o.hvpReport().note.c_str());
    }
    o.setCurvature(CurvatureKind::GaussNewton);
    o.setHvpMode(HvpMode::Exact);
    const double t_ggn = bench::medianSeconds(reps, [&] { o.hvp(vs[0], hv); });
    std::printf("| Gauss-Newton G*v        | %7.4f | %11.2f |                     |\n", t_ggn, t_ggn / t_grad);
    o.setCurvature(CurvatureKind::Hessian);
    o.setHvpMode(HvpMode::Auto);
    o.hvp(vs[0], hv);
    const auto& rep = o.hvpReport();
    std::printf("\nauto (tolerance %.0e) chose %s\n", rep.tolerance, rep.chosen.c_str());
    std::printf(
        "fd in %s: worst relative error %.1e against exact on %d random unit vectors: %s\n",
        dtypeName(spec.dtype).c_str(), fd_error, reps,
        fd_error <= rep.tolerance ? "usable (within auto's tolerance)" : "not usable (beyond auto's tolerance)");
    std::printf("peak memory %.0f MB\n", bench::peakRssMB());
    return 0;
}
