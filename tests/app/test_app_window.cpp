// The window as a researcher meets it (issue #19): Apply with another model forgets the old one's
// results everywhere, a failed Apply keeps the open study, Esc in a drop-down is not a cancel,
// quitting with work running asks, the Jobs panel stays bounded, the compare job shows one bar
// over the whole comparison, exports say how they were drawn, and the window comes back as it was.
#include <qcustomplot.h>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QtTest>

#include "app_test_support.h"
#include "basin/objective.h"
#include "basin/provenance.h"
#include "basin/widgets/compare_view.h"
#include "basin/widgets/layer_view.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/surface_panel.h"
#include "basin/widgets/vtk_widget.h"
#include "compare_bar.h"
#include "export_dialog.h"
#include "figure_render.h"
#include "help_text.h"
#include "jobs_panel.h"
#include "layer_options_bar.h"
#include "main_window.h"
#include "study_panel.h"
#include "surface_options_bar.h"
#include "window_options.h"

using namespace basin;
using namespace basin::gui;
using namespace basin::test;

namespace {

// The cheapest analyses that still fill every view.
SpectrumOptions tinySpectrum() {
    SpectrumOptions o;
    o.eigen.top_k = 1;
    o.eigen.tol = 0.1;
    o.eigen.max_hvp = 6;
    o.density = false;
    o.trace = false;
    return o;
}

SensitivityOptions tinyLayers() {
    SensitivityOptions o;
    o.probes = 2;
    o.eig_max_hvp = 3;
    o.bits = {4, 8};
    o.budget_bytes = 0.5 * 4.0 * 9146;
    return o;
}

QString demoFile(const char* name) { return QFileInfo(BASIN_DEMO_STUDY).absolutePath() + "/" + name; }

// The small demo with exact H·v (no time spent choosing a mode) and two checkpoints.
QString writeTinyStudy(const QTemporaryDir& dir, const QString& name) {
    const QString path = writeSmallDemoStudy(dir, name);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    QJsonObject study = QJsonDocument::fromJson(f.readAll()).object();
    f.close();
    study["hvp"] = "exact";
    study["checkpoints"] = QJsonArray{demoFile("ckpt_0_init.pt"), demoFile("ckpt_5_epoch4.pt")};
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return {};
    f.write(QJsonDocument(study).toJson());
    return path;
}

void prepare(EngineController& c) {
    c.setSpectrumOptions(tinySpectrum());
    c.setSurfaceOptions(surfaceOptions(3, 1, 0.5));
    c.setSensitivityOptions(tinyLayers());
    c.setCompareOptions(compareOptions(tinySpectrum(), surfaceOptions(3, 3, 0.5), 0));
}

// Clicks `button_name` of the next modal dialog, once it is shown.
void answerNextDialog(const QString& button_name, bool* seen) {
    QTimer::singleShot(50, [button_name, seen] {
        QWidget* modal = QApplication::activeModalWidget();
        if (!modal) return answerNextDialog(button_name, seen);
        *seen = true;
        if (auto* b = modal->findChild<QPushButton*>(button_name)) b->click();
    });
}

}  // namespace

class TestAppWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // QSettings in a test folder, never the user's
        QSettings().clear();
        QVERIFY(dir_.isValid());
    }
    void cleanup() { QSettings().clear(); }

    void applyWithAnotherModelForgetsEveryTab() {
        const QString study = writeTinyStudy(dir_, "another-model.basin.json");
        EngineController c;
        prepare(c);
        MainWindow w(&c);
        w.show();
        w.openAndAnalyse(study);
        c.runSensitivity();
        c.runCompare({demoFile("ckpt_0_init.pt"), demoFile("ckpt_5_epoch4.pt")});
        QTRY_VERIFY_WITH_TIMEOUT(!c.busy(), kJobTimeoutMs);
        for (const JobInfo& j : c.jobs()) QVERIFY2(j.state == JobState::Done, qPrintable(j.error));
        QVERIFY(!w.layerView()->data().empty());
        QCOMPARE(w.compareView()->table()->rowCount(), 2);
        const auto first_layers = c.results()->sensitivity().result;
        QVERIFY(first_layers->provenance.model == demoFile("ckpt_5_epoch4.pt").toStdString());

        // Another model applied: every tab forgets the old model's results.
        w.studyPanel()->setField("model", demoFile("ckpt_3_epoch2.pt"));
        w.studyPanel()->apply();
        QTRY_VERIFY_WITH_TIMEOUT(!c.busy(), kJobTimeoutMs);
        QVERIFY(c.openStudySpec().model == demoFile("ckpt_3_epoch2.pt").toStdString());
        QVERIFY(!c.results()->sensitivity());
        QVERIFY(w.layerView()->data().empty());
        QCOMPARE(w.layerView()->layerTable()->rowCount(), 0);
        QVERIFY(c.results()->compare().rows.empty());
        QCOMPARE(w.compareView()->table()->rowCount(), 0);
        QVERIFY(w.compareView()->spectraView()->data().empty());
        // The spectrum and surface shown are the new model's.
        QVERIFY(c.results()->spectrum().result->provenance.model == demoFile("ckpt_3_epoch2.pt").toStdString());
        QVERIFY(c.results()->surface().result->provenance.model == demoFile("ckpt_3_epoch2.pt").toStdString());
        // Its own layers, then the first study reopened: its layers are its own again, not the second's.
        c.runSensitivity();
        QTRY_VERIFY_WITH_TIMEOUT(!c.busy(), kJobTimeoutMs);
        QVERIFY(c.results()->sensitivity().result->provenance.model == demoFile("ckpt_3_epoch2.pt").toStdString());
        w.openAndAnalyse(study);
        c.runSensitivity();
        QTRY_VERIFY_WITH_TIMEOUT(!c.busy(), kJobTimeoutMs);
        QCOMPARE(int(c.results()->sensitivity().state), int(ResultState::Stored));
        QCOMPARE(sensitivityJson(*c.results()->sensitivity().result), sensitivityJson(*first_layers));
        QCOMPARE(w.layerView()->eigenvalueBars().front(), first_layers->groups.front().top_eigenvalue);
    }

    void aFailedApplyKeepsTheOpenStudy() {
        const QString study = writeTinyStudy(dir_, "failed-apply.basin.json");
        const QString garbage = dir_.filePath("garbage.pt");
        {
            QFile bad(garbage);
            QVERIFY(bad.open(QIODevice::WriteOnly));
            bad.write(QByteArray("not a TorchScript archive").repeated(40));
        }
        EngineController c;
        prepare(c);
        MainWindow w(&c);
        w.show();
        w.openAndAnalyse(study);
        QTRY_VERIFY_WITH_TIMEOUT(!c.busy(), kJobTimeoutMs);
        StudyPanel* panel = w.studyPanel();
        const QString loss_before = panel->field("loss value");
        const QString model_before = panel->field("model");
        const auto spectrum_before = c.results()->spectrum().result;
        QVERIFY(spectrum_before && !loss_before.isEmpty());

        panel->setField("model", garbage);
        panel->apply();
        QTRY_VERIFY_WITH_TIMEOUT(!c.busy(), kJobTimeoutMs);
        // The engine keeps the study that worked, and so does the window: its numbers, its results.
        QVERIFY(c.openStudySpec().model == demoFile("ckpt_5_epoch4.pt").toStdString());
        QVERIFY2(c.results()->spectrum().result == spectrum_before,
                 qPrintable(QString::fromStdString(
                     c.results()->spectrum().result ? c.results()->spectrum().result->provenance.model : "none")));
        QCOMPARE(w.spectrumView()->data().top_eigenvalues.size(), spectrum_before->largest->eigenvalues.size());
        QCOMPARE(panel->field("loss value"), loss_before);
        QCOMPARE(panel->findChild<QLabel*>("study-state")->text(),
                 QString("Open: failed-apply.basin.json (the settings below did not open)"));
        // The error names the file and says what to do; the failed settings stay to be corrected.
        QVERIFY2(panel->errorText().contains("garbage.pt"), qPrintable(panel->errorText()));
        QVERIFY2(
            panel->errorText().contains("stays open with its results. Correct the settings and Apply again, or Revert"),
            qPrintable(panel->errorText()));
        QCOMPARE(panel->field("model"), QFileInfo(garbage).fileName());  // beside the study: shown relative
        QVERIFY(panel->isModified());
        // Revert brings the open study's settings back.
        auto* revert = panel->findChild<QPushButton*>("study-revert");
        QVERIFY(revert->isEnabled());
        revert->click();
        QCOMPARE(panel->field("model"), model_before);
        QVERIFY(!panel->isModified());
        QCOMPARE(w.windowTitle(), QString("Basin — %1").arg(QString::fromStdString(c.openStudySpec().name)));
    }

    void escapeInADropDownDoesNotCancelAJob() {
        const QString study = writeTinyStudy(dir_, "escape.basin.json");
        EngineController c;
        prepare(c);
        SpectrumOptions long_run = tinySpectrum();
        long_run.eigen.top_k = 5;
        long_run.eigen.tol = 1e-12;
        long_run.eigen.max_hvp = 400;
        c.setSpectrumOptions(long_run);
        MainWindow w(&c);
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        c.openStudy(study);
        const int id = c.runSpectrum();
        QTRY_VERIFY_WITH_TIMEOUT(c.job(id).state == JobState::Running, kJobTimeoutMs);

        // A drop-down open, closed with Esc: the job goes on.
        auto* combo = w.surfaceOptionsBar()->findChild<QComboBox*>();
        w.tabs()->setCurrentIndex(1);
        combo->setFocus();
        combo->showPopup();
        QTRY_VERIFY(combo->view()->isVisible());
        QTest::keyClick(combo->view(), Qt::Key_Escape);
        QTRY_VERIFY(!combo->view()->isVisible());
        QTest::keyClick(combo, Qt::Key_Escape);  // and Esc once more on the closed box, as users do
        QTest::qWait(200);
        QCOMPARE(c.job(id).state, JobState::Running);
        // The menu's cancel is not on Esc.
        auto* cancel_all = w.findChild<QAction*>("cancelAllAction");
        QVERIFY(cancel_all && cancel_all->shortcut() != QKeySequence(Qt::Key_Escape));
        // In the Jobs panel, Esc cancels the job that has the focus.
        JobRow* row = w.jobsPanel()->row(id);
        row->setFocus();
        QTRY_VERIFY(row->hasFocus());
        QTest::keyClick(row, Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(c.job(id).state == JobState::Cancelled, kJobTimeoutMs);
    }

    void quittingWithARunningJobAsks() {
        const QString study = writeTinyStudy(dir_, "quit.basin.json");
        EngineController c;
        prepare(c);
        SpectrumOptions long_run = tinySpectrum();
        long_run.eigen.top_k = 5;
        long_run.eigen.tol = 1e-12;
        long_run.eigen.max_hvp = 400;
        c.setSpectrumOptions(long_run);
        MainWindow w(&c);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.reasonToAskBeforeQuitting().isEmpty());
        c.openStudy(study);
        const int id = c.runSpectrum();
        QTRY_VERIFY_WITH_TIMEOUT(c.job(id).state == JobState::Running, kJobTimeoutMs);
        QVERIFY(w.reasonToAskBeforeQuitting().contains("still running or queued"));

        // Asked, and "Keep working": nothing stops.
        bool asked = false;
        answerNextDialog("quitQuestionStay", &asked);
        QVERIFY(!w.close());
        QVERIFY(asked);
        QVERIFY(w.isVisible());
        QCOMPARE(c.job(id).state, JobState::Running);
        // Unapplied edits are a reason too.
        w.studyPanel()->setField("seed", "99");
        QVERIFY(w.reasonToAskBeforeQuitting().contains("not applied"));
        // "Quit": the window closes and the job is cancelled.
        asked = false;
        answerNextDialog("quitQuestionQuit", &asked);
        QVERIFY(w.close());
        QVERIFY(asked);
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(c.job(id).state), kJobTimeoutMs);
        QCOMPARE(c.job(id).state, JobState::Cancelled);
    }

    void theJobsPanelStaysBoundedAfterFiftyJobs() {
        EngineController c;
        MainWindow w(&c);
        w.resize(1280, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const int dock_before = w.jobsDock()->height();
        JobsPanel* jobs = w.jobsPanel();
        for (int i = 1; i <= 50; ++i) {
            JobInfo j;
            j.id = 1000 + i;
            j.kind = JobKind::Spectrum;
            j.title = QString("job %1").arg(i);
            jobs->addJob(j);
            j.state = i % 10 == 0 ? JobState::Failed : JobState::Done;
            j.error = "failed on purpose";
            jobs->updateJob(j);
        }
        JobInfo running;
        running.id = 2000;
        running.title = "still running";
        running.state = JobState::Running;
        jobs->addJob(running);
        jobs->setHistoryShown(true);
        QApplication::processEvents();
        QCOMPARE(jobs->historyCount(), 50);
        QVERIFY(w.frameGeometry().height() <= 800 + 40);
        QVERIFY2(w.jobsDock()->height() <= dock_before + 2,
                 qPrintable(QString("dock %1 px, was %2").arg(w.jobsDock()->height()).arg(dock_before)));
        QVERIFY(jobs->sizeHint().height() < 200);
        // The rows scroll inside the dock, and the history header says what failed.
        auto* scroll = jobs->findChild<QScrollArea*>("jobsScroll");
        QVERIFY(scroll->verticalScrollBar()->maximum() > 0);
        QVERIFY(jobs->findChild<QToolButton*>("jobsHistoryFold")->text().contains("50 finished jobs, 5 failed"));
        // Cleared: the finished rows go, the running one stays.
        jobs->findChild<QPushButton*>("jobsHistoryClear")->click();
        QCOMPARE(jobs->historyCount(), 0);
        QVERIFY(!jobs->row(1001));
        QVERIFY(jobs->row(2000));
    }

    void compareShowsOneBarOverTheWholeComparison() {
        const QString study = writeTinyStudy(dir_, "compare-progress.basin.json");
        EngineController c;
        prepare(c);
        c.setCompareOptions(compareOptions(tinySpectrum(), surfaceOptions(3, 3, 0.5), 2));
        MainWindow w(&c);
        c.openStudy(study);
        QList<JobInfo> reports;
        connect(&c, &EngineController::jobChanged, this, [&](const JobInfo& j) {
            if (j.kind == JobKind::Compare && j.state == JobState::Running && !j.stage.isEmpty()) reports << j;
        });
        const int id = c.runCompare({demoFile("ckpt_0_init.pt"), demoFile("ckpt_5_epoch4.pt")});
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(c.job(id).state), kJobTimeoutMs);
        QVERIFY2(c.job(id).state == JobState::Done, qPrintable(c.job(id).error));
        QVERIFY(reports.size() >= 3);
        // Two rows, two surfaces and the path: five parts, counted over the whole job, never back.
        qint64 last = 0;
        bool saw_second = false, saw_path = false;
        for (const JobInfo& r : reports) {
            QCOMPARE(r.total, qint64(5));
            QVERIFY(r.done >= last);
            last = r.done;
            saw_second = saw_second || r.stage.startsWith("ckpt_5_epoch4.pt (2 of 2)");
            saw_path = saw_path || r.stage.startsWith("path ckpt_0_init.pt to ckpt_5_epoch4.pt");
        }
        QVERIFY(saw_second && saw_path);
        QCOMPARE(c.job(id).done, qint64(5));
        // The compare bar shows the comparison's own grid (3 x 3 here), not the Surface tab's
        // (a 3-point line); without options of its own, the window's preset of 11 x 11.
        QCOMPARE(w.compareBar()->gridPoints(), 3);
        QCOMPARE(windowCompareOptions(StudySpec{}).surface.nx, 11);
    }

    void exportsSayHowTheyWereDrawn() {
        const QString study = writeTinyStudy(dir_, "exports.basin.json");
        EngineController c;
        prepare(c);
        c.setSurfaceOptions(surfaceOptions(5, 5, 0.5));
        MainWindow w(&c);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.openAndAnalyse(study);
        QTRY_VERIFY_WITH_TIMEOUT(!c.busy(), kJobTimeoutMs);
        QTemporaryDir out;
        // The surface, not turned: FIGURE.json has Basin's default camera, marked as not turned.
        w.tabs()->setCurrentIndex(1);
        QCOMPARE(w.exportCurrentView(out.filePath("s.png"), QSize(900, 400)), QString());
        QJsonObject settings = QJsonDocument::fromJson(readAll(out.filePath("s.png.json"))).object();
        QCOMPARE(settings["source"].toString(), study);
        const QJsonObject camera = settings["camera"].toObject();
        QCOMPARE(camera["position"].toArray().size(), 3);
        QVERIFY(!camera["turned"].toBool());
        // The spectrum on a log density axis: the file says so, as the screen shows it.
        w.tabs()->setCurrentIndex(0);
        w.spectrumView()->setLogDensity(true);
        QCOMPARE(w.exportCurrentView(out.filePath("d.svg")), QString());
        settings = QJsonDocument::fromJson(readAll(out.filePath("d.svg.json"))).object();
        QVERIFY(settings["log_density"].toBool());
        QVERIFY(!settings.contains("camera"));  // no 3D panel, no camera

        // One dialog: format, style and size, remembered for the next export.
        auto dialog = w.makeExportDialog();
        dialog->setFormat("png");
        dialog->setStyle("paper-2col");
        dialog->setPixels(QSize(1400, 600));
        dialog->setPath(out.filePath("one-dialog"));
        const ExportChoice choice = dialog->choice();
        QCOMPARE(choice.path, out.filePath("one-dialog.png"));
        QCOMPARE(choice.size, QSize(1400, 600));
        QCOMPARE(choice.style.name, QString("paper-2col"));
        dialog->remember();
        QCOMPARE(w.exportChosen(choice), QString());
        QCOMPARE(QImage(choice.path).size(), QSize(1400, 600));
        const ExportChoice again = w.makeExportDialog()->choice();
        QCOMPARE(QFileInfo(again.path).suffix(), QString("png"));
        QCOMPARE(QFileInfo(again.path).absolutePath(), QFileInfo(out.filePath("x")).absolutePath());
        QCOMPARE(again.size, QSize(1400, 600));
        QCOMPARE(again.style.name, QString("paper-2col"));
    }

    void theWindowComesBackAsItWasLeft() {
        {
            EngineController c;
            MainWindow w(&c);
            w.resize(1300, 820);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.tabs()->setCurrentIndex(2);
            w.jobsDock()->hide();
            w.spectrumView()->setLogAbsAxis(true);
            w.surfacePanel()->setLogScale(true);
            w.surfacePanel()->setClip(3.5);
            w.surfacePanel()->setColormap("grey");
            QVERIFY(w.close());  // nothing running, nothing edited: closes without a question
        }
        EngineController c;
        MainWindow w(&c);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QCOMPARE(w.size(), QSize(1300, 820));
        QCOMPARE(w.tabs()->currentIndex(), 2);
        QVERIFY(w.jobsDock()->isHidden());
        QVERIFY(w.spectrumView()->logAbsAxis());
        QVERIFY(w.surfacePanel()->logScale());
        QCOMPARE(w.surfacePanel()->clip().value(), 3.5);
        QCOMPARE(w.surfacePanel()->colormapName(), QString("grey"));
        // The View menu brings a closed dock back; Ctrl+1 shows the first tab.
        QAction* jobs_toggle = w.jobsDock()->toggleViewAction();
        jobs_toggle->trigger();
        QVERIFY(!w.jobsDock()->isHidden());
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTest::keyClick(&w, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(w.tabs()->currentIndex(), 0);
    }

    void helpListsTheShortcutsAndTheVersions() {
        EngineController c;
        MainWindow w(&c);
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QTest::keyClick(&w, Qt::Key_F1);
        auto* shortcuts = w.findChild<QDialog*>("shortcutsDialog");
        QVERIFY(shortcuts && shortcuts->isVisible());
        const QString keys = shortcuts->findChild<QTextBrowser*>()->toPlainText();
        for (const char* k : {"Ctrl+R", "Ctrl+L", "Ctrl+Shift+L", "Ctrl+K", "Ctrl+E", "Ctrl+1", "Ctrl+.", "Esc"})
            QVERIFY2(keys.contains(k), k);
        const QString about = aboutHtml();
        QVERIFY(about.contains(QString::fromStdString(basinVersion())));
        QVERIFY(about.contains(QString::fromStdString(torchVersion())));
        QVERIFY(about.contains(qVersion()));
        QVERIFY(about.contains(QString::fromStdString(widgets::vtkVersionText())));
        QStringList menus;
        for (QAction* a : w.menuBar()->actions()) menus << a->text().remove('&');
        QCOMPARE(menus, (QStringList{"File", "Study", "Analysis", "View", "Help"}));
    }

private:
    static QByteArray readAll(const QString& path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    QTemporaryDir dir_;
};

QTEST_MAIN(TestAppWindow)
#include "test_app_window.moc"
