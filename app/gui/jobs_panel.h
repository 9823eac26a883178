#pragma once
// The bottom dock: one row per engine job with its stage, progress, ETA, state and a Cancel button.
#include <QMap>
#include <QWidget>

#include "job_types.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QVBoxLayout;

namespace basin::gui {

class JobRow;

class JobsPanel : public QWidget {
    Q_OBJECT
public:
    explicit JobsPanel(QWidget* parent = nullptr);

    void addJob(const JobInfo& job);
    void updateJob(const JobInfo& job);

    /// The row of a job (object name "job-<id>"), null when unknown.
    JobRow* row(int id) const;

Q_SIGNALS:
    void cancelRequested(int id);

private:
    QVBoxLayout* rows_ = nullptr;
    QMap<int, JobRow*> by_id_;
};

class JobRow : public QWidget {
    Q_OBJECT
public:
    explicit JobRow(const JobInfo& job, QWidget* parent = nullptr);
    void update(const JobInfo& job);

    QString stateText() const;
    QString stageText() const;
    int progressValue() const;
    bool cancelEnabled() const;

Q_SIGNALS:
    void cancelClicked();

private:
    QLabel* title_ = nullptr;
    QLabel* stage_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* eta_ = nullptr;
    QLabel* state_ = nullptr;
    QPushButton* cancel_ = nullptr;
};

/// "12 s", "3 min 05 s", or "" when unknown (negative).
QString formatEta(double seconds);

}  // namespace basin::gui
