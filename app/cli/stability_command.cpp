// basin-cli stability: each checkpoint's sharpness against its optimizer's stability threshold.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "basin/atomic_file.h"
#include "basin/error.h"
#include "basin/options.h"
#include "basin/stability.h"
#include "commands.h"
#include "distributed.h"
#include "progress_bar.h"

namespace basin::cli {

namespace {

struct StabilityArgs {
    StudyOptions study;
    std::string checkpoints, optimizers, out;
    std::optional<double> lr, momentum, tol;
    std::optional<int> max_hvp;
    bool json = false;
};

// The Lanczos settings both commands take: --tol, --max-hvp, the study's eigen seed (s + 0).
EigenOptions lanczosFlags(const std::optional<double>& tol, const std::optional<int>& max_hvp, const StudySpec& spec) {
    EigenOptions eigen;
    eigen.tol = tol.value_or(1e-4);
    eigen.max_hvp = max_hvp.value_or(200);
    eigen.seed = seedFor(spec.seed, SeedStream::Eigen);
    if (!(eigen.tol > 0 && std::isfinite(eigen.tol)) || eigen.max_hvp < 2)
        throw Error("--tol must be positive and finite and --max-hvp at least 2");
    return eigen;
}

int runStability(const StabilityArgs& a) {
    const StudySpec spec = a.study.resolve();
    std::vector<std::string> ckpts = splitList(a.checkpoints);
    if (ckpts.empty()) ckpts = spec.checkpoints;
    if (ckpts.empty()) ckpts = {spec.model};
    std::vector<std::string> optimizers = splitList(a.optimizers);
    if (!optimizers.empty() && optimizers.size() != ckpts.size())
        throw Error("--optimizer names " + std::to_string(optimizers.size()) + " files for " + std::to_string(ckpts.size()) +
                    " checkpoints; give one per checkpoint, in the same order");
    if (a.lr && !(*a.lr > 0 && std::isfinite(*a.lr))) throw Error("--lr must be a positive learning rate, not " + std::to_string(*a.lr));
    if (a.momentum && !(*a.momentum >= 0 && *a.momentum < 1)) throw Error("--momentum must be at least 0 and below 1");
    if (optimizers.empty() && !a.lr)
        for (const auto& c : ckpts) optimizers.push_back(c);  // a checkpoint dict may hold its optimizer
    const EigenOptions eigen = lanczosFlags(a.tol, a.max_hvp, spec);

    JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
    std::vector<StabilityRow> rows;
    for (size_t i = 0; i < ckpts.size(); ++i) {
        auto o = Objective::open(spec, ckpts[i], communicator());
        OptimizerState s;
        if (!optimizers.empty()) {
            s = readOptimizerState(optimizers[i], o);
        } else {
            s.kind = a.momentum && *a.momentum > 0 ? "sgd" : "gd";  // typed: the learning rate (and momentum) alone
        }
        if (a.lr) s.lr = *a.lr;
        if (a.momentum) s.momentum = *a.momentum;
        rows.push_back(computeStability(o, s, eigen, &job));
    }
    if (!isLeader()) return 0;
    const std::string text = stabilityJson(rows);
    if (!a.out.empty()) writeFileAtomically(a.out, text + "\n");
    if (a.json) {
        std::cout << text << "\n";
        return 0;
    }
    std::printf("%-24s %-6s %10s %12s %14s %12s %8s %6s\n", "checkpoint", "optim", "lr", "lambda_max", "precond l1",
                "threshold", "ratio", "H*v");
    for (const auto& r : rows) {
        const std::string name = std::filesystem::path(r.checkpoint).filename().string();
        std::printf("%-24s %-6s %10.4g %12.6g %14s %12.6g %8.3f %6lld\n", name.c_str(), r.optimizer.kind.c_str(), r.optimizer.lr,
                    r.lambda_max, r.preconditioned ? std::to_string(*r.preconditioned).c_str() : "-", r.threshold, r.ratio,
                    (long long)r.hvp_count);
    }
    for (const auto& r : rows) std::printf("%s: %s\n", std::filesystem::path(r.checkpoint).filename().string().c_str(), r.rule.c_str());
    return 0;
}

struct BatchScalingArgs {
    StudyOptions study;
    std::string sizes, out;
    std::optional<int> batches, max_hvp;
    std::optional<double> tol;
    bool json = false;
};

int runBatchScaling(const BatchScalingArgs& a) {
    const StudySpec spec = a.study.resolve();
    auto o = Objective::open(spec);  // one process: each batch is a subset of all the samples
    BatchScalingOptions opt;
    for (const std::string& t : splitList(a.sizes)) {
        size_t used = 0;
        long long b = 0;
        try {
            b = std::stoll(t, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != t.size() || b < 1) throw Error("--sizes '" + a.sizes + "' is not a list of batch sizes such as 8,32,128");
        opt.sizes.push_back(b);
    }
    opt.batches = a.batches.value_or(4);
    opt.eigen = lanczosFlags(a.tol, a.max_hvp, spec);
    opt.seed = seedFor(spec.seed, SeedStream::Samples);
    JobContext job(textProgressBar());
    const BatchScalingResult r = computeBatchScaling(o, opt, &job);
    const std::string text = batchScalingJson(r);
    if (!a.out.empty()) writeFileAtomically(a.out, text + "\n");
    if (a.json) {
        std::cout << text << "\n";
        return 0;
    }
    std::printf("%8s %12s %10s %14s   %s\n", "B", "mean lmax", "stddev", "2/lmax (GD)", "lambda_max per batch");
    for (const auto& row : r.rows) {
        std::string each;
        for (double l : row.lambda_max) each += (each.empty() ? "" : " ") + std::to_string(l);
        std::printf("%8lld %12.6g %10.3g %14.6g   %s\n", (long long)row.batch_size, row.mean, row.stddev, row.stable_lr_sgd, each.c_str());
    }
    std::printf("all %lld samples: lambda_max %.6g; slope of log lambda_max on log B: %.3f; %lld H*v in %.1f s\n",
                (long long)o.data().samples, r.full_lambda_max, r.slope, (long long)r.hvp_count, r.seconds);
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
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->callback([a, &run] { run = [a] { return runBatchScaling(*a); }; });
}

void addStabilityCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("stability", "Sharpness of each checkpoint against its optimizer's stability threshold");
    auto a = std::make_shared<StabilityArgs>();
    a->study.add(*cmd);
    cmd->add_option("--checkpoints", a->checkpoints, "comma-separated model files (default: the study's checkpoints)");
    cmd->add_option("--optimizer", a->optimizers,
                    "comma-separated torch.save(optimizer.state_dict()) files, one per checkpoint (default: each "
                    "checkpoint's own 'optimizer' entry)");
    cmd->add_option("--lr", a->lr, "learning rate (overrides the file's; alone: gradient descent's 2/lr)");
    cmd->add_option("--momentum", a->momentum, "heavy-ball momentum for a typed learning rate");
    cmd->add_option("--tol", a->tol, "Lanczos tolerance (default 1e-4)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on H*v for each eigenvalue (default 200)");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->callback([a, &run] { run = [a] { return runStability(*a); }; });
}

}  // namespace basin::cli
