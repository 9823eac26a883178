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

#include <nlohmann/json.hpp>
#include "app_test_support.h"
#include "basin/analysis_defaults.h"
#include "basin/curvature_map.h"
#include "basin/probe.h"
#include "basin/results_store.h"
#include "basin/sampling.h"
#include "basin/stability.h"
#include "basin/study.h"
#include "basin/widgets/compare_view.h"
#include "basin/widgets/contour_view.h"
#include "basin/widgets/dynamics_view.h"
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

class TestAppEndToEndViews : public QObject {
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

    void checkpointsCompareSideBySide() {
        const QString demo = QFileInfo(BASIN_DEMO_STUDY).absolutePath();
        const QString c0 = demo + "/ckpt_0_init.pt", c3 = demo + "/ckpt_3_epoch2.pt", c5 = demo + "/ckpt_5_epoch4.pt";
        EngineController controller;
        controller.setCompareOptions(compareOptions(smallOptions(), surfaceOptions(7, 7, 0.5), 3));
        MainWindow window(&controller);
        window.resize(1400, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        controller.openStudy(study_);
        const int first = controller.runCompare({c0, c5});
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(first).state), kJobTimeoutMs);
        QVERIFY2(controller.job(first).state == JobState::Done, qPrintable(controller.job(first).error));
        QCOMPARE(controller.results()->compare().computed, 2);

        widgets::CompareView* view = window.compareView();
        QCOMPARE(view->count(), 2);
        // One loss scale for both: it spans the lowest and highest loss of either surface.
        const auto shared = view->sharedScale();
        double lo = 1e300, hi = -1e300;
        for (const widgets::SurfacePlotData& s : view->surfaces()) {
            QCOMPARE(int(s.values.size()), 49);
            const auto [a, b] = widgets::finiteRange(s.values);
            QVERIFY(shared[0] <= a && shared[1] >= b);
            lo = std::min(lo, a);
            hi = std::max(hi, b);
        }
        QCOMPARE(shared[0], lo);
        QCOMPARE(shared[1], hi);
        for (int i = 0; i < 2; ++i) QCOMPARE(view->surfaceView(i)->data().value_range.value(), shared);
        // The initial weights sit higher than the trained ones.
        QVERIFY(view->surfaces()[0].values[24] > view->surfaces()[1].values[24]);

        // The table holds each checkpoint's own numbers: the trained one's λmax equals its spectrum alone.
        const std::vector<CheckpointRow> rows = controller.results()->compare().rows;
        QCOMPARE(int(rows.size()), 2);
        QCOMPARE(view->table()->rowCount(), 2);
        QCOMPARE(view->table()->item(1, 0)->text(), QString("ckpt_5_epoch4.pt"));
        EngineController single;
        single.setSpectrumOptions(smallOptions());
        single.openStudy(study_);  // the small demo study's model is ckpt_5_epoch4.pt
        const int alone = single.runSpectrum();
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(single.job(alone).state), kJobTimeoutMs);
        const double lambda_max = rows[1].spectrum.largest->eigenvalues.front();
        const double expected = single.results()->spectrum().result->largest->eigenvalues.front();
        QVERIFY2(std::abs(lambda_max - expected) <= 1e-6 * std::abs(expected),
                 qPrintable(QString("compare %1, alone %2").arg(lambda_max).arg(expected)));
        QCOMPARE(view->table()->item(1, 3)->text(), QString::fromStdString(widgets::formatNumber(lambda_max)));
        QCOMPARE(int(view->spectraView()->data().size()), 2);

        // The path between them, with its barrier stated.
        QCOMPARE(int(view->pathView()->data().t.size()), 3);
        QVERIFY(view->barrierText().startsWith("barrier "));
        QCOMPARE(view->pathView()->data().loss.front(), rows[0].eval.loss);

        // Turning one surface turns the other.
        window.tabs()->setCurrentWidget(view->parentWidget());
        QTest::qWait(50);
        widgets::SurfaceView* right = view->surfaceView(1);
        const auto before = view->surfaceView(0)->camera();
        QTest::mousePress(right, Qt::LeftButton, {}, QPoint(100, 80));
        for (int i = 1; i <= 8; ++i) QTest::mouseMove(right, QPoint(100 + 8 * i, 80 + 2 * i));
        QTest::mouseRelease(right, Qt::LeftButton, {}, QPoint(164, 96));
        const auto left_after = view->surfaceView(0)->camera(), right_after = right->camera();
        QVERIFY(std::abs(left_after.position[0] - before.position[0]) > 1e-6);
        for (int k = 0; k < 3; ++k) QCOMPARE(left_after.position[k], right_after.position[k]);
        window.grab().save(QString(BASIN_TEST_OUT_DIR) + "/compare_tab.png");

        // Literally the same directions: those planned at the first checkpoint, so its surface is
        // the one above and the second's differs from its own-normalised one.
        const std::vector<widgets::SurfacePlotData> own = view->surfaces();
        controller.setCompareOptions(compareOptions(smallOptions(), surfaceOptions(7, 7, 0.5), 0, true));
        const int same = controller.runCompare({c0, c5});
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(same).state), kJobTimeoutMs);
        QVERIFY2(controller.job(same).state == JobState::Done, qPrintable(controller.job(same).error));
        QCOMPARE(view->surfaces()[0].values, own[0].values);
        QVERIFY(view->surfaces()[1].values != own[1].values);
        QCOMPARE(view->surfaces()[1].values[24], own[1].values[24]);  // the centre: the checkpoint itself
        controller.setCompareOptions(compareOptions(smallOptions(), surfaceOptions(7, 7, 0.5), 3));
        controller.runCompare({c0, c5});  // back to the first comparison: stored in the study
        QTRY_VERIFY_WITH_TIMEOUT(!controller.busy(), kJobTimeoutMs);
        QCOMPARE(controller.results()->compare().computed, 0);

        // A third checkpoint computes only the third.
        controller.setCompareOptions(compareOptions(smallOptions(), surfaceOptions(7, 7, 0.5), 0));
        const int second = controller.runCompare({c0, c3, c5});
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(second).state), kJobTimeoutMs);
        QVERIFY2(controller.job(second).state == JobState::Done, qPrintable(controller.job(second).error));
        QCOMPARE(controller.results()->compare().computed, 1);
        QCOMPARE(view->count(), 3);
        QCOMPARE(view->table()->rowCount(), 3);
        QCOMPARE(checkpointRowJson(controller.results()->compare().rows[0]), checkpointRowJson(rows[0]));

        // Exports: the figure, the table.
        QTemporaryDir out;
        QCOMPARE(window.exportCurrentView(out.filePath("c.png"), QSize(1500, 900)), QString());
        QCOMPARE(QImage(out.filePath("c.png")).size(), QSize(1500, 900));
        QCOMPARE(window.exportCurrentView(out.filePath("c.csv")), QString());
        QCOMPARE(readLines(out.filePath("c.csv")).size(), 4);
    }

    void renderAndTheGuiExportMakeTheSameFigure() {
        // The GUI's default surface of the small demo, exported as a PNG...
        EngineController controller;
        MainWindow window(&controller);
        controller.openStudy(study_);
        const int id = controller.runSurface();
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(id).state), kJobTimeoutMs);
        QVERIFY2(controller.job(id).state == JobState::Done, qPrintable(controller.job(id).error));
        window.tabs()->setCurrentIndex(1);
        // Kept in the build folder, to be looked at when they differ.
        const QString gui = QString(BASIN_TEST_OUT_DIR) + "/render_gui.png",
                      cli = QString(BASIN_TEST_OUT_DIR) + "/render_cli.png";
        QCOMPARE(window.exportCurrentView(gui, QSize(900, 600)), QString());
        // ...and basin-cli render of the same study and views, without a window.
        QProcess render;
        render.start(BASIN_CLI, {"render", study_, "--view", "surface,contour", "--width", "900", "--out", cli});
        QVERIFY(render.waitForFinished(kJobTimeoutMs));
        QVERIFY2(render.exitCode() == 0, render.readAllStandardError().constData());
        const QImage a(gui), b(cli);
        QCOMPARE(a.size(), QSize(900, 600));
        QCOMPARE(b.size(), QSize(900, 600));
        const double diff = meanAbsoluteDifference(a, b);
        qInfo("GUI export against basin-cli render: mean |difference| %.4f of 255", diff);
        QVERIFY2(diff >= 0 && diff < 0.5, qPrintable(QString::number(diff)));
        // Both wrote their settings beside the figure.
        QVERIFY(QFileInfo::exists(gui + ".json") && QFileInfo::exists(cli + ".json"));
    }

    void aCurvatureMapColoursTheSurfaceAndAClickOnTheMapProbesThere() {
        // 64 of the demo's samples, a 3 x 3 map and a small spectrum: every part, quickly.
        {
            QFile f(study_);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QJsonObject study = QJsonDocument::fromJson(f.readAll()).object();
            f.close();
            study["samples"] = 64;
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(QJsonDocument(study).toJson());
        }
        EngineController controller;
        CurvatureMapOptions map;
        map.surface = surfaceOptions(3, 3, 0.5);
        map.curvature.tol = 1e-2;
        map.curvature.max_hvp = 12;
        controller.setCurvatureMapOptions(map);
        SpectrumOptions spectrum;
        spectrum.eigen.top_k = 2;
        spectrum.eigen.which = Which::Both;
        spectrum.eigen.tol = 1e-2;
        spectrum.eigen.max_hvp = 12;
        ProbeOptions probe;
        probe.spectrum = spectrum;
        controller.setProbeOptions(probe);
        MainWindow window(&controller);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        controller.openStudy(study_);
        const int id = controller.runCurvatureMap();
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(id).state), kJobTimeoutMs);
        QVERIFY2(controller.job(id).state == JobState::Done, qPrintable(controller.job(id).error));
        const auto grid = controller.results()->curvatureMap().result;
        QVERIFY(grid && grid->complete() && grid->curvature);
        QCOMPARE(controller.results()->shownSurface().result, grid);
        // The engine's numbers, bit for bit, from an objective opened afresh.
        {
            auto objective = Objective::open(loadStudy(study_.toStdString()));
            CurvatureMapOptions o = map;
            o.seed = o.surface.seed = 0;
            const SurfaceGrid engine = computeCurvatureMap(objective, o);
            QCOMPARE(grid->curvature->lambda_max, engine.curvature->lambda_max);
            QCOMPARE(grid->curvature->lambda_min, engine.curvature->lambda_min);
            QCOMPARE(grid->loss, engine.loss);
        }
        // Coloured by λmax, then λmin: the map from above redraws with the field chosen.
        widgets::SurfacePanel* panel = window.surfacePanel();
        QCOMPARE(panel->colourBy(), QString());
        panel->setColourBy("lambda_max");
        QCPColorMapData* cells = panel->contourView()->colorMap()->data();
        for (int k = 0; k < 9; ++k) QCOMPARE(cells->cell(k % 3, k / 3), grid->curvature->lambda_max[std::size_t(k)]);
        panel->setColourBy("lambda_min");
        for (int k = 0; k < 9; ++k) QCOMPARE(cells->cell(k % 3, k / 3), grid->curvature->lambda_min[std::size_t(k)]);
        QCOMPARE(panel->surfaceView()->data().colour_by, std::string("lambda_min"));
        QVERIFY(panel->surfaceView()->problem().isEmpty());
        window.tabs()->setCurrentIndex(1);
        QTest::qWait(50);
        window.grab().toImage().save(QString(BASIN_TEST_OUT_DIR) + "/curvature_map_tab.png");
        // The map's exports carry its fields.
        QTemporaryDir out;
        QCOMPARE(window.exportCurrentView(out.filePath("m.csv")), QString());
        QVERIFY(readLines(out.filePath("m.csv")).front().contains("lambda_max,lambda_min,ratio"));

        // A click on the map from above probes there: a job at the clicked point (within a cell).
        QCustomPlot* plot = panel->contourView()->plot();
        const QPoint at(int(plot->xAxis->coordToPixel(0.25)), int(plot->yAxis->coordToPixel(-0.25)));
        QTest::mouseClick(plot, Qt::LeftButton, {}, at);
        QTRY_VERIFY(idOf(controller, JobKind::Probe) != 0);
        QCOMPARE(int(controller.results()->probes().size()), 1);
        const ProbeEntry asked = controller.results()->probes().front();
        QVERIFY(std::abs(asked.x - 0.25) < 0.25 && std::abs(asked.y + 0.25) < 0.25);  // cells are 0.5 wide
        QCOMPARE(int(panel->contourView()->data().probes.size()), 1);  // marked at once, before it is computed
        const int probe_id = idOf(controller, JobKind::Probe);
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(probe_id).state), kJobTimeoutMs);
        QVERIFY2(controller.job(probe_id).state == JobState::Done, qPrintable(controller.job(probe_id).error));
        const auto result = controller.results()->probes().front().result;
        QVERIFY(result);
        QCOMPARE(result->x, asked.x);
        QCOMPARE(result->directions_key, grid->directions_key);  // on the plane shown
        QCOMPARE(int(panel->surfaceView()->data().probes.size()), 1);
        // Beside the centre's spectrum in the Spectrum tab, named by its coordinates.
        const auto& overlays = window.spectrumView()->overlays();
        QCOMPARE(int(overlays.size()), 1);
        QVERIFY(overlays.front().title.rfind("probe at (", 0) == 0);
        QCOMPARE(overlays.front().top_eigenvalues.front(), result->spectrum.largest->eigenvalues.front());
        // The Surface tab with the probe marked and the Spectrum tab with its overlay, at the two
        // window sizes people use, kept in the build folder to be looked at.
        for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
            window.resize(size);
            for (int tab : {0, 1}) {
                window.tabs()->setCurrentIndex(tab);
                QTest::qWait(200);
                window.grab().save(QString(BASIN_TEST_OUT_DIR) + QString("/%1_probe_%2x%3.png")
                                                                     .arg(tab == 0 ? "spectrum" : "surface")
                                                                     .arg(size.width())
                                                                     .arg(size.height()));
            }
        }
        {
            auto objective = Objective::open(loadStudy(study_.toStdString()));
            ProbeOptions o = probe;
            o.directions = grid->options;
            o.x = asked.x;
            o.y = asked.y;
            QCOMPARE(computeProbe(objective, o).spectrum.largest->eigenvalues, result->spectrum.largest->eigenvalues);
        }
        // Stored in the study like every result: asked again, nothing is computed.
        const int64_t products = controller.productsComputed();
        const int again = controller.runProbe(asked.x, asked.y);
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(again).state), kJobTimeoutMs);
        QCOMPARE(controller.productsComputed(), products);
        QCOMPARE(int(controller.results()->probes().size()), 2);
        QCOMPARE(controller.results()->probes().back().state, ResultState::Stored);
        // Each probe is cancellable; one cancelled is no longer shown as coming.
        const int cancelled = controller.runProbe(-0.25, 0.25);
        QCOMPARE(int(controller.results()->probes().size()), 3);
        controller.cancel(cancelled);
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(cancelled).state), kJobTimeoutMs);
        QCOMPARE(controller.job(cancelled).state, JobState::Cancelled);
        QCOMPARE(int(controller.results()->probes().size()), 2);

        // Reopened in a new window, the study shows its stored map and probe at once: nothing of
        // them is computed (the spectrum and surface the window opens with are, with small options).
        EngineController again_controller;
        again_controller.setCurvatureMapOptions(map);
        again_controller.setProbeOptions(controller.probeOptions());  // the plane the click probed
        again_controller.setSpectrumOptions(spectrum);
        again_controller.setSurfaceOptions(map.surface);
        MainWindow reopened(&again_controller);
        reopened.resize(1280, 800);
        reopened.show();
        QVERIFY(QTest::qWaitForWindowExposed(&reopened));
        reopened.openAndAnalyse(study_);
        QTRY_VERIFY_WITH_TIMEOUT(!again_controller.busy() && again_controller.results()->curvatureMap().result,
                                 kJobTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!again_controller.busy(), kJobTimeoutMs);
        const auto& shown = again_controller.results()->curvatureMap();
        QCOMPARE(shown.state, ResultState::Stored);
        QCOMPARE(shown.result->curvature->lambda_max, grid->curvature->lambda_max);
        QCOMPARE(int(again_controller.results()->probes().size()), 1);
        const ProbeEntry kept = again_controller.results()->probes().front();
        QCOMPARE(kept.state, ResultState::Stored);
        QCOMPARE(kept.x, asked.x);
        QCOMPARE(kept.y, asked.y);
        QCOMPARE(kept.result->spectrum.largest->eigenvalues, result->spectrum.largest->eigenvalues);
        QCOMPARE(int(reopened.surfacePanel()->contourView()->data().probes.size()), 1);
        reopened.tabs()->setCurrentIndex(1);
        QTest::qWait(200);
        reopened.grab().save(QString(BASIN_TEST_OUT_DIR) + "/reopened_curvature_map_1280x800.png");
        for (const JobInfo& j : again_controller.jobs())  // shown by the open job: no map or probe job ran
            QVERIFY2(j.kind != JobKind::CurvatureMap && j.kind != JobKind::Probe, qPrintable(j.title));

        // Another plane (biases and BatchNorm moved too) is other options: neither is shown. (A wider
        // range alone would still show the probe: its key is the plane and the point, not the grid.)
        EngineController other_controller;
        CurvatureMapOptions wider = map;
        wider.surface = surfaceOptions(3, 3, 0.75);
        wider.surface.ignore = IgnoreMode::None;
        other_controller.setCurvatureMapOptions(wider);
        other_controller.setProbeOptions(controller.probeOptions());
        other_controller.setSpectrumOptions(spectrum);
        other_controller.setSurfaceOptions(wider.surface);
        MainWindow other(&other_controller);
        other.openAndAnalyse(study_);
        QTRY_VERIFY_WITH_TIMEOUT(!other_controller.busy(), kJobTimeoutMs);
        QTest::qWait(50);
        QTRY_VERIFY_WITH_TIMEOUT(!other_controller.busy(), kJobTimeoutMs);
        QVERIFY(!other_controller.results()->curvatureMap().result);
        QCOMPARE(int(other_controller.results()->probes().size()), 0);
    }

    void theDynamicsTabPlotsTheEnginesNumbersAndReopensStored() {
        // Two demo checkpoints with the training script's SGD (η = 0.05, β = 0.9) typed in the
        // study's options, few products: the test checks the plumbing, not the estimates.
        const QString demo = QFileInfo(BASIN_DEMO_STUDY).absolutePath();
        const QString c0 = demo + "/ckpt_0_init.pt", c5 = demo + "/ckpt_5_epoch4.pt";
        {
            QFile f(study_);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QJsonObject study = QJsonDocument::fromJson(f.readAll()).object();
            f.close();
            study["checkpoints"] = QJsonArray{c0, c5};
            study["options"] = QJsonObject{
                {"stability", QJsonObject{{"lr", 0.05}, {"momentum", 0.9}, {"tol", 1e-2}, {"max_hvp", 10}}},
                {"batch-scaling",
                 QJsonObject{{"sizes", QJsonArray{16, 64}}, {"batches", 2}, {"tol", 1e-2}, {"max_hvp", 8}}},
                {"batch-spectra",
                 QJsonObject{
                     {"batch_size", 16}, {"batches", 3}, {"top", 2}, {"tol", 1e-2}, {"max_hvp", 10}, {"bins", 8}}},
                {"resample",
                 QJsonObject{{"resamples", 3}, {"subsample", 64}, {"tol", 1e-2}, {"max_hvp", 8}, {"probes", 4}}}};
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(QJsonDocument(study).toJson());
        }
        EngineController controller;
        MainWindow window(&controller);
        window.show();
        const int opened = controller.openStudy(study_);
        // Asked for once the study is open, as a user does: the resampling's title then says its cost.
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(opened).state), kJobTimeoutMs);
        const int st = controller.runStability();
        const int bs = controller.runBatchScaling();
        const int sp = controller.runBatchSpectra();
        const int rs = controller.runResample();
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(controller.job(rs).state), kJobTimeoutMs);
        for (const int id : {st, bs, sp, rs})
            QVERIFY2(controller.job(id).state == JobState::Done, qPrintable(controller.job(id).error));
        const auto table = controller.results()->stability().result;
        const auto scaling = controller.results()->batchScaling().result;
        QVERIFY(table && scaling);
        QCOMPARE(int(table->rows.size()), 2);
        QCOMPARE(int(controller.results()->stability().state), int(ResultState::Computed));

        // The engine alone, on the same checkpoint with the same options: the plotted numbers are its.
        const StudySpec spec = loadStudy(study_.toStdString());
        Objective first = Objective::open(spec, c0.toStdString());
        const StabilityInput in{c0.toStdString(), ""};
        const StabilityRow alone = computeStability(first, stabilityOptimizer(first, in, *studyStabilityOptions(spec)),
                                                    *studyStabilityOptions(spec));
        QCustomPlot* plot = window.dynamicsView()->stabilityPlot();
        QCOMPARE(plot->graph(0)->data()->size(), 2);
        const double shown = plot->graph(0)->data()->at(0)->value;
        QVERIFY2(std::abs(shown - alone.lambda_max) <= 1e-9 * alone.lambda_max,
                 qPrintable(QString("tab %1, engine %2").arg(shown, 0, 'g', 17).arg(alone.lambda_max, 0, 'g', 17)));
        QCOMPARE(plot->graph(0)->data()->at(1)->value, table->rows[1].sharpness);
        QCOMPARE(plot->graph(1)->data()->at(0)->value, (2 + 2 * 0.9) / 0.05);  // the threshold line: (2 + 2β)/η
        QCOMPARE(table->rows[1].threshold, (2 + 2 * 0.9) / 0.05);
        Objective whole = Objective::open(spec);
        const BatchScalingResult again = computeBatchScaling(whole, *studyBatchScalingOptions(spec));
        QCustomPlot* bplot = window.dynamicsView()->scalingPlot();
        for (int i = 0; i < 2; ++i)
            QVERIFY(std::abs(bplot->graph(0)->data()->at(i)->value - again.rows[size_t(i)].mean) <=
                    1e-9 * again.rows[size_t(i)].mean);
        QCOMPARE(bplot->graph(1)->data()->at(0)->value, scaling->full_lambda_max);
        QVERIFY(bplot->graph(2)->name().contains(QString::number(scaling->slope, 'f', 3)));

        checkSpectraAndResampling(controller, window, spec, {c0, c5});

        QTemporaryDir out;
        window.tabs()->setCurrentWidget(window.dynamicsView()->parentWidget());
        QCOMPARE(window.exportCurrentView(out.filePath("d.json")), QString());
        const auto j = nlohmann::json::parse(readAll(out.filePath("d.json")).toStdString());
        QCOMPARE(j["stability"].dump(), nlohmann::json::parse(stabilityJson(*table)).dump());
        QCOMPARE(j["batch_scaling"]["full_lambda_max"].get<double>(), scaling->full_lambda_max);
        QCOMPARE(j["batch_spectra"].size(), size_t(2));
        QCOMPARE(j["batch_spectra"][1].dump(),
                 nlohmann::json::parse(batchSpectraJson(controller.results()->batchSpectra().result->at(1))).dump());
        QCOMPARE(j["resample"]["trace"]["full"].get<double>(), controller.results()->resample().result->trace->full);
        QCOMPARE(window.exportCurrentView(out.filePath("d.csv")), QString());
        QVERIFY(readLines(out.filePath("d.csv")).size() > 12);
        QCOMPARE(window.exportCurrentView(out.filePath("d.png"), QSize(1400, 600)), QString());
        QCOMPARE(QImage(out.filePath("d.png")).size(), QSize(1400, 600));
        QCOMPARE(window.exportCurrentView(out.filePath("d.svg")), QString());
        for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
            window.resize(size);
            QTest::qWait(200);
            window.grab().save(QString(BASIN_TEST_OUT_DIR) +
                               QString("/dynamics_%1x%2.png").arg(size.width()).arg(size.height()));
        }

        // Reopened: both shown as stored, nothing computed; basin-cli render draws the stored results.
        EngineController second;
        MainWindow second_window(&second);
        second.openStudy(study_);
        second.runStability();
        second.runBatchScaling(EngineController::Stale::Show);
        second.runBatchSpectra();
        const int r2 = second.runResample(EngineController::Stale::Show);
        QTRY_VERIFY_WITH_TIMEOUT(isFinished(second.job(r2).state), kJobTimeoutMs);
        QCOMPARE(second.productsComputed(), int64_t(0));
        QCOMPARE(int(second.results()->stability().state), int(ResultState::Stored));
        QCOMPARE(int(second.results()->batchScaling().state), int(ResultState::Stored));
        QCOMPARE(int(second.results()->batchSpectra().state), int(ResultState::Stored));
        QCOMPARE(int(second.results()->resample().state), int(ResultState::Stored));
        QCOMPARE(second.results()->resample().result->lambda_max->values,
                 controller.results()->resample().result->lambda_max->values);
        QCOMPARE(second_window.dynamicsView()->stabilityPlot()->graph(0)->data()->at(0)->value, shown);
        QProcess render;
        render.start(BASIN_CLI, {"render", study_, "--view", "stability,batch-scaling,batch-spectra,resample", "--out",
                                 out.filePath("r.png")});
        QVERIFY(render.waitForFinished(kJobTimeoutMs));
        const QString err = render.readAllStandardError();
        QVERIFY2(render.exitCode() == 0, qPrintable(err));
        for (const char* analysis : {"stability", "batch-scaling", "batch-spectra", "resample"})
            QVERIFY2(err.contains(QString("using the %1 result stored").arg(analysis)), qPrintable(err));
        QVERIFY(QFileInfo(out.filePath("r.png")).size() > 1000);
    }

    // The per-batch spectra and the sampling uncertainty the tab draws are the engine's numbers
    // for the same checkpoints and options; the resampling job said its cost in its title.
    void checkSpectraAndResampling(const EngineController& controller, MainWindow& window, const StudySpec& spec,
                                   const QStringList& checkpoints) {
        const auto set = controller.results()->batchSpectra().result;
        QVERIFY(set);
        QCOMPARE(int(set->size()), checkpoints.size());
        const BatchSpectraOptions so = *studyBatchSpectraOptions(spec);
        std::vector<std::vector<double>> values;
        for (int i = 0; i < checkpoints.size(); ++i) {
            Objective o = Objective::open(spec, checkpoints[i].toStdString());
            const BatchSpectraResult alone = computeBatchSpectra(o, so);
            QCOMPARE(int(set->at(size_t(i)).batches.size()), 3);
            values.emplace_back();
            for (size_t b = 0; b < alone.batches.size(); ++b) {
                QCOMPARE(set->at(size_t(i)).batches[b].samples, alone.batches[b].samples);
                for (size_t k = 0; k < alone.batches[b].largest.size(); ++k) {
                    const double want = alone.batches[b].largest[k], got = set->at(size_t(i)).batches[b].largest[k];
                    QVERIFY2(std::abs(got - want) <= 1e-9 * std::abs(want), qPrintable(QString::number(got - want)));
                    values.back().push_back(got);
                }
            }
        }
        // One step line per checkpoint over the common bins, at the density of each bin.
        const auto common = commonHistograms(values, so.bins);
        QCustomPlot* splot = window.dynamicsView()->spectraPlot();
        QCOMPARE(splot->graphCount(), checkpoints.size());
        for (int i = 0; i < checkpoints.size(); ++i) {
            QCOMPARE(splot->graph(i)->data()->size(), 2 * so.bins);
            for (int b = 0; b < so.bins; ++b)
                QCOMPARE(splot->graph(i)->data()->at(2 * b)->value, common[size_t(i)].density[size_t(b)]);
            QCOMPARE(splot->graph(i)->data()->at(0)->key, common[size_t(i)].edges.front());
            QCOMPARE(splot->graph(i)->data()->at(2 * so.bins - 1)->key, common[size_t(i)].edges.back());
        }

        const auto resampled = controller.results()->resample().result;
        QVERIFY(resampled && resampled->lambda_max && resampled->trace && resampled->second_moment);
        const ResampleOptions ro = *studyResampleOptions(spec);
        Objective whole = Objective::open(spec);
        const ResampleResult alone = computeResample(whole, ro);
        const auto close = [](double got, double want) { return std::abs(got - want) <= 1e-9 * std::abs(want); };
        QCOMPARE(resampled->trace->values.size(), alone.trace->values.size());
        for (size_t r = 0; r < alone.trace->values.size(); ++r)
            QVERIFY(close(resampled->trace->values[r], alone.trace->values[r]));
        QVERIFY(close(resampled->lambda_max->data_error, alone.lambda_max->data_error));
        QCustomPlot* rplot = window.dynamicsView()->resamplePlot();
        QCOMPARE(rplot->graph(0)->data()->size(), 3 * 3);  // 3 subsamples of 3 quantities
        QCOMPARE(rplot->graph(1)->data()->at(0)->value, 100 * ro.target);
        auto* data_bars = qobject_cast<QCPBars*>(rplot->plottable(2));
        auto* estimator_bars = qobject_cast<QCPBars*>(rplot->plottable(3));
        QVERIFY(data_bars && estimator_bars);
        QCOMPARE(data_bars->data()->at(0)->value,
                 resampled->lambda_max->data_error * (100 / std::abs(resampled->lambda_max->full)));
        QCOMPARE(estimator_bars->data()->at(1)->value,
                 resampled->trace->estimator_error * (100 / std::abs(resampled->trace->full)));
        bool titled = false;
        for (const JobInfo& job : controller.jobs())
            if (job.kind == JobKind::Resample)
                titled = job.title.contains(
                    QString("at most %1 H·v").arg(resampleCost(ro, whole.data().samples).max_products));
        QVERIFY(titled);
    }

private:
    QTemporaryDir dir_;
    QString study_;
    int count_ = 0;
};

QTEST_MAIN(TestAppEndToEndViews)
#include "test_app_e2e_views.moc"
