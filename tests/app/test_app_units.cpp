#include <QPushButton>
#include <QtTest>

#include "jobs_panel.h"
#include "layer_convert.h"
#include "spectrum_convert.h"
#include "surface_convert.h"

using namespace basin;

class TestAppUnits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void converterMergesBothEndsOnce() {
        SpectrumResult r;
        r.largest = EigenResult{};
        r.largest->eigenvalues = {16.2, 6.4, 4.1};
        r.smallest = EigenResult{};
        r.smallest->eigenvalues = {4.1, -0.2, -0.3};  // a small Hessian: the ends overlap
        r.outliers.edge = 6.4;
        r.outliers.count = 1;
        r.trace = TraceResult{};
        r.trace->mean = 60.8;
        r.trace->stderr_ = 5.1;
        r.density = DensityResult{};
        r.density->grid = {-1, 0, 1};
        r.density->values = {0.1, 0.8, 0.1};
        r.density->log_grid = {-2, 0};
        r.density->log_values = {0.5, 0.5};
        r.hvp_count = 150;
        r.parameters = 9146;
        const widgets::SpectrumPlotData d = gui::toPlotData(r, "demo");
        QCOMPARE(d.title, std::string("demo"));
        QCOMPARE(d.top_eigenvalues, (std::vector<double>{16.2, 6.4, 4.1, -0.2, -0.3}));
        QCOMPARE(d.density_grid, r.density->grid);
        QCOMPARE(d.density_values, r.density->values);
        QCOMPARE(d.log_density_grid, r.density->log_grid);
        QCOMPARE(d.log_density_values, r.density->log_values);
        QCOMPARE(d.bulk_edge.value(), 6.4);
        QCOMPARE(d.outlier_count, 1);
        QCOMPARE(d.trace.value(), 60.8);
        QCOMPARE(d.trace_stderr, 5.1);
        QCOMPARE(d.hvp_count, int64_t(150));
        QCOMPARE(d.parameters, int64_t(9146));
    }
    void noBulkEdgeWithoutTheTopOfTheSpectrum() {
        SpectrumResult r;
        r.smallest = EigenResult{};
        r.smallest->eigenvalues = {-0.3};
        const widgets::SpectrumPlotData d = gui::toPlotData(r, "");
        QVERIFY(!d.bulk_edge.has_value());
        QVERIFY(!d.trace.has_value());
        QCOMPARE(d.top_eigenvalues, std::vector<double>{-0.3});
    }
    void defaultOptionsAreTheAgreedOnes() {
        const SpectrumOptions o = gui::defaultSpectrumOptions(7);
        QCOMPARE(o.eigen.top_k, 5);
        QVERIFY(o.eigen.which == Which::Both);
        QVERIFY(o.density);
        QCOMPARE(o.density_options.probes, 3);
        QCOMPARE(o.density_options.steps, 30);
        QVERIFY(o.trace);
        QVERIFY(o.trace_options.method == TraceMethod::Hutchinson);
        QCOMPARE(o.trace_options.probes, 20);
        QCOMPARE(o.eigen.seed, uint64_t(7));
        QCOMPARE(o.trace_options.seed, uint64_t(7));
        QCOMPARE(o.density_options.seed, uint64_t(7));
    }
    void uncomputedPointsTakeTheNearestComputedValue() {
        // 3 x 2 grid, computed: (0,0)=1 and (2,1)=6
        const std::vector<double> values{1, 0, 0, 0, 0, 6};
        const std::vector<uint8_t> done{1, 0, 0, 0, 0, 1};
        QCOMPARE(gui::fillFromComputed(values, done, 3, 2), (std::vector<double>{1, 1, 6, 1, 6, 6}));
        QVERIFY(gui::fillFromComputed(values, std::vector<uint8_t>(6, 0), 3, 2).empty());
        QCOMPARE(gui::fillFromComputed(values, std::vector<uint8_t>(6, 1), 3, 2), values);
    }
    void surfaceKeepsItsLabelsAndCoordinates() {
        SurfaceGrid g;
        g.xs = {-1, 0, 1};
        g.ys = {-1, 1};
        g.loss = {3, 2, 3, 4, 1, 4};
        g.done.assign(6, 1);
        g.x_label = "random direction 1";
        g.y_label = "random direction 2";
        const widgets::SurfacePlotData d = gui::toPlotData(g, "demo");
        QCOMPARE(d.x, g.xs);
        QCOMPARE(d.y, g.ys);
        QCOMPARE(d.values, g.loss);
        QCOMPARE(d.x_label, g.x_label);
        QCOMPARE(d.y_label, g.y_label);
        QCOMPARE(d.value_label, std::string("loss"));
        QCOMPARE(d.minimum, 4LL);
    }
    void surfaceMinimumIsAComputedPoint() {
        SurfaceGrid g;
        g.xs = {-1, 0, 1};
        g.ys = {0};
        g.loss = {3, std::nan(""), 2.5};
        g.accuracy = {0.5, std::nan(""), 0.75};
        g.done = {1, 0, 1};
        g.trajectory = {{0, 0}, {1, 0}};
        g.trajectory_labels = {"a", "b"};
        const widgets::SurfacePlotData d = gui::toPlotData(g, "line");
        QVERIFY(d.isLine());
        QCOMPARE(d.values, (std::vector<double>{3, 3, 2.5}));  // the gap takes its nearest (lower index on a tie)
        QCOMPARE(d.accuracy, (std::vector<double>{0.5, 0.5, 0.75}));
        QCOMPARE(d.minimum, 2LL);
        QCOMPARE(d.trajectory_labels, g.trajectory_labels);
        g.accuracy = {-1, std::nan(""), -1};  // a loss without accuracy
        QVERIFY(gui::toPlotData(g, "line").accuracy.empty());
    }
    void sensitivityBecomesRowsAndStorages() {
        SensitivityResult r;
        GroupSensitivity conv;
        conv.name = "conv";
        conv.parameters = 100;
        conv.quantised = 90;
        conv.top_eigenvalue = 5;
        conv.trace = 2;
        conv.trace_stderr = 0.5;
        conv.mean_trace = 0.02;
        conv.omega = {{2, 0.3}, {4, 0.01}, {8, 0.001}};
        GroupSensitivity bn = conv;
        bn.name = "bn";
        bn.quantised = 0;
        bn.parameters = 8;
        bn.omega.clear();
        r.groups = {conv, bn};
        r.quantisable = {"conv"};
        r.float32_bytes = 432;
        r.full_precision = {0.2, 0.9, 256};
        r.uniform = {{"uniform 4-bit", {4}, 77, 0.01, {0.25, 0.88, 256}}, {"uniform 8-bit", {8}, 122, 0.001, {0.21, 0.9, 256}}};
        r.proposal = QuantisedEvaluation{"proposal", {8}, 122, 0.001, {0.21, 0.9, 256}};
        r.budget_bytes = 130;
        const widgets::LayerPlotData d = gui::toPlotData(r, "t");
        QCOMPARE(int(d.layers.size()), 2);
        QCOMPARE(d.layers[0].mean_trace_err, 0.005);
        QCOMPARE(d.layers[0].omega4.value(), 0.01);
        QCOMPARE(d.layers[0].proposed_bits.value(), 8);
        QVERIFY(!d.layers[1].omega4 && !d.layers[1].proposed_bits);
        QCOMPARE(int(d.precision.size()), 4);
        QCOMPARE(d.precision[0].label, std::string("float32"));
        QCOMPARE(d.precision[1].label, std::string("uniform 8-bit"));  // widest first
        QCOMPARE(d.precision[2].size_bytes, 77.0);
        QCOMPARE(d.precision[3].bits, std::string("8"));
        QCOMPARE(d.budget_bytes.value(), 130.0);
        const SensitivityOptions o = gui::defaultSensitivityOptions(7, 1000);
        QCOMPARE(o.probes, 16);
        QCOMPARE(o.bits, (std::vector<int>{2, 3, 4, 8}));
        QCOMPARE(o.budget_bytes.value(), 1000.0);
        QCOMPARE(o.seed, uint64_t(7));
    }
    void etaReadsLikeAClock() {
        QCOMPARE(gui::formatEta(-1), QString());
        QCOMPARE(gui::formatEta(4.6), QString("5 s"));
        QCOMPARE(gui::formatEta(125), QString("2 min 05 s"));
    }
    void jobRowShowsStateAndProgress() {
        gui::JobsPanel panel;
        gui::JobInfo job;
        job.id = 3;
        job.title = "Hessian spectrum";
        panel.addJob(job);
        QVERIFY(panel.row(3));
        QCOMPARE(panel.row(3)->objectName(), QString("job-3"));
        QCOMPARE(panel.row(3)->stateText(), QString("queued"));
        job.state = gui::JobState::Running;
        job.stage = "lanczos (largest)";
        job.done = 25;
        job.total = 100;
        panel.updateJob(job);
        QCOMPARE(panel.row(3)->stageText(), QString("lanczos (largest)"));
        QCOMPARE(panel.row(3)->progressValue(), 250);
        QVERIFY(panel.row(3)->cancelEnabled());
        QSignalSpy cancel(&panel, &gui::JobsPanel::cancelRequested);
        panel.row(3)->findChild<QPushButton*>()->click();
        QCOMPARE(cancel.count(), 1);
        QCOMPARE(cancel.at(0).at(0).toInt(), 3);
        job.state = gui::JobState::Failed;
        panel.updateJob(job);
        QCOMPARE(panel.row(3)->stateText(), QString("failed"));
        QVERIFY(!panel.row(3)->cancelEnabled());
    }
};

QTEST_MAIN(TestAppUnits)
#include "test_app_units.moc"
