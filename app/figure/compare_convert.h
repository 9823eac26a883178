#pragma once
// The compare table's rows and the interpolation path become what the compare plots draw.
#include <string>
#include <vector>

#include "basin/compare.h"
#include "basin/widgets/compare_plots.h"
#include "basin/widgets/spectrum_plot_data.h"

namespace basin::gui {

/// One spectrum per row, titled by the checkpoint's file name: its top eigenvalues (both ends) and
/// density when the row has one.
widgets::SpectrumPlotData rowToSpectrum(const CheckpointRow& row);

widgets::PathPlotData toPlotData(const PathResult& path);

/// The table the compare view shows, one row per checkpoint: checkpoint, loss, accuracy (%),
/// λmax, λmin, trace ± error, outliers, bulk edge (text as shown; "—" where not computed).
std::vector<std::vector<std::string>> compareTable(const std::vector<CheckpointRow>& rows);
std::vector<std::string> compareTableHeader();

}  // namespace basin::gui
