#include "view_export.h"

#include <QFileInfo>
#include <cmath>
#include <nlohmann/json.hpp>

#include "basin/atomic_file.h"

#include "basin/widgets/compare_view.h"
#include "basin/widgets/dynamics_view.h"
#include "basin/widgets/layer_view.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/structure_view.h"
#include "basin/widgets/surface_panel.h"
#include "basin/widgets/surface_view.h"
#include "compare_convert.h"
#include "figure_render.h"
#include "surface_export.h"

namespace basin::gui {

namespace {

QString suffix(const QString& path) { return QFileInfo(path).suffix().toLower(); }

QString writeText(const QString& path, const std::string& text) {
    try {
        writeFileAtomically(path.toStdString(), text);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// PNG, PDF and SVG through renderFigure, as basin-cli render makes them; nullopt for other extensions.
std::optional<QString> exportFigure(const FigureContent& content, std::vector<FigureView> views, const QString& path,
                                    QSize size, widgets::FigureStyle style) {
    const QString ext = suffix(path);
    if (ext != "png" && ext != "pdf" && ext != "svg") return std::nullopt;
    FigureRequest request;
    request.views = std::move(views);
    request.path = path;
    // A PNG of a chosen size keeps the style's width in inches and takes the asked aspect.
    if (!size.isEmpty()) {
        style.height_in = style.width_in * size.height() / size.width();
        request.width_px = size.width();
    }
    request.style = style;
    return renderFigure(content, request);
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
    return QObject::tr(
        "PDF (*.pdf);;SVG (*.svg);;PNG (*.png);;VTK structured grid (*.vts);;"
        "HDF5, loss-landscape layout (*.h5);;CSV numbers (*.csv);;JSON numbers (*.json)");
}
QString layerExportFilter() { return spectrumExportFilter(); }
QString compareExportFilter() { return spectrumExportFilter(); }
QString structureExportFilter() { return spectrumExportFilter(); }
QString dynamicsExportFilter() { return spectrumExportFilter(); }
bool isRasterPath(const QString& path) { return suffix(path) == "png"; }
bool isFigurePath(const QString& path) {
    const QString ext = suffix(path);
    return ext == "png" || ext == "pdf" || ext == "svg";
}

QString exportSpectrum(widgets::SpectrumView& view, const SpectrumResult* result, const QString& path, QSize size,
                       const widgets::FigureStyle& style, const std::string& source,
                       const std::vector<const ProbeResult*>& probes) {
    FigureContent content;
    content.source = source;
    content.log_density = view.logDensity();
    if (result) content.provenance.push_back(provenanceJson(result->provenance));
    for (const ProbeResult* p : probes)
        if (p) content.provenance.push_back(provenanceJson(p->provenance));
    if (!view.data().empty()) content.spectrum = view.data();
    content.probe_spectra = view.overlays();
    const FigureView shown = view.logAbsAxis() ? FigureView::Density : FigureView::Spectrum;
    if (auto figure = exportFigure(content, {shown}, path, size, style)) return *figure;
    const QString ext = suffix(path);
    if (ext == "json") {
        if (!result) return QObject::tr("No spectrum has been computed yet");
        return writeText(path, spectrumJson(*result) + "\n");
    }
    if (ext != "csv") return unknownType(path);
    const widgets::SpectrumPlotData& d = view.data();
    if (d.empty()) return QObject::tr("No spectrum has been computed yet");
    std::string csv = "series,x,y\n";
    for (double v : d.top_eigenvalues) csv += "top_eigenvalue," + csvNumber(v) + ",\n";
    for (std::size_t i = 0; i < d.density_grid.size() && i < d.density_values.size(); ++i)
        csv += "density," + csvNumber(d.density_grid[i]) + "," + csvNumber(d.density_values[i]) + "\n";
    for (double v : d.exact_eigenvalues) csv += "exact_eigenvalue," + csvNumber(v) + ",\n";
    if (d.bulk_edge)
        csv += std::string(d.edge_by_hand ? "bulk_edge_by_hand," : "bulk_edge,") + csvNumber(*d.bulk_edge) + ",\n";
    if (d.trace) csv += "trace," + csvNumber(*d.trace) + "," + csvNumber(d.trace_stderr) + "\n";
    for (const widgets::SpectrumPlotData& o : view.overlays()) {
        // Each probe's numbers, its series named by its point ("probe at (0.5, -0.25): density").
        std::string name = o.title;
        for (std::size_t at; (at = name.find("\u2212")) != std::string::npos;) name.replace(at, 3, "-");
        for (double v : o.top_eigenvalues) csv += "\"" + name + ": top_eigenvalue\"," + csvNumber(v) + ",\n";
        for (std::size_t i = 0; i < o.density_grid.size() && i < o.density_values.size(); ++i)
            csv += "\"" + name + ": density\"," + csvNumber(o.density_grid[i]) + "," + csvNumber(o.density_values[i]) +
                   "\n";
        if (o.trace) csv += "\"" + name + ": trace\"," + csvNumber(*o.trace) + "," + csvNumber(o.trace_stderr) + "\n";
    }
    return writeText(path, csv);
}

QString exportSurface(widgets::SurfacePanel& panel, const SurfaceGrid* grid, const QString& path, QSize size,
                      const widgets::FigureStyle& style, const std::string& source) {
    FigureContent content;
    content.source = source;
    if (grid) content.provenance.push_back(provenanceJson(grid->provenance));
    if (!panel.data().values.empty()) content.surface = panel.shownData();
    // The user's view when they turned it; else Basin's default, as basin-cli render draws it.
    if (panel.surfaceView()->cameraMoved()) content.camera = panel.surfaceView()->camera();
    // The 3D view as turned by the user beside the map from above (a line: its plot alone).
    std::vector<FigureView> views{FigureView::Contour};
    if (!panel.showsLine()) views.insert(views.begin(), FigureView::Surface);
    // The colours the user chose for the surface tab.
    widgets::FigureStyle chosen = style;
    chosen.colormap = panel.colormapName();
    if (auto figure = exportFigure(content, views, path, size, chosen)) return *figure;
    if (!grid) return QObject::tr("No surface has been computed yet");
    try {
        exporting::writeSurface(path.toStdString(), *grid);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

QString exportLayers(widgets::LayerView& view, const SensitivityResult* result, const QString& path, QSize size,
                     const widgets::FigureStyle& style, const std::string& source) {
    FigureContent content;
    content.source = source;
    if (result) content.provenance.push_back(provenanceJson(result->provenance));
    if (!view.data().empty()) content.layers = view.data();
    if (auto figure = exportFigure(content, {FigureView::Layers}, path, size, style)) return *figure;
    const QString ext = suffix(path);
    if (ext == "json") {
        if (!result) return QObject::tr("No layer sensitivity has been computed yet");
        return writeText(path, sensitivityJson(*result) + "\n");
    }
    if (ext != "csv") return unknownType(path);
    const widgets::LayerPlotData& d = view.data();
    if (d.empty()) return QObject::tr("No layer sensitivity has been computed yet");
    std::string csv = "layer,parameters,top_eigenvalue,mean_trace,mean_trace_stderr,omega_4bit,proposed_bits\n";
    for (const widgets::LayerRow& r : d.layers)
        csv += r.name + "," + std::to_string(r.parameters) + "," + csvNumber(r.top_eigenvalue) + "," +
               csvNumber(r.mean_trace) + "," + csvNumber(r.mean_trace_err) + "," +
               (r.omega4 ? csvNumber(*r.omega4) : "") + "," +
               (r.proposed_bits ? std::to_string(*r.proposed_bits) : "") + "\n";
    return writeText(path, csv);
}

QString exportCompare(widgets::CompareView& view, const CompareResults& results, const QString& path_out, QSize size,
                      const widgets::FigureStyle& style, const std::string& source) {
    const std::vector<CheckpointRow>& rows = results.rows;
    const PathResult* path = results.path.get();
    FigureContent content;
    content.source = source;
    for (const CheckpointRow& r : rows) content.provenance.push_back(provenanceJson(r.provenance));
    for (const auto& s : results.surfaces)
        if (s) content.provenance.push_back(provenanceJson(s->provenance));
    if (path) content.provenance.push_back(provenanceJson(path->provenance));
    for (const widgets::SurfacePlotData& s : view.surfaces())
        if (!s.values.empty()) content.compare_surfaces.push_back(s);
    content.compare_spectra = view.spectraView()->data();
    if (!view.pathView()->data().empty()) content.path = view.pathView()->data();
    if (view.count() > 0 && view.surfaceView(0)->cameraMoved()) content.camera = view.surfaceView(0)->camera();
    std::vector<FigureView> views;
    if (!content.compare_surfaces.empty()) views.push_back(FigureView::CompareSurfaces);
    views.push_back(FigureView::Compare);
    if (auto figure = exportFigure(content, views, path_out, size, style)) return *figure;
    if (rows.empty()) return QObject::tr("No checkpoints have been compared yet");
    const QString ext = suffix(path_out);
    if (ext == "json") return writeText(path_out, compareJson(rows, path, &results.options) + "\n");
    if (ext == "csv") return writeText(path_out, compareCsv(rows));
    return unknownType(path_out);
}

QString exportStructure(widgets::StructureView& view, const StructureResult* result, const QString& path, QSize size,
                        const widgets::FigureStyle& style, const std::string& source) {
    FigureContent content;
    content.source = source;
    if (result) content.provenance.push_back(provenanceJson(result->provenance));
    if (!view.data().empty()) content.structure = view.data();
    if (auto figure = exportFigure(content, {FigureView::Structure}, path, size, style)) return *figure;
    const QString ext = suffix(path);
    if (ext == "json") {
        if (!result) return QObject::tr("No structure has been computed yet");
        return writeText(path, structureJson(*result) + "\n");
    }
    if (ext != "csv") return unknownType(path);
    const widgets::StructurePlotData& d = view.data();
    if (d.empty()) return QObject::tr("No structure has been computed yet");
    // One number per row: what it is (part, row, column) and its value; names are quoted.
    std::string csv = "part,row,column,value\n";
    auto quoted = [](const std::string& s) {
        std::string q = "\"";
        for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    };
    auto add = [&](const char* part, const std::string& row, const std::string& col, double v) {
        csv += std::string(part) + "," + quoted(row) + "," + quoted(col) + "," + csvNumber(v) + "\n";
    };
    for (const auto& g : d.groups) {
        add("group", g.name, "saliency", g.saliency);
        add("group", g.name, "saliency_stderr", g.saliency_err);
        add("group", g.name, "mean_diag", g.mean_diag);
        add("group", g.name, "mean_diag_stderr", g.mean_diag_err);
    }
    for (const auto& r : d.least_salient) {
        add("least_salient", r.name, "saliency", r.saliency);
        add("least_salient", r.name, "saliency_stderr", r.saliency_err);
        add("least_salient", r.name, "weight_sq", r.weight_sq);
    }
    for (const auto& r : d.removal) {
        const std::string k = std::to_string(r.k);
        add("removal", k, "loss_saliency", r.loss_saliency);
        add("removal", k, "predicted_saliency", r.predicted_saliency);
        add("removal", k, "loss_magnitude", r.loss_magnitude);
        add("removal", k, "predicted_magnitude", r.predicted_magnitude);
    }
    for (const auto* map : {&d.localisation, &d.classes})
        for (size_t i = 0; i < map->rows.size(); ++i)
            for (size_t j = 0; j < map->cols.size() && j < map->values[i].size(); ++j)
                add(map == &d.localisation ? "localisation" : "class_overlap", map->rows[i], map->cols[j],
                    map->values[i][j]);
    for (const auto& b : d.blocks) {
        const std::string k = std::to_string(b.rank);
        if (b.full) add("blocks", k, "full", *b.full);
        if (b.block) add("blocks", k, "block_diag (" + b.block_name + ")", *b.block);
        if (b.angle_deg) add("blocks", k, "angle_deg", *b.angle_deg);
    }
    return writeText(path, csv);
}

QString exportDynamics(widgets::DynamicsView& view, const DynamicsResults& results, const QString& path, QSize size,
                       const widgets::FigureStyle& style, const std::string& source) {
    const StabilityResult* stability = results.stability;
    const BatchScalingResult* scaling = results.scaling;
    const std::vector<BatchSpectraResult>* spectra = results.spectra;
    const ResampleResult* resample = results.resample;
    FigureContent content;
    content.source = source;
    std::vector<FigureView> views;
    if (stability)
        for (const StabilityRow& r : stability->rows) content.provenance.push_back(provenanceJson(r.provenance));
    if (scaling) content.provenance.push_back(provenanceJson(scaling->provenance));
    if (spectra)
        for (const BatchSpectraResult& r : *spectra) content.provenance.push_back(provenanceJson(r.provenance));
    if (resample) content.provenance.push_back(provenanceJson(resample->provenance));
    const widgets::DynamicsPlotData& shown = view.data();
    if (!shown.stability.empty()) {
        content.stability = shown.stability;
        views.push_back(FigureView::Stability);
    }
    if (!shown.scaling.empty()) {
        content.batch_scaling = shown.scaling;
        views.push_back(FigureView::BatchScaling);
    }
    if (!shown.spectra.empty()) {
        content.batch_spectra = shown.spectra;
        views.push_back(FigureView::BatchSpectra);
    }
    if (!shown.resample.empty()) {
        content.resample = shown.resample;
        views.push_back(FigureView::Resample);
    }
    const QString ext = suffix(path);
    const bool figure = ext == "png" || ext == "pdf" || ext == "svg";
    if (views.empty() && (figure || ext == "csv" || ext == "json"))
        return QObject::tr("Nothing has been computed in the Dynamics tab yet");
    if (auto f = exportFigure(content, views, path, size, style)) return *f;
    if (ext == "json") {
        nlohmann::json sets = nullptr;
        if (spectra) {
            sets = nlohmann::json::array();
            for (const BatchSpectraResult& r : *spectra) sets.push_back(nlohmann::json::parse(batchSpectraJson(r)));
        }
        nlohmann::json j = {
            {"format", "basin-dynamics"},
            {"stability", stability ? nlohmann::json::parse(stabilityJson(*stability)) : nlohmann::json(nullptr)},
            {"batch_scaling", scaling ? nlohmann::json::parse(batchScalingJson(*scaling)) : nlohmann::json(nullptr)},
            {"batch_spectra", sets},
            {"resample", resample ? nlohmann::json::parse(resampleJson(*resample)) : nlohmann::json(nullptr)}};
        return writeText(path, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    }
    if (ext != "csv") return unknownType(path);
    std::string csv = "part,row,column,value\n";
    auto add = [&](const char* part, const std::string& row, const std::string& col, double v) {
        csv += std::string(part) + ",\"" + row + "\"," + col + "," + (std::isfinite(v) ? csvNumber(v) : std::string()) +
               "\n";
    };
    const auto name = [](const std::string& file) {
        return QFileInfo(QString::fromStdString(file)).fileName().toStdString();
    };
    if (stability)
        for (const StabilityRow& r : stability->rows) {
            add("stability", name(r.checkpoint), "lambda_max", r.lambda_max);
            if (r.preconditioned) add("stability", name(r.checkpoint), "preconditioned_lambda_max", *r.preconditioned);
            add("stability", name(r.checkpoint), "sharpness", r.sharpness);
            add("stability", name(r.checkpoint), "threshold", r.threshold);
            add("stability", name(r.checkpoint), "ratio", r.ratio);
            add("stability", name(r.checkpoint), "lr", r.optimizer.lr);
        }
    if (scaling) {
        for (const BatchScalingRow& r : scaling->rows) {
            const std::string b = std::to_string(r.batch_size);
            for (size_t k = 0; k < r.lambda_max.size(); ++k)
                add("batch_scaling", b, "lambda_max_" + std::to_string(k + 1), r.lambda_max[k]);
            add("batch_scaling", b, "mean", r.mean);
            add("batch_scaling", b, "stddev", r.stddev);
            add("batch_scaling", b, "stable_lr_sgd", r.stable_lr_sgd);
            if (!r.preconditioned.empty()) {
                add("batch_scaling", b, "preconditioned_mean", r.preconditioned_mean);
                add("batch_scaling", b, "stable_lr_adam", r.stable_lr_adam);
            }
            if (!r.trace.empty()) add("batch_scaling", b, "trace_mean", r.trace_mean);
        }
        add("batch_scaling", std::to_string(scaling->samples), "full_lambda_max", scaling->full_lambda_max);
        add("batch_scaling", "", "slope", scaling->slope);
    }
    if (spectra)
        for (const BatchSpectraResult& r : *spectra)
            for (size_t k = 0; k < r.batches.size(); ++k) {
                const std::string row = name(r.provenance.model) + " batch " + std::to_string(k + 1);
                for (size_t i = 0; i < r.batches[k].largest.size(); ++i)
                    add("batch_spectra", row, "largest_" + std::to_string(i + 1), r.batches[k].largest[i]);
                for (size_t i = 0; i < r.batches[k].smallest.size(); ++i)
                    add("batch_spectra", row, "smallest_" + std::to_string(i + 1), r.batches[k].smallest[i]);
            }
    if (resample)
        for (const auto& [label, q] :
             {std::pair{"lambda_max", &resample->lambda_max}, std::pair{"trace", &resample->trace},
              std::pair{"second_moment", &resample->second_moment}}) {
            if (!*q) continue;
            const auto& v = **q;
            add("resample", label, "full", v.full);
            add("resample", label, "estimator_error", v.estimator_error);
            add("resample", label, "mean", v.mean);
            add("resample", label, "spread", v.spread);
            add("resample", label, "data_error", v.data_error);
            add("resample", label, "relative_data_error", v.relative_data_error);
            add("resample", label, "suggested_samples", double(v.suggested_samples));
        }
    return writeText(path, csv);
}

}  // namespace basin::gui
