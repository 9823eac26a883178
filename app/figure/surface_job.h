#pragma once
// A loss surface as Basin computes it by default, for the GUI, the compare view and basin-cli
// render alike: the directions planned at the objective's weights (seeded by the study), the grid
// over the options' range (or the trajectory's span), the points coarse to fine.
#include <functional>

#include "basin/objective.h"
#include "basin/progress.h"
#include "basin/surface.h"
#include "basin/surface_plan.h"
#include "surface_convert.h"

namespace basin::gui {

/// The directions of a surface job, planned at the objective's weights and seeded by its study.
SurfacePlan planSurfaceJob(Objective& objective, const SurfaceJobOptions& options, JobContext* job = nullptr);

/// `publish` (if given) sees the grid each time more points are done, and once complete. With
/// `shared`, the grid uses those directions (planned at another model of the same architecture)
/// around this objective's own weights, without a trajectory; else it plans its own.
SurfaceGrid computeSurfaceJob(Objective& objective, const SurfaceJobOptions& options, JobContext* job = nullptr,
                              const std::function<void(const SurfaceGrid&)>& publish = {},
                              const SurfacePlan* shared = nullptr);

}  // namespace basin::gui
