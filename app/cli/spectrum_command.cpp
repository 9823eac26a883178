#include <cstdio>
#include <iostream>
#include <optional>

#include "basin/analysis_defaults.h"
#include "basin/curvature.h"
#include "basin/error.h"
#include "basin/objective.h"
#include "basin/study.h"
#include "commands.h"
#include "distributed.h"
#include "progress_bar.h"
#include "result_cache.h"

namespace basin::cli {

namespace {

// Flags given on the command line override single fields of the study's spectrum options (or of
// the defaults); every value is checked by the options' own validate(), as from a study file.
struct SpectrumArgs {
    StudyOptions study;
    std::optional<int> top, max_hvp, probes, trace_probes, density_probes, steps;
    std::optional<std::string> which, method, trace;
    std::optional<double> tol, sigma, edge;
    std::optional<int64_t> exact_max;
    bool density = false, exact = false, json = false, cache = false;
    std::string out;
};

SpectrumOptions toOptions(const SpectrumArgs& a, const StudySpec& spec) {
    SpectrumOptions o = studySpectrumOptions(spec).value_or(SpectrumOptions{});
    if (a.top) o.eigen.top_k = *a.top;
    if (a.which) o.eigen.which = *a.which == "both" ? Which::Both : *a.which == "smallest" ? Which::Smallest : Which::Largest;
    if (a.method) o.eigen.method = *a.method == "power" ? EigenMethod::Power : EigenMethod::Lanczos;
    if (a.tol) o.eigen.tol = *a.tol;
    if (a.max_hvp) o.eigen.max_hvp = *a.max_hvp;
    if (a.trace) {
        o.trace = true;
        o.trace_options.method = *a.trace == "hutchpp" ? TraceMethod::HutchPP : TraceMethod::Hutchinson;
    }
    if (a.probes) o.trace_options.probes = o.density_options.probes = *a.probes;
    if (a.trace_probes) o.trace_options.probes = *a.trace_probes;
    if (a.density) o.density = true;
    if (a.density_probes) o.density_options.probes = *a.density_probes;
    if (a.steps) o.density_options.steps = *a.steps;
    if (a.sigma) o.density_options.sigma = *a.sigma;
    if (a.exact) o.exact = true;
    if (a.exact_max) o.exact_max = *a.exact_max;
    o.seed = spec.seed;
    validate(o);
    if (a.edge && !std::isfinite(*a.edge)) throw Error("--edge " + std::to_string(*a.edge) + " is not a finite number");
    return o;
}

void printTable(const SpectrumResult& r) {
    auto print = [](const EigenResult& e) {
        std::printf("%s eigenvalues (%s, %s, %lld H*v, %.2f s)\n", e.which.c_str(), e.method.c_str(),
                    e.converged ? "converged" : "NOT converged", (long long)e.hvp_count, e.seconds);
        for (size_t i = 0; i < e.eigenvalues.size(); ++i)
            std::printf("  %3zu  %14.6g   residual %.2e\n", i + 1, e.eigenvalues[i], e.residuals[i]);
    };
    if (r.largest) print(*r.largest);
    if (r.smallest) print(*r.smallest);
    if (r.trace) std::printf("trace (%s, %d probes)  %.6g +- %.2g\n", r.trace->method.c_str(), r.trace->probes, r.trace->mean, r.trace->stderr_);
    if (r.density) std::printf("density  %d probes x %d steps, sigma %.3g\n", r.density->probes, r.density->steps, r.density->sigma);
    if (r.exact) std::printf("exact spectrum  %zu eigenvalues, max %.6g, min %.6g\n", r.exact->eigenvalues.size(),
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

int runSpectrum(const SpectrumArgs& a) {
    const auto spec = a.study.resolve();
    const auto options = toOptions(a, spec);
    const ResultCache cache(a.cache, spec, "spectrum", toJson(options));
    SpectrumResult result;
    bool computed = false;
    if (const auto hit = cache.stored()) {
        result = spectrumFromJson(*hit, spec.study_path);
    } else {
        auto objective = Objective::open(spec, {}, communicator());
        JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
        result = computeSpectrum(objective, options, &job);
        computed = true;
    }
    if (!isLeader()) return 0;
    // The edge set by hand annotates the result; without --edge the rule's split is shown.
    setBulkEdge(result, a.edge);
    const auto text = spectrumJson(result);
    if (computed) cache.store(result.provenance, text);
    if (!a.out.empty()) writeFileAtomically(a.out, text + "\n");
    if (a.json) std::cout << text << "\n";
    else printTable(result);
    return 0;
}

}  // namespace

void addSpectrumCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("spectrum", "Hessian eigenvalues, trace, spectral density, bulk and outliers");
    auto a = std::make_shared<SpectrumArgs>();
    a->study.add(*cmd);
    cmd->add_option("--top", a->top, "eigenpairs at each end (default 5)");
    cmd->add_option("--which", a->which, "largest | smallest | both")->check(CLI::IsMember({"largest", "smallest", "both"}));
    cmd->add_option("--method", a->method, "lanczos | power (PyHessian's)")->check(CLI::IsMember({"lanczos", "power"}));
    cmd->add_option("--tol", a->tol, "residual tolerance relative to |lambda_max| (default 1e-3)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on H*v products for the eigenvalues (default 400)");
    cmd->add_option("--trace", a->trace, "estimate the trace: hutchinson | hutchpp")
        ->expected(0, 1)->default_str("hutchinson")->check(CLI::IsMember({"hutchinson", "hutchpp"}));
    cmd->add_option("--probes", a->probes, "probe vectors of both --trace and --density");
    cmd->add_option("--trace-probes", a->trace_probes, "probe vectors of the trace (default 64)");
    cmd->add_option("--density-probes", a->density_probes, "probe vectors of the density (default 4)");
    cmd->add_flag("--density", a->density, "spectral density by stochastic Lanczos quadrature");
    cmd->add_option("--steps", a->steps, "Lanczos steps per density probe (default 40)");
    cmd->add_option("--sigma", a->sigma, "Gaussian smoothing of the density, a standard deviation (default 1% of the range)");
    cmd->add_flag("--exact", a->exact, "full Hessian and all eigenvalues (small models)");
    cmd->add_option("--exact-max", a->exact_max, "largest model for --exact (default 4096 parameters)");
    cmd->add_option("--edge", a->edge, "set the bulk edge by hand");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_flag("--cache", a->cache, "reuse a result stored in the study file for the same inputs, or store this one");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->callback([a, cmd, &run] {
        if (cmd->count("--trace") && (!a->trace || a->trace->empty())) a->trace = "hutchinson";
        run = [a] { return runSpectrum(*a); };
    });
}

}  // namespace basin::cli
