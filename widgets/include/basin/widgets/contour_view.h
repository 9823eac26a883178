#pragma once
/// ContourView draws a surface grid seen from above: a viridis heat map with contour-like colour
/// bands (or the field it is coloured by, signed ones on a diverging map), a colour scale, axes
/// named after the directions, the grid's minimum marked and, when given, the training trajectory
/// through the plane and the curvature probes. A click on the map reports its coordinates. LineView draws a grid that
/// is a line: loss and accuracy against the coordinate. Both report the point under the mouse.
#include <QWidget>
#include <memory>

#include "basin/widgets/surface_plot_data.h"

class QCustomPlot;
class QCPColorMap;

namespace basin::widgets {

class ContourView : public QWidget {
    Q_OBJECT
public:
    explicit ContourView(QWidget* parent = nullptr);
    ~ContourView() override;

    /// Draws `data` (values as they should be coloured: clipped or logged by the caller).
    void setData(const SurfacePlotData& data);
    const SurfacePlotData& data() const;
    void clear();

    QCustomPlot* plot() const;
    QCPColorMap* colorMap() const;

Q_SIGNALS:
    /// The mouse is over (x, y) in grid coordinates.
    void hovered(double x, double y);
    /// A click (press and release without dragging) inside the map at (x, y) in grid coordinates.
    void clicked(double x, double y);

private:
    struct Private;
    std::unique_ptr<Private> d_;
};

class LineView : public QWidget {
    Q_OBJECT
public:
    explicit LineView(QWidget* parent = nullptr);
    ~LineView() override;

    /// Draws a line grid (y has one entry): `values` on the left axis, `accuracy` (as percent) on the right.
    void setData(const SurfacePlotData& data);
    const SurfacePlotData& data() const;
    void clear();

    QCustomPlot* plot() const;

Q_SIGNALS:
    void hovered(double x);

private:
    struct Private;
    std::unique_ptr<Private> d_;
};

}  // namespace basin::widgets
