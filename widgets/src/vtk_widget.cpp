#include "basin/widgets/vtk_widget.h"

#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>
#include <vtkVersion.h>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QSurfaceFormat>
#include <QWheelEvent>

namespace basin::widgets {

QSurfaceFormat defaultVtkSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setVersion(3, 2);
    format.setDepthBufferSize(24);
    return format;
}

std::string vtkVersionText() { return ::vtkVersion::GetVTKVersion(); }

struct VtkWidget::Private {
    vtkNew<vtkGenericOpenGLRenderWindow> window;
    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkGenericRenderWindowInteractor> interactor;
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    vtkNew<vtkCallbackCommand> on_render;
    vtkNew<vtkCallbackCommand> on_make_current;
    vtkNew<vtkCallbackCommand> on_is_current;
};

VtkWidget::VtkWidget(QWidget* parent) : QOpenGLWidget(parent), d_(std::make_unique<Private>()) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    d_->window->AddRenderer(d_->renderer);
    d_->window->SetMultiSamples(0);  // QOpenGLWidget's framebuffer decides multisampling
    d_->interactor->SetRenderWindow(d_->window);
    d_->interactor->SetInteractorStyle(d_->style);
    // The interactor must not render on its own: Qt decides when to paint, so it asks for an update.
    d_->interactor->EnableRenderOff();
    d_->on_render->SetClientData(this);
    d_->on_render->SetCallback(
        [](vtkObject*, unsigned long, void* self, void*) { static_cast<VtkWidget*>(self)->update(); });
    d_->interactor->AddObserver(vtkCommand::RenderEvent, d_->on_render);
    // VTK asks for its context at every render. Only when it is not current already: the widget's
    // makeCurrent() also rebinds Qt's framebuffer, which in the middle of a render would send VTK's
    // drawing to the wrong target (the frame then comes out black).
    d_->on_make_current->SetClientData(this);
    d_->on_make_current->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
        auto* widget = static_cast<VtkWidget*>(self);
        if (QOpenGLContext::currentContext() != widget->context()) widget->makeCurrent();
    });
    d_->window->AddObserver(vtkCommand::WindowMakeCurrentEvent, d_->on_make_current);
    d_->on_is_current->SetClientData(this);
    d_->on_is_current->SetCallback([](vtkObject*, unsigned long, void* self, void* answer) {
        auto* widget = static_cast<VtkWidget*>(self);
        *static_cast<bool*>(answer) = widget->context() && QOpenGLContext::currentContext() == widget->context();
    });
    d_->window->AddObserver(vtkCommand::WindowIsCurrentEvent, d_->on_is_current);
}

VtkWidget::~VtkWidget() {
    // GPU resources belong to this widget's context; free them while it still exists.
    if (context()) {
        makeCurrent();
        d_->window->Finalize();
        doneCurrent();
    }
}

vtkRenderer* VtkWidget::renderer() const { return d_->renderer; }
vtkGenericOpenGLRenderWindow* VtkWidget::renderWindow() const { return d_->window; }
vtkRenderWindowInteractor* VtkWidget::interactor() const { return d_->interactor; }

void VtkWidget::initializeGL() {
    vtkGenericOpenGLRenderWindow* w = d_->window;
    w->SetOwnContext(false);
    w->SetIsCurrent(true);  // without it VTK believes no context is current and draws nothing
    w->SetIsDirect(true);
    w->SetSupportsOpenGL(true);
    w->SetFrameBlitModeToBlitToCurrent();
    w->OpenGLInitContext();
    w->SetMapped(true);
    d_->interactor->Initialize();
}

void VtkWidget::resizeGL(int w, int h) {
    const double ratio = devicePixelRatioF();
    const int pw = static_cast<int>(w * ratio), ph = static_cast<int>(h * ratio);
    d_->window->SetSize(pw, ph);
    d_->interactor->UpdateSize(pw, ph);
}

void VtkWidget::paintGL() {
    vtkGenericOpenGLRenderWindow* w = d_->window;
    // VTK caches the GL state, including which framebuffer is bound; Qt has since bound this
    // widget's own framebuffer, so the cache is re-read or VTK blits its frame elsewhere.
    vtkOpenGLState* state = w->GetState();
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL);  // Qt leaves GL_LESS; VTK's passes expect GL_LEQUAL
    w->SetReadyForRendering(true);
    w->SetIsCurrent(true);
    w->Render();
    w->SetReadyForRendering(false);
    state->Pop();
}

void VtkWidget::forward(QMouseEvent* e, unsigned long vtk_event) {
    const double ratio = devicePixelRatioF();
    const QPointF p = e->position();
    d_->interactor->SetEventInformationFlipY(static_cast<int>(p.x() * ratio), static_cast<int>(p.y() * ratio),
                                             (e->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                             (e->modifiers() & Qt::ShiftModifier) ? 1 : 0);
    d_->interactor->InvokeEvent(vtk_event, e);
}

void VtkWidget::mousePressEvent(QMouseEvent* e) {
    switch (e->button()) {
        case Qt::LeftButton:
            return forward(e, vtkCommand::LeftButtonPressEvent);
        case Qt::MiddleButton:
            return forward(e, vtkCommand::MiddleButtonPressEvent);
        case Qt::RightButton:
            return forward(e, vtkCommand::RightButtonPressEvent);
        default:
            break;
    }
}

void VtkWidget::mouseReleaseEvent(QMouseEvent* e) {
    switch (e->button()) {
        case Qt::LeftButton:
            return forward(e, vtkCommand::LeftButtonReleaseEvent);
        case Qt::MiddleButton:
            return forward(e, vtkCommand::MiddleButtonReleaseEvent);
        case Qt::RightButton:
            return forward(e, vtkCommand::RightButtonReleaseEvent);
        default:
            break;
    }
}

void VtkWidget::mouseMoveEvent(QMouseEvent* e) { forward(e, vtkCommand::MouseMoveEvent); }

void VtkWidget::wheelEvent(QWheelEvent* e) {
    const double ratio = devicePixelRatioF();
    const QPointF p = e->position();
    d_->interactor->SetEventInformationFlipY(static_cast<int>(p.x() * ratio), static_cast<int>(p.y() * ratio),
                                             (e->modifiers() & Qt::ControlModifier) ? 1 : 0,
                                             (e->modifiers() & Qt::ShiftModifier) ? 1 : 0);
    const int delta = e->angleDelta().y();
    if (delta > 0) d_->interactor->InvokeEvent(vtkCommand::MouseWheelForwardEvent, e);
    else if (delta < 0) d_->interactor->InvokeEvent(vtkCommand::MouseWheelBackwardEvent, e);
}

}  // namespace basin::widgets
