#pragma once
// The row above the Layers tab: Hutchinson probes, the bit widths offered, the size budget of the
// mixed-precision proposal (a share of the float32 size, shown in bytes too), and "Compute".
// Values are checked by the engine's validate(SensitivityOptions), so a bad one reads as it does
// from basin-cli or a study file.
#include <QWidget>

#include "basin/sensitivity.h"

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace basin::gui {

class LayerOptionsBar : public QWidget {
    Q_OBJECT
public:
    explicit LayerOptionsBar(QWidget* parent = nullptr);

    /// The options as set (the fields the bar does not show keep those of setOptions()). Only
    /// meaningful when problem() is empty.
    SensitivityOptions options() const;
    /// Shows `options` for a model of `float32_bytes` (the budget is shown as its share of them).
    void setOptions(const SensitivityOptions& options, double float32_bytes);
    /// Why Compute is disabled: the engine's message for the values as set; empty when valid.
    QString problem() const;

Q_SIGNALS:
    void runRequested(const basin::SensitivityOptions& options);

private:
    void revalidate();

    QSpinBox* probes_ = nullptr;
    QLineEdit* bits_ = nullptr;
    QDoubleSpinBox* budget_ = nullptr;
    QLabel* bytes_ = nullptr;
    QLabel* message_ = nullptr;
    QPushButton* run_ = nullptr;
    SensitivityOptions base_;
    double float32_bytes_ = 0;
    QString problem_;
};

}  // namespace basin::gui
