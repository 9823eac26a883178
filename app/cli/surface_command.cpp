#include <chrono>
#include <cstdio>

#include "basin/analysis_defaults.h"
#include "basin/directions.h"
#include "basin/error.h"
#include "basin/surface_job.h"
#include "commands.h"
#include "distributed.h"
#include "grid_run.h"
#include "progress_bar.h"
#include "surface_export.h"
#include "surface_flags.h"

namespace basin::cli {

namespace {

struct SurfaceArgs {
    StudyOptions study;
    SurfaceFlags surface;
    std::string save_dirs, resume;
    std::vector<std::string> outs;
};

SurfaceJobOptions toOptions(const SurfaceArgs& a, const StudySpec& spec) {
    SurfaceJobOptions o = a.surface.apply(studySurfaceOptions(spec).value_or(SurfaceJobOptions{}));
    o.seed = spec.seed;
    validate(o);
    return o;
}

int runSurface(const SurfaceArgs& a) {
    for (const auto& o : a.outs) exporting::checkSurfacePath(o);
    const auto spec = a.study.resolve();
    const SurfaceJobOptions opt = toOptions(a, spec);
    // Under mpirun every process evaluates its share of the points on all the samples.
    auto objective = Objective::open(spec);
    JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
    const auto t0 = std::chrono::steady_clock::now();
    const auto plan = planSurfaceJob(objective, opt, &job);
    if (!a.save_dirs.empty() && isLeader()) {
        saveDirection(a.save_dirs + "_x.npy", plan.dx);
        if (plan.dy) saveDirection(a.save_dirs + "_y.npy", *plan.dy);
    }
    SurfaceGrid grid = surfaceGridFor(objective, opt, plan);
    const GridRunResult run =
        runGrid(grid, job, a.resume, a.outs,
                [&](SurfaceGrid& g, JobContext& j, const PartialFn& partial, const SurfaceDeal& deal) {
                    computeSurface(objective, plan.origin, plan.dx, plan.dy ? &*plan.dy : nullptr, g, opt.bn, &j,
                                   partial, 64, deal, plan.line ? &*plan.line : nullptr);
                });
    if (run.interrupted) return 130;
    grid.provenance.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!isLeader()) return 0;
    for (const auto& o : a.outs) exporting::writeSurface(o, grid);
    const auto k = grid.argminLoss();
    std::printf("surface %dx%d over [%g, %g] x [%g, %g], %s\n", grid.nx(), grid.ny(), grid.xs.front(), grid.xs.back(),
                grid.ys.front(), grid.ys.back(), plan.description.c_str());
    std::printf("BatchNorm: %s; cosine(dx, dy) = %.4f\n", grid.bn_mode.c_str(), plan.cosine_xy);
    if (k >= 0)
        std::printf("minimum loss %.6g at (%g, %g)\n", grid.loss[size_t(k)], grid.xs[size_t(k % grid.nx())],
                    grid.ys[size_t(k / grid.nx())]);
    for (const auto& o : a.outs) std::printf("wrote %s\n", o.c_str());
    return 0;
}

}  // namespace

void addSurfaceCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("surface", "Loss surface along one or two directions (Li et al. 2018)");
    auto a = std::make_shared<SurfaceArgs>();
    a->study.add(*cmd);
    a->surface.add(*cmd);
    cmd->add_option("--out", a->outs, "FILE.vts | .h5 | .csv | .json (several allowed)");
    cmd->add_option("--save-dirs", a->save_dirs, "write the directions to PREFIX_x.npy and PREFIX_y.npy");
    cmd->add_option("--resume", a->resume, "a partial surface .json to continue (written as the grid fills)");
    cmd->callback([a, &run] { run = [a] { return runSurface(*a); }; });
}

}  // namespace basin::cli
