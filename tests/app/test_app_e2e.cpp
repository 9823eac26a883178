// The app end to end: the real window, controller and worker thread on the demo model and data.
#include <qcustomplot.h>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QStatusBar>
#include <QTableWidget>
#include <QtTest>
#include <algorithm>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QProcess>

#include "app_test_support.h"
#include "basin/curvature_map.h"
#include "basin/probe.h"
#include "basin/results_store.h"
#include "basin/widgets/compare_view.h"
#include "basin/widgets/contour_view.h"
#include "basin/widgets/layer_view.h"
#include "basin/widgets/spectrum_math.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/structure_view.h"
#include "basin/widgets/surface_math.h"
#include "basin/widgets/surface_panel.h"
#include "basin/widgets/surface_view.h"
#include "engine_controller.h"
#include "image_compare.h"
#include "jobs_panel.h"
#include "layer_convert.h"
#include "main_window.h"
#include "result_views.h"
#include "spectrum_convert.h"
#include "study_files.h"
#include "study_panel.h"
#include "window_options.h"

using namespace basin;
using namespace basin::gui;
using namespace basin::test;

class TestAppEndToEnd : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);  // recent studies go to a test QSettings, not the user's
        QSettings().remove("recentStudies");
        QVERIFY(dir_.isValid());
    }

    // A fresh copy of the small demo study for each test: results stored by one are not another's.
    void init() {
        study_ = writeSmallDemoStudy(dir_, QString("demo-small-%1.basin.json").arg(++count_));
        QVERIFY(!study_.isEmpty());
    }

    void spectrumFillsTheViewWithTheEngineNumbers() {
        EngineController controller;
        controller.setSpectrumOptions(smallOptions());
        controller.setSurfaceOptions(surfaceOptions(5, 5, 0.5));
        MainWindow window(&controller);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        StallMeter stall([&] {
            const int id = idOf(controller, JobKind::Spectrum);
            return id && controller.job(id).state == JobState::Running;
        });

        window.openAndAnalyse(study_);
        // Opening a study computes its spectrum and a surface without a click.
        QTRY_VERIFY_WITH_TIMEOUT(controller.jobs().size() == 3 && !controller.busy(), kJobTimeoutMs);
        QVERIFY(idOf(controller, JobKind::Surface));
        QVERIFY(controller.results()->surface().result && controller.results()->surface().result->complete());
        for (const JobInfo& j : controller.jobs()) QVERIFY2(j.state == JobState::Done, qPrintable(j.error));

        StudyPanel* study = window.studyPanel();
        QCOMPARE(study->field("parameters"), QString("9,146"));
        QCOMPARE(study->field("samples"), QString("256"));  // the setting, editable
        QCOMPARE(study->field("samples used"), QString("256 of 60,000"));
        QCOMPARE(study->field("loss"), QString("cross_entropy"));
        QVERIFY(study->field("model").endsWith("ckpt_5_epoch4.pt"));
        QVERIFY(study->field("loss value").toDouble() > 0);
        QVERIFY(study->errorText().isEmpty());

        const auto result = controller.results()->spectrum().result;
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
        QVERIFY(view->readoutText().contains(
            QString::fromStdString(widgets::formatNumber(result->largest->eigenvalues[0]))));

        // The readout names how the products were made.
        QVERIFY(!result->hvp.chosen.empty());
        QVERIFY2(view->readoutText().contains(QString::fromStdString("H·v mode  " + result->hvp.chosen)),
                 qPrintable(view->readoutText()));

        const int spectrum_id = idOf(controller, JobKind::Spectrum);
        QCOMPARE(window.jobsPanel()->row(spectrum_id)->stateText(), QString("done"));
        QVERIFY(stall.ticks() > 10);
        qInfo("longest event-loop stall while the spectrum ran: %lld ms over %d ticks", stall.maxGapMs(),
              stall.ticks());
        QVERIFY2(stall.maxGapMs() < 100, qPrintable(QString("GUI thread stalled %1 ms").arg(stall.maxGapMs())));
    }

    void theBulkEdgeMovedByHandRecountsAndExports() {
        EngineController controller;
        controller.setSpectrumOptions(smallOptions());
        const int open = controller.openStudy(study_);
        const int spectrum = controller.runSpectrum();
        MainWindow window(&controller);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));  // the vector exports draw at the view's size
        QTRY_VERIFY_WITH_TIMEOUT(!controller.busy(), kJobTimeoutMs);
        QCOMPARE(controller.job(open).state, JobState::Done);
        QCOMPARE(controller.job(spectrum).state, JobState::Done);
        widgets::SpectrumView* view = window.spectrumView();
        std::vector<double> top = view->data().top_eigenvalues;
        std::sort(top.begin(), top.end(), std::greater<>());
        QVERIFY(top.size() >= 3 && top[1] > top[2]);
        // Between the second and the third largest: exactly two outliers, carrying their share of the trace.
        const double edge = 0.5 * (top[1] + top[2]);
        view->setBulkEdge(edge);
        QCOMPARE(view->data().outlier_count, 2);
        const double share = (top[0] + top[1]) / controller.results()->spectrum().result->trace->mean;
        const QString want = QString("outliers  2 (%1% of trace)").arg(100 * share, 0, 'f', 1);
        QVERIFY2(view->readoutText().contains(want), qPrintable(view->readoutText() + " vs " + want));
        QVERIFY(view->readoutText().contains("(by hand)"));

        // Exports of the spectrum tab: a PNG of the asked size, vectors with their text as text, numbers.
        QTemporaryDir out;
        window.tabs()->setCurrentWidget(view->parentWidget());
        QCOMPARE(window.exportCurrentView(out.filePath("s.png"), QSize(1200, 800)), QString());
        QCOMPARE(QImage(out.filePath("s.png")).size(), QSize(1200, 800));
        QCOMPARE(window.exportCurrentView(out.filePath("s.svg")), QString());
        QFile svg(out.filePath("s.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains(">density</text>"));
        QCOMPARE(window.exportCurrentView(out.filePath("s.pdf")), QString());
        QFile::copy(out.filePath("s.pdf"), QString(BASIN_TEST_OUT_DIR) + "/spectrum_export.pdf");
        QFile pdf(out.filePath("s.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        const QByteArray pdf_bytes = pdf.readAll();
        QVERIFY(pdf_bytes.startsWith("%PDF-"));
        // Qt embeds the font and maps glyphs back to characters: the labels are text, not pixels.
        QVERIFY2(pdf_bytes.contains("/FontDescriptor") && pdf_bytes.contains("/ToUnicode"),
                 qPrintable(QString("%1 bytes, %2 fonts").arg(pdf_bytes.size()).arg(pdf_bytes.count("/Font"))));
        QCOMPARE(window.exportCurrentView(out.filePath("s.csv")), QString());
        QFile csv(out.filePath("s.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray numbers = csv.readAll();
        QVERIFY(numbers.startsWith("series,x,y\n"));
        QVERIFY(numbers.contains("bulk_edge_by_hand," + QByteArray::number(edge, 'g', 17)));
        QCOMPARE(window.exportCurrentView(out.filePath("s.json")), QString());
        // The JSON holds the edge too, with the options the result ran with (not the panel's now).
        const QJsonObject exported = QJsonDocument::fromJson(readAll(out.filePath("s.json"))).object();
        QVERIFY(exported["outliers"].toObject()["manual"].toBool());
        QCOMPARE(exported["outliers"].toObject()["edge"].toDouble(), edge);
        QCOMPARE(exported["outliers"].toObject()["count"].toInt(), 2);
        QCOMPARE(exported["options"].toObject()["top"].toInt(), smallOptions().eigen.top_k);
        QCOMPARE(exported["provenance"].toObject()["analysis"].toString(), QString("spectrum"));
        // The figure's settings name the study and carry the result's provenance.
        const QJsonObject settings = QJsonDocument::fromJson(readAll(out.filePath("s.png.json"))).object();
        QCOMPARE(settings["source"].toString(), study_);
        QCOMPARE(settings["results"].toArray().size(), 1);
        QVERIFY(window.exportCurrentView(out.filePath("s.xyz")).contains("unknown file type"));

        // Stored in the study: reopened, the spectrum comes back with the edge, and nothing is computed.
        controller.results()->flushPending();
        EngineController again;
        again.setSpectrumOptions(smallOptions());
        MainWindow reopened(&again);
        again.openStudy(study_);
        again.runSpectrum();
        QTRY_VERIFY_WITH_TIMEOUT(!again.busy(), kJobTimeoutMs);
        QCOMPARE(again.productsComputed(), int64_t(0));
        QCOMPARE(int(again.results()->spectrum().state), int(ResultState::Stored));
        QVERIFY(reopened.spectrumView()->data().edge_by_hand);
        QCOMPARE(reopened.spectrumView()->data().bulk_edge.value(), edge);
        QCOMPARE(reopened.spectrumView()->data().outlier_count, 2);
    }

    void aReopenedStudyShowsItsStoredResultsWithoutComputing() {
        // The small demo with its labels copied beside it, so that their bytes can change.
        const QString labels = dir_.filePath(QString("labels-%1-idx1-ubyte.gz").arg(count_));
        QVERIFY(QFile::copy("/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz", labels));
        QFile::setPermissions(labels, QFile::ReadOwner | QFile::WriteOwner);
        {
            QFile f(study_);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QJsonObject study = QJsonDocument::fromJson(f.readAll()).object();
            f.close();
            QJsonObject data = study["data"].toObject();
            data["targets"] = labels;
            study["data"] = data;
            study["hvp"] = "exact";
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(QJsonDocument(study).toJson());
        }
        SensitivityOptions layers = windowSensitivityOptions(StudySpec{}, 9146);
        layers.probes = 3;
        layers.eig_max_hvp = 5;
        auto run = [&](EngineController& c, MainWindow& w) {
            c.setSpectrumOptions(smallOptions());
            c.setSurfaceOptions(surfaceOptions(5, 5, 0.5));
            c.setSensitivityOptions(layers);
            w.openAndAnalyse(study_);
            c.runSensitivity(EngineController::Stale::Show);
            QTRY_VERIFY_WITH_TIMEOUT(!c.busy(), kJobTimeoutMs);
            for (const JobInfo& j : c.jobs()) QVERIFY2(j.state == JobState::Done, qPrintable(j.error));
        };
        EngineController first;
        MainWindow first_window(&first);
        run(first, first_window);
        QVERIFY(first.productsComputed() > 0);
        QCOMPARE(first.pointsComputed(), int64_t(25));
        const auto spectrum = first.results()->spectrum().result;
        const auto surface = first.results()->surface().result;
        const auto sensitivity = first.results()->sensitivity().result;

        QElapsedTimer clock;
        clock.start();
        EngineController second;
        MainWindow second_window(&second);
        run(second, second_window);
        qInfo("reopened with its stored spectrum, surface and sensitivity: all views filled in %lld ms",
              clock.elapsed());
        QCOMPARE(second.productsComputed(), int64_t(0));
        QCOMPARE(second.pointsComputed(), int64_t(0));
        QCOMPARE(int(second.results()->spectrum().state), int(ResultState::Stored));
        QCOMPARE(int(second.results()->surface().state), int(ResultState::Stored));
        QCOMPARE(int(second.results()->sensitivity().state), int(ResultState::Stored));
        QCOMPARE(second_window.spectrumView()->data().top_eigenvalues, toPlotData(*spectrum, "").top_eigenvalues);
        QCOMPARE(second_window.surfaceView()->data().values, surface->loss);
        QCOMPARE(second_window.layerView()->eigenvalueBars().front(), sensitivity->groups.front().top_eigenvalue);
        auto bannerOf = [](QWidget* view) { return view->parentWidget()->findChild<ResultBanner*>("resultBanner"); };
        QVERIFY2(bannerOf(second_window.spectrumView())->text().contains("reopened from the study file"),
                 qPrintable(bannerOf(second_window.spectrumView())->text()));

        // The labels' bytes change (the gzip header's time stamp: the same labels, other bytes):
        // the stored results are shown as stale, nothing is computed until asked for.
        {
            QFile f(labels);
            QVERIFY(f.open(QIODevice::ReadWrite));
            f.seek(4);
            f.write(QByteArray("\x01\x02\x03\x04", 4));
        }
        EngineController third;
        MainWindow third_window(&third);
        run(third, third_window);
        QCOMPARE(third.productsComputed(), int64_t(0));
        QCOMPARE(int(third.results()->spectrum().state), int(ResultState::Stale));
        QCOMPARE(int(third.results()->surface().state), int(ResultState::Stale));
        QVERIFY2(bannerOf(third_window.spectrumView())->text().startsWith("STALE"),
                 qPrintable(bannerOf(third_window.spectrumView())->text()));
        const int id = third.runSpectrum();  // asked for: recomputed
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(third.job(id).state), kJobTimeoutMs);
        QVERIFY(third.productsComputed() > 0);
        QCOMPARE(int(third.results()->spectrum().state), int(ResultState::Computed));
        // The labels are the same, so are the numbers.
        QCOMPARE(third.results()->spectrum().result->largest->eigenvalues, spectrum->largest->eigenvalues);
    }

    void theWindowAndBasinCliComputeTheSameBits() {
        {
            QFile f(study_);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QJsonObject study = QJsonDocument::fromJson(f.readAll()).object();
            f.close();
            study["hvp"] = "exact";
            study["seed"] = 4;
            study["options"] =
                QJsonDocument::fromJson(R"({"spectrum": {"top": 3, "which": "both", "trace": "hutchinson",
                "trace_probes": 6, "density": true, "density_probes": 2, "density_steps": 15}})")
                    .object();
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(QJsonDocument(study).toJson());
        }
        EngineController controller;  // no options of its own: the study's
        controller.openStudy(study_);
        const int id = controller.runSpectrum();
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(id).state), kJobTimeoutMs);
        QVERIFY2(controller.job(id).state == JobState::Done, qPrintable(controller.job(id).error));
        const auto window = controller.results()->spectrum().result;
        QCOMPARE(window->options.seed, uint64_t(4));
        QProcess cli;
        cli.start(BASIN_CLI, {"spectrum", "--study", study_, "--json"});
        QVERIFY(cli.waitForFinished(kJobTimeoutMs));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        const SpectrumResult headless = spectrumFromJson(cli.readAllStandardOutput().toStdString(), "basin-cli");
        QCOMPARE(headless.largest->eigenvalues, window->largest->eigenvalues);
        QCOMPARE(headless.smallest->eigenvalues, window->smallest->eigenvalues);
        QCOMPARE(headless.trace->mean, window->trace->mean);
        QCOMPARE(headless.density->values, window->density->values);
        QCOMPARE(toJson(headless.options), toJson(window->options));
    }

    void sensitivityFillsTheLayerViewWithTheEngineNumbers() {
        EngineController controller;
        SensitivityOptions options = windowSensitivityOptions(StudySpec{}, 9146);
        options.probes = 4;  // few probes and products: the test checks the plumbing, not the estimate
        options.eig_max_hvp = 10;
        controller.setSensitivityOptions(options);
        MainWindow window(&controller);
        window.show();
        controller.openStudy(study_);
        const int id = controller.runSensitivity();
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(id).state), kJobTimeoutMs);
        QVERIFY2(controller.job(id).state == JobState::Done, qPrintable(controller.job(id).error));
        const auto result = controller.results()->sensitivity().result;
        QVERIFY(result);
        QCOMPARE(result->options.budget_bytes.value(), 9146.0);  // a quarter of float32
        widgets::LayerView* view = window.layerView();
        std::vector<double> eig, trace;
        for (const GroupSensitivity& g : result->groups) {
            eig.push_back(g.top_eigenvalue);
            trace.push_back(g.mean_trace);
        }
        QCOMPARE(int(eig.size()), 5);  // conv1, bn1, conv2, bn2, fc
        QCOMPARE(view->eigenvalueBars(), eig);
        QCOMPARE(view->traceBars(), trace);
        QCOMPARE(view->layerTable()->rowCount(), 5);
        QCOMPARE(view->layerTable()->item(4, 0)->text(), QString("fc"));
        QCOMPARE(view->data().layers[0].mean_trace_err, result->groups[0].trace_stderr / 80.0);
        QVERIFY(result->proposal);
        // float32, every uniform width, the proposal's measured frontier neighbours and the proposal,
        // largest storage first.
        const int rows = 2 + int(result->uniform.size() + result->frontier_measured.size());
        QCOMPARE(view->precisionTable()->rowCount(), rows);
        QCOMPARE(view->precisionTable()->item(0, 0)->text(), QString("float32"));
        int proposal_row = -1;
        for (int i = 0; i < rows; ++i) {
            if (view->precisionTable()->item(i, 0)->text() == "proposal") proposal_row = i;
            if (i > 0) QVERIFY(view->data().precision[i].size_bytes <= view->data().precision[i - 1].size_bytes);
        }
        QVERIFY(proposal_row > 0);
        QCOMPARE(view->data().precision[proposal_row].loss, result->proposal->eval.loss);

        QTemporaryDir out;
        window.tabs()->setCurrentWidget(view->parentWidget());
        QCOMPARE(window.exportCurrentView(out.filePath("layers.csv")), QString());
        QFile csv(out.filePath("layers.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().count('\n'), 6);  // header + one row per layer
    }

    void structureFillsItsTabWithTheEngineNumbersAndReopensStored() {
        // The study's own structure options (small: the test checks the plumbing, not the
        // estimates), so the window, its reopening and basin-cli render ask for the same result.
        {
            QFile f(study_);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QJsonObject study = QJsonDocument::fromJson(f.readAll()).object();
            f.close();
            study["hvp"] = "exact";
            study["options"] = QJsonObject{{"structure", QJsonObject{{"probes", 4},
                                                                     {"prune", QJsonArray{1, 2}},
                                                                     {"top", 2},
                                                                     {"max_hvp", 12},
                                                                     {"classes", true},
                                                                     {"class_top", 3},
                                                                     {"density_probes", 1},
                                                                     {"density_steps", 4}}}};
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(QJsonDocument(study).toJson());
        }
        EngineController controller;
        MainWindow window(&controller);
        window.show();
        controller.openStudy(study_);
        const int id = controller.runStructure();
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(id).state), kJobTimeoutMs);
        QVERIFY2(controller.job(id).state == JobState::Done, qPrintable(controller.job(id).error));
        const auto result = controller.results()->structure().result;
        QVERIFY(result && result->diag && result->localisation && result->classes && result->blocks && !result->align);
        QCOMPARE(result->options.probes, 4);
        widgets::StructureView* view = window.structureView();
        std::vector<double> saliency;
        for (const StructureEntry& g : result->diag->groups) saliency.push_back(g.saliency);
        QCOMPARE(int(saliency.size()), 5);  // conv1, bn1, conv2, bn2, fc
        QCOMPARE(view->saliencyBars(), saliency);
        QCOMPARE(view->data().localisation.values[0], result->localisation->vectors[0].shares);
        QCOMPARE(view->data().classes.values.size(), size_t(3));
        QCOMPARE(view->data().classes.values[1], result->classes->ggn_overlap[1]);
        QCOMPARE(view->data().blocks[0].full.value(), result->blocks->full[0]);
        QCOMPARE(view->removalTable()->rowCount(), 2);
        QCOMPARE(view->salientTable()->item(0, 0)->text(), QString::fromStdString(result->diag->least_salient[0].name));
        QCOMPARE(view->filledPlots().size(), size_t(4));

        QTemporaryDir out;
        window.tabs()->setCurrentWidget(view->parentWidget());
        QCOMPARE(window.exportCurrentView(out.filePath("s.json")), QString());
        QCOMPARE(readAll(out.filePath("s.json")).toStdString(), structureJson(*result) + "\n");
        QCOMPARE(window.exportCurrentView(out.filePath("s.csv")), QString());
        QVERIFY(readLines(out.filePath("s.csv")).size() > 60);
        QCOMPARE(window.exportCurrentView(out.filePath("s.png"), QSize(1400, 1000)), QString());
        QCOMPARE(QImage(out.filePath("s.png")).size(), QSize(1400, 1000));
        // The tab at the two window sizes people use, kept in the build folder to be looked at.
        for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
            window.resize(size);
            QTest::qWait(200);
            window.grab().save(QString(BASIN_TEST_OUT_DIR) +
                               QString("/structure_%1x%2.png").arg(size.width()).arg(size.height()));
        }

        // Reopened: shown as stored, nothing computed; basin-cli render draws the stored result.
        EngineController second;
        MainWindow second_window(&second);
        second.openStudy(study_);
        const int again = second.runStructure(EngineController::Stale::Show);
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(second.job(again).state), kJobTimeoutMs);
        QCOMPARE(second.productsComputed(), int64_t(0));
        QCOMPARE(int(second.results()->structure().state), int(ResultState::Stored));
        QCOMPARE(second_window.structureView()->saliencyBars(), saliency);
        QProcess render;
        render.start(BASIN_CLI, {"render", study_, "--view", "structure", "--style", "paper-2col", "--out",
                                 out.filePath("r.pdf")});
        QVERIFY(render.waitForFinished(kJobTimeoutMs));
        const QString err = render.readAllStandardError();
        QVERIFY2(render.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains("using the structure result stored"), qPrintable(err));
        QVERIFY(QFileInfo(out.filePath("r.pdf")).size() > 1000);
    }

    void cancelStopsARunningSpectrum() {
        EngineController controller;
        controller.setSpectrumOptions(smallOptions());
        MainWindow window(&controller);
        window.show();
        window.openAndAnalyse(study_);
        const int id = idOf(controller, JobKind::Spectrum);
        QVERIFY(id);
        // Mid-way: the job has reported finished products in some stage.
        QTRY_VERIFY_WITH_TIMEOUT(controller.job(id).state == JobState::Running && controller.job(id).done > 0,
                                 kJobTimeoutMs);
        // While the view has nothing to draw, it says how far the computation is.
        auto* title = qobject_cast<QCPTextElement*>(window.spectrumView()->plot()->plotLayout()->element(0, 0));
        QVERIFY(title);
        QTRY_VERIFY_WITH_TIMEOUT(title->text().replace('\n', ' ').startsWith("Computing the spectrum: "),
                                 kJobTimeoutMs);
        controller.cancel(id);
        QCOMPARE(controller.job(id).state, JobState::Cancelling);
        QCOMPARE(window.jobsPanel()->row(id)->stateText(), QString("cancelling"));
        QTRY_COMPARE_WITH_TIMEOUT(controller.job(id).state, JobState::Cancelled, kJobTimeoutMs);
        QCOMPARE(window.jobsPanel()->row(id)->stateText(), QString("cancelled"));
        QVERIFY(!window.jobsPanel()->row(id)->cancelEnabled());
        QVERIFY(!controller.results()->spectrum().result);
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
        QVERIFY(!controller.results()->spectrum().result);
    }

    void aSurfaceFillsInAndMatchesTheEngineGrid() {
        EngineController controller;
        controller.setSurfaceOptions(surfaceOptions(7, 5, 0.5));
        MainWindow window(&controller);
        window.show();
        controller.openStudy(study_);
        const int id = controller.runSurface();
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(id).state), kJobTimeoutMs);
        QVERIFY2(controller.job(id).state == JobState::Done, qPrintable(controller.job(id).error));
        const auto grid = controller.results()->surface().result;
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
        // The view from above holds the same numbers, its minimum where the engine finds it.
        QCPColorMapData* cells = window.surfacePanel()->contourView()->colorMap()->data();
        QCOMPARE(cells->keySize(), 7);
        for (int j = 0; j < 5; ++j)
            for (int i = 0; i < 7; ++i) QCOMPARE(cells->cell(i, j), grid->loss[std::size_t(j) * 7 + i]);
        QCOMPARE(window.surfacePanel()->contourView()->data().minimum, grid->argminLoss());
        QTemporaryDir out;
        window.tabs()->setCurrentIndex(1);
        for (const char* name : {"g.vts", "g.h5", "g.csv", "g.json"}) {
            QCOMPARE(window.exportCurrentView(out.filePath(name)), QString());
            QVERIFY(QFileInfo(out.filePath(name)).size() > 0);
        }
        QCOMPARE(window.exportCurrentView(out.filePath("g.png"), QSize(1200, 800)), QString());
        QCOMPARE(QImage(out.filePath("g.png")).size(), QSize(1200, 800));
        QCOMPARE(window.surfaceView()->contourCount(), 12);
        // The centre of the grid is the trained model itself: its loss is the study's loss.
        QCOMPARE(QString::number(grid->loss[2 * 7 + 3], 'g', 6), window.studyPanel()->field("loss value"));

        // Drawn inside the real window: the tab's picture holds the colour map's dark end.
        window.tabs()->setCurrentIndex(1);
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

    void aLineIsDrawnAsLossAndAccuracy() {
        EngineController controller;
        SurfaceJobOptions line;
        line.nx = 9;
        line.ny = 1;
        controller.setSurfaceOptions(line);
        MainWindow window(&controller);
        controller.openStudy(study_);
        const int id = controller.runSurface();
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(id).state), kJobTimeoutMs);
        QVERIFY2(controller.job(id).state == JobState::Done, qPrintable(controller.job(id).error));
        const auto grid = controller.results()->surface().result;
        QVERIFY(!grid->is2D());
        QVERIFY(window.surfacePanel()->showsLine());
        const widgets::SurfacePlotData& shown = window.surfacePanel()->lineView()->data();
        QCOMPARE(shown.values, grid->loss);
        QCOMPARE(shown.accuracy, grid->accuracy);
        QCOMPARE(shown.minimum, grid->argminLoss());
    }

    void editedSettingsAreCheckedAppliedAndSaved() {
        QTemporaryDir dir;
        const QString path = dir.filePath("edited.basin.json");
        {
            // The small demo with exact H·v (no time spent choosing a mode): this test is about the
            // panel, so the analyses that follow each open are kept as short as they can be.
            QFile in(study_);
            QVERIFY(in.open(QIODevice::ReadOnly));
            QJsonObject study = QJsonDocument::fromJson(in.readAll()).object();
            study["hvp"] = "exact";
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(QJsonDocument(study).toJson());
        }
        // A result saved before must still be there after the settings are saved.
        Provenance kept;
        kept.analysis = "spectrum";
        kept.key = "feedfacecafebeef";
        storeResult(path.toStdString(), kept, R"({"eigenvalues": [1.5]})");

        EngineController controller;
        SpectrumOptions tiny;  // the top eigenvalue, roughly
        tiny.eigen.top_k = 1;
        tiny.eigen.tol = 0.1;
        tiny.eigen.max_hvp = 8;
        controller.setSpectrumOptions(tiny);
        controller.setSurfaceOptions(surfaceOptions(3, 1, 0.5));  // a 3-point line: the cheapest surface
        MainWindow window(&controller);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openAndAnalyse(path);
        QTRY_VERIFY_WITH_TIMEOUT(controller.jobs().size() == 3 && !controller.busy(), kJobTimeoutMs);
        StudyPanel* panel = window.studyPanel();
        QCOMPARE(panel->field("samples"), QString("256"));
        QCOMPARE(panel->field("batch"), QString("512"));
        QCOMPARE(panel->field("data"), QString("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"));
        QVERIFY(!panel->isModified());
        QVERIFY(panel->fieldErrors().isEmpty());  // a batch larger than the samples runs: a note
        QCOMPARE(panel->fieldNotes().keys(), QStringList{"batch"});
        QCOMPARE(window.studyFiles()->recent().value(0), QFileInfo(path).absoluteFilePath());

        // Typed mistakes are named next to their fields, and Apply waits for them to be corrected.
        auto* apply = panel->findChild<QPushButton*>("study-apply");
        auto* model = panel->findChild<QLineEdit*>("study-model");
        auto* samples = panel->findChild<QLineEdit*>("study-samples");
        QVERIFY(apply && model && samples);
        model->selectAll();
        QTest::keyClicks(model, "ckpt_missing.pt");
        samples->selectAll();
        QTest::keyClicks(samples, "100");
        QCOMPARE(panel->fieldErrors().value("model"), QString("“ckpt_missing.pt” does not exist"));
        QCOMPARE(panel->fieldNotes().value("batch"),
                 QString("Batch size 512 is larger than the 100 samples: they go in one batch of 100"));
        QVERIFY(panel->findChild<QLabel*>("study-model-error")->isVisible());
        QVERIFY(panel->findChild<QLabel*>("study-batch-error")->isVisible());
        QVERIFY(!apply->isEnabled());
        const QString shot = QStringLiteral(BASIN_TEST_OUT_DIR "/study-panel-errors.png");
        QVERIFY(window.grab().save(shot));
        qInfo("the window with the study panel's messages: %s", qPrintable(shot));
        // Saving refuses settings that would not open, and leaves the file alone.
        const QByteArray before = readAll(path);
        QVERIFY(window.studyFiles()->save().startsWith("Not saved"));
        QCOMPARE(readAll(path), before);
        // The Apply shortcut says why it does nothing.
        window.activateWindow();  // the shortcut belongs to the window, which must have the focus
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(samples, Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(window.statusBar()->currentMessage(), QString("Correct the settings marked in red first"));
        QCOMPARE(controller.jobs().size(), 3);

        // Corrected: 128 samples in batches of 64, applied with the keyboard. (The study's own batch
        // of 512 is larger than its 256 samples: the engine takes one batch of 256, the panel says so.)
        panel->revert();
        QVERIFY(panel->fieldErrors().isEmpty());
        panel->setField("samples", "128");
        panel->setField("batch", "64");
        QVERIFY(apply->isEnabled());
        QTest::keyClick(samples, Qt::Key_Return, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(controller.jobs().size() == 6 && !controller.busy(), kJobTimeoutMs);
        for (const JobInfo& j : controller.jobs()) QVERIFY2(j.state == JobState::Done, qPrintable(j.error));
        QCOMPARE(panel->field("samples used"), QString("128 of 60,000"));
        QVERIFY(!panel->isModified());
        QVERIFY(!apply->isEnabled());

        // Saved: the new settings, the old result, the checkpoints and paths as they were.
        QCOMPARE(window.studyFiles()->save(), QString());
        const StudySpec saved = loadStudy(path.toStdString());
        QCOMPARE(saved.samples, int64_t(128));
        QCOMPARE(saved.batch_size, int64_t(64));
        QCOMPARE(saved.data.inputs, std::string("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"));
        QVERIFY(QFileInfo::exists(QString::fromStdString(saved.model)));
        QCOMPARE(findResult(path.toStdString(), "feedfacecafebeef").value().result,
                 std::string(R"({"eigenvalues":[1.5]})"));
        QVERIFY(window.statusBar()->currentMessage().startsWith("Saved "));
    }

    void droppedFilesFillTheStudyOrAreRefused() {
        QTemporaryDir dir;
        EngineController controller;
        MainWindow window(&controller);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto drop = [&](const QString& name) {
            const QString path = dir.filePath(name);
            QFile f(path);
            if (!f.exists() && f.open(QIODevice::WriteOnly)) f.close();
            QMimeData mime;
            mime.setUrls({QUrl::fromLocalFile(path)});
            QDragEnterEvent enter(QPoint(700, 450), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&window, &enter);
            if (!enter.isAccepted()) return false;
            QDropEvent event(QPointF(700, 450), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(&window, &event);
            return true;
        };
        StudyPanel* panel = window.studyPanel();
        QVERIFY(drop("resnet.pt"));
        QCOMPARE(panel->field("model"), dir.filePath("resnet.pt"));
        QVERIFY(drop("train-labels-idx1-ubyte.gz"));
        QCOMPARE(panel->field("targets"), dir.filePath("train-labels-idx1-ubyte.gz"));
        QVERIFY(drop("cifar10.npz"));
        QCOMPARE(panel->field("data"), dir.filePath("cifar10.npz"));
        QVERIFY(window.statusBar()->currentMessage().contains("cifar10.npz as the data"));
        QVERIFY(drop("notes.txt"));
        QVERIFY2(window.statusBar()->currentMessage().startsWith("notes.txt is not a study"),
                 qPrintable(window.statusBar()->currentMessage()));
        QCOMPARE(panel->field("data"), dir.filePath("cifar10.npz"));  // nothing changed
        QVERIFY(controller.jobs().isEmpty());

        // A study dropped is opened.
        const QString copy = dir.filePath("dropped.basin.json");
        QVERIFY(QFile::copy(study_, copy));
        QVERIFY(drop("dropped.basin.json"));
        QCOMPARE(controller.job(idOf(controller, JobKind::Open)).title, QString("Open dropped.basin.json"));
        controller.cancelAll();
        QTRY_VERIFY_WITH_TIMEOUT(!controller.busy(), kJobTimeoutMs);

        // A recent study whose file is gone leaves the list, saying so.
        QSettings().setValue("recentStudies", QStringList{dir.filePath("gone.basin.json")});
        window.studyFiles()->openRecent(dir.filePath("gone.basin.json"));
        QVERIFY(window.studyFiles()->recent().isEmpty());
        QVERIFY2(window.statusBar()->currentMessage().contains("gone.basin.json no longer exists"),
                 qPrintable(window.statusBar()->currentMessage()));
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
        const JobInfo open = controller.job(idOf(controller, JobKind::Open));
        QCOMPARE(open.state, JobState::Failed);
        QVERIFY2(open.error.contains("garbage.pt"), qPrintable(open.error));
        QVERIFY2(window.studyPanel()->errorText().contains("garbage.pt"), qPrintable(window.studyPanel()->errorText()));
        QCOMPARE(window.studyPanel()->field("parameters"), QString());
        // The spectrum queued behind it fails too, saying why, instead of using a stale model.
        const JobInfo spectrum = controller.job(idOf(controller, JobKind::Spectrum));
        QCOMPARE(spectrum.state, JobState::Failed);
        QVERIFY(spectrum.error.contains("No study is open"));
        // ...and its empty plot says so, instead of "Computing the spectrum".
        auto* title = qobject_cast<QCPTextElement*>(window.spectrumView()->plot()->plotLayout()->element(0, 0));
        QVERIFY(title);
        QVERIFY2(title->text().replace('\n', ' ').startsWith("No spectrum: No study is open"),
                 qPrintable(title->text()));
    }

    void aTokenModelShowsItsInputsAndFillsTheSpectrum() {
        // A transformer over int64 token ids (fixture study: float64, exact H*v, 48 sequences).
        const QString study = QString(BASIN_FIXTURE_DIR) + "/token_classifier.basin.json";
        EngineController controller;
        controller.setSpectrumOptions(smallOptions());
        controller.setSurfaceOptions(surfaceOptions(5, 5, 0.5));
        MainWindow window(&controller);
        window.show();
        window.openAndAnalyse(study);
        QTRY_VERIFY_WITH_TIMEOUT(controller.jobs().size() == 3 && !controller.busy(), kJobTimeoutMs);
        for (const JobInfo& j : controller.jobs()) QVERIFY2(j.state == JobState::Done, qPrintable(j.error));
        QCOMPARE(window.studyPanel()->field("inputs"), QString("input_ids: 6 int64"));
        QCOMPARE(window.studyPanel()->field("parameters"), QString("763"));
        const auto result = controller.results()->spectrum().result;
        QVERIFY(result && result->largest);
        QCOMPARE(window.spectrumView()->data().top_eigenvalues.front(), result->largest->eigenvalues.front());
        QFile f(QString(BASIN_FIXTURE_DIR) + "/expected.json");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const double exact = QJsonDocument::fromJson(f.readAll())["token_classifier"]["eigenvalues"][0].toDouble();
        QVERIFY2(std::abs(result->largest->eigenvalues.front() - exact) < 1e-3 * exact,
                 qPrintable(QString("lambda_max %1, exact %2").arg(result->largest->eigenvalues.front()).arg(exact)));
    }

private:
    QTemporaryDir dir_;
    QString study_;
    int count_ = 0;
};

QTEST_MAIN(TestAppEndToEnd)
#include "test_app_e2e.moc"
