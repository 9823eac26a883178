#pragma once
/// The arithmetic behind SurfaceView, free of Qt and VTK so it is tested on its own.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

/// The colour map `name` at t in [0, 1]: "viridis"; "grey" (black to light grey, for print); or
/// "diverging" (Okabe–Ito blue through near-white at 0.5 to vermillion, for signed values).
std::array<double, 3> colormap(const std::string& name, double t);

/// The span of the colour scale of `data`: its value_range when set, else colourRange(values).
std::array<double, 2> scaleRange(const SurfacePlotData& data);

/// The union of the finite ranges of several grids' values (for one scale shared by all).
std::array<double, 2> sharedRange(const std::vector<const std::vector<double>*>& grids);

/// What the views draw for `values` when the user asks for clipping and a log scale: each value
/// above `clip_max` becomes `clip_max` (so one divergent corner does not flatten the basin), then
/// log10 of it when `log10` is set. Non-positive values on a log scale take log10 of the smallest
/// positive value; NaN stays NaN.
std::vector<double> displayValues(const std::vector<double>& values, bool log10, std::optional<double> clip_max);

/// The colour scale's span for `values`: finiteRange(), widened to lo - 0.5 .. lo + 0.5 when every
/// value is the same (a scale needs a width), {0, 1} when none is finite.
std::array<double, 2> colourRange(const std::vector<double>& values);

/// The ticks of a colour bar over [lo, hi]: round numbers (1, 2 or 5 times a power of ten apart),
/// at least four and at most ten of them inside the range. Both colour bars of a surface (3D and from above) use
/// these, so they read alike. Empty when hi <= lo or either is not finite.
std::vector<double> colourBarTicks(double lo, double hi);
/// A tick's label: "%.3g", with "0" for a tick that is zero up to rounding.
std::string colourBarLabel(double tick);
/// The field `data` is coloured by (data.colour_by), or nullptr when it is coloured by its values.
const SurfaceField* colourField(const SurfacePlotData& data);
/// What the colour shows at each point: the chosen field's values, or `values`.
const std::vector<double>& colourValues(const SurfacePlotData& data);
/// The colour scale's title: the field's label, or value_label.
std::string colourLabel(const SurfacePlotData& data);
/// The colour scale's span: scaleRange() when coloured by the values; a field's own range, made
/// symmetric about zero for a signed field (so zero is the middle of the diverging map).
std::array<double, 2> colourScale(const SurfacePlotData& data);
/// The colour map drawn: "diverging" for a signed field, else data.colormap.
std::string colourMapName(const SurfacePlotData& data);

/// Index of the coordinate nearest `x` in ascending `coords` (ties: the lower one); -1 when empty.
int nearestIndex(const std::vector<double>& coords, double x);

/// Index of the smallest value among those with done != 0; -1 when none is done.
int64_t argminDone(const std::vector<double>& values, const std::vector<uint8_t>& done);

}  // namespace basin::widgets
