#pragma once
// What basin-cli surface and curvature-map share around computing a grid's points: resuming from
// a partial file (with the surface's checks), saving the partial grid as it fills, stopping on
// Ctrl-C with the points kept, and under mpirun dealing the points to processes and gathering
// every point field (loss, accuracy and a map's curvature) into the grid rank 0 writes.
#include <functional>
#include <string>
#include <vector>

#include "basin/progress.h"
#include "basin/surface.h"

namespace basin::cli {

using PartialFn = std::function<void(const SurfaceGrid&)>;
/// Computes the points of `grid` dealt by `deal`, calling `on_partial` as computeSurface does.
using ComputePoints =
    std::function<void(SurfaceGrid& grid, JobContext& job, const PartialFn& on_partial, const SurfaceDeal& deal)>;

struct GridRunResult {
    bool interrupted = false;
    double first_picture_s = -1;  ///< seconds until the first coarse-to-fine level was complete
    int64_t first_picture_points = 0;
};

/// Resumes `grid` from `resume` when that file exists, computes the rest with `compute`, and
/// gathers it (every process returns the whole grid). Partial grids go to `resume`, or the first
/// .json of `outs`. On Ctrl-C the points so far are saved and `interrupted` is set.
GridRunResult runGrid(SurfaceGrid& grid, JobContext& job, const std::string& resume,
                      const std::vector<std::string>& outs, const ComputePoints& compute);

/// The points computed by each process since `initial_done`, summed into one grid (each point has
/// one owner): loss, accuracy and, for a curvature map, every curvature field. Alone: `g` itself.
SurfaceGrid gatherGrid(const SurfaceGrid& g, const std::vector<uint8_t>& initial_done);

}  // namespace basin::cli
