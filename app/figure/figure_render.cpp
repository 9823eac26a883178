#include "figure_render.h"

#include <qcustomplot.h>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <memory>

#include "basin/atomic_file.h"
#include "basin/widgets/contour_view.h"
#include "basin/widgets/dynamics_view.h"
#include "basin/widgets/figure.h"
#include "basin/widgets/layer_view.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/structure_view.h"
#include "basin/widgets/surface_math.h"

namespace basin::gui {

namespace {

const std::vector<std::pair<FigureView, std::string>>& viewNames() {
    static const std::vector<std::pair<FigureView, std::string>> names = {
        {FigureView::Surface, "surface"},
        {FigureView::Contour, "contour"},
        {FigureView::Spectrum, "spectrum"},
        {FigureView::Density, "density"},
        {FigureView::Layers, "layers"},
        {FigureView::Compare, "compare"},
        {FigureView::CompareSurfaces, "compare-surfaces"},
        {FigureView::CurvatureMap, "curvature-map"},
        {FigureView::Structure, "structure"},
        {FigureView::Stability, "stability"},
        {FigureView::BatchScaling, "batch-scaling"},
        {FigureView::BatchSpectra, "batch-spectra"},
        {FigureView::Resample, "resample"}};
    return names;
}

// The off-screen views of one figure live as long as it is being drawn.
struct Builder {
    QWidget holder;
    std::vector<widgets::FigurePanel> panels;
    const widgets::FigureStyle& style;
    const FigureContent& content;
    QString error;

    Builder(const widgets::FigureStyle& s, const FigureContent& c) : style(s), content(c) {
        holder.setAttribute(Qt::WA_DontShowOnScreen);
    }

    template <class View>
    View* make() {
        auto* view = new View(&holder);
        // Laid out at the panel's size in points, as it will be drawn.
        view->resize(int(style.widthPt()), int(style.heightPt()));
        return view;
    }

    void addPlot(QCustomPlot* plot) {
        widgets::applyStyle(plot, style);
        panels.push_back({plot, {}});
    }

    // The camera the first 3D panel was drawn from (the user's, or Basin's default view), for the
    // settings beside the figure.
    std::shared_ptr<std::optional<widgets::SurfaceCamera>> drawn_camera =
        std::make_shared<std::optional<widgets::SurfaceCamera>>();

    void addSurface(widgets::SurfacePlotData data) {
        data.colormap = style.colormap.toStdString();
        const std::optional<widgets::SurfaceCamera> camera = content.camera;
        const widgets::FigureStyle s = style;
        auto drawn = drawn_camera;
        panels.push_back({nullptr, [data, camera, s, drawn](QSize pixels, double px_per_pt) {
                              widgets::SurfaceCamera used;
                              QImage image =
                                  widgets::renderSurfaceImage(data, pixels, s, px_per_pt, camera, nullptr, &used);
                              if (!image.isNull() && !*drawn) *drawn = used;
                              return image;
                          }});
    }

    bool need(bool present, const char* what) {
        if (!present && error.isEmpty()) error = QObject::tr("no %1 to draw: compute it first").arg(what);
        return present;
    }

    void add(FigureView view) {
        switch (view) {
            case FigureView::Surface:
                if (need(content.surface.has_value(), "loss surface")) {
                    if (content.surface->isLine()) return add(FigureView::Contour);
                    const std::string problem = widgets::surfaceProblem(*content.surface);
                    if (!problem.empty()) error = QString::fromStdString(problem);
                    else addSurface(*content.surface);
                }
                return;
            case FigureView::Contour:
                if (need(content.surface.has_value(), "loss surface")) {
                    if (content.surface->isLine()) {
                        auto* line = make<widgets::LineView>();
                        line->setData(*content.surface);
                        addPlot(line->plot());
                    } else {
                        auto* contour = make<widgets::ContourView>();
                        widgets::SurfacePlotData data = *content.surface;
                        data.colormap = style.colormap.toStdString();
                        contour->setData(data);
                        addPlot(contour->plot());
                    }
                }
                return;
            case FigureView::Spectrum:
            case FigureView::Density:
                if (need(content.spectrum.has_value(), "spectrum")) {
                    auto* spectrum = make<widgets::SpectrumView>();
                    spectrum->setData(*content.spectrum);
                    spectrum->setOverlays(content.probe_spectra);
                    spectrum->setLogAbsAxis(view == FigureView::Density);
                    spectrum->setLogDensity(content.log_density);
                    addPlot(spectrum->plot());
                }
                return;
            case FigureView::Layers:
                if (need(content.layers.has_value(), "layer sensitivity")) {
                    auto* layers = make<widgets::LayerView>();
                    layers->setData(*content.layers);
                    addPlot(layers->plot());
                }
                return;
            case FigureView::Compare:
                if (need(!content.compare_spectra.empty(), "checkpoint comparison")) {
                    auto* spectra = make<widgets::SpectraOverlayView>();
                    spectra->setData(content.compare_spectra);
                    addPlot(spectra->plot());
                    if (content.path && !content.path->empty()) {
                        auto* path = make<widgets::PathView>();
                        path->setData(*content.path);
                        addPlot(path->plot());
                    }
                }
                return;
            case FigureView::CurvatureMap:
                if (need(content.surface.has_value() && !content.surface->fields.empty(), "curvature map")) {
                    widgets::SurfacePlotData data = *content.surface;
                    if (widgets::colourField(data) == nullptr) data.colour_by = data.fields.front().name;
                    data.colormap = style.colormap.toStdString();
                    if (data.isLine()) {
                        auto* line = make<widgets::LineView>();
                        line->setData(data);
                        addPlot(line->plot());
                    } else {
                        auto* contour = make<widgets::ContourView>();
                        contour->setData(data);
                        addPlot(contour->plot());
                    }
                }
                return;
            case FigureView::Structure:
                if (need(content.structure.has_value(), "structure analysis")) {
                    auto* view = make<widgets::StructureView>();
                    view->setData(*content.structure);
                    for (QCustomPlot* plot : view->filledPlots()) {
                        plot->resize(int(style.widthPt()), int(style.heightPt()));
                        addPlot(plot);
                    }
                    if (view->filledPlots().empty()) error = QObject::tr("the structure result has no chart to draw");
                }
                return;
            case FigureView::Stability:
                if (need(content.stability.has_value() && !content.stability->empty(), "stability readout")) {
                    auto* view = make<widgets::DynamicsView>();
                    view->setStability(*content.stability);
                    view->stabilityPlot()->resize(int(style.widthPt()), int(style.heightPt()));
                    addPlot(view->stabilityPlot());
                }
                return;
            case FigureView::BatchScaling:
                if (need(content.batch_scaling.has_value() && !content.batch_scaling->empty(), "batch scaling")) {
                    auto* view = make<widgets::DynamicsView>();
                    view->setBatchScaling(*content.batch_scaling);
                    view->scalingPlot()->resize(int(style.widthPt()), int(style.heightPt()));
                    addPlot(view->scalingPlot());
                }
                return;
            case FigureView::BatchSpectra:
                if (need(content.batch_spectra.has_value() && !content.batch_spectra->empty(), "per-batch spectra")) {
                    auto* view = make<widgets::DynamicsView>();
                    view->setBatchSpectra(*content.batch_spectra);
                    view->spectraPlot()->resize(int(style.widthPt()), int(style.heightPt()));
                    addPlot(view->spectraPlot());
                }
                return;
            case FigureView::Resample:
                if (need(content.resample.has_value() && !content.resample->empty(), "sampling uncertainty")) {
                    auto* view = make<widgets::DynamicsView>();
                    view->setResample(*content.resample);
                    view->resamplePlot()->resize(int(style.widthPt()), int(style.heightPt()));
                    addPlot(view->resamplePlot());
                }
                return;
            case FigureView::CompareSurfaces:
                if (need(!content.compare_surfaces.empty(), "checkpoint surfaces")) {
                    std::vector<const std::vector<double>*> grids;
                    for (const auto& s : content.compare_surfaces) grids.push_back(&s.values);
                    const auto shared = widgets::sharedRange(grids);
                    for (widgets::SurfacePlotData s : content.compare_surfaces) {
                        s.value_range = shared;
                        addSurface(s);
                    }
                }
                return;
        }
    }
};

QString writeSettings(const FigureContent& content, const FigureRequest& request, QSize pixels,
                      const std::optional<widgets::SurfaceCamera>& drawn_camera) {
    QJsonArray views;
    for (FigureView v : request.views) views.append(QString::fromStdString(figureViewName(v)));
    QJsonObject settings{{"figure", QFileInfo(request.path).fileName()},
                         {"views", views},
                         {"style", request.style.toJson()},
                         {"source", QString::fromStdString(content.source)},
                         {"log_density", content.log_density},
                         {"made_by", QStringLiteral("Basin " BASIN_VERSION)}};
    if (QFileInfo(request.path).suffix().toLower() == "png")
        settings["pixels"] = QJsonArray{pixels.width(), pixels.height()};
    // Every figure with a 3D panel says where it was seen from: the user's camera when they
    // turned the view, Basin's default view otherwise ("turned" tells which).
    if (drawn_camera) {
        const widgets::SurfaceCamera& c = *drawn_camera;
        auto array = [](const std::array<double, 3>& a) { return QJsonArray{a[0], a[1], a[2]}; };
        settings["camera"] = QJsonObject{{"position", array(c.position)},
                                         {"focal_point", array(c.focal_point)},
                                         {"view_up", array(c.view_up)},
                                         {"view_angle", c.view_angle},
                                         {"window_center", QJsonArray{c.window_center[0], c.window_center[1]}},
                                         {"turned", content.camera.has_value()}};
    }
    QJsonArray results;
    for (const std::string& p : content.provenance)
        results.append(QJsonDocument::fromJson(QByteArray::fromStdString(p)).object());
    settings["results"] = results;
    const QString target = figureSettingsPath(request.path);
    try {
        writeFileAtomically(target.toStdString(), QJsonDocument(settings).toJson().toStdString());
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

std::optional<FigureView> parseFigureView(const std::string& name) {
    for (const auto& [v, n] : viewNames())
        if (n == name) return v;
    return std::nullopt;
}

std::string figureViewName(FigureView view) {
    for (const auto& [v, n] : viewNames())
        if (v == view) return n;
    return {};
}

std::string figureViewNames() {
    std::string s;
    for (const auto& [v, n] : viewNames()) s += (s.empty() ? "" : "|") + n;
    return s;
}

QString figureSettingsPath(const QString& figure_path) { return figure_path + ".json"; }

QString renderFigure(const FigureContent& content, const FigureRequest& request) {
    if (request.views.empty()) return QObject::tr("no view to draw");
    Builder builder(request.style, content);
    for (FigureView v : request.views) builder.add(v);
    if (!builder.error.isEmpty()) return builder.error;
    // Four surfaces alone make a 2 x 2 grid; the checkpoints' surfaces with other plots, a row of
    // surfaces above a row of plots; anything else one row.
    int columns = 0;
    const bool compare_surfaces =
        std::find(request.views.begin(), request.views.end(), FigureView::CompareSurfaces) != request.views.end();
    if (compare_surfaces && request.views.size() == 1 && builder.panels.size() == 4) columns = 2;
    // The structure's charts alone: two per row.
    if (request.views.size() == 1 && request.views[0] == FigureView::Structure && builder.panels.size() > 2)
        columns = 2;
    else if (compare_surfaces && request.views.size() > 1)
        columns = std::max<int>(2, int(content.compare_surfaces.size()));
    try {
        AtomicFile file(request.path.toStdString());
        const QString error = widgets::writeFigure(builder.panels, request.style,
                                                   QString::fromStdString(file.tempPath()), request.width_px, columns);
        if (!error.isEmpty()) return QString(error).replace(QString::fromStdString(file.tempPath()), request.path);
        file.commit();
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return writeSettings(content, request, widgets::figurePixels(request.style, request.width_px),
                         *builder.drawn_camera);
}

}  // namespace basin::gui
