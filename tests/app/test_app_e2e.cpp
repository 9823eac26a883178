// The app end to end: the real window, controller and worker thread on the demo model and data.
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <qcustomplot.h>

#include "basin/widgets/spectrum_math.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/surface_view.h"
#include "engine_controller.h"
#include "jobs_panel.h"
#include "main_window.h"
#include "study_panel.h"

using namespace basin;
using namespace basin::gui;

namespace {

constexpr int kJobTimeoutMs = 300000;  // a safety net only; nothing here asserts on speed

// Small enough for a test, still every part of the analysis.
SpectrumOptions smallOptions() {
    SpectrumOptions o;
    o.eigen.top_k = 3;
    o.eigen.which = Which::Both;
    o.density = true;
    o.density_options.probes = 2;
    o.density_options.steps = 20;
    o.trace = true;
    o.trace_options.probes = 10;
    return o;
}

// The demo study as it is, with 256 of its 2,048 samples, so each H·v costs an eighth.
QString writeSmallDemoStudy(const QTemporaryDir& dir) {
    QFile in(BASIN_DEMO_STUDY);
    if (!in.open(QIODevice::ReadOnly)) return {};
    QJsonObject study = QJsonDocument::fromJson(in.readAll()).object();
    const QString demo_dir = QFileInfo(BASIN_DEMO_STUDY).absolutePath();
    study["model"] = demo_dir + "/" + study["model"].toString();
    study.remove("checkpoints");
    study["samples"] = 256;
    const QString path = dir.filePath("demo-small.basin.json");
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly)) return {};
    out.write(QJsonDocument(study).toJson());
    return path;
}

// The longest gap between ticks of a 10 ms timer while `active` holds: how long the GUI thread
// could not answer.
class StallMeter : public QObject {
public:
    explicit StallMeter(std::function<bool()> active) : active_(std::move(active)) {
        timer_.setTimerType(Qt::PreciseTimer);
        timer_.setInterval(10);
        QObject::connect(&timer_, &QTimer::timeout, this, [this] {
            const qint64 now = clock_.elapsed();
            if (active_()) {
                if (last_ >= 0) max_gap_ = std::max(max_gap_, now - last_);
                last_ = now;
                ++ticks_;
            } else {
                last_ = -1;
            }
        });
        clock_.start();
        timer_.start();
    }
    qint64 maxGapMs() const { return max_gap_; }
    int ticks() const { return ticks_; }

private:
    std::function<bool()> active_;
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = -1, max_gap_ = 0;
    int ticks_ = 0;
};

int idOf(const EngineController& c, const QString& kind) {
    for (const JobInfo& j : c.jobs())
        if (j.kind == kind) return j.id;
    return 0;
}

}  // namespace

class TestAppEndToEnd : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        study_ = writeSmallDemoStudy(dir_);
        QVERIFY(!study_.isEmpty());
    }

    void spectrumFillsTheViewWithTheEngineNumbers() {
        EngineController controller;
        controller.setSpectrumOptions(smallOptions());
        MainWindow window(&controller);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        StallMeter stall([&] {
            const int id = idOf(controller, "spectrum");
            return id && controller.job(id).state == JobState::Running;
        });

        window.openAndAnalyse(study_);
        QTRY_VERIFY_WITH_TIMEOUT(controller.jobs().size() == 2 && !controller.busy(), kJobTimeoutMs);
        for (const JobInfo& j : controller.jobs()) QVERIFY2(j.state == JobState::Done, qPrintable(j.error));

        StudyPanel* study = window.studyPanel();
        QCOMPARE(study->field("parameters"), QString("9,146"));
        QCOMPARE(study->field("samples"), QString("256 of 60,000"));
        QCOMPARE(study->field("loss"), QString("cross_entropy"));
        QVERIFY(study->field("model").endsWith("ckpt_5_epoch4.pt"));
        QVERIFY(study->field("loss value").toDouble() > 0);
        QVERIFY(study->errorText().isEmpty());

        const auto result = controller.lastSpectrum();
        QVERIFY(result);
        QVERIFY(result->largest && result->smallest && result->trace && result->density);
        const widgets::SpectrumView* view = window.spectrumView();
        const widgets::SpectrumPlotData& shown = view->data();
        std::vector<double> engine = result->largest->eigenvalues;
        for (double x : result->smallest->eigenvalues)
            if (std::find(engine.begin(), engine.end(), x) == engine.end()) engine.push_back(x);
        QCOMPARE(shown.top_eigenvalues, engine);
        QCOMPARE(view->stemCount(), int(engine.size()));
        QCOMPARE(int(result->largest->eigenvalues.size()), 3);
        QCOMPARE(shown.density_grid, result->density->grid);
        QCOMPARE(shown.density_values, result->density->values);
        QCOMPARE(shown.trace.value(), result->trace->mean);
        QCOMPARE(shown.trace_stderr, result->trace->stderr_);
        QCOMPARE(shown.bulk_edge.value(), result->outliers.edge);
        QCOMPARE(shown.outlier_count, result->outliers.count);
        QCOMPARE(shown.hvp_count, result->hvp_count);
        QVERIFY(view->readoutText().contains(QString::fromStdString(widgets::formatNumber(result->largest->eigenvalues[0]))));

        const int spectrum_id = idOf(controller, "spectrum");
        QCOMPARE(window.jobsPanel()->row(spectrum_id)->stateText(), QString("done"));
        QVERIFY(stall.ticks() > 10);
        qInfo("longest event-loop stall while the spectrum ran: %lld ms over %d ticks", stall.maxGapMs(),
              stall.ticks());
        QVERIFY2(stall.maxGapMs() < 100, qPrintable(QString("GUI thread stalled %1 ms").arg(stall.maxGapMs())));
    }

    void cancelStopsARunningSpectrum() {
        EngineController controller;
        controller.setSpectrumOptions(smallOptions());
        MainWindow window(&controller);
        window.show();
        window.openAndAnalyse(study_);
        const int id = idOf(controller, "spectrum");
        QVERIFY(id);
        // Mid-way: the job has reported finished products in some stage.
        QTRY_VERIFY_WITH_TIMEOUT(controller.job(id).state == JobState::Running && controller.job(id).done > 0,
                                 kJobTimeoutMs);
        // While the view has nothing to draw, it says how far the computation is.
        auto* title = qobject_cast<QCPTextElement*>(window.spectrumView()->plot()->plotLayout()->element(0, 0));
        QVERIFY(title);
        QTRY_VERIFY_WITH_TIMEOUT(title->text().startsWith("Computing the spectrum: "), kJobTimeoutMs);
        controller.cancel(id);
        QCOMPARE(controller.job(id).state, JobState::Cancelling);
        QCOMPARE(window.jobsPanel()->row(id)->stateText(), QString("cancelling"));
        QTRY_COMPARE_WITH_TIMEOUT(controller.job(id).state, JobState::Cancelled, kJobTimeoutMs);
        QCOMPARE(window.jobsPanel()->row(id)->stateText(), QString("cancelled"));
        QVERIFY(!window.jobsPanel()->row(id)->cancelEnabled());
        QVERIFY(!controller.lastSpectrum());
        QVERIFY(window.spectrumView()->data().empty());
        QCOMPARE(window.spectrumView()->stemCount(), 0);
    }

    void aQueuedJobCancelledNeverRuns() {
        EngineController controller;
        controller.setSpectrumOptions(smallOptions());
        const int open = controller.openStudy(study_);
        const int spectrum = controller.runSpectrum();
        controller.cancel(spectrum);
        QCOMPARE(controller.job(spectrum).state, JobState::Cancelled);
        QTRY_VERIFY_WITH_TIMEOUT(!controller.busy(), kJobTimeoutMs);
        QCOMPARE(controller.job(open).state, JobState::Done);
        QCOMPARE(controller.job(spectrum).state, JobState::Cancelled);
        QVERIFY(!controller.lastSpectrum());
    }

    void aSurfaceFillsInAndMatchesTheEngineGrid() {
        EngineController controller;
        controller.setSurfaceOptions({7, 5, 0.5});
        MainWindow window(&controller);
        window.show();
        controller.openStudy(study_);
        const int id = controller.runSurface();
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(id).state), kJobTimeoutMs);
        QVERIFY2(controller.job(id).state == JobState::Done, qPrintable(controller.job(id).error));
        const auto grid = controller.lastSurface();
        QVERIFY(grid);
        QVERIFY(grid->complete());
        const widgets::SurfacePlotData& shown = window.surfaceView()->data();
        QCOMPARE(shown.x, grid->xs);
        QCOMPARE(shown.y, grid->ys);
        QCOMPARE(int(shown.x.size()), 7);
        QCOMPARE(int(shown.y.size()), 5);
        QCOMPARE(shown.values, grid->loss);
        QCOMPARE(shown.x_label, grid->x_label);
        QVERIFY(window.surfaceView()->problem().isEmpty());
        QCOMPARE(window.surfaceView()->contourCount(), 12);
        // The centre of the grid is the trained model itself: its loss is the study's loss.
        QCOMPARE(QString::number(grid->loss[2 * 7 + 3], 'g', 6), window.studyPanel()->field("loss value"));

        // Drawn inside the real window: the tab's picture holds the colour map's dark end.
        auto* tabs = qobject_cast<QTabWidget*>(window.centralWidget());
        QVERIFY(tabs);
        tabs->setCurrentWidget(window.surfaceView());
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QImage picture = window.grab().toImage();
        picture.save(QString(BASIN_TEST_OUT_DIR) + "/surface_tab.png");
        const QImage surface = window.surfaceView()->grabFramebuffer();
        int dark = 0;
        for (int y = 0; y < surface.height(); y += 2)
            for (int x = 0; x < surface.width(); x += 2) {
                const QColor c = surface.pixelColor(x, y);
                if (c.red() < 90 && c.green() < 60 && c.blue() > 60) ++dark;
            }
        QVERIFY2(dark > 100, "the surface tab shows no low-loss (dark) surface");
    }

    void aBrokenModelIsNamedInTheStudyPanel() {
        QTemporaryDir dir;
        const QString model = dir.filePath("garbage.pt");
        QFile bad(model);
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(QByteArray("this is not a TorchScript archive\x01\x02\x03", 38).repeated(20));
        bad.close();
        QFile in(study_);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QJsonObject study = QJsonDocument::fromJson(in.readAll()).object();
        study["model"] = model;
        const QString study_path = dir.filePath("broken.basin.json");
        QFile out(study_path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(study).toJson());
        out.close();

        EngineController controller;
        MainWindow window(&controller);
        window.show();
        window.openAndAnalyse(study_path);
        QTRY_VERIFY_WITH_TIMEOUT(!controller.busy(), kJobTimeoutMs);
        const JobInfo open = controller.job(idOf(controller, "open"));
        QCOMPARE(open.state, JobState::Failed);
        QVERIFY2(open.error.contains("garbage.pt"), qPrintable(open.error));
        QVERIFY2(window.studyPanel()->errorText().contains("garbage.pt"), qPrintable(window.studyPanel()->errorText()));
        QCOMPARE(window.studyPanel()->field("parameters"), QString());
        // The spectrum queued behind it fails too, saying why, instead of using a stale model.
        const JobInfo spectrum = controller.job(idOf(controller, "spectrum"));
        QCOMPARE(spectrum.state, JobState::Failed);
        QVERIFY(spectrum.error.contains("No study is open"));
    }

private:
    QTemporaryDir dir_;
    QString study_;
};

QTEST_MAIN(TestAppEndToEnd)
#include "test_app_e2e.moc"
