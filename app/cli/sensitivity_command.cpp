#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <cmath>
#include <optional>

#include "basin/analysis_defaults.h"
#include "basin/error.h"
#include "basin/sensitivity.h"
#include "commands.h"
#include "distributed.h"
#include "progress_bar.h"
#include "result_cache.h"

namespace basin::cli {

namespace {

struct SensitivityArgs {
    StudyOptions study;
    std::optional<int> probes, max_hvp;
    std::optional<std::string> bits, budget;
    std::vector<std::string> merge;
    std::optional<double> tol;
    std::string out;
    bool json = false, cache = false;
};

std::vector<int> parseBits(const std::string& s) {
    std::vector<int> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        size_t used = 0;
        try {
            out.push_back(std::stoi(item, &used));
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size())
            throw Error("--bits '" + s + "' is not a list of bit widths such as 2,3,4,8");
    }
    return out;
}

// "25%" or "0.25" (a fraction of the float32 size), or bytes: "120000", "120k", "1.5M".
double parseBudget(const std::string& s, double float32_bytes) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    const std::string unit = end ? std::string(end) : "";
    if (end == s.c_str() || !(v > 0) || !std::isfinite(v))
        throw Error("--budget '" + s + "' is not a size (e.g. 25%, 0.25, 120000, 64k)");
    if (unit == "%") return v / 100.0 * float32_bytes;
    if (unit.empty()) return v <= 1.0 ? v * float32_bytes : v;
    if (unit == "k" || unit == "K" || unit == "kB") return v * 1e3;
    if (unit == "M" || unit == "MB") return v * 1e6;
    throw Error("--budget '" + s + "': unknown unit '" + unit + "' (use %, k or M)");
}

}  // namespace

void addSensitivityCommand(CLI::App& app, Runner& run) {
    auto* cmd =
        app.add_subcommand("sensitivity", "Per-layer Hessian sensitivity and a mixed-precision proposal (HAWQ)");
    auto a = std::make_shared<SensitivityArgs>();
    a->study.add(*cmd);
    cmd->add_option("--probes", a->probes, "Hutchinson probes for the per-layer traces (default 32)");
    cmd->add_option("--bits", a->bits, "bit widths to consider (default 2,3,4,8)");
    cmd->add_option("--budget", a->budget,
                    "size budget: bytes (120000, 64k) or a fraction of float32 size (0.25, 25%)");
    cmd->add_option("--merge", a->merge, "join layer groups, e.g. conv1+bn1 (repeatable)");
    cmd->add_option("--tol", a->tol, "tolerance of each layer's top eigenvalue (default 1e-3)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on H*v for each layer's top eigenvalue (default 100)");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_flag("--cache", a->cache,
                  "reuse a result stored in the study file for the same inputs, or store this one");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->callback([a, &run] {
        run = [a] {
            const auto spec = a->study.resolve();
            auto o = Objective::open(spec, {}, communicator());
            SensitivityOptions opt = studySensitivityOptions(spec).value_or(SensitivityOptions{});
            if (a->probes) opt.probes = *a->probes;
            if (a->bits) opt.bits = parseBits(*a->bits);
            if (a->tol) opt.eig_tol = *a->tol;
            if (a->max_hvp) opt.eig_max_hvp = *a->max_hvp;
            if (!a->merge.empty()) opt.merge = a->merge;
            if (a->budget) opt.budget_bytes = parseBudget(*a->budget, 4.0 * double(o.parameterCount()));
            opt.seed = spec.seed;
            validate(opt);
            const ResultCache cache(a->cache, spec, "sensitivity", toJson(opt));
            const SensitivityResult r = cache.reuseOrCompute(
                [&] {
                    JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
                    return computeSensitivity(o, opt, &job);
                },
                &sensitivityFromJson, &sensitivityJson, spec.study_path);
            if (!isLeader()) return 0;
            const auto text = sensitivityJson(r);
            if (!a->out.empty()) writeFileAtomically(a->out, text + "\n");
            if (a->json) {
                std::cout << text << "\n";
                return 0;
            }
            std::printf("%-16s %9s %12s %12s %10s %12s\n", "group", "params", "top eig", "mean trace", "+-",
                        "Omega(4)");
            for (const auto& g : r.groups)
                std::printf("%-16s %9lld %12.5g %12.5g %10.2g %12.4g\n", g.name.c_str(), (long long)g.parameters,
                            g.top_eigenvalue, g.mean_trace, g.trace_stderr / double(g.parameters),
                            g.omega.count(4) ? g.omega.at(4) : 0.0);
            std::printf("\nfull precision      size %9.0f B   loss %.5f   accuracy %.4f\n", r.float32_bytes,
                        r.full_precision.loss, r.full_precision.accuracy);
            auto line = [](const QuantisedEvaluation& q) {
                std::string bits;
                for (int b : q.bits) bits += (bits.empty() ? "" : ",") + std::to_string(b);
                std::printf("%-19s size %9.0f B   loss %.5f   accuracy %.4f   bits [%s]\n", q.label.c_str(),
                            q.size_bytes, q.eval.loss, q.eval.accuracy, bits.c_str());
            };
            for (const auto& u : r.uniform) line(u);
            if (r.proposal) line(*r.proposal);
            else if (opt.budget_bytes)
                std::printf("no choice of bits fits the budget of %.0f bytes\n", *opt.budget_bytes);
            std::printf("Pareto frontier: %zu points; %lld H*v in %.1f s\n", r.pareto.size(), (long long)r.hvp_count,
                        r.seconds);
            return 0;
        };
    });
}

}  // namespace basin::cli
