#pragma once
/// SurfacePanel is the Surface tab's drawing area: a plane is shown in 3D (SurfaceView) beside the
/// same grid from above (ContourView); a line is shown as a LineView. One row of display options
/// (log scale, clipping of the loss, what the colour shows) applies to every view. The numbers
/// under the mouse are reported as a status line in true (unclipped, unlogged) values. A click on
/// either view of a plane asks for a curvature probe there.
#include <QWidget>
#include <memory>
#include <optional>

#include "basin/widgets/surface_plot_data.h"

namespace basin::widgets {

class ContourView;
class LineView;
class SurfaceView;

class SurfacePanel : public QWidget {
    Q_OBJECT
public:
    explicit SurfacePanel(QWidget* parent = nullptr);
    ~SurfacePanel() override;

    /// The grid as computed (true losses); the views get it through the display options.
    void setData(const SurfacePlotData& data);
    const SurfacePlotData& data() const;

    void setLogScale(bool on);
    bool logScale() const;
    /// Values above `max_loss` drawn at it; nullopt draws them as they are.
    void setClip(std::optional<double> max_loss);
    std::optional<double> clip() const;

    /// What colours the 3D view and the map: "" (the loss, as the height) or the name of one of the
    /// data's fields (a curvature map's lambda_max, lambda_min, trace, ratio). Ignored when the
    /// data has no such field. The choice is kept while new data of the same kind arrives.
    void setColourBy(const QString& field);
    QString colourBy() const;

    /// viridis or grey, for the 3D view and the map.
    void setColormap(const QString& name);
    QString colormapName() const;
    /// The grid as the views draw it: log scale, clipping and colour map applied.
    SurfacePlotData shownData() const;

    SurfaceView* surfaceView() const;
    ContourView* contourView() const;
    LineView* lineView() const;
    /// True when the grid is a line (the line plot is shown instead of the 3D and 2D views).
    bool showsLine() const;

    /// "alpha = 0.25, beta = −0.5: loss 0.3412, accuracy 88.1 %" for the grid point nearest (x, y).
    QString describePoint(double x, double y) const;

Q_SIGNALS:
    /// A line for the status bar, e.g. what describePoint() says under the mouse.
    void statusMessage(const QString& text);
    /// The user clicked the plane (3D view or map) at (x, y): a probe is wanted there.
    void probeRequested(double x, double y);

private:
    void refresh();
    void offerFields();
    struct Private;
    std::unique_ptr<Private> d_;
};

}  // namespace basin::widgets
