#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <cmath>
#include <optional>

#include "basin/analysis_defaults.h"
#include "basin/compare.h"
#include "basin/error.h"
#include "basin/options.h"
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
    std::string checkpoints, out, csv, from, to;
    std::optional<std::string> which;
    std::optional<int> top, probes, path, max_hvp;
    std::optional<double> tol;
    std::optional<std::string> path_bn;
    bool cache = false, json = false;
#ifdef BASIN_WITH_FIGURES
    std::string figure;
    FigureFlags figure_flags;
#endif
};

// basin-cli compare's defaults: the top 3 at both ends, no trace unless --probes, no surfaces.
CompareOptions toOptions(const CompareArgs& a, const StudySpec& spec) {
    CompareOptions o;
    if (auto own = studyCompareOptions(spec)) o = *own;
    else {
        o.spectrum.eigen.top_k = 3;
        o.spectrum.eigen.which = Which::Both;
        o.spectrum.eigen.max_hvp = 200;
    }
    if (!a.checkpoints.empty()) o.checkpoints = splitList(a.checkpoints);
    if (o.checkpoints.empty()) o.checkpoints = spec.checkpoints;
    if (a.top) o.spectrum.eigen.top_k = *a.top;
    if (a.which)
        o.spectrum.eigen.which = *a.which == "largest"    ? Which::Largest
                                 : *a.which == "smallest" ? Which::Smallest
                                                          : Which::Both;
    if (a.tol) o.spectrum.eigen.tol = *a.tol;
    if (a.max_hvp) {
        o.spectrum.eigen.max_hvp = *a.max_hvp;
        o.path_max_hvp = std::min(*a.max_hvp, 100);
    }
    if (a.probes) {
        o.spectrum.trace = *a.probes > 0;
        o.spectrum.trace_options.probes = *a.probes;
    }
    if (a.path) o.path_points = *a.path;
    if (a.path_bn) o.path_bn = *a.path_bn == "recompute" ? BatchNormMode::Recompute : BatchNormMode::Eval;
    o.surfaces = false;  // surfaces per checkpoint are basin-cli render's (and the window's)
    o.seed = o.spectrum.seed = spec.seed;
    validate(o);
    return o;
}

int runCompare(const CompareArgs& a) {
    if (communicator())
        throw Error("compare runs on one process; run spectrum under mpirun for each checkpoint instead");
    const auto spec = a.study.resolve();
    const CompareOptions opt = toOptions(a, spec);
    const auto& ckpts = opt.checkpoints;
    if (ckpts.empty()) throw Error("no checkpoints: give --checkpoints A,B,... or a study that lists them");
    JobContext job(textProgressBar());
    std::vector<CheckpointRow> rows;
    int computed = 0;
    for (const auto& c : ckpts) {
        // One cache entry per checkpoint: adding a checkpoint computes only that one.
        const ResultCache cache(a.cache, spec, "compare-row", toJson(opt.spectrum), {}, c);
        if (const auto hit = cache.stored()) {
            rows.push_back(checkpointRowFromJson(*hit, spec.study_path));
            continue;
        }
        rows.push_back(checkpointRow(spec, c, opt.spectrum, &job));
        cache.store(rows.back().provenance, checkpointRowJson(rows.back()));
        ++computed;
    }
    std::optional<PathResult> path;
    if (opt.path_points > 0) {
        const std::string from = a.from.empty() ? ckpts.front() : a.from, to = a.to.empty() ? ckpts.back() : a.to;
        EigenOptions e = opt.spectrum.eigen;
        e.max_hvp = opt.path_max_hvp;
        e.seed = seedFor(spec.seed, SeedStream::Eigen);
        path = interpolationPath(spec, from, to, opt.path_points, e, &job, opt.path_bn);
    }
    const std::string text = compareJson(rows, path ? &*path : nullptr, &opt);
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
    for (const auto& r : rows) {
        const SpectrumResult& s = r.spectrum;
        const double nan = std::nan("");
        std::printf("%-28s %10.5f %9.4f %11.5g %11.5g %10.5g +- %5.2g %8d\n",
                    r.model.substr(r.model.find_last_of('/') + 1).c_str(), r.eval.loss,
                    r.eval.accuracy >= 0 ? r.eval.accuracy : nan, s.largest ? s.largest->eigenvalues.front() : nan,
                    s.smallest ? s.smallest->eigenvalues.back() : nan, s.trace ? s.trace->mean : nan,
                    s.trace ? s.trace->stderr_ : nan, s.outliers.count);
    }
    std::printf("(%d computed, %zu from the study file)\n", computed, rows.size() - size_t(computed));
    if (path)
        std::printf("path %s -> %s (%s): barrier %.5g above the higher end, %.5g above the line, highest at t = %.3f\n",
                    path->from.c_str(), path->to.c_str(), path->bn.c_str(), path->barrier_over_ends,
                    path->barrier_over_line, path->t_max);
    return 0;
}

}  // namespace

void addCompareCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("compare", "Checkpoints side by side, and the path between two of them");
    auto a = std::make_shared<CompareArgs>();
    a->study.add(*cmd);
    cmd->add_option("--checkpoints", a->checkpoints, "comma-separated model files (default: the study's checkpoints)");
    cmd->add_option("--top", a->top, "eigenvalues at each end (default 3)");
    cmd->add_option("--which", a->which, "largest | smallest | both")
        ->check(CLI::IsMember({"largest", "smallest", "both"}));
    cmd->add_option("--tol", a->tol, "eigenvalue tolerance (default 1e-3)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on H*v per checkpoint (default 200)");
    cmd->add_option("--probes", a->probes, "Hutchinson probes for the trace (0 = no trace)");
    cmd->add_option("--path", a->path, "points on the line between two checkpoints (loss, accuracy, top eigenvalue)");
    cmd->add_option("--path-bn", a->path_bn, "BatchNorm along the path: interpolate (default) | recompute")
        ->check(CLI::IsMember({"interpolate", "recompute"}));
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
