#pragma once
/// What SurfaceView draws: a loss (or accuracy) surface on a rectangular grid of two directions.
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace basin::widgets {

/// A further value at every grid point that the views may be coloured by: a curvature map's
/// λmax, λmin, trace or |λmin/λmax|. The height of the 3D surface stays SurfacePlotData::values.
struct SurfaceField {
    std::string name;            ///< the key colour_by names, e.g. "lambda_min"
    std::string label;           ///< the colour bar's title (ASCII: VTK's 3D text has no Greek)
    std::vector<double> values;  ///< the layout of SurfacePlotData::values; NaN = not computed
    bool signed_values = false;  ///< drawn with a diverging colour map centred at zero
};

struct SurfacePlotData {
    std::string title;
    // ASCII: the 3D axis titles use VTK's vector font, which has no Greek letters.
    std::string x_label = "alpha";     ///< step along the first direction
    std::string y_label = "beta";      ///< step along the second direction
    std::string value_label = "loss";  ///< what `values` holds
    std::vector<double> x;             ///< nx grid coordinates, ascending
    std::vector<double> y;             ///< ny grid coordinates, ascending
    std::vector<double> values;        ///< ny rows of nx: values[j * nx + i] is at (x[i], y[j]); NaN = not computed
    std::vector<double> accuracy;      ///< same layout as values (fraction correct); empty when unknown
    /// Index into values of the smallest computed value (not a filled-in one); -1 when none.
    long long minimum = -1;
    std::vector<std::array<double, 2>> trajectory;  ///< checkpoints in (x, y) coordinates, if any
    std::vector<std::string> trajectory_labels;     ///< one per trajectory point
    /// The colour (and height) scale's span; nullopt: the data's own range. Set to the union of
    /// several grids' ranges, surfaces side by side share one scale.
    std::optional<std::array<double, 2>> value_range;
    std::string colormap = "viridis";  ///< viridis | grey
    std::vector<SurfaceField> fields;  ///< further point values to colour by (empty for a loss surface)
    std::string colour_by;             ///< a field's name; empty: coloured by `values`, as the height
    /// Curvature probes, marked on both views: points in (x, y) and a label for each.
    std::vector<std::array<double, 2>> probes;
    std::vector<std::string> probe_labels;

    /// One row of points: a line through parameter space (y has one entry).
    bool isLine() const { return y.size() == 1 && x.size() >= 2; }
};

}  // namespace basin::widgets
