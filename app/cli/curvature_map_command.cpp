// basin-cli curvature-map: λmax, λmin (and the trace) at every point of a surface's grid.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "basin/analysis_defaults.h"
#include "basin/curvature_map.h"
#include "basin/directions.h"
#include "basin/error.h"
#include "basin/surface_job.h"
#include "commands.h"
#include "distributed.h"
#include "grid_run.h"
#include "progress_bar.h"
#include "result_cache.h"
#include "surface_export.h"
#include "surface_flags.h"

namespace basin::cli {

namespace {

struct MapArgs {
    StudyOptions study;
    SurfaceFlags surface;
    std::optional<std::string> ends;
    std::optional<double> tol;
    std::optional<int> max_hvp, probes;
    bool cold = false, cache = false;
    std::string save_dirs, resume;
    std::vector<std::string> outs;
};

CurvatureMapOptions toOptions(const MapArgs& a, const StudySpec& spec) {
    CurvatureMapOptions o = studyCurvatureMapOptions(spec).value_or(CurvatureMapOptions{});
    if (!studyCurvatureMapOptions(spec))
        if (const auto s = studySurfaceOptions(spec)) o.surface = *s;  // the study's plane, when it gives one
    o.surface = a.surface.apply(o.surface);
    if (a.ends) o.curvature.lambda_min = *a.ends == "both";
    if (a.tol) o.curvature.tol = *a.tol;
    if (a.max_hvp) o.curvature.max_hvp = *a.max_hvp;
    if (a.probes) o.curvature.trace_probes = *a.probes;
    if (a.cold) o.curvature.warm_start = false;
    o.seed = o.surface.seed = spec.seed;
    validate(o);
    return o;
}

std::pair<double, double> rangeOf(const std::vector<double>& v, const std::vector<uint8_t>& done) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < v.size(); ++k)
        if (done[k] && std::isfinite(v[k])) lo = std::min(lo, v[k]), hi = std::max(hi, v[k]);
    return {lo, hi};
}

void printSummary(const SurfaceGrid& map, const std::string& description, const GridRunResult& run) {
    const GridCurvature& c = *map.curvature;
    std::printf("curvature map %dx%d over [%g, %g] x [%g, %g], %s\n", map.nx(), map.ny(), map.xs.front(), map.xs.back(),
                map.ys.front(), map.ys.back(), description.c_str());
    const auto [amax, bmax] = rangeOf(c.lambda_max, map.done);
    std::printf("lambda_max  from %.6g to %.6g\n", amax, bmax);
    if (c.settings.lambda_min) {
        const auto [amin, bmin] = rangeOf(c.lambda_min, map.done);
        std::vector<double> ratio(map.loss.size());
        for (size_t k = 0; k < ratio.size(); ++k) ratio[k] = c.ratio(k);
        const auto [ar, br] = rangeOf(ratio, map.done);
        std::printf("lambda_min  from %.6g to %.6g\n|lambda_min/lambda_max|  from %.4g to %.4g\n", amin, bmin, ar, br);
    }
    if (c.settings.trace_probes > 0) {
        const auto [at, bt] = rangeOf(c.trace, map.done);
        std::printf("trace  from %.6g to %.6g (Hutchinson, the same %d probes at every point)\n", at, bt,
                    c.settings.trace_probes);
    }
    int unconverged = 0;
    for (size_t k = 0; k < map.done.size(); ++k) unconverged += map.done[k] && !c.converged[k];
    const CurvatureMapCost cost = curvatureMapCost(map);
    std::printf("H*v per point  %.1f on average (%lld in all over %lld points", cost.perPoint(), (long long)cost.hvp,
                (long long)cost.points);
    if (cost.warm_points > 0 && cost.points > cost.warm_points)
        std::printf("; warm-started %.1f, cold %.1f", double(cost.warm_hvp) / double(cost.warm_points),
                    double(cost.cold_hvp) / double(cost.points - cost.warm_points));
    std::printf(")\n");
    if (unconverged)
        std::printf("note: %d points did not reach tol %g within %d H*v (raise --max-hvp)\n", unconverged,
                    c.settings.tol, c.settings.max_hvp);
    if (run.first_picture_s >= 0)
        std::printf("first coarse picture  %lld points after %.2f s\n", (long long)run.first_picture_points,
                    run.first_picture_s);
    std::printf("total  %.2f s\n", map.provenance.seconds);
}

int runMap(const MapArgs& a) {
    for (const auto& o : a.outs) exporting::checkSurfacePath(o);
    const auto spec = a.study.resolve();
    const CurvatureMapOptions opt = toOptions(a, spec);
    if (a.cache && communicator())
        throw Error("--cache runs on one process (under mpirun the ranks share the grid instead)");
    const ResultCache cache(a.cache, spec, "curvature-map", toJson(opt), referencedFiles(opt, spec));
    if (const auto hit = cache.stored()) {
        const SurfaceGrid map = curvatureMapFromJson(*hit, spec.study_path);
        for (const auto& o : a.outs) exporting::writeSurface(o, map);
        printSummary(map, "stored in the study file", {});
        return 0;
    }
    // Under mpirun every process computes its share of the points on all the samples.
    auto objective = Objective::open(spec);
    JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = objective.hvpCount();
    const SurfacePlan plan = planCurvatureMap(objective, opt, &job);
    if (!a.save_dirs.empty() && isLeader()) {
        saveDirection(a.save_dirs + "_x.npy", plan.dx);
        if (plan.dy) saveDirection(a.save_dirs + "_y.npy", *plan.dy);
    }
    SurfaceGrid map = curvatureMapGridFor(objective, opt, plan);
    const GridRunResult run =
        runGrid(map, job, a.resume, a.outs,
                [&](SurfaceGrid& g, JobContext& j, const PartialFn& partial, const SurfaceDeal& deal) {
                    computeCurvatureMapPoints(objective, plan, g, &j, partial, 16, deal);
                });
    if (run.interrupted) return 130;
    map.provenance.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    int64_t products = objective.hvpCount() - hvp0;
    if (Communicator* comm = communicator()) {
        double p = double(products);
        comm->sum(&p, 1);
        products = int64_t(p);
    }
    map.provenance.hvp_count = products;
    if (!isLeader()) return 0;
    if (a.resume.empty()) cache.store(map.provenance, curvatureMapJson(map));
    for (const auto& o : a.outs) exporting::writeSurface(o, map);
    printSummary(map, plan.description, run);
    for (const auto& o : a.outs) std::printf("wrote %s\n", o.c_str());
    return 0;
}

}  // namespace

void addCurvatureMapCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "curvature-map",
        "lambda_max, lambda_min and the trace at every point of a surface (Li et al.'s eigen ratio, live)");
    auto a = std::make_shared<MapArgs>();
    a->study.add(*cmd);
    a->surface.add(*cmd);
    cmd->add_option("--ends", a->ends, "both (lambda_max and lambda_min, default) | largest")
        ->check(CLI::IsMember({"both", "largest"}));
    cmd->add_option("--tol", a->tol, "Ritz residual tolerance at each point, relative to |lambda|max (default 1e-3)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on H*v per point for the eigenvalues (default 100)");
    cmd->add_option("--probes", a->probes,
                    "Hutchinson probes of the trace at each point, the same at every point (default 0: none)");
    cmd->add_flag("--cold", a->cold, "start every point's Lanczos afresh, not from its nearest computed neighbour");
    cmd->add_option("--out", a->outs, "FILE.vts | .h5 | .csv | .json (several allowed)");
    cmd->add_option("--save-dirs", a->save_dirs, "write the directions to PREFIX_x.npy and PREFIX_y.npy");
    cmd->add_option("--resume", a->resume, "a partial map .json to continue (written as the grid fills)");
    cmd->add_flag("--cache", a->cache, "reuse a map stored in the study file for the same inputs, or store this one");
    cmd->callback([a, &run] { run = [a] { return runMap(*a); }; });
}

}  // namespace basin::cli
