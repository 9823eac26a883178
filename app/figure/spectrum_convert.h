#pragma once
// The one place where engine spectrum results become what the widgets draw.
#include <string>

#include "basin/curvature.h"
#include "basin/widgets/spectrum_plot_data.h"

namespace basin::gui {

/// Both ends' eigenvalues (a value found at both ends is drawn once), the density on both axes,
/// the exact spectrum, the bulk edge and outlier count (when eigenvalues were computed), the trace.
widgets::SpectrumPlotData toPlotData(const SpectrumResult& result, const std::string& title);

}  // namespace basin::gui
