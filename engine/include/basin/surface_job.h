#pragma once
/// A loss surface as one job, for the window, basin-cli surface, render and compare alike: the
/// directions planned at the objective's weights from the options (seeded by options.seed), the
/// grid over the options' range (or the trajectory's span), the points coarse to fine, and the
/// result keyed and carrying what made it.
#include <functional>

#include "basin/objective.h"
#include "basin/progress.h"
#include "basin/surface.h"
#include "basin/surface_plan.h"

namespace basin {

/// The directions of a surface job, planned at the objective's current weights.
SurfacePlan planSurfaceJob(Objective& objective, const SurfaceJobOptions& options, JobContext* job = nullptr);

/// 16 hex digits over the bytes of the plan's direction vectors and origin: a surface's, a curvature
/// map's and a probe's `directions_key`, equal only for the same vectors.
std::string directionsKey(const SurfacePlan& plan);

/// The job's empty grid: coordinates laid out, labels, trajectory, the options, the provenance
/// (keyed on the objective's files and the options) and the directions' key, ready for
/// computeSurface or resumeFrom.
SurfaceGrid surfaceGridFor(const Objective& objective, const SurfaceJobOptions& options, const SurfacePlan& plan);

/// The whole job on one process. `publish` (if given) sees the grid each time more points are
/// done, and once complete. With `shared`, the grid uses those directions (planned at
/// options.directions_model, another model of the same architecture, which must be named) around
/// this objective's own weights, without a trajectory. Validates the options first; the
/// objective's parameters are restored afterwards.
SurfaceGrid computeSurfaceJob(Objective& objective, const SurfaceJobOptions& options, JobContext* job = nullptr,
                              const std::function<void(const SurfaceGrid&)>& publish = {},
                              const SurfacePlan* shared = nullptr);

}  // namespace basin
