#pragma once
/// SurfaceView draws a loss surface in 3D: the grid warped by its values (scaled so the height is
/// comparable to the width), coloured by value with viridis, with contour lines on the surface, a
/// colour bar and labelled axes that show the true values. Drag to rotate, wheel to zoom.
#include <memory>

#include "basin/widgets/surface_plot_data.h"
#include "basin/widgets/vtk_widget.h"

namespace basin::widgets {

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

private:
    struct Private;
    std::unique_ptr<Private> s_;
};

}  // namespace basin::widgets
