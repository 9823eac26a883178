#pragma once
// The row above the Surface tab's views where the user chooses what to compute: directions, grid,
// range, BatchNorm mode; "Compute" asks for the surface.
#include <QWidget>

#include "basin/surface.h"

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace basin::gui {

class SurfaceOptionsBar : public QWidget {
    Q_OBJECT
public:
    explicit SurfaceOptionsBar(QWidget* parent = nullptr);
    SurfaceJobOptions options() const;
    void setOptions(const SurfaceJobOptions& options);

Q_SIGNALS:
    void runRequested(const basin::SurfaceJobOptions& options);

private:
    QComboBox* dirs_ = nullptr;
    QSpinBox* nx_ = nullptr;
    QSpinBox* ny_ = nullptr;
    QDoubleSpinBox* range_ = nullptr;
    QComboBox* bn_ = nullptr;
    SurfaceJobOptions base_;  // the fields the bar does not show (norm, seed, ...) keep their values
};

}  // namespace basin::gui
