// basin-cli stability: each checkpoint's sharpness against its optimizer's stability threshold;
// basin-cli batch-scaling: λmax of mini-batch Hessians against the batch size.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "basin/analysis_defaults.h"
#include "basin/atomic_file.h"
#include "basin/error.h"
#include "basin/options.h"
#include "basin/stability.h"
#include "commands.h"
#include "distributed.h"
#include "progress_bar.h"
#include "result_cache.h"

namespace basin::cli {

namespace {

// Flags override single fields of the study's options (or the defaults); validate() then checks
// them as it checks a study file's.
struct StabilityArgs {
    StudyOptions study;
    std::string checkpoints, optimizers, out, csv;
    std::optional<double> lr, momentum, tol;
    std::optional<int> max_hvp;
    bool json = false, cache = false;
};

StabilityOptions toOptions(const StabilityArgs& a, const StudySpec& spec) {
    StabilityOptions o = studyStabilityOptions(spec).value_or(StabilityOptions{});
    if (a.tol) o.tol = *a.tol;
    if (a.max_hvp) o.max_hvp = *a.max_hvp;
    if (a.lr) o.lr = *a.lr;
    if (a.momentum) o.momentum = *a.momentum;
    o.seed = spec.seed;
    validate(o);
    return o;
}

int runStability(const StabilityArgs& a) {
    const StudySpec spec = a.study.resolve();
    StabilityResult table;
    table.options = toOptions(a, spec);
    const std::vector<StabilityInput> inputs =
        stabilityInputs(spec, table.options, splitList(a.checkpoints), splitList(a.optimizers));
    JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
    for (const StabilityInput& in : inputs) {
        // Each checkpoint's row is a result of its own: its bytes, its optimizer file's and the options.
        const ResultCache cache(a.cache, spec, "stability", toJson(table.options), referencedFiles(in), in.checkpoint);
        if (const auto hit = cache.stored()) {
            table.rows.push_back(stabilityRowFromJson(*hit, spec.study_path));
            continue;
        }
        auto o = Objective::open(spec, in.checkpoint, communicator());
        table.rows.push_back(computeStability(o, stabilityOptimizer(o, in, table.options), table.options, &job));
        cache.store(table.rows.back().provenance, stabilityRowJson(table.rows.back()));
    }
    if (!isLeader()) return 0;
    const std::string text = stabilityJson(table);
    if (!a.out.empty()) writeFileAtomically(a.out, text + "\n");
    if (!a.csv.empty()) writeFileAtomically(a.csv, stabilityCsv(table));
    if (a.json) {
        std::cout << text << "\n";
        return 0;
    }
    std::printf("%-24s %-6s %10s %12s %14s %12s %8s %6s\n", "checkpoint", "optim", "lr", "lambda_max", "precond l1",
                "threshold", "ratio", "H*v");
    for (const auto& r : table.rows) {
        const std::string name = std::filesystem::path(r.checkpoint).filename().string();
        std::printf("%-24s %-6s %10.4g %12.6g %14s %12.6g %8.3f %6lld%s\n", name.c_str(), r.optimizer.kind.c_str(),
                    r.optimizer.lr, r.lambda_max, r.preconditioned ? std::to_string(*r.preconditioned).c_str() : "-",
                    r.threshold, r.ratio, (long long)r.hvp_count, r.converged ? "" : "  NOT converged");
    }
    for (const auto& r : table.rows)
        std::printf("%s: %s\n", std::filesystem::path(r.checkpoint).filename().string().c_str(), r.rule.c_str());
    return 0;
}

struct BatchScalingArgs {
    StudyOptions study;
    std::string sizes, out, csv, optimizer;
    std::optional<int> batches, max_hvp, trace_probes;
    std::optional<double> tol;
    bool json = false, cache = false;
};

BatchScalingOptions toOptions(const BatchScalingArgs& a, const StudySpec& spec) {
    BatchScalingOptions o = studyBatchScalingOptions(spec).value_or(BatchScalingOptions{});
    if (!a.sizes.empty()) {
        o.sizes.clear();
        for (const std::string& t : splitList(a.sizes)) {
            size_t used = 0;
            long long b = 0;
            try {
                b = std::stoll(t, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != t.size() || b < 1)
                throw Error("--sizes '" + a.sizes + "' is not a list of batch sizes such as 8,32,128");
            o.sizes.push_back(b);
        }
    }
    if (a.batches) o.batches = *a.batches;
    if (a.tol) o.tol = *a.tol;
    if (a.max_hvp) o.max_hvp = *a.max_hvp;
    if (a.trace_probes) o.trace_probes = *a.trace_probes;
    o.seed = spec.seed;
    validate(o);
    return o;
}

int runBatchScaling(const BatchScalingArgs& a) {
    const StudySpec spec = a.study.resolve();
    const BatchScalingOptions opt = toOptions(a, spec);
    // An Adam/AdamW state (given, else the one the study lists for its model) adds Adam's columns;
    // its bytes are part of the key.
    const std::string optimizer = a.optimizer.empty() ? batchScalingOptimizer(spec) : a.optimizer;
    const ResultCache cache(a.cache, spec, "batch-scaling", toJson(opt), optimizerFiles(optimizer));
    const BatchScalingResult r = cache.reuseOrCompute(
        [&] {
            auto o = Objective::open(spec);  // one process: each batch is a subset of all the samples
            JobContext job(textProgressBar());
            return computeBatchScaling(o, opt, &job, optimizer);
        },
        batchScalingFromJson, batchScalingJson, spec.study_path);
    const std::string text = batchScalingJson(r);
    if (!a.out.empty()) writeFileAtomically(a.out, text + "\n");
    if (!a.csv.empty()) writeFileAtomically(a.csv, batchScalingCsv(r));
    if (a.json) {
        std::cout << text << "\n";
        return 0;
    }
    std::printf("%8s %12s %10s %14s   %s\n", "B", "mean lmax", "stddev", "2/lmax (GD)", "lambda_max per batch");
    for (const auto& row : r.rows) {
        std::string each;
        for (double l : row.lambda_max) each += (each.empty() ? "" : " ") + std::to_string(l);
        std::printf("%8lld %12.6g %10.3g %14.6g   %s\n", (long long)row.batch_size, row.mean, row.stddev,
                    row.stable_lr_sgd, each.c_str());
        if (!row.trace.empty())
            std::printf("%8s trace of H_B: mean %.6g, stddev %.3g over the batches\n", "", row.trace_mean,
                        row.trace_stddev);
        if (!row.preconditioned.empty())
            std::printf("%8s Adam: preconditioned l1 mean %.6g, stddev %.3g; largest stable step %.6g\n", "",
                        row.preconditioned_mean, row.preconditioned_stddev, row.stable_lr_adam);
    }
    if (r.full_preconditioned)
        std::printf(
            "all %lld samples: Adam's preconditioned l1 %.6g (%s, beta1 %.3g); Adam's stable step "
            "(2 + 2 beta1)/((1 - beta1) l1)\n",
            (long long)r.samples, *r.full_preconditioned, r.optimizer.c_str(), r.beta1);
    if (r.full_trace)
        std::printf("all %lld samples: trace %.6g (Hutchinson, %d probes)\n", (long long)r.samples, *r.full_trace,
                    r.options.trace_probes);
    std::printf("all %lld samples: lambda_max %.6g; slope of log lambda_max on log B: %.3f; %lld H*v in %.1f s\n",
                (long long)r.samples, r.full_lambda_max, r.slope, (long long)r.hvp_count, r.seconds);
    return 0;
}

}  // namespace

void addBatchScalingCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("batch-scaling", "lambda_max of mini-batch Hessians against the batch size");
    auto a = std::make_shared<BatchScalingArgs>();
    a->study.add(*cmd);
    cmd->add_option("--sizes", a->sizes, "comma-separated batch sizes (default: powers of two from 8)");
    cmd->add_option("--batches", a->batches, "disjoint batches per size (default 4)");
    cmd->add_option("--tol", a->tol, "Lanczos tolerance (default 1e-4)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on H*v for each eigenvalue (default 200)");
    cmd->add_option("--optimizer", a->optimizer,
                    "an Adam/AdamW torch.save(optimizer.state_dict()) of the model: adds Adam's preconditioned "
                    "lambda_1 and stable step per size (default: the study's optimizer for its model)");
    cmd->add_option("--trace-probes", a->trace_probes,
                    "also the Hutchinson trace of each H_B and of the full Hessian with N probes (default 0: none)");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->add_option("--csv", a->csv, "write the table as CSV to FILE");
    cmd->add_flag("--cache", a->cache,
                  "reuse a result stored in the study file for the same inputs, or store this one");
    cmd->callback([a, &run] { run = [a] { return runBatchScaling(*a); }; });
}

void addStabilityCommand(CLI::App& app, Runner& run) {
    auto* cmd =
        app.add_subcommand("stability", "Sharpness of each checkpoint against its optimizer's stability threshold");
    auto a = std::make_shared<StabilityArgs>();
    a->study.add(*cmd);
    cmd->add_option("--checkpoints", a->checkpoints, "comma-separated model files (default: the study's checkpoints)");
    cmd->add_option("--optimizer", a->optimizers,
                    "comma-separated torch.save(optimizer.state_dict()) files, one per checkpoint (default: the "
                    "study's \"optimizers\", else each checkpoint's own 'optimizer' entry)");
    cmd->add_option("--lr", a->lr, "learning rate (overrides the file's; alone: gradient descent's 2/lr)");
    cmd->add_option("--momentum", a->momentum, "heavy-ball momentum for a typed learning rate");
    cmd->add_option("--tol", a->tol, "Lanczos tolerance (default 1e-4)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on H*v for each eigenvalue (default 200)");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->add_option("--csv", a->csv, "write the table as CSV to FILE");
    cmd->add_flag("--cache", a->cache,
                  "reuse each checkpoint's row stored in the study file for the same inputs, or store it");
    cmd->callback([a, &run] { run = [a] { return runStability(*a); }; });
}

}  // namespace basin::cli
