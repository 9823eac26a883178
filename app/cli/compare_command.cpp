#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "basin/compare.h"
#include "basin/error.h"
#include "commands.h"
#include "distributed.h"
#include "progress_bar.h"
#include "result_cache.h"
#ifdef BASIN_WITH_FIGURES
#include "render.h"
#endif

namespace basin::cli {

namespace {

struct CompareArgs {
    StudyOptions study;
    std::string checkpoints, which = "both", out, csv, from, to;
    int top = 3, probes = 0, path = 0, max_hvp = 200;
    double tol = 1e-3;
    bool cache = false, json = false;
#ifdef BASIN_WITH_FIGURES
    std::string figure;
    FigureFlags figure_flags;
#endif
};

int runCompare(const CompareArgs& a) {
    if (communicator()) throw Error("compare runs on one process; run spectrum under mpirun for each checkpoint instead");
    const auto spec = a.study.resolve();
    auto ckpts = a.checkpoints.empty() ? spec.checkpoints : splitList(a.checkpoints);
    if (ckpts.empty()) throw Error("no checkpoints: give --checkpoints A,B,... or a study that lists them");
    SpectrumOptions opt;
    opt.eigen.top_k = a.top;
    opt.eigen.which = a.which == "largest" ? Which::Largest : a.which == "smallest" ? Which::Smallest : Which::Both;
    opt.eigen.tol = a.tol;
    opt.eigen.max_hvp = a.max_hvp;
    opt.eigen.seed = spec.seed;
    opt.trace = a.probes > 0;
    opt.trace_options.probes = std::max(a.probes, 2);
    opt.trace_options.seed = spec.seed + 1;
    const std::string options_key = nlohmann::json::parse(spectrumJson(SpectrumResult{}, opt))["options"].dump();
    JobContext job(textProgressBar());
    std::vector<std::string> rows;
    int computed = 0;
    for (const auto& c : ckpts) {
        // One cache entry per checkpoint: adding a checkpoint computes only that one.
        StudySpec one = spec;
        one.model = c;
        const ResultCache cache(a.cache, one, "compare-row", options_key);
        if (const auto hit = cache.stored()) {
            rows.push_back(*hit);
            continue;
        }
        const auto row = compareCheckpoints(spec, {c}, opt, &job).front();
        rows.push_back(checkpointRowJson(row));
        cache.store(rows.back());
        ++computed;
    }
    std::optional<PathResult> path;
    if (a.path > 0) {
        const std::string from = a.from.empty() ? ckpts.front() : a.from, to = a.to.empty() ? ckpts.back() : a.to;
        EigenOptions e = opt.eigen;
        e.max_hvp = std::min(a.max_hvp, 100);
        path = interpolationPath(spec, from, to, a.path, e, &job);
    }
    const std::string text = compareJson(rows, path ? &*path : nullptr);
    if (!a.out.empty()) writeFileAtomically(a.out, text + "\n");
    if (!a.csv.empty()) writeFileAtomically(a.csv, compareCsv(rows));
#ifdef BASIN_WITH_FIGURES
    if (!a.figure.empty())
        writeCompareFigure(rows, path ? &*path : nullptr, a.figure, a.figure_flags,
                           spec.study_path.empty() ? spec.model : spec.study_path);
#endif
    if (a.json) {
        std::cout << text << "\n";
        return 0;
    }
    std::printf("%-28s %10s %9s %11s %11s %18s %8s\n", "checkpoint", "loss", "accuracy", "lambda_max", "lambda_min",
                "trace", "outliers");
    for (const auto& t : rows) {
        const auto r = nlohmann::json::parse(t);
        auto num = [&](const char* k) { return r[k].is_null() ? std::nan("") : r[k].get<double>(); };
        std::printf("%-28s %10.5f %9.4f %11.5g %11.5g %10.5g +- %5.2g %8d\n",
                    r["model"].get<std::string>().substr(r["model"].get<std::string>().find_last_of('/') + 1).c_str(),
                    num("loss"), num("accuracy"), num("lambda_max"), num("lambda_min"), num("trace"), num("trace_stderr"),
                    r["outliers"].get<int>());
    }
    std::printf("(%d computed, %zu from the study file)\n", computed, rows.size() - size_t(computed));
    if (path)
        std::printf("path %s -> %s: barrier %.5g above the higher end, %.5g above the line, highest at t = %.3f\n",
                    path->from.c_str(), path->to.c_str(), path->barrier_over_ends, path->barrier_over_line, path->t_max);
    return 0;
}

}  // namespace

void addCompareCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("compare", "Checkpoints side by side, and the path between two of them");
    auto a = std::make_shared<CompareArgs>();
    a->study.add(*cmd);
    cmd->add_option("--checkpoints", a->checkpoints, "comma-separated model files (default: the study's checkpoints)");
    cmd->add_option("--top", a->top, "eigenvalues at each end (default 3)");
    cmd->add_option("--which", a->which, "largest | smallest | both")->check(CLI::IsMember({"largest", "smallest", "both"}));
    cmd->add_option("--tol", a->tol, "eigenvalue tolerance (default 1e-3)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on H*v per checkpoint (default 200)");
    cmd->add_option("--probes", a->probes, "Hutchinson probes for the trace (0 = no trace)");
    cmd->add_option("--path", a->path, "points on the line between two checkpoints (loss, accuracy, top eigenvalue)");
    cmd->add_option("--from", a->from, "path start (default: the first checkpoint)");
    cmd->add_option("--to", a->to, "path end (default: the last checkpoint)");
    cmd->add_option("--out", a->out, "write the table (and path) as JSON");
    cmd->add_option("--csv", a->csv, "write the table as CSV");
    cmd->add_flag("--cache", a->cache, "keep each checkpoint's row in the study file; reuse rows already there");
    cmd->add_flag("--json", a->json, "print JSON");
#ifdef BASIN_WITH_FIGURES
    cmd->add_option("--figure", a->figure, "write the overlaid spectra (and the path) as a figure: .png, .pdf or .svg");
    addFigureFlags(*cmd, a->figure_flags);
#endif
    cmd->callback([a, &run] { run = [a] { return runCompare(*a); }; });
}

}  // namespace basin::cli
