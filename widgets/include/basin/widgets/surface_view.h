#pragma once
/// SurfaceView draws a loss surface in 3D: the grid warped by its values (scaled so the height is
/// comparable to the width), coloured by value (viridis, or grey), with contour lines on the
/// surface, a colour bar, labelled axes that show the true values, and marks for the minimum, the
/// current weights and the checkpoints' trajectory. Drag to rotate, wheel to zoom, shift-drag to
/// pan. renderSurfaceImage() draws the same scene off-screen at any size, for figures.
#include <QFont>
#include <QImage>
#include <QStringList>
#include <array>
#include <memory>
#include <optional>

#include "basin/widgets/figure_style.h"
#include "basin/widgets/surface_plot_data.h"
#include "basin/widgets/vtk_widget.h"

namespace basin::widgets {

/// Where a 3D view looks from, so a figure can be drawn as the user turned the view.
struct SurfaceCamera {
    std::array<double, 3> position{}, focal_point{}, view_up{};
    double view_angle = 30;
    std::array<double, 2> window_center{};
};

class SurfaceView : public VtkWidget {
    Q_OBJECT
public:
    explicit SurfaceView(QWidget* parent = nullptr);
    ~SurfaceView() override;

    /// Draws the surface; a grid that cannot be drawn leaves the view empty and problem() says why.
    void setData(const SurfacePlotData& data);
    const SurfacePlotData& data() const;
    void clear();
    /// Why the last data could not be drawn, empty when it was.
    QString problem() const;
    /// Number of contour lines drawn (0 before data).
    int contourCount() const;
    /// Number of marks drawn (minimum, current weights, trajectory points, probes).
    int markCount() const;
    /// The legend's entries as shown, top to bottom (empty side by side, where it is hidden).
    QStringList legendEntries() const;
    /// The scale of the scene's type, marks and lines: the screen's device pixel ratio (VTK draws in
    /// device pixels), so the view looks the same on a HiDPI screen.
    double textScale() const;
    /// The grid coordinates (x, y) of the surface under `pixel` (widget coordinates), nullopt
    /// when the pixel is off the surface.
    std::optional<std::array<double, 2>> gridPointAt(QPoint pixel) const;

    /// The title as drawn: the data's title, wrapped onto a second line when it is wider than the
    /// view (cut with "…" only when two lines are not enough); and its width in pixels.
    QString shownTitle() const;
    int titleWidth() const;

    SurfaceCamera camera() const;
    /// True once the user turned, zoomed or panned the view since the surface was drawn (a figure
    /// then uses camera(); otherwise Basin's default view, which does not depend on the window).
    bool cameraMoved() const;
    /// Back to the default view of the surface.
    void resetCamera();
    /// From now on this view looks through `leader`'s camera: turning, zooming or panning either
    /// one moves both (and every other view linked to the same leader).
    void linkCamera(SurfaceView* leader);

Q_SIGNALS:
    /// A click (press and release without dragging) on the surface at grid point (x, y).
    void pointPicked(double x, double y);

protected:
    void resizeGL(int w, int h) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;

private:
    void watchCamera();
    void fitTitle();
    QFont shownTitleFont() const;
    struct Private;
    std::unique_ptr<Private> s_;
};

/// The scene SurfaceView shows, drawn off-screen at `pixels` (text sized for `style` at
/// `px_per_pt` pixels per point; from `camera` when given, else Basin's default view). A null
/// image when it cannot be drawn, with the reason in `error` (no X display, a grid that cannot be
/// drawn). `drawn_from`, when given, is set to the camera the image was drawn from.
QImage renderSurfaceImage(const SurfacePlotData& data, QSize pixels, const FigureStyle& style, double px_per_pt,
                          const std::optional<SurfaceCamera>& camera = std::nullopt, QString* error = nullptr,
                          SurfaceCamera* drawn_from = nullptr);

}  // namespace basin::widgets
