#include "view_export.h"

#include <QFileInfo>
#include <QSaveFile>

#include "basin/widgets/layer_view.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/surface_panel.h"
#include "surface_export.h"

namespace basin::gui {

namespace {

QString suffix(const QString& path) { return QFileInfo(path).suffix().toLower(); }

// Text files are written beside the target and renamed, so a failed export never leaves half a file.
QString writeText(const QString& path, const std::string& text) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return QObject::tr("Could not write %1: %2").arg(path, file.errorString());
    file.write(text.data(), qint64(text.size()));
    if (!file.commit()) return QObject::tr("Could not write %1: %2").arg(path, file.errorString());
    return {};
}

// PNG, PDF and SVG through the view's own export functions; nullopt for other extensions.
template <class View>
std::optional<QString> exportFigure(View& view, const QString& path, QSize size) {
    const QString ext = suffix(path);
    // Always an explicit size: QCustomPlot's "0 = the widget's size" fell back to an A4 page
    // with nothing drawn when the plot had not been laid out in a while (seen on a hidden tab).
    if (size.isEmpty()) size = view.isVisible() && view.width() >= 200 && view.height() >= 150 ? view.size() : QSize(900, 600);
    bool ok = false;
    if (ext == "png") ok = view.exportPng(path, size.width(), size.height());
    else if (ext == "pdf") ok = view.exportPdf(path, size.width(), size.height());
    else if (ext == "svg") ok = view.exportSvg(path, size.width(), size.height());
    else return std::nullopt;
    return ok ? QString() : QObject::tr("Could not write %1").arg(path);
}

std::string csvNumber(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

QString unknownType(const QString& path) {
    return QObject::tr("%1: unknown file type (use one of the listed extensions)").arg(path);
}

}  // namespace

QString spectrumExportFilter() {
    return QObject::tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png);;CSV numbers (*.csv);;JSON numbers (*.json)");
}
QString surfaceExportFilter() {
    return QObject::tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png);;VTK structured grid (*.vts);;"
                       "HDF5, loss-landscape layout (*.h5);;CSV numbers (*.csv);;JSON numbers (*.json)");
}
QString layerExportFilter() { return spectrumExportFilter(); }
bool isRasterPath(const QString& path) { return suffix(path) == "png"; }

QString exportSpectrum(widgets::SpectrumView& view, const SpectrumResult* result, const SpectrumOptions& options,
                       const QString& path, QSize size) {
    if (auto figure = exportFigure(view, path, size)) return *figure;
    const QString ext = suffix(path);
    if (ext == "json") {
        if (!result) return QObject::tr("No spectrum has been computed yet");
        return writeText(path, spectrumJson(*result, options));
    }
    if (ext != "csv") return unknownType(path);
    const widgets::SpectrumPlotData& d = view.data();
    if (d.empty()) return QObject::tr("No spectrum has been computed yet");
    std::string csv = "series,x,y\n";
    for (double v : d.top_eigenvalues) csv += "top_eigenvalue," + csvNumber(v) + ",\n";
    for (std::size_t i = 0; i < d.density_grid.size() && i < d.density_values.size(); ++i)
        csv += "density," + csvNumber(d.density_grid[i]) + "," + csvNumber(d.density_values[i]) + "\n";
    for (double v : d.exact_eigenvalues) csv += "exact_eigenvalue," + csvNumber(v) + ",\n";
    if (d.bulk_edge) csv += std::string(d.edge_by_hand ? "bulk_edge_by_hand," : "bulk_edge,") + csvNumber(*d.bulk_edge) + ",\n";
    if (d.trace) csv += "trace," + csvNumber(*d.trace) + "," + csvNumber(d.trace_stderr) + "\n";
    return writeText(path, csv);
}

QString exportSurface(widgets::SurfacePanel& panel, const SurfaceGrid* grid, const QString& path, QSize size) {
    if (auto figure = exportFigure(panel, path, size)) return *figure;
    if (!grid) return QObject::tr("No surface has been computed yet");
    try {
        exporting::writeSurface(path.toStdString(), *grid);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString exportLayers(widgets::LayerView& view, const SensitivityResult* result, const SensitivityOptions& options,
                     const QString& path, QSize size) {
    if (auto figure = exportFigure(view, path, size)) return *figure;
    const QString ext = suffix(path);
    if (ext == "json") {
        if (!result) return QObject::tr("No layer sensitivity has been computed yet");
        return writeText(path, sensitivityJson(*result, options));
    }
    if (ext != "csv") return unknownType(path);
    const widgets::LayerPlotData& d = view.data();
    if (d.empty()) return QObject::tr("No layer sensitivity has been computed yet");
    std::string csv = "layer,parameters,top_eigenvalue,mean_trace,mean_trace_stderr,omega_4bit,proposed_bits\n";
    for (const widgets::LayerRow& r : d.layers)
        csv += r.name + "," + std::to_string(r.parameters) + "," + csvNumber(r.top_eigenvalue) + "," +
               csvNumber(r.mean_trace) + "," + csvNumber(r.mean_trace_err) + "," +
               (r.omega4 ? csvNumber(*r.omega4) : "") + "," + (r.proposed_bits ? std::to_string(*r.proposed_bits) : "") + "\n";
    return writeText(path, csv);
}

}  // namespace basin::gui
