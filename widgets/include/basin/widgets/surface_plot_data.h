#pragma once
/// What SurfaceView draws: a loss (or accuracy) surface on a rectangular grid of two directions.
#include <string>
#include <vector>

namespace basin::widgets {

struct SurfacePlotData {
    std::string title;
    // ASCII: the 3D axis titles use VTK's vector font, which has no Greek letters.
    std::string x_label = "alpha";     ///< step along the first direction
    std::string y_label = "beta";      ///< step along the second direction
    std::string value_label = "loss";  ///< what `values` holds
    std::vector<double> x;             ///< nx grid coordinates, ascending
    std::vector<double> y;             ///< ny grid coordinates, ascending
    std::vector<double> values;        ///< ny rows of nx: values[j * nx + i] is at (x[i], y[j]); NaN = not computed
};

}  // namespace basin::widgets
