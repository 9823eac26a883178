#include "surface_job.h"


namespace basin::gui {

SurfacePlan planSurfaceJob(Objective& objective, const SurfaceJobOptions& options, JobContext* job) {
    SurfaceRequest request;
    request.seed = objective.spec().seed;
    request.dirs = options.dirs;
    request.two_d = options.ny > 1;
    return planSurface(objective, request, job);
}

SurfaceGrid computeSurfaceJob(Objective& objective, const SurfaceJobOptions& options, JobContext* job,
                              const std::function<void(const SurfaceGrid&)>& publish, const SurfacePlan* shared) {
    SurfacePlan plan = shared ? *shared : planSurfaceJob(objective, options, job);
    if (shared) {
        // The same directions around this model's own weights; the trajectory belongs to the other.
        plan.origin = objective.parametersFlat();
        plan.trajectory.clear();
        plan.trajectory_labels.clear();
        plan.suggested_range.reset();
    }
    SurfaceOptions grid_options;
    grid_options.nx = options.nx;
    grid_options.ny = options.ny;
    grid_options.x0 = grid_options.y0 = -options.range;
    grid_options.x1 = grid_options.y1 = options.range;
    if (plan.suggested_range) {  // checkpoints and PCA: the span of the trajectory
        grid_options.x0 = (*plan.suggested_range)[0];
        grid_options.x1 = (*plan.suggested_range)[1];
        grid_options.y0 = (*plan.suggested_range)[2];
        grid_options.y1 = (*plan.suggested_range)[3];
    }
    if (options.ny <= 1) grid_options.y0 = grid_options.y1 = 0;
    grid_options.bn = options.recompute_bn ? BatchNormMode::Recompute : BatchNormMode::Eval;
    SurfaceGrid grid = makeGrid(grid_options);
    grid.x_label = plan.x_label;
    grid.y_label = plan.dy ? plan.y_label : "";
    grid.trajectory = plan.trajectory;
    grid.trajectory_labels = plan.trajectory_labels;
    grid.cosine_xy = plan.cosine_xy;
    computeSurface(objective, plan.origin, plan.dx, plan.dy ? &*plan.dy : nullptr, grid, grid_options.bn, job, publish);
    if (publish) publish(grid);
    return grid;
}

}  // namespace basin::gui
