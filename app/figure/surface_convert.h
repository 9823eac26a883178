#pragma once
// Engine loss surfaces become what SurfaceView draws.
#include <cstdint>
#include <string>
#include <vector>

#include "basin/surface.h"
#include "basin/widgets/surface_plot_data.h"

namespace basin::gui {

/// The loss on the grid with its direction labels. Points not computed yet take the value of the
/// nearest computed point, so a coarse-to-fine grid shows a coarse picture at once instead of
/// holes; when nothing is computed yet the values are empty.
widgets::SurfacePlotData toPlotData(const SurfaceGrid& grid, const std::string& title);

/// Nearest-neighbour fill of the points with done == 0 (ties: the lowest index). Returns `values`
/// unchanged when every point is done, and an empty vector when none is.
std::vector<double> fillFromComputed(const std::vector<double>& values, const std::vector<uint8_t>& done, int nx,
                                     int ny);

/// What the GUI computes by default: random filter-normalised directions (biases and BatchNorm
/// ignored, as Li et al.), a 21 x 21 grid over [-1, 1]^2, BatchNorm statistics as stored.
struct SurfaceJobOptions {
    int nx = 21, ny = 21;  ///< ny = 1 computes a line
    double range = 1.0;    ///< the grid spans [-range, range] (random and eigen directions)
    /// random | eigen | eigen-neg | checkpoints | pca (as basin::SurfaceRequest::dirs). Checkpoints
    /// and pca span the range that covers the study's trajectory instead of `range`.
    std::string dirs = "random";
    bool recompute_bn = false;  ///< BatchNorm statistics recomputed at every point
};

}  // namespace basin::gui
