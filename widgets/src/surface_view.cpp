#include "basin/widgets/surface_view.h"

#include <QFile>
#include <cmath>
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkContourFilter.h>
#include <vtkCubeAxesActor.h>
#include <vtkDoubleArray.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkStructuredGrid.h>
#include <vtkStructuredGridGeometryFilter.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include "basin/widgets/surface_math.h"

namespace basin::widgets {

namespace {
constexpr int kContours = 12;

// The 2D text (title, colour bar) in DejaVu Sans, the font of the Qt side, which also has the
// Greek letters VTK's built-in fonts lack. Without the file, VTK's own font is used.
void useUnicodeFont(vtkTextProperty* p) {
    static const QString kDejaVu = QStringLiteral("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    if (!QFile::exists(kDejaVu)) return;
    p->SetFontFamily(VTK_FONT_FILE);
    p->SetFontFile(kDejaVu.toLocal8Bit().constData());
}
}  // namespace

struct SurfaceView::Private {
    SurfacePlotData data;
    QString problem;
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
};

SurfaceView::SurfaceView(QWidget* parent) : VtkWidget(parent), s_(std::make_unique<Private>()) {
    Private& s = *s_;
    s.colours->SetNumberOfTableValues(256);
    for (int i = 0; i < 256; ++i) {
        const auto rgb = viridis(i / 255.0);
        s.colours->SetTableValue(i, rgb[0], rgb[1], rgb[2], 1.0);
    }
    s.colours->Build();

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
    s.bar->SetPosition(0.88, 0.15);
    s.bar->SetWidth(0.09);
    s.bar->SetHeight(0.7);
    for (vtkTextProperty* p : {s.bar->GetTitleTextProperty(), s.bar->GetLabelTextProperty()}) {
        p->SetColor(0.1, 0.1, 0.1);
        p->SetFontSize(14);
        p->ItalicOff();
        p->ShadowOff();
        useUnicodeFont(p);
    }

    s.axes->SetCamera(renderer()->GetActiveCamera());
    s.axes->SetFlyModeToOuterEdges();
    s.axes->SetGridLineLocation(vtkCubeAxesActor::VTK_GRID_LINES_FURTHEST);
    for (int i = 0; i < 3; ++i) {
        s.axes->GetTitleTextProperty(i)->SetColor(0.1, 0.1, 0.1);
        s.axes->GetTitleTextProperty(i)->SetFontSize(16);
        s.axes->GetLabelTextProperty(i)->SetColor(0.2, 0.2, 0.2);
        s.axes->GetLabelTextProperty(i)->SetFontSize(13);
        useUnicodeFont(s.axes->GetTitleTextProperty(i));
        useUnicodeFont(s.axes->GetLabelTextProperty(i));
    }
    s.axes->GetXAxesLinesProperty()->SetColor(0.3, 0.3, 0.3);
    s.axes->GetYAxesLinesProperty()->SetColor(0.3, 0.3, 0.3);
    s.axes->GetZAxesLinesProperty()->SetColor(0.3, 0.3, 0.3);

    s.title->GetTextProperty()->SetFontSize(18);
    s.title->GetTextProperty()->BoldOn();
    s.title->GetTextProperty()->SetColor(0, 0, 0);
    s.title->GetTextProperty()->SetJustificationToCentered();
    s.title->GetTextProperty()->SetVerticalJustificationToTop();
    s.title->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
    s.title->SetPosition(0.5, 0.97);
    useUnicodeFont(s.title->GetTextProperty());

    renderer()->SetBackground(1, 1, 1);
    for (vtkProp* p : std::initializer_list<vtkProp*>{s.surface, s.contours, s.bar, s.axes, s.title}) {
        p->VisibilityOff();
        renderer()->AddViewProp(p);
    }
}

SurfaceView::~SurfaceView() = default;

const SurfacePlotData& SurfaceView::data() const { return s_->data; }
QString SurfaceView::problem() const { return s_->problem; }

int SurfaceView::contourCount() const {
    return s_->surface->GetVisibility() ? static_cast<int>(s_->contour->GetNumberOfContours()) : 0;
}

void SurfaceView::clear() {
    s_->data = {};
    s_->problem.clear();
    for (vtkProp* p : std::initializer_list<vtkProp*>{s_->surface, s_->contours, s_->bar, s_->axes, s_->title})
        p->VisibilityOff();
    update();
}

void SurfaceView::setData(const SurfacePlotData& data) {
    clear();
    s_->data = data;
    s_->problem = QString::fromStdString(surfaceProblem(data));
    if (!s_->problem.isEmpty()) return;
    Private& s = *s_;

    const auto nx = static_cast<int>(data.x.size()), ny = static_cast<int>(data.y.size());
    const auto [lo, hi] = finiteRange(data.values);
    const double scale = heightScale(data);
    vtkNew<vtkPoints> points;
    vtkNew<vtkDoubleArray> values;
    values->SetName(data.value_label.c_str());
    points->SetNumberOfPoints(static_cast<vtkIdType>(nx) * ny);
    values->SetNumberOfValues(static_cast<vtkIdType>(nx) * ny);
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
            const vtkIdType id = static_cast<vtkIdType>(j) * nx + i;
            const double v = data.values[id];
            points->SetPoint(id, data.x[i], data.y[j], std::isfinite(v) ? (v - lo) * scale : 0.0);
            values->SetValue(id, std::isfinite(v) ? v : lo);
        }
    s.grid->Initialize();
    s.grid->SetDimensions(nx, ny, 1);
    s.grid->SetPoints(points);
    s.grid->GetPointData()->SetScalars(values);
    // Points not computed (NaN) are blanked, so no made-up value is drawn there.
    for (vtkIdType id = 0; id < static_cast<vtkIdType>(nx) * ny; ++id)
        if (!std::isfinite(data.values[id])) s.grid->BlankPoint(id);
    s.grid->Modified();

    const double top = hi > lo ? hi : lo + 1;
    s.colours->SetTableRange(lo, top);
    s.surface_mapper->SetScalarRange(lo, top);
    s.contour->GenerateValues(kContours, lo + (top - lo) / (kContours + 1), top - (top - lo) / (kContours + 1));
    s.bar->SetTitle(data.value_label.c_str());

    s.geometry->Update();
    double bounds[6];
    s.geometry->GetOutput()->GetBounds(bounds);
    s.axes->SetBounds(bounds);
    s.axes->SetZAxisRange(lo, top);  // labels in true values, not the scaled height
    s.axes->SetXTitle(data.x_label.c_str());
    s.axes->SetYTitle(data.y_label.c_str());
    s.axes->SetZTitle(data.value_label.c_str());
    s.title->SetInput(data.title.c_str());

    for (vtkProp* p : std::initializer_list<vtkProp*>{s.surface, s.contours, s.bar, s.axes, s.title}) p->VisibilityOn();
    vtkCamera* camera = renderer()->GetActiveCamera();
    camera->SetFocalPoint(0, 0, 0);
    camera->SetPosition(0, -1, 0.6);
    camera->SetViewUp(0, 0, 1);
    renderer()->ResetCamera();
    camera->Azimuth(-30);
    camera->Zoom(0.78);  // room for the axis titles below the grid
    update();
}

}  // namespace basin::widgets
