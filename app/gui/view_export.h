#pragma once
// Exports of what each view shows, callable without a dialog (the menus ask for the path and the
// size, then call these). By extension: .png at `size` pixels (the view's size when empty), .pdf
// and .svg as vectors with text kept as text; .csv and .json with the numbers; for the surface also
// .vts and .h5/.hdf5 (via app/export). Each returns an empty string on success, else why not.
#include <QSize>
#include <QString>

#include "basin/curvature.h"
#include "basin/sensitivity.h"
#include "basin/surface.h"

namespace basin::widgets {
class LayerView;
class SpectrumView;
class SurfacePanel;
}  // namespace basin::widgets

namespace basin::gui {

/// The file types offered for each view, as a QFileDialog filter.
QString spectrumExportFilter();
QString surfaceExportFilter();
QString layerExportFilter();
/// True when the extension makes a picture whose size the user may choose (.png).
bool isRasterPath(const QString& path);

/// .json is the engine's spectrum JSON (needs `result`); .csv lists what the view shows
/// (series, x, y: the top eigenvalues, the density, the exact spectrum, the bulk edge).
QString exportSpectrum(widgets::SpectrumView& view, const SpectrumResult* result, const SpectrumOptions& options,
                       const QString& path, QSize size = {});
/// Figures of the 2D map (or the line plot); numbers and VTK/HDF5 from the grid as computed.
QString exportSurface(widgets::SurfacePanel& panel, const SurfaceGrid* grid, const QString& path, QSize size = {});
/// .json is the engine's sensitivity JSON (needs `result`); .csv has one row per layer as shown.
QString exportLayers(widgets::LayerView& view, const SensitivityResult* result, const SensitivityOptions& options,
                     const QString& path, QSize size = {});

}  // namespace basin::gui
