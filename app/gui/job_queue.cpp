#include "job_queue.h"

#include <QThread>
#include <chrono>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

#include "basin/error.h"

namespace basin::gui {

namespace {

// The worker thread (and the compute threads LibTorch starts from it, which inherit its niceness)
// yields to the GUI thread when the cores are busy. QThread priorities do nothing on Linux.
void yieldToTheGui() {
#ifdef __linux__
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
#endif
}

}  // namespace

JobQueue::JobQueue(bool nice, QObject* parent) : QObject(parent) {
    thread_ = new QThread(this);
    thread_->setObjectName("basin-engine");
    worker_ = new QObject;
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_->start();
    if (nice) QMetaObject::invokeMethod(worker_, &yieldToTheGui, Qt::QueuedConnection);
    coalesce_timer_.setSingleShot(true);
    coalesce_timer_.setInterval(40);
    connect(&coalesce_timer_, &QTimer::timeout, this, &JobQueue::flushProgress);
}

JobQueue::~JobQueue() {
    for (auto& [id, ctx] : contexts_) ctx->cancel();
    thread_->quit();
    thread_->wait();
}

void JobQueue::post(std::function<void()> gui_work) {
    QMetaObject::invokeMethod(this, std::move(gui_work), Qt::QueuedConnection);
}

int JobQueue::enqueue(JobKind kind, const QString& title, Work work) {
    const int id = next_id_++;
    JobInfo info;
    info.id = id;
    info.kind = kind;
    info.title = title;
    jobs_.insert(id, info);
    // A stage that goes on counting where the one before it stopped (the same total, done not
    // gone back: the compare job's stage per checkpoint over the whole comparison) is one count,
    // timed from where the count began; the engine times each stage from its own start.
    struct Count {
        int64_t total = -1, done = 0;
        std::chrono::steady_clock::time_point start;
    };
    auto count = std::make_shared<Count>();  // touched by the worker thread only
    auto ctx = std::make_shared<JobContext>([this, id, count](const Progress& p) {
        const auto now = std::chrono::steady_clock::now();
        if (p.total != count->total || p.done < count->done)
            count->start = now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(p.elapsed_s));
        count->total = p.total;
        count->done = p.done;
        Progress report = p;
        if (p.done > 0 && p.total > 0)
            report.eta_s = std::chrono::duration<double>(now - count->start).count() / double(p.done) *
                           double(std::max<int64_t>(0, p.total - p.done));
        {
            std::lock_guard lock(pending_mutex_);
            pending_[id] = report;
        }
        if (!flush_posted_.exchange(true))
            post([this] {
                if (!coalesce_timer_.isActive()) coalesce_timer_.start();
            });
    });
    contexts_[id] = ctx;
    Q_EMIT jobAdded(info);

    QMetaObject::invokeMethod(
        worker_,
        [this, id, ctx, work = std::move(work)] {
            if (ctx->cancelled()) return post([this, id] { finish(id, JobState::Cancelled); });
            post([this, id] {
                auto it = jobs_.find(id);
                if (it == jobs_.end() || it->state != JobState::Queued) return;
                it->state = JobState::Running;
                Q_EMIT jobChanged(*it);
            });
            try {
                work(*ctx);
                post([this, id] { finish(id, JobState::Done); });
            } catch (const Cancelled&) {
                post([this, id] { finish(id, JobState::Cancelled); });
            } catch (const std::exception& e) {
                const QString message = QString::fromStdString(e.what());
                post([this, id, message] { finish(id, JobState::Failed, message); });
            }
        },
        Qt::QueuedConnection);
    return id;
}

void JobQueue::finish(int id, JobState state, const QString& error) {
    auto it = jobs_.find(id);
    if (it == jobs_.end() || isFinished(it->state)) return;  // a queued job cancelled by the user is already final
    flushProgress();                                         // the last report before the final state, never after it
    it->state = state;
    it->error = error;
    if (state == JobState::Done && it->total > 0) it->done = it->total;
    it->eta_s = -1;
    contexts_.erase(id);
    Q_EMIT jobChanged(*it);
    if (!busy()) Q_EMIT idle();
}

void JobQueue::flushProgress() {
    flush_posted_.store(false);
    std::map<int, Progress> reports;
    {
        std::lock_guard lock(pending_mutex_);
        reports.swap(pending_);
    }
    for (const auto& [id, p] : reports) {
        auto it = jobs_.find(id);
        if (it == jobs_.end() || isFinished(it->state)) continue;
        it->stage = QString::fromStdString(p.stage);
        it->done = p.done;
        it->total = p.total;
        it->eta_s = p.eta_s;
        Q_EMIT jobChanged(*it);
    }
}

void JobQueue::cancel(int id) {
    auto it = contexts_.find(id);
    if (it == contexts_.end()) return;
    it->second->cancel();
    JobInfo& info = jobs_[id];
    if (info.state == JobState::Queued) return finish(id, JobState::Cancelled);
    if (info.state == JobState::Running) {
        info.state = JobState::Cancelling;
        Q_EMIT jobChanged(info);
    }
}

void JobQueue::cancelAll() {
    const auto ids = jobs_.keys();
    for (int id : ids) cancel(id);
}

JobInfo JobQueue::job(int id) const { return jobs_.value(id); }
QList<JobInfo> JobQueue::jobs() const { return jobs_.values(); }

bool JobQueue::busy() const {
    for (const JobInfo& j : jobs_)
        if (!isFinished(j.state)) return true;
    return false;
}

void JobQueue::forgetFinished() {
    for (auto it = jobs_.begin(); it != jobs_.end();) it = isFinished(it->state) ? jobs_.erase(it) : std::next(it);
}

}  // namespace basin::gui
