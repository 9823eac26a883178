#pragma once
// The compare table's rows (checkpointRowJson, as stored in study files) and the interpolation path
// become what the compare plots draw.
#include <string>
#include <vector>

#include "basin/compare.h"
#include "basin/widgets/compare_plots.h"
#include "basin/widgets/spectrum_plot_data.h"

namespace basin::gui {

/// One spectrum per row, titled by the checkpoint's file name: its top eigenvalues (both ends) and
/// density when the row has one. Throws basin::Error for a row that is not a compare row.
widgets::SpectrumPlotData rowToSpectrum(const std::string& row_json);

widgets::PathPlotData toPlotData(const PathResult& path);

/// The table the compare view shows, one row per checkpoint: checkpoint, loss, accuracy (%),
/// λmax, λmin, trace ± error, outliers, bulk edge (text as shown; "—" where not computed).
std::vector<std::vector<std::string>> compareTable(const std::vector<std::string>& row_jsons);
std::vector<std::string> compareTableHeader();

/// The spectrum options of the compare view and `basin-cli render --view compare`: top 3 at both
/// ends, a Hutchinson trace of 20 probes, an SLQ density of 3 probes x 30 steps, seeded by `seed`.
SpectrumOptions compareSpectrumOptions(uint64_t seed);

}  // namespace basin::gui
