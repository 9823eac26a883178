#include "surface_scene.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellPicker.h>
#include <vtkContourFilter.h>
#include <vtkCoordinate.h>
#include <vtkCubeAxesActor.h>
#include <vtkDoubleArray.h>
#include <vtkImageData.h>
#include <vtkLegendBoxActor.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkSmartPointer.h>
#include <vtkStructuredGrid.h>
#include <vtkStructuredGridGeometryFilter.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <QFile>
#include <array>
#include <cmath>

#include "basin/widgets/palette.h"
#include "basin/widgets/surface_math.h"

namespace basin::widgets {

namespace {
constexpr int kContours = 12;
// Font sizes of the screen look, in pixels; setTextScale() multiplies them.
constexpr int kBarFont = 14, kAxisTitleFont = 16, kAxisLabelFont = 13, kTitleFont = 18;

// The 2D text (title, colour bar) in DejaVu Sans, the font of the Qt side, which also has the
// Greek letters VTK's built-in fonts lack. Without the file, VTK's own font is used.
void useUnicodeFont(vtkTextProperty* p) {
    static const QString kDejaVu = QStringLiteral("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    if (!QFile::exists(kDejaVu)) return;
    p->SetFontFamily(VTK_FONT_FILE);
    p->SetFontFile(kDejaVu.toLocal8Bit().constData());
}

void setColour(vtkActor* actor, const QColor& c) { actor->GetProperty()->SetColor(c.redF(), c.greenF(), c.blueF()); }

// The value of the grid at (x, y), bilinear between the four computed points around it (NaN when
// one of them is not computed).
double valueAt(const SurfacePlotData& d, double x, double y) {
    const auto nx = d.x.size(), ny = d.y.size();
    auto cell = [](const std::vector<double>& c, double v) {
        std::size_t i = 0;
        while (i + 2 < c.size() && c[i + 1] < v) ++i;
        const double f = c[i + 1] > c[i] ? std::clamp((v - c[i]) / (c[i + 1] - c[i]), 0.0, 1.0) : 0.0;
        return std::pair{i, f};
    };
    const auto [i, fx] = cell(d.x, x);
    const auto [j, fy] = cell(d.y, y);
    auto at = [&](std::size_t a, std::size_t b) { return d.values[std::min(b, ny - 1) * nx + std::min(a, nx - 1)]; };
    return (1 - fy) * ((1 - fx) * at(i, j) + fx * at(i + 1, j)) +
           fy * ((1 - fx) * at(i, j + 1) + fx * at(i + 1, j + 1));
}
}  // namespace

struct SurfaceScene::Private {
    vtkRenderer* renderer = nullptr;
    vtkNew<vtkStructuredGrid> grid;
    vtkNew<vtkStructuredGridGeometryFilter> geometry;
    vtkNew<vtkLookupTable> colours;
    vtkNew<vtkPolyDataMapper> surface_mapper;
    vtkNew<vtkActor> surface;
    vtkNew<vtkContourFilter> contour;
    vtkNew<vtkPolyDataMapper> contour_mapper;
    vtkNew<vtkActor> contours;
    vtkNew<vtkScalarBarActor> bar;
    vtkNew<vtkCubeAxesActor> axes;
    vtkNew<vtkTextActor> title;
    vtkNew<vtkLegendBoxActor> legend;     // what the marks mean
    vtkNew<vtkCoordinate> legend_corner;  // its top left
    // Marks: the minimum, the current weights, the trajectory (line and points), the probes.
    vtkNew<vtkPolyData> minimum_points, origin_points, path_line, path_points, probe_points;
    vtkNew<vtkPolyDataMapper> minimum_mapper, origin_mapper, line_mapper, points_mapper, probe_mapper;
    vtkNew<vtkActor> minimum, origin, line, points, probes;
    int marks = 0;
    QColor minimum_colour = palette::vermillion();
    double text_scale = 1;
    bool show_title = true;
    bool compact = false;
    std::string z_title;
    bool figure = false;
    // The z axis is always drawn and titled (the loss axis). Its numbers are not: on the short
    // axis they ran into one another and into the colour bar, in a narrow view (compare), in
    // figures and at 1280x800 on screen alike; the colour bar beside it, with the same round ticks
    // as the map's, gives the values.
    bool zTitle() const { return !compact; }
    bool zLabels() const { return false; }

    std::array<vtkProp*, 11> props() {
        return {surface, contours, bar, axes, title, minimum, origin, line, points, legend, probes};
    }
};

SurfaceScene::SurfaceScene(vtkRenderer* renderer) : d_(std::make_unique<Private>()) {
    Private& s = *d_;
    s.renderer = renderer;
    s.colours->SetNumberOfTableValues(256);

    s.geometry->SetInputData(s.grid);
    s.surface_mapper->SetInputConnection(s.geometry->GetOutputPort());
    s.surface_mapper->SetLookupTable(s.colours);
    s.surface_mapper->SetScalarModeToUsePointData();
    s.surface_mapper->SetResolveCoincidentTopologyToPolygonOffset();  // lines on the surface stay visible
    s.surface->SetMapper(s.surface_mapper);
    // Some ambient light, so the dark (low-loss) end of viridis stays readable on the shaded side.
    s.surface->GetProperty()->SetAmbient(0.3);
    s.surface->GetProperty()->SetDiffuse(0.75);

    s.contour->SetInputConnection(s.geometry->GetOutputPort());
    s.contour_mapper->SetInputConnection(s.contour->GetOutputPort());
    s.contour_mapper->ScalarVisibilityOff();
    s.contours->SetMapper(s.contour_mapper);
    s.contours->GetProperty()->SetColor(0.1, 0.1, 0.1);
    s.contours->GetProperty()->SetLineWidth(1.5);

    s.bar->SetLookupTable(s.colours);
    s.bar->SetNumberOfLabels(5);
    s.bar->SetLabelFormat("%.3g");
    s.bar->UnconstrainedFontSizeOn();  // else the title is scaled to the bar's width
    // The title above the bar and the labels right of it, with room between: a title drawn over
    // the bar's top label was unreadable.
    s.bar->SetPosition(0.86, 0.12);
    s.bar->SetWidth(0.13);
    s.bar->SetHeight(0.68);
    s.bar->SetBarRatio(0.25);
    s.bar->SetTitleRatio(0.6);
    s.bar->SetVerticalTitleSeparation(8);
    s.bar->SetTextPositionToSucceedScalarBar();
    for (vtkTextProperty* p : {s.bar->GetTitleTextProperty(), s.bar->GetLabelTextProperty()}) {
        p->SetColor(0.1, 0.1, 0.1);
        p->ItalicOff();
        p->ShadowOff();
        p->BoldOff();
        useUnicodeFont(p);
    }

    s.axes->SetCamera(renderer->GetActiveCamera());
    s.axes->SetFlyModeToOuterEdges();
    s.axes->SetGridLineLocation(vtkCubeAxesActor::VTK_GRID_LINES_FURTHEST);
    for (int i = 0; i < 3; ++i) {
        s.axes->GetTitleTextProperty(i)->SetColor(0.1, 0.1, 0.1);
        s.axes->GetLabelTextProperty(i)->SetColor(0.2, 0.2, 0.2);
        useUnicodeFont(s.axes->GetTitleTextProperty(i));
        useUnicodeFont(s.axes->GetLabelTextProperty(i));
    }
    s.axes->GetXAxesLinesProperty()->SetColor(0.3, 0.3, 0.3);
    s.axes->GetYAxesLinesProperty()->SetColor(0.3, 0.3, 0.3);
    s.axes->GetZAxesLinesProperty()->SetColor(0.3, 0.3, 0.3);

    s.title->GetTextProperty()->BoldOn();
    s.title->GetTextProperty()->SetColor(0, 0, 0);
    s.title->GetTextProperty()->SetJustificationToCentered();
    s.title->GetTextProperty()->SetVerticalJustificationToTop();
    s.title->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    s.title->SetPosition(0.5, 0.97);
    useUnicodeFont(s.title->GetTextProperty());

    // Marks drawn as spheres and tubes, so they keep their size in pixels at any zoom.
    auto mark = [](vtkPolyData* data, vtkPolyDataMapper* mapper, vtkActor* actor, const QColor& c, double size) {
        mapper->SetInputData(data);
        mapper->ScalarVisibilityOff();
        actor->SetMapper(mapper);
        setColour(actor, c);
        actor->GetProperty()->SetPointSize(float(size));
        actor->GetProperty()->SetLineWidth(float(size / 3));
        actor->GetProperty()->RenderPointsAsSpheresOn();
        actor->GetProperty()->RenderLinesAsTubesOn();
    };
    mark(s.minimum_points, s.minimum_mapper, s.minimum, palette::vermillion(), 14);
    mark(s.origin_points, s.origin_mapper, s.origin, Qt::white, 12);
    mark(s.path_line, s.line_mapper, s.line, palette::orange(), 9);
    mark(s.path_points, s.points_mapper, s.points, palette::orange(), 12);
    mark(s.probe_points, s.probe_mapper, s.probes, palette::skyBlue(), 13);
    // The legend: a dark box in the lower left, where white, vermillion and orange all read.
    s.legend->SetUseBackground(1);
    s.legend->SetBackgroundColor(0.22, 0.22, 0.22);
    s.legend->SetBackgroundOpacity(0.85);
    s.legend->BorderOff();
    s.legend->GetEntryTextProperty()->SetColor(1, 1, 1);
    s.legend->GetEntryTextProperty()->ShadowOff();
    s.legend->GetEntryTextProperty()->BoldOff();
    s.legend->GetEntryTextProperty()->ItalicOff();
    useUnicodeFont(s.legend->GetEntryTextProperty());
    // Upper left, under the title: the lower left holds the axes' titles.
    s.legend_corner->SetCoordinateSystemToNormalizedViewport();
    s.legend_corner->SetValue(0.01, 0.90);
    s.legend->GetPositionCoordinate()->SetCoordinateSystemToDisplay();
    s.legend->GetPositionCoordinate()->SetReferenceCoordinate(s.legend_corner);
    // Its size in pixels from its corner (Position2 is relative to Position), grown with the type.
    s.legend->GetPosition2Coordinate()->SetCoordinateSystemToDisplay();
    setTextScale(1.0);

    renderer->SetBackground(1, 1, 1);
    for (vtkProp* p : s.props()) {
        p->VisibilityOff();
        renderer->AddViewProp(p);
    }
}

SurfaceScene::~SurfaceScene() {
    for (vtkProp* p : d_->props()) d_->renderer->RemoveViewProp(p);
}

void SurfaceScene::setLegend(bool minimum, bool origin, bool trajectory, bool probes) {
    Private& s = *d_;
    // Each entry's symbol a small picture of its mark (a disc in its colour, outlined), so the
    // text can stay white on the dark box whatever the mark's colour.
    auto disc = [](const QColor& fill) {
        constexpr int n = 32;
        auto image = vtkSmartPointer<vtkImageData>::New();
        image->SetDimensions(n, n, 1);
        image->AllocateScalars(VTK_UNSIGNED_CHAR, 4);
        for (int y = 0; y < n; ++y)
            for (int x = 0; x < n; ++x) {
                auto* px = static_cast<unsigned char*>(image->GetScalarPointer(x, y, 0));
                const double r = std::hypot(x - (n - 1) / 2.0, y - (n - 1) / 2.0);
                const QColor c = r <= n * 0.36 ? fill : r <= n * 0.46 ? QColor(40, 40, 40) : QColor(0, 0, 0, 0);
                px[0] = uchar(c.red()), px[1] = uchar(c.green()), px[2] = uchar(c.blue()), px[3] = uchar(c.alpha());
            }
        return image;
    };
    struct Entry {
        const char* text;
        QColor colour;
    };
    std::vector<Entry> entries;
    if (minimum) entries.push_back({"minimum on the grid", s.minimum_colour});
    if (origin) entries.push_back({"current weights", Qt::white});
    if (trajectory) entries.push_back({"checkpoints", palette::orange()});
    if (probes) entries.push_back({"probes", palette::skyBlue()});
    s.legend->SetNumberOfEntries(int(entries.size()));
    double white[3] = {1, 1, 1};
    // The picture is the symbol; the box still wants a shape: one point, no cell, nothing drawn.
    vtkNew<vtkPoints> one;
    one->InsertNextPoint(0, 0, 0);
    vtkNew<vtkPolyData> no_symbol;
    no_symbol->SetPoints(one);
    for (int i = 0; i < int(entries.size()); ++i)
        s.legend->SetEntry(i, no_symbol, disc(entries[i].colour), entries[i].text, white);
    sizeLegend();
}

void SurfaceScene::sizeLegend() {
    // A line of type per entry, as wide as "minimum on the grid" at the scene's text scale.
    const int n = std::max(1, d_->legend->GetNumberOfEntries());
    const double w = std::lround(175 * d_->text_scale), h = std::lround(22 * n * d_->text_scale);
    d_->legend->SetPosition(0, -h);  // below its top-left corner
    d_->legend->SetPosition2(w, h);
}

int SurfaceScene::contourCount() const {
    return d_->surface->GetVisibility() ? static_cast<int>(d_->contour->GetNumberOfContours()) : 0;
}
std::optional<std::array<double, 2>> SurfaceScene::pick(double px, double py) const {
    if (!d_->surface->GetVisibility()) return std::nullopt;
    vtkNew<vtkCellPicker> picker;
    picker->SetTolerance(0.0005);
    picker->PickFromListOn();
    picker->AddPickList(d_->surface);
    if (!picker->Pick(px, py, 0, d_->renderer)) return std::nullopt;
    double p[3];
    picker->GetPickPosition(p);
    return std::array<double, 2>{p[0], p[1]};
}

QStringList SurfaceScene::legendEntries() const {
    QStringList out;
    if (!d_->legend->GetVisibility()) return out;
    for (int i = 0; i < d_->legend->GetNumberOfEntries(); ++i) out << QString::fromUtf8(d_->legend->GetEntryString(i));
    return out;
}

int SurfaceScene::markCount() const { return d_->surface->GetVisibility() ? d_->marks : 0; }

void SurfaceScene::setTextScale(double scale, bool title) {
    Private& s = *d_;
    s.text_scale = scale;
    s.show_title = title;
    auto px = [&](int base) { return std::max(4, int(std::lround(base * scale))); };
    s.bar->GetTitleTextProperty()->SetFontSize(px(kBarFont));
    s.bar->GetLabelTextProperty()->SetFontSize(px(kBarFont));
    s.bar->SetVerticalTitleSeparation(px(8));
    for (int i = 0; i < 3; ++i) {
        s.axes->GetTitleTextProperty(i)->SetFontSize(px(kAxisTitleFont));
        s.axes->GetLabelTextProperty(i)->SetFontSize(px(kAxisLabelFont));
    }
    // The axes' text is 3D text whose size is set in screen pixels (VTK's default 10), not by font size.
    // Grown less than the other text: the 3D labels crowd the short z axis first.
    const double axis_scale = scale <= 1 ? scale : 1 + 0.7 * (scale - 1);
    s.axes->SetScreenSize(10.0 * axis_scale);
    // In a figure the short z axis has no room for its labels; the colour bar carries the values.
    s.axes->SetZAxisLabelVisibility(s.zLabels());
    s.axes->SetZAxisTickVisibility(!s.compact);
    s.axes->SetZAxisMinorTickVisibility(!s.compact);
    s.axes->SetZTitle(s.zTitle() ? s.z_title.c_str() : "");
    s.axes->SetLabelOffset(20.0 * axis_scale);
    s.axes->SetTitleOffset(20.0 * axis_scale);
    s.title->GetTextProperty()->SetFontSize(px(kTitleFont));
    // The marks grow with the type, so a figure's (or a HiDPI screen's) marks read as the screen's do.
    for (auto [actor, size] :
         {std::pair{s.minimum.Get(), 14.0}, {s.origin.Get(), 12.0}, {s.points.Get(), 12.0}, {s.probes.Get(), 13.0}})
        actor->GetProperty()->SetPointSize(float(size * scale));
    s.line->GetProperty()->SetLineWidth(float(3 * scale));
    s.contours->GetProperty()->SetLineWidth(float(1.5 * scale));
    if (s.surface->GetVisibility()) s.title->SetVisibility(title);
    sizeLegend();
}

void SurfaceScene::setFigure(bool figure) {
    d_->figure = figure;
    setTextScale(d_->text_scale, d_->show_title);
}

void SurfaceScene::setTitle(const QString& title) {
    d_->title->SetInput(title.toUtf8().constData());
    d_->title->SetVisibility(d_->surface->GetVisibility() && d_->show_title && !title.isEmpty());
}

int SurfaceScene::titlePixels() const { return std::max(4, int(std::lround(kTitleFont * d_->text_scale))); }

void SurfaceScene::setCompact(bool compact) {
    Private& s = *d_;
    if (compact == s.compact) return;
    s.compact = compact;
    s.bar->SetPosition(compact ? 0.80 : 0.86, 0.12);
    s.bar->SetWidth(compact ? 0.19 : 0.13);
    setTextScale(s.text_scale, s.show_title);
    if (s.surface->GetVisibility()) s.legend->SetVisibility(s.legend->GetNumberOfEntries() > 0 && !compact);
    s.axes->SetZTitle(s.zTitle() ? s.z_title.c_str() : "");
}

void SurfaceScene::clear() {
    for (vtkProp* p : d_->props()) p->VisibilityOff();
    d_->marks = 0;
}

void SurfaceScene::resetCamera() {
    vtkCamera* camera = d_->renderer->GetActiveCamera();
    camera->SetFocalPoint(0, 0, 0);
    camera->SetPosition(0, -1, 0.6);
    camera->SetViewUp(0, 0, 1);
    d_->renderer->ResetCamera();
    camera->Azimuth(-30);
    camera->Zoom(0.74);  // room for the axis titles below the grid
    // The picture left of centre: the colour bar takes the right edge, and the z axis' numbers
    // must stay clear of it.
    camera->SetWindowCenter(0.22, 0.0);
}

QString SurfaceScene::setData(const SurfacePlotData& data) {
    clear();
    const QString problem = QString::fromStdString(surfaceProblem(data));
    if (!problem.isEmpty()) return problem;
    Private& s = *d_;

    // Coloured by the values (the height) or by a further field (a curvature map's λ), each
    // with its own scale; a signed field on a diverging map centred at zero.
    const std::vector<double>& shade = colourValues(data);
    const auto [clo, chi] = colourScale(data);
    for (int i = 0; i < 256; ++i) {
        const auto rgb = colormap(colourMapName(data), i / 255.0);
        s.colours->SetTableValue(i, rgb[0], rgb[1], rgb[2], 1.0);
    }
    s.colours->Build();

    const auto nx = static_cast<int>(data.x.size()), ny = static_cast<int>(data.y.size());
    const auto [lo, top] = scaleRange(data);
    const double scale = heightScale(data);
    auto height = [&](double v) { return (v - lo) * scale; };
    vtkNew<vtkPoints> points;
    vtkNew<vtkDoubleArray> values;
    values->SetName(colourLabel(data).c_str());
    points->SetNumberOfPoints(static_cast<vtkIdType>(nx) * ny);
    values->SetNumberOfValues(static_cast<vtkIdType>(nx) * ny);
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
            const vtkIdType id = static_cast<vtkIdType>(j) * nx + i;
            const double v = data.values[id];
            points->SetPoint(id, data.x[i], data.y[j], std::isfinite(v) ? height(v) : 0.0);
            values->SetValue(id, std::isfinite(shade[id]) ? shade[id] : clo);
        }
    s.grid->Initialize();
    s.grid->SetDimensions(nx, ny, 1);
    s.grid->SetPoints(points);
    s.grid->GetPointData()->SetScalars(values);
    // Points not computed (NaN) are blanked, so no made-up value is drawn there.
    for (vtkIdType id = 0; id < static_cast<vtkIdType>(nx) * ny; ++id)
        if (!std::isfinite(data.values[id])) s.grid->BlankPoint(id);
    s.grid->Modified();

    s.colours->SetTableRange(clo, chi);
    s.surface_mapper->SetScalarRange(clo, chi);
    s.contour->GenerateValues(kContours, clo + (chi - clo) / (kContours + 1), chi - (chi - clo) / (kContours + 1));
    s.bar->SetTitle(colourLabel(data).c_str());
    // Round ticks, the same as the map's colour bar beside it (colourBarTicks).
    vtkNew<vtkDoubleArray> ticks;
    for (double t : colourBarTicks(clo, chi)) ticks->InsertNextValue(t);
    s.bar->SetCustomLabels(ticks);
    s.bar->SetUseCustomLabels(ticks->GetNumberOfTuples() > 0);

    s.geometry->Update();
    double bounds[6];
    s.geometry->GetOutput()->GetBounds(bounds);
    bounds[4] = 0;
    bounds[5] = std::max(bounds[5], height(top));
    // The axes a little outside the grid: the x and y axes meet at a corner, and their end labels
    // ("-1.0" and "1.0") written at it ran into each other.
    for (int k : {0, 2}) {
        const double pad = 0.08 * (bounds[k + 1] - bounds[k]);
        bounds[k] -= pad;
        bounds[k + 1] += pad;
    }
    s.axes->SetBounds(bounds);
    s.axes->SetZAxisRange(lo, top);  // labels in true values, not the scaled height
    s.axes->SetXTitle(data.x_label.c_str());
    s.axes->SetYTitle(data.y_label.c_str());
    s.axes->SetZTitle(s.zTitle() ? data.value_label.c_str() : "");
    s.z_title = data.value_label;
    s.title->SetInput(data.title.c_str());

    // Marks sit a little above the surface, so the surface never hides them.
    const double lift = 0.015 * (bounds[1] - bounds[0]);
    s.marks = 0;
    auto setPoints = [&](vtkPolyData* poly, const std::vector<std::array<double, 2>>& xy, bool as_line) {
        vtkNew<vtkPoints> pts;
        vtkNew<vtkCellArray> cells;
        for (const auto& p : xy) {
            const double v = valueAt(data, p[0], p[1]);
            if (!std::isfinite(v)) continue;
            const vtkIdType id = pts->InsertNextPoint(p[0], p[1], height(v) + lift);
            if (!as_line) cells->InsertNextCell(1, &id);
        }
        if (as_line && pts->GetNumberOfPoints() >= 2) {
            cells->InsertNextCell(static_cast<int>(pts->GetNumberOfPoints()));
            for (vtkIdType i = 0; i < pts->GetNumberOfPoints(); ++i) cells->InsertCellPoint(i);
        }
        poly->Initialize();
        poly->SetPoints(pts);
        if (as_line) poly->SetLines(cells);
        else poly->SetVerts(cells);
        poly->Modified();
        return static_cast<int>(as_line ? 0 : pts->GetNumberOfPoints());
    };
    std::vector<std::array<double, 2>> minimum;
    if (data.minimum >= 0 && std::size_t(data.minimum) < data.values.size())
        minimum.push_back({data.x[std::size_t(data.minimum) % nx], data.y[std::size_t(data.minimum) / nx]});
    s.marks += setPoints(s.minimum_points, minimum, false);
    // The current weights are the grid's origin, when the grid spans it.
    std::vector<std::array<double, 2>> origin;
    if (data.x.front() <= 0 && data.x.back() >= 0 && data.y.front() <= 0 && data.y.back() >= 0)
        origin.push_back({0, 0});
    s.marks += setPoints(s.origin_points, origin, false);
    setPoints(s.path_line, data.trajectory, true);
    s.marks += setPoints(s.path_points, data.trajectory, false);
    s.marks += setPoints(s.probe_points, data.probes, false);

    s.minimum_colour = palette::minimumMark(colourMapName(data) == "diverging");
    setColour(s.minimum, s.minimum_colour);
    setLegend(!minimum.empty(), !origin.empty(), !data.trajectory.empty(), !data.probes.empty());

    for (vtkProp* p : s.props()) p->VisibilityOn();
    s.title->SetVisibility(s.show_title && !data.title.empty());
    s.line->SetVisibility(data.trajectory.size() >= 2);
    // Side by side (compare) the box would hide a third of each small view: the Surface tab's
    // views and every figure explain the marks.
    s.legend->SetVisibility(s.legend->GetNumberOfEntries() > 0 && !s.compact);
    resetCamera();
    return {};
}

}  // namespace basin::widgets
