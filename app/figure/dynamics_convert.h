#pragma once
// The one place where the engine's stability, batch-scaling, per-batch spectra and resampling
// results become what DynamicsView draws.
#include <string>

#include "basin/sampling.h"
#include "basin/stability.h"
#include "basin/widgets/dynamics_plot_data.h"

namespace basin::gui {

/// One point per row in the table's order, labelled by the checkpoint's file name: the sharpness
/// held against the threshold (λ1 of the preconditioned Hessian for Adam/AdamW rows, with their
/// λmax(H) beside it), the threshold per row, the rule's formula and value for the legend, and a
/// note per row with its rule, ratio and cost.
widgets::StabilityPlotData toPlotData(const StabilityResult& result, const std::string& title);
/// The mean and spread per batch size, the full-sample λmax, and the fitted power law
/// λmax ≈ c·B^slope (c by least squares with the result's slope) at the smallest and largest B.
widgets::BatchScalingPlotData toPlotData(const BatchScalingResult& result, const std::string& title);
/// One set per result (a checkpoint each), every batch's eigenvalues at the largest end (the
/// smallest when only it was asked for) on common bins (commonHistograms, the first result's bin
/// count), labelled by the checkpoint's file name.
widgets::BatchSpectraPlotData toPlotData(const std::vector<BatchSpectraResult>& results, const std::string& title);
/// λmax, the trace and the second moment as far as computed, each in % of its full-sample value.
widgets::ResamplePlotData toPlotData(const ResampleResult& result, const std::string& title);

}  // namespace basin::gui
