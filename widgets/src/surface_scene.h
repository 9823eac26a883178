#pragma once
// The 3D loss-surface scene, apart from any window: the grid warped by its values and coloured by
// them, contour lines, a colour bar, labelled axes, the title, and marks for the grid's minimum,
// the current weights (the origin), the checkpoints' trajectory and the curvature probes. SurfaceView shows it in Qt;
// renderSurfaceImage() draws it off-screen at any size. Both use this one scene.
#include <QString>
#include <QStringList>
#include <array>
#include <memory>
#include <optional>

#include "basin/widgets/surface_plot_data.h"

class vtkRenderer;

namespace basin::widgets {

class SurfaceScene {
public:
    explicit SurfaceScene(vtkRenderer* renderer);
    ~SurfaceScene();

    /// Builds the scene from `data` and puts the camera in its default place. Returns why the
    /// grid cannot be drawn (the scene is then empty), or an empty string.
    QString setData(const SurfacePlotData& data);
    void clear();
    /// Multiplies every font size (the screen look is 1) and hides the title when `title` is false.
    void setTextScale(double scale, bool title = true);
    /// A narrow view (compare): a wider share for the colour bar's labels, and no z-axis labels
    /// (the colour bar carries the values).
    void setCompact(bool compact);
    /// Drawn for a figure: the z axis keeps its title and ticks, the colour bar gives the numbers.
    void setFigure(bool figure);
    /// Replaces the title setData() drew (its lines, as wrapped by the caller to the view's width).
    void setTitle(const QString& title);
    /// The title's type size in pixels at the current text scale.
    int titlePixels() const;
    /// Moves the camera to where setData() puts it.
    void resetCamera();

    /// The grid coordinates (x, y) of the surface under display pixel (px, py) (VTK's pixels:
    /// origin at the bottom left), nullopt when the pixel is off the surface.
    std::optional<std::array<double, 2>> pick(double px, double py) const;

    int contourCount() const;
    /// Number of marks drawn: minimum, current weights and trajectory points.
    int markCount() const;
    QStringList legendEntries() const;

private:
    void setLegend(bool minimum, bool origin, bool trajectory, bool probes);
    void sizeLegend();
    struct Private;
    std::unique_ptr<Private> d_;
};

}  // namespace basin::widgets
