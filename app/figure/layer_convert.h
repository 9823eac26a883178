#pragma once
// The one place where the engine's per-layer sensitivity becomes what LayerView draws.
#include <cstdint>
#include <string>

#include "basin/sensitivity.h"
#include "basin/widgets/layer_plot_data.h"

namespace basin::gui {

/// One row per group in the engine's order (mean trace error = trace stderr / n_i, Omega at 4 bits
/// for quantised groups, the proposal's bits where there is one); the precision table holds
/// float32 and then, largest first, every uniform width, the measured frontier points and the
/// proposal, each with its size, predicted Omega and measured loss; and whether a measured choice
/// beats the proposal.
widgets::LayerPlotData toPlotData(const SensitivityResult& result, const std::string& title);

}  // namespace basin::gui
