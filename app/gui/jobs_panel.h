#pragma once
// The bottom dock: one row per engine job with its stage, progress, ETA, state and a Cancel
// button. Jobs still to run or running are listed first; finished ones fold into a history below
// them (newest first, shown or folded, cleared with one click). Everything scrolls inside the
// dock, so the panel keeps its height however many jobs ran. Esc cancels only here: the focused
// job, or every unfinished job when no job row has the focus.
#include <QMap>
#include <QWidget>

#include "job_types.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QToolButton;
class QVBoxLayout;

namespace basin::gui {

class JobRow;

class JobsPanel : public QWidget {
    Q_OBJECT
public:
    /// At most this many finished jobs are kept in the history (the oldest leave first).
    static constexpr int kMaxHistory = 200;

    explicit JobsPanel(QWidget* parent = nullptr);

    void addJob(const JobInfo& job);
    void updateJob(const JobInfo& job);

    /// The row of a job (object name "job-<id>"), null when unknown or cleared.
    JobRow* row(int id) const;
    /// Finished jobs in the history, and whether it is shown (unfolded).
    int historyCount() const;
    bool historyShown() const;
    void setHistoryShown(bool shown);
    /// Removes the finished jobs' rows (clearRequested() tells the queue to forget them too).
    void clearHistory();

    QSize sizeHint() const override;

Q_SIGNALS:
    void cancelRequested(int id);
    /// Esc in the panel with no job row focused: stop every job not finished.
    void cancelAllRequested();
    void clearRequested();

private:
    void cancelFocused();
    void updateHistoryHeader();

    QScrollArea* scroll_ = nullptr;
    QVBoxLayout* active_ = nullptr;
    QVBoxLayout* history_ = nullptr;
    QWidget* history_box_ = nullptr;
    QToolButton* fold_ = nullptr;
    QPushButton* clear_ = nullptr;
    QLabel* empty_ = nullptr;
    QMap<int, JobRow*> by_id_;
    QList<int> finished_;  // newest first
};

class JobRow : public QWidget {
    Q_OBJECT
public:
    explicit JobRow(const JobInfo& job, QWidget* parent = nullptr);
    void update(const JobInfo& job);

    int jobId() const { return id_; }
    QString stateText() const;
    QString stageText() const;
    int progressValue() const;
    bool cancelEnabled() const;
    bool finished() const { return finished_; }

Q_SIGNALS:
    void cancelClicked();

private:
    int id_ = 0;
    bool finished_ = false;
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
