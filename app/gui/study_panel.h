#pragma once
// The left dock: what the open study is, and why it failed to open when it did.
#include <QWidget>

#include "job_types.h"

class QLabel;
class QFormLayout;

namespace basin::gui {

class StudyPanel : public QWidget {
    Q_OBJECT
public:
    explicit StudyPanel(QWidget* parent = nullptr);

    void showOpening(const QString& path);
    void showStudy(const StudySummary& summary);
    /// The engine's message, in red; the study's fields are cleared so nothing stale is shown.
    void showError(const QString& message);

    QString errorText() const;
    /// The value shown for a field ("name", "model", "data", "loss", "samples", "batch",
    /// "parameters", "loss value", "accuracy").
    QString field(const QString& key) const;

private:
    QLabel* value(const QString& key) const;
    QFormLayout* form_ = nullptr;
    QLabel* error_ = nullptr;
};

}  // namespace basin::gui
