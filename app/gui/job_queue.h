#pragma once
// JobQueue runs work on one worker thread, one job after another, and keeps each job's record on
// the GUI thread: its state machine, its progress (coalesced, at most every 40 ms however often the
// work reports) and its cancel. It knows nothing of what the work is, so it is tested with fake
// work in milliseconds; EngineController gives it the engine's jobs.
#include <QMap>
#include <QObject>
#include <QTimer>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "basin/progress.h"
#include "job_types.h"

class QThread;

namespace basin::gui {

class JobQueue : public QObject {
    Q_OBJECT
public:
    /// The work of a job, run on the worker thread. It reports progress through the context,
    /// stops with basin::Cancelled when cancelled, and fails by throwing (the message is kept).
    using Work = std::function<void(JobContext& job)>;

    /// `nice`: lower the worker's priority (and that of the threads it starts), so the GUI thread
    /// wins when the cores are busy.
    explicit JobQueue(bool nice = true, QObject* parent = nullptr);
    /// Cancels every job and waits for the running one to stop at its next check.
    ~JobQueue() override;

    /// Queues `work` and returns its id at once; jobAdded() fires before this returns.
    int enqueue(JobKind kind, const QString& title, Work work);
    /// Runs `gui_work` on the GUI thread, after what the worker posted before it (results of a job
    /// arrive before the job is reported done).
    void post(std::function<void()> gui_work);

    /// Cancels one job: a queued one never runs (Cancelled at once), a running one becomes
    /// Cancelling and stops at its next check. Unknown or finished ids are ignored.
    void cancel(int id);
    void cancelAll();

    JobInfo job(int id) const;
    QList<JobInfo> jobs() const;
    bool busy() const;
    /// Forgets the records of finished jobs (the Jobs panel's history is cleared).
    void forgetFinished();

Q_SIGNALS:
    void jobAdded(const basin::gui::JobInfo& job);
    void jobChanged(const basin::gui::JobInfo& job);
    /// Every job has finished (done, failed or cancelled).
    void idle();

private:
    void finish(int id, JobState state, const QString& error = {});
    void flushProgress();

    QThread* thread_ = nullptr;
    QObject* worker_ = nullptr;                            // lives on thread_; receives the queued jobs
    QMap<int, JobInfo> jobs_;                              // GUI thread
    std::map<int, std::shared_ptr<JobContext>> contexts_;  // GUI thread
    int next_id_ = 1;

    std::mutex pending_mutex_;
    std::map<int, Progress> pending_;  // the latest report per job, picked up by flushProgress
    std::atomic<bool> flush_posted_{false};
    QTimer coalesce_timer_;
};

}  // namespace basin::gui
