#pragma once
// Curvature probes become what the views draw: a spectrum to lay over the centre's, and marks on
// the plane.
#include <string>
#include <vector>

#include "basin/probe.h"
#include "basin/widgets/spectrum_plot_data.h"
#include "basin/widgets/surface_plot_data.h"

namespace basin::gui {

/// "probe at (0.5, −0.25)": how the legend and the marks name a probe.
std::string probeTitle(double x, double y);

/// The probe's spectrum, titled by its coordinates, for SpectrumView::setOverlays.
widgets::SpectrumPlotData probeToSpectrum(const ProbeResult& probe);

/// Adds marks at `points` (labelled P1, P2, ... in order) to `data`.
void markProbes(widgets::SurfacePlotData& data, const std::vector<std::array<double, 2>>& points);

}  // namespace basin::gui
