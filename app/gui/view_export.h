#pragma once
// Exports of what each view shows, callable without a dialog (the menus ask for the path, the style
// and the size, then call these). By extension: .png, .pdf and .svg are figures made by
// renderFigure (as basin-cli render makes them) in `style`, a PNG at `size` pixels when given (the
// style's width at its dpi when empty), with the settings beside it (the study as `source`, the
// camera, the view's log settings and every drawn result's provenance); .csv and .json hold the
// numbers of the result as computed, with the options it ran with (never the panel's options now);
// for the surface also .vts and .h5/.hdf5 (via app/export). Each returns an empty string on
// success, else why not.
#include <QSize>
#include <QString>
#include <string>

#include "basin/compare.h"
#include "basin/curvature.h"
#include "basin/probe.h"
#include "basin/sensitivity.h"
#include "basin/stability.h"
#include "basin/structure.h"
#include "basin/surface.h"
#include "basin/widgets/figure_style.h"
#include "results_model.h"

namespace basin::widgets {
class CompareView;
class DynamicsView;
class LayerView;
class SpectrumView;
class StructureView;
class SurfacePanel;
}  // namespace basin::widgets

namespace basin::gui {

/// The file types offered for each view, as a QFileDialog filter.
QString spectrumExportFilter();
QString surfaceExportFilter();
QString layerExportFilter();
QString compareExportFilter();
QString structureExportFilter();
QString dynamicsExportFilter();
/// True when the extension makes a picture whose size the user may choose (.png).
bool isRasterPath(const QString& path);
/// True for .png, .pdf and .svg: figures, made in a figure style.
bool isFigurePath(const QString& path);

/// .json is the engine's spectrum JSON with its options, provenance and bulk edge; .csv lists what
/// the view shows (series, x, y: the top eigenvalues, the density, the exact spectrum, the edge,
/// and each probe's eigenvalues and density named by its point). Figures draw the probes laid
/// over the spectrum; `probes` are their results, whose provenance goes beside the figure.
QString exportSpectrum(widgets::SpectrumView& view, const SpectrumResult* result, const QString& path, QSize size = {},
                       const widgets::FigureStyle& style = {}, const std::string& source = {},
                       const std::vector<const ProbeResult*>& probes = {});
/// Figures of the 3D view (from the user's camera) beside the 2D map (or the line plot), coloured
/// as the panel colours them; numbers and VTK/HDF5 from the grid as computed (a curvature map's
/// with its fields).
QString exportSurface(widgets::SurfacePanel& panel, const SurfaceGrid* grid, const QString& path, QSize size = {},
                      const widgets::FigureStyle& style = {}, const std::string& source = {});
/// .json is the engine's sensitivity JSON; .csv has one row per layer as shown.
QString exportLayers(widgets::LayerView& view, const SensitivityResult* result, const QString& path, QSize size = {},
                     const widgets::FigureStyle& style = {}, const std::string& source = {});
/// The compare tab: the checkpoints' surfaces (one shared scale, the shared camera) above the
/// overlaid spectra and the path; .json and .csv hold the table (and the path, in JSON).
QString exportCompare(widgets::CompareView& view, const CompareResults& results, const QString& path_out,
                      QSize size = {}, const widgets::FigureStyle& style = {}, const std::string& source = {});

/// The structure tab: its computed charts as one figure (two per row); .json is the engine's structure
/// JSON; .csv lists what the tab shows, one row per number (part, row, column, value).
QString exportStructure(widgets::StructureView& view, const StructureResult* result, const QString& path,
                        QSize size = {}, const widgets::FigureStyle& style = {}, const std::string& source = {});

/// The Dynamics tab's results as shown (null: not computed).
struct DynamicsResults {
    const StabilityResult* stability = nullptr;
    const BatchScalingResult* scaling = nullptr;
    const std::vector<BatchSpectraResult>* spectra = nullptr;  ///< one per checkpoint
    const ResampleResult* resample = nullptr;
};

/// The Dynamics tab: its computed charts side by side (stability, batch scaling, per-batch spectra,
/// sampling uncertainty); .json holds the results as computed ({"format": "basin-dynamics",
/// "stability": stabilityJson or null, "batch_scaling": batchScalingJson or null, "batch_spectra":
/// [batchSpectraJson, ...] or null, "resample": resampleJson or null}); .csv one number per row
/// (part, row, column, value).
QString exportDynamics(widgets::DynamicsView& view, const DynamicsResults& results, const QString& path,
                       QSize size = {}, const widgets::FigureStyle& style = {}, const std::string& source = {});

}  // namespace basin::gui
