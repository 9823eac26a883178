#include "basin/widgets/surface_view.h"

#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCommand.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>
#include <QFontMetrics>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <cmath>
#include <cstring>

#include "surface_scene.h"

namespace basin::widgets {

namespace {

// Narrower than this, a view is one of several side by side (compare): no z numbers, no legend.
// The Surface tab's 3D view, half of a 1280-pixel window's tab, stays wider.
constexpr int kCompactWidth = 420;

QFont titleFont(int pixels) {
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPixelSize(pixels);
    f.setBold(true);
    return f;
}

// `title` in lines no wider than `width`: one when it fits, else broken at the space nearest the
// middle that fits, else the second line cut with an ellipsis.
QString wrapTitle(const QString& title, const QFont& font, int width) {
    const QFontMetrics fm(font);
    if (fm.horizontalAdvance(title) <= width) return title;
    int best = -1;
    for (int i = title.indexOf(' '); i >= 0; i = title.indexOf(' ', i + 1))
        if (fm.horizontalAdvance(title.left(i)) <= width &&
            (best < 0 || std::abs(i - int(title.size()) / 2) < std::abs(best - int(title.size()) / 2)))
            best = i;
    if (best < 0) return fm.elidedText(title, Qt::ElideRight, width);
    return title.left(best) + "\n" + fm.elidedText(title.mid(best + 1), Qt::ElideRight, width);
}

int linesWidth(const QString& text, const QFont& font) {
    int w = 0;
    for (const QString& line : text.split('\n')) w = std::max(w, QFontMetrics(font).horizontalAdvance(line));
    return w;
}

}  // namespace

struct SurfaceView::Private {
    SurfacePlotData data;
    QString problem;
    std::unique_ptr<SurfaceScene> scene;
    vtkNew<vtkCallbackCommand> on_camera;
    vtkCamera* watched = nullptr;
    unsigned long observer = 0;
    SurfaceCamera home;  // where the camera was put last (setData, resetCamera)
    QString shown_title;
    QPoint pressed{-1000, -1000};  // where the left button went down
    double pixel_ratio = 1;        // the screen's device pixel ratio the scene's type is scaled for
};

SurfaceView::SurfaceView(QWidget* parent) : VtkWidget(parent), s_(std::make_unique<Private>()) {
    s_->scene = std::make_unique<SurfaceScene>(renderer());
    s_->on_camera->SetClientData(this);
    s_->on_camera->SetCallback(
        [](vtkObject*, unsigned long, void* self, void*) { static_cast<SurfaceView*>(self)->update(); });
    watchCamera();
}

SurfaceView::~SurfaceView() {
    if (s_->watched) s_->watched->RemoveObserver(s_->observer);
}

// Every view repaints when the camera it looks through moves, whichever view moved it.
void SurfaceView::watchCamera() {
    vtkCamera* camera = renderer()->GetActiveCamera();
    if (camera == s_->watched) return;
    if (s_->watched) s_->watched->RemoveObserver(s_->observer);
    s_->watched = camera;
    s_->observer = camera->AddObserver(vtkCommand::ModifiedEvent, s_->on_camera);
}

void SurfaceView::resizeGL(int w, int h) {
    VtkWidget::resizeGL(w, h);
    // VTK draws in device pixels: on a screen of pixel ratio 2 its type, marks and lines are drawn
    // twice as large, so they look as they do at ratio 1 (w is in logical pixels here).
    const double ratio = devicePixelRatioF();
    if (ratio != s_->pixel_ratio) {
        s_->pixel_ratio = ratio;
        s_->scene->setTextScale(ratio);
    }
    s_->scene->setCompact(w < kCompactWidth);  // side by side in the compare view
    fitTitle();
}

// The title's font in the widget's logical pixels (the scene's size is in device pixels).
QFont SurfaceView::shownTitleFont() const {
    return titleFont(std::max(4, int(std::lround(s_->scene->titlePixels() / s_->pixel_ratio))));
}

void SurfaceView::fitTitle() {
    const QString full = QString::fromStdString(s_->data.title);
    s_->shown_title = wrapTitle(full, shownTitleFont(), int(width() * 0.92));
    s_->scene->setTitle(s_->shown_title);
}

QString SurfaceView::shownTitle() const { return s_->shown_title; }
int SurfaceView::titleWidth() const { return linesWidth(s_->shown_title, shownTitleFont()); }
std::optional<std::array<double, 2>> SurfaceView::gridPointAt(QPoint pixel) const {
    const double r = devicePixelRatioF();
    return s_->scene->pick(pixel.x() * r, (height() - 1 - pixel.y()) * r);
}

// A click picks a point; a drag turns the view (the interactor sees both).
void SurfaceView::mousePressEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) s_->pressed = e->position().toPoint();
    VtkWidget::mousePressEvent(e);
}

void SurfaceView::mouseReleaseEvent(QMouseEvent* e) {
    VtkWidget::mouseReleaseEvent(e);
    if (e->button() != Qt::LeftButton) return;
    const QPoint at = e->position().toPoint();
    if ((at - s_->pressed).manhattanLength() > 3) return;
    if (const auto p = gridPointAt(at)) Q_EMIT pointPicked((*p)[0], (*p)[1]);
}

const SurfacePlotData& SurfaceView::data() const { return s_->data; }
QString SurfaceView::problem() const { return s_->problem; }
int SurfaceView::contourCount() const { return s_->scene->contourCount(); }
int SurfaceView::markCount() const { return s_->scene->markCount(); }
QStringList SurfaceView::legendEntries() const { return s_->scene->legendEntries(); }
double SurfaceView::textScale() const { return s_->pixel_ratio; }

void SurfaceView::clear() {
    s_->data = {};
    s_->problem.clear();
    s_->scene->clear();
    update();
}

void SurfaceView::setData(const SurfacePlotData& data) {
    s_->data = data;
    s_->problem = s_->scene->setData(data);
    fitTitle();
    s_->home = camera();
    update();
}

SurfaceCamera SurfaceView::camera() const {
    vtkCamera* c = renderer()->GetActiveCamera();
    SurfaceCamera out;
    c->GetPosition(out.position.data());
    c->GetFocalPoint(out.focal_point.data());
    c->GetViewUp(out.view_up.data());
    out.view_angle = c->GetViewAngle();
    c->GetWindowCenter(out.window_center.data());
    return out;
}

bool SurfaceView::cameraMoved() const {
    const SurfaceCamera now = camera();
    double d = std::abs(now.view_angle - s_->home.view_angle);
    for (int k = 0; k < 3; ++k)
        d += std::abs(now.position[k] - s_->home.position[k]) + std::abs(now.focal_point[k] - s_->home.focal_point[k]) +
             std::abs(now.view_up[k] - s_->home.view_up[k]);
    return d > 1e-9;
}

void SurfaceView::resetCamera() {
    s_->scene->resetCamera();
    s_->home = camera();
    update();
}

void SurfaceView::linkCamera(SurfaceView* leader) {
    if (!leader || leader == this) return;
    vtkCamera* shared = leader->renderer()->GetActiveCamera();
    renderer()->SetActiveCamera(shared);
    s_->scene = std::make_unique<SurfaceScene>(renderer());  // the axes follow the active camera
    s_->scene->setCompact(width() < kCompactWidth);
    s_->problem = s_->scene->setData(s_->data);
    fitTitle();
    watchCamera();
    update();
}

QImage renderSurfaceImage(const SurfacePlotData& data, QSize pixels, const FigureStyle& style, double px_per_pt,
                          const std::optional<SurfaceCamera>& camera, QString* error, SurfaceCamera* drawn_from) {
    auto fail = [&](const QString& why) {
        if (error) *error = why;
        return QImage();
    };
    if (pixels.isEmpty()) return fail(QObject::tr("an empty image size"));
    if (qEnvironmentVariableIsEmpty("DISPLAY"))
        return fail(QObject::tr("drawing the 3D surface needs an X display (run under xvfb-run -a)"));
    // VTK makes its own OpenGL context current; Qt must not believe its own one still is.
    if (QOpenGLContext* current = QOpenGLContext::currentContext()) current->doneCurrent();

    vtkNew<vtkRenderWindow> window;
    window->SetOffScreenRendering(1);
    window->SetMultiSamples(0);
    window->SetAlphaBitPlanes(1);
    window->SetSize(pixels.width(), pixels.height());
    vtkNew<vtkRenderer> renderer;
    renderer->UseFXAAOn();  // smooth edges without a multisampled buffer
    window->AddRenderer(renderer);
    // The scene lives until the image is read: the filter renders the window again.
    SurfaceScene scene(renderer);
    scene.setFigure(true);
    // The screen look sets 10 pt type at 96 dpi (13.3 px); the figure's type is font_pt at px_per_pt.
    scene.setTextScale(style.font_pt * px_per_pt / (10.0 * 96.0 / 72.0), style.titles);
    SurfacePlotData styled = data;
    styled.colormap = style.colormap.toStdString();
    const QString problem = scene.setData(styled);
    // A long study name goes on two lines rather than being clipped at both ends.
    scene.setTitle(
        wrapTitle(QString::fromStdString(data.title), titleFont(scene.titlePixels()), int(pixels.width() * 0.92)));
    if (!problem.isEmpty()) {
        window->Finalize();
        return fail(problem);
    }
    if (camera) {
        vtkCamera* c = renderer->GetActiveCamera();
        c->SetPosition(camera->position.data());
        c->SetFocalPoint(camera->focal_point.data());
        c->SetViewUp(camera->view_up.data());
        c->SetViewAngle(camera->view_angle);
        c->SetWindowCenter(camera->window_center[0], camera->window_center[1]);
        renderer->ResetCameraClippingRange();
    } else {
        renderer->GetActiveCamera()->Zoom(0.92);  // a little more room for the axis titles on paper
    }
    if (drawn_from) {
        vtkCamera* c = renderer->GetActiveCamera();
        c->GetPosition(drawn_from->position.data());
        c->GetFocalPoint(drawn_from->focal_point.data());
        c->GetViewUp(drawn_from->view_up.data());
        drawn_from->view_angle = c->GetViewAngle();
        c->GetWindowCenter(drawn_from->window_center.data());
    }
    if (style.transparent) renderer->SetBackgroundAlpha(0.0);
    window->Render();
    vtkNew<vtkWindowToImageFilter> grab;
    grab->SetInput(window);
    // RGB unless the background is to be transparent: VTK's background alpha is 0 by default.
    const int channels = style.transparent ? 4 : 3;
    if (style.transparent) grab->SetInputBufferTypeToRGBA();
    else grab->SetInputBufferTypeToRGB();
    grab->ReadFrontBufferOff();
    grab->Update();
    vtkImageData* image = grab->GetOutput();
    int dims[3];
    image->GetDimensions(dims);
    auto* rgba = vtkUnsignedCharArray::SafeDownCast(image->GetPointData()->GetScalars());
    if (!rgba || dims[0] != pixels.width() || dims[1] != pixels.height()) {
        window->Finalize();
        return fail(QObject::tr("the off-screen render came back empty"));
    }
    QImage out(pixels, channels == 4 ? QImage::Format_RGBA8888 : QImage::Format_RGB888);
    const unsigned char* src = rgba->GetPointer(0);
    const int row = pixels.width() * channels;
    for (int y = 0; y < pixels.height(); ++y)  // VTK's rows go upwards
        std::memcpy(out.scanLine(y), src + std::size_t(pixels.height() - 1 - y) * row, std::size_t(row));
    window->Finalize();
    if (QOpenGLContext* current = QOpenGLContext::currentContext()) current->doneCurrent();
    return out;
}

}  // namespace basin::widgets
