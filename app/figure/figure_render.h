#pragma once
// One way to make a figure file, for the GUI's export and for basin-cli render alike: the views
// asked for are built off-screen from plot data, styled (FigureStyle), laid out side by side and
// written as .png, .pdf or .svg, with the settings beside it (FIGURE.json) so it can be made again.
// The same content, views and style give the same file whichever of the two asked.
#include <QString>
#include <optional>
#include <string>
#include <vector>

#include "basin/widgets/compare_plots.h"
#include "basin/widgets/dynamics_plot_data.h"
#include "basin/widgets/figure_style.h"
#include "basin/widgets/layer_plot_data.h"
#include "basin/widgets/spectrum_plot_data.h"
#include "basin/widgets/structure_plot_data.h"
#include "basin/widgets/surface_plot_data.h"
#include "basin/widgets/surface_view.h"

namespace basin::gui {

/// surface (3D) | contour (the map from above, or the line plot of a line) | spectrum (λ axis) |
/// density (log10|λ| axis) | layers | compare (overlaid spectra and, when computed, the path) |
/// compare-surfaces (one 3D surface per checkpoint on one colour scale) | curvature-map (a curvature
/// map from above, coloured by the field the surface data's colour_by names) | structure (the
/// structure analysis's charts that were computed: per-layer bars, localisation and class
/// heatmaps, blocks) | stability (sharpness across checkpoints against the threshold) |
/// batch-scaling (mean λmax(H_B) against B, log-log) | batch-spectra (the density of per-batch top
/// eigenvalues, one curve per checkpoint) | resample (subsample estimates, data and estimator error).
enum class FigureView {
    Surface,
    Contour,
    Spectrum,
    Density,
    Layers,
    Compare,
    CompareSurfaces,
    CurvatureMap,
    Structure,
    Stability,
    BatchScaling,
    BatchSpectra,
    Resample
};

std::optional<FigureView> parseFigureView(const std::string& name);
std::string figureViewName(FigureView view);
/// The names, for help texts: "surface|contour|...".
std::string figureViewNames();

/// What a figure may show; each view needs its part.
struct FigureContent {
    std::optional<widgets::SpectrumPlotData> spectrum;
    std::optional<widgets::SurfacePlotData> surface;  ///< as displayed (log scale and clipping applied)
    std::optional<widgets::LayerPlotData> layers;
    std::optional<widgets::StructurePlotData> structure;
    std::optional<widgets::StabilityPlotData> stability;
    std::optional<widgets::BatchScalingPlotData> batch_scaling;
    std::optional<widgets::BatchSpectraPlotData> batch_spectra;
    std::optional<widgets::ResamplePlotData> resample;
    std::vector<widgets::SpectrumPlotData> compare_spectra;  ///< one per checkpoint, titled by it
    std::vector<widgets::SurfacePlotData> compare_surfaces;  ///< one per checkpoint
    std::optional<widgets::PathPlotData> path;
    std::optional<widgets::SurfaceCamera> camera;  ///< the 3D views' camera; default: Basin's view
    /// Curvature probes' spectra, laid over `spectrum` in the spectrum and density views.
    std::vector<widgets::SpectrumPlotData> probe_spectra;
    bool log_density = false;  ///< the spectrum's density on a logarithmic axis, as the view shows it
    std::string source;        ///< what the numbers come from (the study file), written in the settings
    /// The provenance (provenanceJson) of each result drawn, written in the settings beside the
    /// figure: the options, files, samples and version behind every number in it.
    std::vector<std::string> provenance;
};

struct FigureRequest {
    std::vector<FigureView> views;
    QString path;  ///< .png, .pdf or .svg
    widgets::FigureStyle style;
    int width_px = 0;  ///< PNG width; 0: the style's width at its dpi
};

/// Writes the figure and FIGURE.json beside it. Returns an empty string, or what went wrong
/// (a view without its data names the analysis to run).
QString renderFigure(const FigureContent& content, const FigureRequest& request);

/// The settings file written beside `figure_path`.
QString figureSettingsPath(const QString& figure_path);

}  // namespace basin::gui
