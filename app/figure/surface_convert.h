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
/// holes; when nothing is computed yet the values are empty. A curvature map adds its fields
/// (lambda_max, lambda_min, ratio, trace; signed ones marked so) filled in the same way.
/// The fields a curvature map offers to colour by, in the order the Surface tab lists them.
std::vector<std::string> curvatureFieldNames();
widgets::SurfacePlotData toPlotData(const SurfaceGrid& grid, const std::string& title);

/// Nearest-neighbour fill of the points with done == 0 (ties: the lowest index). Returns `values`
/// unchanged when every point is done, and an empty vector when none is.
std::vector<double> fillFromComputed(const std::vector<double>& values, const std::vector<uint8_t>& done, int nx,
                                     int ny);

}  // namespace basin::gui
