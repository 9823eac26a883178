// Lanczos against power iteration (PyHessian's method) on a study, and trace error against budget.
//   bench_spectrum [STUDY] [eigen|trace|all]
#include <cmath>
#include <cstdio>

#include "basin/curvature.h"
#include "bench_common.h"

using namespace basin;

int main(int argc, char** argv) {
    const auto spec = loadStudy(bench::studyArg(argc, argv));
    auto o = Objective::open(spec);
    const int64_t n = o.parameterCount();
    LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out); };
    std::printf("study: %s, %lld parameters, %lld samples, %s\n\n", spec.study_path.c_str(), (long long)n,
                (long long)o.data().samples, dtypeName(spec.dtype).c_str());

    const std::string part = argc > 2 ? argv[2] : "all";
    if (part != "trace") {
        std::printf("Top-k eigenvalues at tolerance 1e-3\n");
        std::printf("| k  | method  | H*v  | seconds | converged | lambda_1    | lambda_k    |\n");
        std::printf("|----|---------|------|---------|-----------|-------------|-------------|\n");
        for (int k : {1, 5, 20}) {
            for (auto m : {EigenMethod::Lanczos, EigenMethod::Power}) {
                EigenOptions opt;
                opt.top_k = k;
                opt.method = m;
                opt.tol = 1e-3;
                opt.max_hvp = m == EigenMethod::Power ? 800 : 400;
                opt.seed = spec.seed;
                const auto r = topEigenpairs(H, n, opt);
                const auto& e = *r.largest;
                std::printf("| %2d | %-7s | %4lld | %7.1f | %-9s | %11.5g | %11.5g |\n", k, e.method.c_str(),
                            (long long)e.hvp_count, e.seconds, e.converged ? "yes" : "no", e.eigenvalues.front(),
                            e.eigenvalues.back());
                std::fflush(stdout);
            }
        }
    }
    if (part == "eigen") return 0;
    // Reference trace: Hutch++ with a large budget.
    TraceOptions ref;
    ref.method = TraceMethod::HutchPP;
    ref.probes = 240;
    ref.seed = 1000;
    const auto tref = estimateTrace(H, n, ref);
    std::printf("\nTrace: reference Hutch++ with %d H*v = %.5g (+- %.2g)\n", ref.probes, tref.mean, tref.stderr_);
    std::printf("| H*v budget | Hutchinson rel. error (mean of 2 seeds) | Hutch++ rel. error (mean of 2 seeds) |\n");
    std::printf("|------------|------------------------------------------|--------------------------------------|\n");
    for (int budget : {12, 30, 60}) {
        double eh = 0, epp = 0;
        for (uint64_t seed : {1u, 2u}) {
            TraceOptions t;
            t.probes = budget;
            t.seed = seed;
            eh += std::abs(estimateTrace(H, n, t).mean - tref.mean) / std::abs(tref.mean) / 2;
            t.method = TraceMethod::HutchPP;
            epp += std::abs(estimateTrace(H, n, t).mean - tref.mean) / std::abs(tref.mean) / 2;
        }
        std::printf("| %10d | %40.4f | %36.4f |\n", budget, eh, epp);
        std::fflush(stdout);
    }
    std::printf("\npeak memory %.0f MB\n", bench::peakRssMB());
    return 0;
}
