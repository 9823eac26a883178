// basin-cli batch-spectra and resample: how much of a curvature number is the data sample.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "basin/analysis_defaults.h"
#include "basin/atomic_file.h"
#include "basin/error.h"
#include "basin/sampling.h"
#include "commands.h"
#include "distributed.h"
#include "progress_bar.h"
#include "result_cache.h"

namespace basin::cli {

namespace {

std::string fileName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// The models to run on: --checkpoint's list, the study's checkpoints (--all-checkpoints), or the study's model.
std::vector<std::string> modelsToRun(const std::string& list, bool all, const StudySpec& spec) {
    std::vector<std::string> models = splitList(list);
    if (all) {
        if (!models.empty()) throw Error("give --checkpoint or --all-checkpoints, not both");
        if (spec.checkpoints.empty()) throw Error("--all-checkpoints: the study lists no checkpoints");
        models = spec.checkpoints;
    }
    if (models.empty()) models.push_back(spec.model);
    return models;
}

void printBars(const Histogram& h, const char* what) {
    if (h.edges.empty()) return;
    int64_t most = 1;
    for (int64_t c : h.counts) most = std::max(most, c);
    std::printf("histogram of the %s eigenvalues, %zu bins of width %.4g (density integrates to 1):\n", what,
                h.counts.size(), h.edges[1] - h.edges[0]);
    for (size_t i = 0; i < h.counts.size(); ++i)
        std::printf("  [%11.5g, %11.5g) %5lld  %10.4g  %s\n", h.edges[i], h.edges[i + 1], (long long)h.counts[i],
                    h.density[i], std::string(size_t(40 * h.counts[i] / most), '#').c_str());
}

void printBatchSpectra(const BatchSpectraResult& r) {
    const auto& o = r.options;
    std::printf("%s: %d disjoint batches of %lld of the %lld samples; top %d per batch; Lanczos tol %g\n",
                fileName(r.provenance.model).c_str(), o.batches, (long long)o.batch_size, (long long)r.samples, o.top_k,
                o.tol);
    std::printf("%6s %6s %5s  %s\n", "batch", "H*v", "conv",
                "eigenvalues (largest, descending | smallest, most negative last)");
    for (size_t k = 0; k < r.batches.size(); ++k) {
        const auto& b = r.batches[k];
        std::string each;
        for (double l : b.largest) each += (each.empty() ? "" : " ") + std::to_string(l);
        if (!b.smallest.empty()) each += " |";
        for (double l : b.smallest) each += " " + std::to_string(l);
        std::printf("%6zu %6lld %5s  %s\n", k + 1, (long long)b.hvp_count, b.converged ? "yes" : "NO", each.c_str());
    }
    if (!r.largest.edges.empty())
        std::printf("lambda_max over the batches: mean %.6g, stddev %.4g\n", r.lambda_max_mean, r.lambda_max_stddev);
    printBars(r.largest, "largest");
    printBars(r.smallest, "smallest");
    std::printf("%lld H*v in %.1f s\n", (long long)r.provenance.hvp_count, r.provenance.seconds);
}

struct BatchSpectraArgs {
    StudyOptions study;
    std::optional<int64_t> size;
    std::optional<int> batches, top_k, max_hvp, bins;
    std::optional<double> tol;
    std::optional<std::string> which;
    std::string checkpoints, out, csv;
    bool all = false, json = false, cache = false;
};

BatchSpectraOptions toOptions(const BatchSpectraArgs& a, const StudySpec& spec) {
    BatchSpectraOptions o = studyBatchSpectraOptions(spec).value_or(BatchSpectraOptions{});
    if (a.size) o.batch_size = *a.size;
    if (a.batches) o.batches = *a.batches;
    if (a.top_k) o.top_k = *a.top_k;
    if (a.max_hvp) o.max_hvp = *a.max_hvp;
    if (a.bins) o.bins = *a.bins;
    if (a.tol) o.tol = *a.tol;
    if (a.which) {
        if (*a.which == "largest") o.which = Which::Largest;
        else if (*a.which == "smallest") o.which = Which::Smallest;
        else if (*a.which == "both") o.which = Which::Both;
        else
            throw Error("batch-spectra option which (--which) is '" + *a.which +
                        "'; it must be largest, smallest or both");
    }
    o.seed = spec.seed;
    validate(o);
    return o;
}

int runBatchSpectra(const BatchSpectraArgs& a) {
    const StudySpec spec = a.study.resolve();
    const BatchSpectraOptions options = toOptions(a, spec);
    const std::vector<std::string> models = modelsToRun(a.checkpoints, a.all, spec);
    JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
    std::vector<BatchSpectraResult> results;
    for (const std::string& model : models) {
        const std::string other = model == spec.model ? std::string() : model;
        const ResultCache cache(a.cache, spec, "batch-spectra", toJson(options), {}, other);
        results.push_back(cache.reuseOrCompute(
            [&] {
                auto objective = Objective::open(spec, other, communicator());
                return computeBatchSpectra(objective, options, &job);
            },
            batchSpectraFromJson, batchSpectraJson, spec.study_path));
    }
    if (!isLeader()) return 0;
    std::string text;
    if (results.size() == 1) {
        text = batchSpectraJson(results.front());
    } else {
        // Several checkpoints: each one's result, and their histograms on common bins (the overlay).
        nlohmann::json set = {
            {"format", "basin-batch-spectra-set"}, {"results", nlohmann::json::array()}, {"overlay", {}}};
        std::vector<std::vector<double>> largest, smallest;
        for (const auto& r : results) {
            set["results"].push_back(nlohmann::json::parse(batchSpectraJson(r)));
            largest.push_back(batchEigenvalues(r, true));
            smallest.push_back(batchEigenvalues(r, false));
        }
        for (const auto& [end, sets] : {std::pair{"largest", largest}, std::pair{"smallest", smallest}}) {
            const auto common = commonHistograms(sets, options.bins);
            if (common.front().edges.empty()) continue;
            nlohmann::json o = {{"edges", common.front().edges}, {"models", nlohmann::json::array()}};
            for (size_t i = 0; i < common.size(); ++i)
                o["models"].push_back({{"model", results[i].provenance.model},
                                       {"counts", common[i].counts},
                                       {"density", common[i].density}});
            set["overlay"][end] = o;
        }
        text =
            set.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);  // a path that is not UTF-8 is no error
    }
    if (!a.out.empty()) writeFileAtomically(a.out, text + "\n");
    if (!a.csv.empty()) writeFileAtomically(a.csv, batchSpectraCsv(results));
    if (a.json) {
        std::cout << text << "\n";
        return 0;
    }
    for (const auto& r : results) printBatchSpectra(r);
    return 0;
}

void printQuantity(const char* name, const std::optional<ResampledQuantity>& q, const char* estimator) {
    if (!q) return;
    std::printf("%-10s %12.6g %12.4g %12.6g %12.4g %12.4g %12.4g %10.2f %% %10lld%s\n", name, q->full,
                q->estimator_error, q->mean, q->spread, q->estimator_error_subsample, q->data_error,
                100 * q->relative_data_error, (long long)q->suggested_samples,
                q->converged ? "" : "  (a Lanczos run did not converge)");
    std::printf("           estimator error: %s\n", estimator);
}

struct ResampleArgs {
    StudyOptions study;
    std::optional<int> resamples, max_hvp, probes;
    std::optional<int64_t> subsample;
    std::optional<double> target, tol;
    std::string checkpoint, out;
    bool no_lambda = false, no_trace = false, json = false, cache = false;
};

ResampleOptions toOptions(const ResampleArgs& a, const StudySpec& spec) {
    ResampleOptions o = studyResampleOptions(spec).value_or(ResampleOptions{});
    if (a.resamples) o.resamples = *a.resamples;
    if (a.subsample) o.subsample = *a.subsample;
    if (a.max_hvp) o.max_hvp = *a.max_hvp;
    if (a.probes) o.probes = *a.probes;
    if (a.target) o.target = *a.target;
    if (a.tol) o.tol = *a.tol;
    if (a.no_lambda) o.lambda_max = false;
    if (a.no_trace) o.trace = false;
    o.seed = spec.seed;
    validate(o);
    return o;
}

int runResample(const ResampleArgs& a) {
    const StudySpec spec = a.study.resolve();
    const ResampleOptions options = toOptions(a, spec);
    const std::string other = a.checkpoint.empty() || a.checkpoint == spec.model ? std::string() : a.checkpoint;
    const ResultCache cache(a.cache, spec, "resample", toJson(options), {}, other);
    const ResampleResult r = cache.reuseOrCompute(
        [&] {
            auto objective = Objective::open(spec, other, communicator());
            // Opt-in and not cheap: say what it costs before any product is made.
            if (isLeader()) std::fprintf(stderr, "%s\n", resampleCost(options, objective.data().samples).text.c_str());
            JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
            return computeResample(objective, options, &job);
        },
        resampleFromJson, resampleJson, spec.study_path);
    if (!isLeader()) return 0;
    const std::string text = resampleJson(r);
    if (!a.out.empty()) writeFileAtomically(a.out, text + "\n");
    if (a.json) {
        std::cout << text << "\n";
        return 0;
    }
    std::printf("%s: %d subsamples of m = %lld of the N = %lld samples, without replacement\n",
                fileName(r.provenance.model).c_str(), r.resamples, (long long)r.subsample, (long long)r.samples);
    std::printf("%-10s %12s %12s %12s %12s %12s %12s %12s %10s\n", "quantity", "full (N)", "est. error", "mean (m)",
                "spread (m)", "est.err (m)", "data err (N)", "data/full", "samples for");
    std::printf("%-10s %12s %12s %12s %12s %12s %12s %12s %10.0f%%\n", "", "", "", "", "", "", "", "",
                100 * r.options.target);
    printQuantity("lambda_max", r.lambda_max,
                  "the Lanczos residual ||Hx - lx|| (a bound on the distance to an eigenvalue)");
    printQuantity("trace", r.trace,
                  ("the Hutchinson probe standard error (" + std::to_string(r.options.probes) + " probes)").c_str());
    printQuantity(
        "moment 2", r.second_moment,
        "the standard error of (1/P)|Hz|^2 over the trace's probes; the density's second moment (1/P) tr(H^2)");
    std::printf(
        "rule: spread over the subsamples, sigma = spread * sqrt(m) * sqrt((N-1)/(N-m)) (spread scales as 1/sqrt(m)),\n"
        "      data error at n samples = sigma/sqrt(n), samples for the target = ceil((sigma/(target*|full|))^2)\n");
    std::printf("%lld H*v in %.1f s\n", (long long)r.provenance.hvp_count, r.provenance.seconds);
    return 0;
}

}  // namespace

void addBatchSpectraCommand(CLI::App& app, Runner& run) {
    auto* cmd =
        app.add_subcommand("batch-spectra", "Top eigenvalues of K disjoint mini-batch Hessians and their histogram");
    auto a = std::make_shared<BatchSpectraArgs>();
    a->study.add(*cmd);
    cmd->add_option("--size", a->size, "samples per batch B (default 32)");
    cmd->add_option("--batches", a->batches, "disjoint batches K (default 8)");
    cmd->add_option("--top-k", a->top_k, "eigenvalues per batch at each end (default 5)");
    cmd->add_option("--which", a->which, "largest, smallest or both (default largest)");
    cmd->add_option("--tol", a->tol, "Lanczos tolerance (default 1e-4)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on H*v for each batch (default 200)");
    cmd->add_option("--bins", a->bins, "histogram bins (default 20)");
    cmd->add_option("--checkpoint", a->checkpoints, "comma-separated model files (default: the study's model)");
    cmd->add_flag("--all-checkpoints", a->all, "every checkpoint the study lists, one set each");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_flag("--cache", a->cache, "reuse results stored in the study file for the same inputs, or store these");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->add_option("--csv", a->csv, "write every eigenvalue as CSV to FILE");
    cmd->callback([a, &run] { run = [a] { return runBatchSpectra(*a); }; });
}

void addResampleCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "resample", "How much of lambda_max and the trace is the data sample (subsampling; opt-in, costs R runs)");
    auto a = std::make_shared<ResampleArgs>();
    a->study.add(*cmd);
    cmd->add_option("--resamples", a->resamples, "subsamples R (default 20)");
    cmd->add_option("--subsample", a->subsample, "samples m in each (default half of them)");
    cmd->add_option("--target", a->target, "relative data error the suggested sample count aims at (default 0.05)");
    cmd->add_option("--tol", a->tol, "Lanczos tolerance for each lambda_max (default 1e-4)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on H*v for each lambda_max (default 200)");
    cmd->add_option("--probes", a->probes, "Hutchinson probes for each trace (default 32)");
    cmd->add_flag("--no-lambda-max", a->no_lambda, "resample the trace only");
    cmd->add_flag("--no-trace", a->no_trace, "resample lambda_max only");
    cmd->add_option("--checkpoint", a->checkpoint, "the model file (default: the study's model)");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_flag("--cache", a->cache,
                  "reuse a result stored in the study file for the same inputs, or store this one");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->callback([a, &run] { run = [a] { return runResample(*a); }; });
}

}  // namespace basin::cli
