#pragma once
// The one place where the engine's structure result becomes what StructureView draws.
#include <string>

#include "basin/structure.h"
#include "basin/widgets/structure_plot_data.h"

namespace basin::gui {

/// Group bars from the diagonal's groups (mean diagonal = diag sum / size); the least salient table
/// and the removal pairs (saliency beside magnitude for each k); the localisation heatmap (rows
/// "top 1", ..., "bottom 1", ...; columns the groups); the class heatmap from the top Gauss-Newton
/// eigenvectors' cos² with each class-mean gradient; block rows pairing H's k-th eigenvalue with
/// block-diag(H)'s and the k-th principal angle; notes with each part's cost and the alignment.
widgets::StructurePlotData toPlotData(const StructureResult& result, const std::string& title);

}  // namespace basin::gui
