#pragma once
// The one place where engine spectrum results become what the widgets draw.
#include <string>

#include "basin/curvature.h"
#include "basin/widgets/spectrum_plot_data.h"

namespace basin::gui {

/// Both ends' eigenvalues (a value found at both ends is drawn once), the density on both axes,
/// the exact spectrum, the bulk edge and outlier count (when eigenvalues were computed), the trace.
widgets::SpectrumPlotData toPlotData(const SpectrumResult& result, const std::string& title);

/// The options the GUI runs by default: top 5 at both ends by Lanczos, SLQ density with 3 probes
/// of 30 steps, Hutchinson trace with 20 probes; every seed is `seed` (the study's).
SpectrumOptions defaultSpectrumOptions(uint64_t seed = 0);

/// `options` with every seed set to `seed`, so an analysis follows its study's seed.
SpectrumOptions withSeed(SpectrumOptions options, uint64_t seed);

}  // namespace basin::gui
