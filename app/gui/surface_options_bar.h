#pragma once
// The row above the Surface tab's views where the user chooses what to compute: directions, layer
// group, grid, range, BatchNorm mode; "Compute surface" asks for the surface, "Curvature map" for
// λmax and λmin over the same grid, and a typed point for a curvature probe there.
#include <QWidget>
#include <array>
#include <optional>

#include "basin/surface.h"

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace basin::gui {

class SurfaceOptionsBar : public QWidget {
    Q_OBJECT
public:
    explicit SurfaceOptionsBar(QWidget* parent = nullptr);
    SurfaceJobOptions options() const;
    void setOptions(const SurfaceJobOptions& options);
    /// The model's layer groups, offered for one layer's landscape ("all parameters" first).
    void setGroups(const QStringList& groups);
    /// Chooses a group ("" for all parameters); one the model lacks is ignored.
    void setGroup(const QString& group);
    /// The typed probe point, nullopt when the text is not "x, y" (or "x" on a line).
    std::optional<std::array<double, 2>> typedProbe() const;

Q_SIGNALS:
    void runRequested(const basin::SurfaceJobOptions& options);
    void curvatureMapRequested(const basin::SurfaceJobOptions& options);
    void probeRequested(double x, double y);

private:
    QComboBox* dirs_ = nullptr;
    QSpinBox* nx_ = nullptr;
    QSpinBox* ny_ = nullptr;
    QDoubleSpinBox* range_ = nullptr;
    QComboBox* bn_ = nullptr;
    QComboBox* group_ = nullptr;
    QLineEdit* probe_at_ = nullptr;
    SurfaceJobOptions base_;  // the fields the bar does not show (norm, seed, ...) keep their values
};

}  // namespace basin::gui
