#pragma once
/// The arithmetic behind SurfaceView, free of Qt and VTK so it is tested on its own.
#include <array>
#include <string>

#include "basin/widgets/surface_plot_data.h"

namespace basin::widgets {

/// Empty string when the grid is drawable, else why not (sizes, order, no finite value).
std::string surfaceProblem(const SurfacePlotData& data);

/// Smallest and largest finite value; {0, 0} when there is none.
std::array<double, 2> finiteRange(const std::vector<double>& values);

/// Factor for the values so the surface's height is `ratio` times its wider side: losses and
/// step sizes live on unrelated scales, and an unscaled surface is a needle or a sheet.
double heightScale(const SurfacePlotData& data, double ratio = 0.6);

/// Viridis at t in [0, 1] (clamped) as RGB in [0, 1]: perceptually uniform, readable in grey and
/// by colour-blind readers. Linear between the 9 evenly spaced samples of the published map (R viridis(9)).
std::array<double, 3> viridis(double t);

}  // namespace basin::widgets
