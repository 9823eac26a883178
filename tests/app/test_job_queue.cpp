// The window's job queue, with fake work in milliseconds: order, states, coalesced progress,
// cancel of a queued and of a running job, failures kept, idle.
#include <QSignalSpy>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <thread>

#include "basin/error.h"
#include "job_queue.h"

using namespace basin;
using namespace basin::gui;

class TestJobQueue : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jobsRunInOrderAndTheirResultsArriveBeforeTheyAreDone() {
        JobQueue queue(false);
        QStringList events;
        connect(&queue, &JobQueue::jobChanged, this, [&](const JobInfo& j) {
            if (isFinished(j.state)) events << QString("%1 %2").arg(j.title, stateName(j.state));
        });
        QSignalSpy idle(&queue, &JobQueue::idle);
        std::vector<int> ran;
        for (int i = 0; i < 3; ++i)
            queue.enqueue(JobKind::Spectrum, QString("job%1").arg(i), [&, i](JobContext&) {
                ran.push_back(i);  // only the worker touches `ran` until idle
                queue.post([&, i] { events << QString("result%1").arg(i); });
            });
        QCOMPARE(queue.jobs().size(), 3);
        QVERIFY(queue.busy());
        QTRY_COMPARE(idle.count(), 1);
        QCOMPARE(ran, (std::vector<int>{0, 1, 2}));
        QCOMPARE(events, (QStringList{"result0", "job0 done", "result1", "job1 done", "result2", "job2 done"}));
        QVERIFY(!queue.busy());
        queue.forgetFinished();
        QVERIFY(queue.jobs().isEmpty());
    }

    void progressIsCoalesced() {
        JobQueue queue(false);
        int changes = 0;
        JobInfo last;
        connect(&queue, &JobQueue::jobChanged, this, [&](const JobInfo& j) {
            ++changes;
            last = j;
        });
        const auto t0 = std::chrono::steady_clock::now();
        const int id = queue.enqueue(JobKind::Surface, "busy", [](JobContext& job) {
            job.stage("points", 200000);
            for (int i = 1; i <= 200000; ++i) job.step(i);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        });
        QTRY_VERIFY(isFinished(queue.job(id).state));
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        // 200,000 reports become at most one change per 40 ms (plus running and done).
        QVERIFY2(changes <= int(ms / 40) + 4, qPrintable(QString("%1 changes in %2 ms").arg(changes).arg(ms)));
        QCOMPARE(last.state, JobState::Done);
        QCOMPARE(last.done, qint64(200000));
        QCOMPARE(last.stage, QString("points"));
    }

    void aQueuedJobCancelledNeverRunsAndARunningOneStops() {
        JobQueue queue(false);
        std::atomic<bool> started{false}, second_ran{false};
        const int first = queue.enqueue(JobKind::Spectrum, "long", [&](JobContext& job) {
            started = true;
            for (int i = 1;; ++i) {
                job.step(i);  // throws Cancelled once cancelled
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
        const int second = queue.enqueue(JobKind::Surface, "never", [&](JobContext&) { second_ran = true; });
        queue.cancel(second);
        QCOMPARE(queue.job(second).state, JobState::Cancelled);  // at once
        QTRY_VERIFY(started.load());
        QTRY_COMPARE(queue.job(first).state, JobState::Running);
        queue.cancel(first);
        QCOMPARE(queue.job(first).state, JobState::Cancelling);
        QTRY_COMPARE(queue.job(first).state, JobState::Cancelled);
        QVERIFY(!queue.busy());
        QVERIFY(!second_ran.load());
        queue.cancel(first);  // a finished job: nothing happens
        QCOMPARE(queue.job(first).state, JobState::Cancelled);
    }

    void aFailureKeepsItsMessage() {
        JobQueue queue(false);
        const int id =
            queue.enqueue(JobKind::Open, "open", [](JobContext&) { throw Error("m.pt", "not a TorchScript file"); });
        QTRY_VERIFY(isFinished(queue.job(id).state));
        QCOMPARE(queue.job(id).state, JobState::Failed);
        QCOMPARE(queue.job(id).error, QString("m.pt: not a TorchScript file"));
        QCOMPARE(queue.job(id).kind, JobKind::Open);
        QCOMPARE(kindName(queue.job(id).kind), QString("open"));
    }
};

QTEST_GUILESS_MAIN(TestJobQueue)
#include "test_job_queue.moc"
