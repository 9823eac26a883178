#include "spectrum_flags.h"

#include <cstdio>

namespace basin::cli {

void SpectrumFlags::add(CLI::App& cmd) {
    cmd.add_option("--top", top, "eigenpairs at each end (default 5)");
    cmd.add_option("--which", which, "largest | smallest | both")
        ->check(CLI::IsMember({"largest", "smallest", "both"}));
    cmd.add_option("--method", method, "lanczos | power (PyHessian's)")->check(CLI::IsMember({"lanczos", "power"}));
    cmd.add_option("--tol", tol, "residual tolerance relative to |lambda_max| (default 1e-3)");
    cmd.add_option("--max-hvp", max_hvp, "cap on H*v products for the eigenvalues (default 400)");
    cmd.add_option("--trace", trace, "estimate the trace: hutchinson | hutchpp")
        ->expected(0, 1)
        ->default_str("hutchinson")
        ->check(CLI::IsMember({"hutchinson", "hutchpp"}));
    cmd.add_option("--probes", probes, "probe vectors of both --trace and --density");
    cmd.add_option("--trace-probes", trace_probes, "probe vectors of the trace (default 64)");
    cmd.add_option("--density-probes", density_probes, "probe vectors of the density (default 4)");
    cmd.add_flag("--density", density, "spectral density by stochastic Lanczos quadrature");
    cmd.add_option("--steps", steps, "Lanczos steps per density probe (default 40)");
    cmd.add_option("--sigma", sigma,
                   "Gaussian smoothing of the density, a standard deviation (default 1% of the range)");
    cmd.add_flag("--exact", exact, "full Hessian and all eigenvalues (small models)");
    cmd.add_option("--exact-max", exact_max, "largest model for --exact (default 4096 parameters)");
}

void SpectrumFlags::settle(const CLI::App& cmd) {
    if (cmd.count("--trace") && (!trace || trace->empty())) trace = "hutchinson";
}

SpectrumOptions SpectrumFlags::apply(SpectrumOptions o) const {
    if (top) o.eigen.top_k = *top;
    if (which) o.eigen.which = *which == "both" ? Which::Both : *which == "smallest" ? Which::Smallest : Which::Largest;
    if (method) o.eigen.method = *method == "power" ? EigenMethod::Power : EigenMethod::Lanczos;
    if (tol) o.eigen.tol = *tol;
    if (max_hvp) o.eigen.max_hvp = *max_hvp;
    if (trace) {
        o.trace = true;
        o.trace_options.method = *trace == "hutchpp" ? TraceMethod::HutchPP : TraceMethod::Hutchinson;
    }
    if (probes) o.trace_options.probes = o.density_options.probes = *probes;
    if (trace_probes) o.trace_options.probes = *trace_probes;
    if (density) o.density = true;
    if (density_probes) o.density_options.probes = *density_probes;
    if (steps) o.density_options.steps = *steps;
    if (sigma) o.density_options.sigma = *sigma;
    if (exact) o.exact = true;
    if (exact_max) o.exact_max = *exact_max;
    return o;
}

void printSpectrumTable(const SpectrumResult& r) {
    auto print = [](const EigenResult& e) {
        std::printf("%s eigenvalues (%s, %s, %lld H*v, %.2f s)\n", e.which.c_str(), e.method.c_str(),
                    e.converged ? "converged" : "NOT converged", (long long)e.hvp_count, e.seconds);
        for (size_t i = 0; i < e.eigenvalues.size(); ++i)
            std::printf("  %3zu  %14.6g   residual %.2e\n", i + 1, e.eigenvalues[i], e.residuals[i]);
    };
    if (r.largest) print(*r.largest);
    if (r.smallest) print(*r.smallest);
    if (r.trace)
        std::printf("trace (%s, %d probes)  %.6g +- %.2g\n", r.trace->method.c_str(), r.trace->probes, r.trace->mean,
                    r.trace->stderr_);
    if (r.density)
        std::printf("density  %d probes x %d steps, sigma %.3g\n", r.density->probes, r.density->steps,
                    r.density->sigma);
    if (r.exact)
        std::printf("exact spectrum  %zu eigenvalues, max %.6g, min %.6g\n", r.exact->eigenvalues.size(),
                    r.exact->eigenvalues.front(), r.exact->eigenvalues.back());
    std::printf("outliers  %d above the bulk edge %.6g (%.1f%% of the trace)\n  rule: %s\n", r.outliers.count,
                r.outliers.edge, 100 * r.outliers.trace_share, r.outliers.rule.c_str());
    std::printf("total  %lld H*v in %.2f s (%s, %s, H*v mode %s", (long long)r.hvp_count, r.seconds, r.dtype.c_str(),
                r.hvp.curvature.c_str(), r.hvp.chosen.c_str());
    if (r.hvp.requested == "auto" && r.hvp.seconds_gradient > 0 && r.hvp.seconds.count(r.hvp.chosen))
        std::printf(" chosen by auto: %.3f s per product = %.2f gradients", r.hvp.seconds.at(r.hvp.chosen),
                    r.hvp.seconds.at(r.hvp.chosen) / r.hvp.seconds_gradient);
    std::printf(")\n");
    if (!r.hvp.note.empty()) std::printf("note: %s\n", r.hvp.note.c_str());
}

}  // namespace basin::cli
