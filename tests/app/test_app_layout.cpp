// The window at 1280 x 800 and 1920 x 1080 with every view filled: no title, axis label, legend
// entry, label or button is cut or runs into its neighbour, and Compare's checkpoint list shows
// every checkpoint. Screenshots of each tab are kept in the build folder to be looked at.
#include <QApplication>
#include <QDockWidget>
#include <QTabWidget>
#include <QtTest>
#include <cmath>

#include "app_test_support.h"
#include "basin/widgets/compare_view.h"
#include "basin/widgets/dynamics_view.h"
#include "basin/widgets/layer_view.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/structure_view.h"
#include "basin/widgets/surface_panel.h"
#include "basin/widgets/surface_view.h"
#include "compare_bar.h"
#include "jobs_panel.h"
#include "layout_checks.h"
#include "main_window.h"
#include "study_panel.h"

using namespace basin;
using namespace basin::gui;
using namespace basin::test;

namespace {

const std::string kName = "Fashion-MNIST demo CNN (9,146 parameters, BatchNorm)";

widgets::SpectrumPlotData spectrum(const std::string& title, double shift) {
    widgets::SpectrumPlotData d;
    d.title = title;
    d.top_eigenvalues = {17.1 + shift, 9.4, 6.2, 4.8, 3.9, -0.8, -0.3};
    for (int i = 0; i <= 200; ++i) {
        const double x = -2 + 22.0 * i / 200;
        d.density_grid.push_back(x);
        d.density_values.push_back(std::exp(-x * x) + 0.02 * std::exp(-(x - 9) * (x - 9)));
        d.log_density_grid.push_back(-3 + 4.5 * i / 200);
        d.log_density_values.push_back(std::exp(-std::pow(-3 + 4.5 * i / 200 + 1, 2)));
    }
    d.bulk_edge = 5.5;
    d.outlier_count = 3;
    d.trace = 61.2;
    d.trace_stderr = 2.1;
    d.hvp_count = 132;
    d.parameters = 9146;
    d.hvp_mode = "exact-reuse";
    return d;
}

widgets::SurfacePlotData bowl(const std::string& title, double depth) {
    widgets::SurfacePlotData d;
    d.title = title;
    d.x_label = "random direction 1";
    d.y_label = "random direction 2";
    for (int i = 0; i < 21; ++i) d.x.push_back(-1 + 0.1 * i), d.y.push_back(-1 + 0.1 * i);
    for (double y : d.y)
        for (double x : d.x) d.values.push_back(depth + 3 * x * x + 5 * y * y), d.accuracy.push_back(0.9 - 0.1 * x * x);
    d.minimum = 220;
    return d;
}

widgets::LayerPlotData layers() {
    widgets::LayerPlotData d;
    d.title = kName;
    d.layers = {{"conv1", 80, 12.5, 0.9, 0.08, 0.012, 8},
                {"bn1", 16, 3.1, 0.4, 0.05, std::nullopt, std::nullopt},
                {"conv2", 1168, 4.2, 0.05, 0.006, 0.0021, 4},
                {"fc1", 7850, 0.8, 0.002, 0.0004, 0.00031, 2},
                {"fc2", 330, 25.0, 1.6, 0.2, 0.0045, 8}};
    d.quantised = {"conv1", "conv2", "fc1", "fc2"};
    d.precision = {{"float32", {}, 36584, 0.2188, 0.9219, std::nullopt, false},
                   {"uniform 8-bit", {8, 8, 8, 8}, 9572, 0.2190, 0.9219, 0.0001, false},
                   {"frontier: next larger (over budget)", {8, 8, 4, 8}, 9500, 0.2195, 0.92, 0.0003, false},
                   {"proposal", {8, 4, 4, 8}, 8820, 0.2301, 0.9180, 0.012, true},
                   {"uniform 4-bit", {4, 4, 4, 4}, 4858, 0.2210, 0.9141, 0.018, false}};
    d.budget_bytes = 9146;
    d.proposal_beaten_by = "uniform 4-bit";
    return d;
}

widgets::PathPlotData path() {
    widgets::PathPlotData p;
    for (int i = 0; i <= 10; ++i) {
        const double t = i / 10.0;
        p.t.push_back(t);
        p.loss.push_back(2.3 * (1 - t) + 0.22 * t + 0.4 * std::sin(M_PI * t));
        p.accuracy.push_back(0.1 + 0.8 * t);
        p.top_eigenvalue.push_back(3 + 14 * t);
    }
    p.barrier_over_ends = 0.05;
    p.barrier_over_line = 0.4;
    p.t_max = 0.3;
    return p;
}

// The demo CNN's structure as Basin computes it (numbers rounded from a run): five layer groups,
// four eigenvectors, the top three outliers of G against ten classes, channels pruned.
widgets::StructurePlotData structure() {
    widgets::StructurePlotData d;
    d.title = kName;
    d.groups = {{"conv1", 80, 1.02, 0.1, 0.31, 0.02},
                {"bn1", 16, 1.9, 0.3, 0.29, 0.03},
                {"conv2", 4624, 0.21, 0.02, 0.02, 0.001},
                {"bn2", 32, 0.48, 0.1, 0.05, 0.01},
                {"fc", 4394, 0.22, 0.01, 0.01, 0.001}};
    d.prune_level = "channel";
    for (int i = 0; i < 12; ++i)
        d.least_salient.push_back(
            {"conv2.weight[" + std::to_string(i) + "]", 72, -0.05 + 0.004 * i, 0.006, 1.2 - 0.05 * i});
    d.base_loss = 0.2188;
    d.removal = {
        {1, 0.2508, 0.2844, -0.0516, 0.02344}, {2, 0.274, 0.3265, -0.0638, 0.01506}, {4, 0.311, 0.41, -0.08, 0.03}};
    d.localisation = {"Eigenvector localisation: share of ‖v‖² per layer",
                      "eigenvector",
                      "layer group",
                      {"top 1 (λ 17.1)", "top 2 (λ 6.22)", "bottom 1 (λ -0.345)", "bottom 2 (λ -0.103)"},
                      {"conv1", "bn1", "conv2", "bn2", "fc"},
                      {{0.36, 0.07, 0.22, 0.02, 0.33},
                       {0.03, 0.03, 0.16, 0.02, 0.76},
                       {0.03, 0.01, 0.34, 0.17, 0.45},
                       {0.05, 0.01, 0.39, 0.30, 0.25}}};
    std::vector<std::string> classes;
    for (int c = 0; c < 10; ++c) classes.push_back(std::to_string(c));
    d.classes = {"Outliers of G against class-mean gradients: cos²",
                 "eigenvector of G",
                 "class",
                 {"1 (λ 17.1)", "2 (λ 6.21)", "3 (λ 4.18)"},
                 classes,
                 {{0.59, 0.0, 0.12, 0.0, 0.01, 0.0, 0.26, 0.0, 0.01, 0.01},
                  {0.05, 0.0, 0.01, 0.0, 0.81, 0.0, 0.01, 0.0, 0.0, 0.0},
                  {0.28, 0.02, 0.09, 0.15, 0.05, 0.0, 0.01, 0.0, 0.01, 0.0}}};
    d.blocks = {{1, 17.08, 6.696, "conv1", 34.07}, {2, 6.216, 6.375, "fc", 67.48}};
    d.notes = {"Diagonal (hutchinson, 4 probes): 4 H·v; trace 70.51 ± 6.9",
               "Heads: no attention heads: no parameter is named in_proj_weight (nn.MultiheadAttention)",
               "Total: 88 H·v in 56.4 s"};
    return d;
}

void fill(MainWindow& w) {
    StudySpec spec;
    spec.name = kName;
    spec.study_path = "/home/researcher/studies/fashion-mnist-demo.basin.json";
    spec.model = "/home/researcher/studies/ckpt_5_epoch4.pt";
    spec.data.inputs = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
    spec.data.targets = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz";
    spec.samples = 2048;
    spec.batch_size = 512;
    w.studyPanel()->setSpec(spec);
    StudySummary s;
    s.path = QString::fromStdString(spec.study_path);
    s.name = QString::fromStdString(kName);
    s.parameters = 9146;
    s.samples = 2048;
    s.available = 60000;
    s.classes = 10;
    s.loss_value = 0.2188;
    s.accuracy = 0.9219;
    w.studyPanel()->showStudy(s);
    w.spectrumView()->setData(spectrum(kName, 0));
    w.surfacePanel()->setData(bowl(kName, 0.22));
    w.layerView()->setData(layers());
    QStringList checkpoints;
    for (const char* c : {"ckpt_0_init.pt", "ckpt_1_step30.pt", "ckpt_2_epoch1.pt", "ckpt_3_epoch2.pt",
                          "ckpt_4_epoch3.pt", "ckpt_5_epoch4.pt"})
        checkpoints << QString("/home/researcher/studies/") + c;
    w.compareBar()->setCheckpoints(checkpoints);
    widgets::CompareView* compare = w.compareView();
    compare->reset(4);
    std::vector<widgets::SpectrumPlotData> spectra;
    for (int i = 0; i < 4; ++i) {
        const std::string name = QFileInfo(checkpoints[i == 3 ? 5 : i]).fileName().toStdString();
        compare->setSurface(i, bowl(name, 2.3 - 0.6 * i));
        spectra.push_back(spectrum(name, 3.0 * i));
    }
    compare->setSpectra(spectra);
    compare->setTable({"checkpoint", "loss", "accuracy", "λmax", "λmin", "trace", "outliers", "bulk edge"},
                      {{"ckpt_0_init.pt", "2.31", "9.8 %", "3.12", "-0.41", "40.1 ± 2", "1", "2.2"},
                       {"ckpt_1_step30.pt", "1.02", "61.0 %", "11.9", "-0.52", "55.3 ± 2", "3", "4.1"},
                       {"ckpt_2_epoch1.pt", "0.44", "84.1 %", "15.2", "-0.33", "60.2 ± 2", "3", "5.0"},
                       {"ckpt_5_epoch4.pt", "0.22", "92.2 %", "17.1", "-0.21", "61.2 ± 2", "3", "5.5"}});
    compare->setPath(path());
    w.structureView()->setData(structure());
    // The Dynamics tab with the demo's measured numbers (SGD, η = 0.05, β = 0.9).
    widgets::StabilityPlotData st;
    st.title = "Sharpness against the stability threshold: " + kName;
    for (int i = 0; i < 6; ++i) st.labels.push_back(QFileInfo(checkpoints[i]).completeBaseName().toStdString());
    st.sharpness = {3.26, 24.4, 16.8, 17.6, 15.1, 16.6};
    st.threshold = std::vector<double>(6, 76.0);
    st.lambda_max = std::vector<double>(6, NAN);
    st.sharpness_label = "λmax(H)";
    st.threshold_label = "(2 + 2β)/η = 76";
    st.notes = {
        "ckpt_1_step30.pt: sharpness 24.4 against 76 (ratio 0.321), 23 H·v; (2 + 2β)/η for heavy-ball momentum, "
        "η = 0.05, β = 0.9 (Cohen et al. 2021)"};
    w.dynamicsView()->setStability(st);
    widgets::BatchScalingPlotData bs;
    bs.title = "λmax of mini-batch Hessians: " + kName;
    bs.batch_sizes = {8, 16, 32, 64, 128};
    bs.mean = {28.5, 25.0, 19.3, 17.7, 17.3};
    bs.stddev = {18.3, 9.1, 4.2, 2.0, 1.1};
    bs.full_lambda_max = 16.6;
    bs.samples = 512;
    bs.slope = -0.194;
    bs.fit_x = {8, 128};
    bs.fit_y = {27.9, 16.9};
    bs.notes = {"Batch scaling: 4 disjoint batches per size, 147 H·v in 15.3 s"};
    w.dynamicsView()->setBatchScaling(bs);
    // The demo's per-batch spectra (top 5 of 4 batches of 32 at each checkpoint, Lanczos to 1e-3)
    // and its sampling uncertainty (10 subsamples of 1,024 of the 2,048 samples), as measured.
    widgets::BatchSpectraPlotData sp;
    sp.title = "Top 5 eigenvalues of 4 batches of 32: " + kName;
    for (int i = 0; i <= 20; ++i) sp.edges.push_back(2.479 + 1.432 * i);
    const std::vector<std::vector<double>> density = {
        {0, .5935, .1047, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        {0, 0, .0349, .0698, .1397, .0349, .0698, .1047, .0349, .0349, .0349, 0, 0, 0, .0349, 0, 0, 0, .0698, .0349},
        {.0698, .1047, .1746, .0698, .0698, 0, .0698, .0698, 0, 0, 0, .0349, 0, 0, 0, 0, .0349, 0, 0, 0},
        {.1047, .0349, .1047, .1047, .1047, .0349, 0, 0, .0349, .0349, .0349, 0, 0, .0349, 0, .0349, .0349, 0, 0, 0},
        {.0349, .2444, .0698, .0698, .0349, .0698, .0349, .1047, 0, 0, 0, 0, 0, 0, 0, .0349, 0, 0, 0, 0},
        {.1746, .1746, .0349, .0349, .1397, .0349, 0, .0349, .0349, 0, 0, 0, 0, 0, 0, 0, .0349, 0, 0, 0}};
    const double means[] = {5.72, 28.06, 17.65, 22.59, 16.09, 15.78}, spreads[] = {0.34, 3.29, 6.20, 3.56, 5.32, 6.91};
    for (int i = 0; i < 6; ++i)
        sp.sets.push_back(
            {QFileInfo(checkpoints[i]).completeBaseName().toStdString(), density[size_t(i)], means[i], spreads[i]});
    sp.end = "largest";
    sp.batch_size = 32;
    sp.batches = 4;
    sp.top_k = 5;
    sp.notes = {
        "Per-batch spectra of ckpt_5_epoch4.pt: 4 disjoint batches of 32 of the 2048 samples, 4 converged, "
        "71 H·v in 0.49 s"};
    w.dynamicsView()->setBatchSpectra(sp);
    widgets::ResamplePlotData rs;
    rs.title = "Sampling uncertainty: 10 subsamples of 1024, " + kName;
    rs.quantities = {
        {"λmax", 16.23, {0.46, 1.83, -5.46, -8.68, 0.8, -2.4, -2.23, 3.63, 3.78, -2.27}, 3.965, 0.058, 1288},
        {"trace", 73.46, {0.94, 2.03, -1.36, -7.48, 0.98, -1.65, -0.59, 2.72, 3.69, -1.05}, 3.137, 9.168, 807},
        {"moment 2", 0.05005, {0.71, 3.18, -4.99, -16.42, 2.85, -3.89, -1.81, 7.92, 8.18, -5.98}, 7.35, 23.896, 4426}};
    rs.samples = 2048;
    rs.subsample = 1024;
    rs.resamples = 10;
    rs.target = 5;
    rs.notes = {"Sampling uncertainty of ckpt_5_epoch4.pt: 407 H·v in 83.3 s"};
    w.dynamicsView()->setResample(rs);
}

}  // namespace

class TestAppLayout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void everyTabFits_data() {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1280x800") << QSize(1280, 800);
        QTest::newRow("1920x1080") << QSize(1920, 1080);
    }

    void everyTabFits() {
        QFETCH(QSize, size);
        EngineController controller;
        MainWindow w(&controller);
        w.resize(size);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        fill(w);
        QStringList problems;
        // Under QT_SCALE_FACTOR=2 (the dpr2 run) the window really is drawn at ratio 2.
        if (qEnvironmentVariable("QT_SCALE_FACTOR") == "2") QCOMPARE(w.devicePixelRatioF(), 2.0);
        const QStringList names{"spectrum", "surface", "layers", "compare", "structure", "dynamics"};
        for (int tab = 0; tab < w.tabs()->count(); ++tab) {
            w.tabs()->setCurrentIndex(tab);
            // Laid out, replotted (the plots' own layout runs in their replot), and laid out again.
            for (int k = 0; k < 4; ++k) {
                QTest::qWait(60);
                for (QCustomPlot* p : w.tabs()->currentWidget()->findChildren<QCustomPlot*>()) p->replot();
            }
            // Run again at a device pixel ratio of 2 (ctest app.test_app_layout.dpr2): grabs named @2x.
            const QString ratio = w.devicePixelRatioF() > 1 ? QString("@%1x").arg(w.devicePixelRatioF()) : QString();
            const QString shot = QString("%1/layout-%2-%3x%4%5.png")
                                     .arg(BASIN_TEST_OUT_DIR, names[tab])
                                     .arg(size.width())
                                     .arg(size.height())
                                     .arg(ratio);
            w.grab().save(shot);
            for (const QString& p : layoutProblems(w.tabs()->currentWidget())) problems << names[tab] + ": " + p;
            // The 3D views' titles are written whole (wrapped onto two lines when long), never cut.
            for (widgets::SurfaceView* v : w.tabs()->currentWidget()->findChildren<widgets::SurfaceView*>())
                if (v->isVisible() && v->textScale() != v->devicePixelRatioF())
                    problems << names[tab] + QString(": 3D type drawn at scale %1 on a screen of ratio %2")
                                                 .arg(v->textScale())
                                                 .arg(v->devicePixelRatioF());
            for (widgets::SurfaceView* v : w.tabs()->currentWidget()->findChildren<widgets::SurfaceView*>())
                if (v->isVisible() && !v->data().title.empty()) {
                    const QString shown = v->shownTitle();
                    if (QString(shown).replace('\n', ' ') != QString::fromStdString(v->data().title))
                        problems << names[tab] + ": 3D title cut to \"" + shown + "\"";
                    if (v->titleWidth() > v->width())
                        problems
                            << names[tab] +
                                   QString(": 3D title %1 px in a view of %2").arg(v->titleWidth()).arg(v->width());
                }
        }
        for (QDockWidget* dock : {w.studyDock(), w.jobsDock()})
            for (const QString& p : layoutProblems(dock)) problems << dock->objectName() + ": " + p;
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
        // The window is no taller than the screen it was made for.
        QVERIFY2(w.frameGeometry().height() <= size.height() + 40 && w.frameGeometry().width() <= size.width() + 20,
                 qPrintable(QString("%1 x %2").arg(w.frameGeometry().width()).arg(w.frameGeometry().height())));
    }
};

QTEST_MAIN(TestAppLayout)
#include "test_app_layout.moc"
