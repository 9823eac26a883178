#include "basin/surface_job.h"

#include <chrono>

#include "basin/error.h"
#include "basin/options.h"
#include "digest.h"
#include "stats.h"

namespace basin {

std::string directionsKey(const SurfacePlan& plan) {
    detail::Digest d;
    d.add(plan.dx.data(), size_t(plan.dx.size()) * sizeof(double));
    if (plan.dy) d.add(plan.dy->data(), size_t(plan.dy->size()) * sizeof(double));
    d.add(plan.origin.data(), size_t(plan.origin.size()) * sizeof(double));
    return d.hex();
}

SurfacePlan planSurfaceJob(Objective& objective, const SurfaceJobOptions& o, JobContext* job) {
    validate(o);
    SurfaceRequest request;
    request.dirs = o.dirs;
    request.norm = o.norm;
    request.ignore = o.ignore;
    request.orthogonal = o.orthogonal;
    request.two_d = !o.isLine();
    request.seed = seedFor(o.seed, SeedStream::DirectionX);
    request.checkpoints = o.checkpoints;
    request.group = o.group;
    return planSurface(objective, request, job);
}

SurfaceGrid surfaceGridFor(const Objective& objective, const SurfaceJobOptions& o, const SurfacePlan& plan) {
    SurfaceOptions layout;
    layout.nx = o.nx;
    layout.ny = o.isLine() ? 1 : o.ny;
    std::array<double, 4> r{-1, 1, -1, 1};
    if (o.range) r = *o.range;
    else if (plan.suggested_range) r = *plan.suggested_range;  // checkpoints and PCA: the trajectory's span
    layout.x0 = r[0];
    layout.x1 = r[1];
    layout.y0 = o.isLine() ? 0 : r[2];
    layout.y1 = o.isLine() ? 0 : r[3];
    layout.bn = o.bn;
    SurfaceGrid grid = makeGrid(layout);
    grid.x_label = plan.x_label;
    grid.y_label = plan.dy ? plan.y_label : "";
    grid.trajectory = plan.trajectory;
    grid.trajectory_labels = plan.trajectory_labels;
    grid.cosine_xy = plan.cosine_xy;
    grid.options = o;
    grid.provenance = makeProvenance(objective, "surface", toJson(o), referencedFiles(o, objective.spec()));
    grid.directions_key = directionsKey(plan);
    return grid;
}

SurfaceGrid computeSurfaceJob(Objective& objective, const SurfaceJobOptions& o, JobContext* job,
                              const std::function<void(const SurfaceGrid&)>& publish, const SurfacePlan* shared) {
    validate(o);
    if (shared && o.directions_model.empty())
        throw Error("a surface along another model's directions must name that model (directions_model)");
    const auto t0 = std::chrono::steady_clock::now();
    SurfacePlan plan = shared ? *shared : planSurfaceJob(objective, o, job);
    if (shared) {
        // The same directions around this model's own weights; the trajectory belongs to the other.
        plan.origin = objective.parametersFlat();
        plan.trajectory.clear();
        plan.trajectory_labels.clear();
        plan.suggested_range.reset();
        plan.line.reset();  // a line between the other model's checkpoints is not this one's
    }
    SurfaceGrid grid = surfaceGridFor(objective, o, plan);
    computeSurface(objective, plan.origin, plan.dx, plan.dy ? &*plan.dy : nullptr, grid, o.bn, job, publish, 64, {},
                   plan.line ? &*plan.line : nullptr);
    grid.provenance.seconds = detail::secondsSince(t0);
    if (publish) publish(grid);
    return grid;
}

}  // namespace basin
