#pragma once
/// VtkWidget shows a VTK scene inside Qt 6. VTK's own Qt widget is built for Qt 5 on our platform,
/// so this is the small bridge it would be: a QOpenGLWidget that owns a
/// vtkGenericOpenGLRenderWindow, renders it in paintGL, and forwards mouse and wheel events to a
/// trackball-camera interactor. The default QSurfaceFormat must be OpenGL 3.2 core with a 24-bit
/// depth buffer, set before the QApplication is made (see defaultVtkSurfaceFormat()).
#include <QOpenGLWidget>
#include <memory>
#include <string>

class QSurfaceFormat;
class vtkGenericOpenGLRenderWindow;
class vtkRenderWindowInteractor;
class vtkRenderer;

namespace basin::widgets {

/// The format VTK 9.1's OpenGL2 backend needs; pass it to QSurfaceFormat::setDefaultFormat().
QSurfaceFormat defaultVtkSurfaceFormat();

/// The version of VTK Basin runs with, e.g. "9.1.0" (for About).
std::string vtkVersionText();

class VtkWidget : public QOpenGLWidget {
    Q_OBJECT
public:
    explicit VtkWidget(QWidget* parent = nullptr);
    ~VtkWidget() override;

    vtkRenderer* renderer() const;
    vtkGenericOpenGLRenderWindow* renderWindow() const;
    vtkRenderWindowInteractor* interactor() const;

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;

private:
    void forward(QMouseEvent* e, unsigned long vtk_event);
    struct Private;
    std::unique_ptr<Private> d_;
};

}  // namespace basin::widgets
