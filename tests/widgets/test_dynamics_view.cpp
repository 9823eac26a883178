// DynamicsView draws what it is given: the sharpness and threshold points, the batch sizes' means
// with their spread and the full-sample line, the per-batch densities and the resampling's errors
// equal the data; a part not computed says so; and the whole view matches its baseline image (the
// demo's measured stability and batch-scaling numbers beside made-up spectra and resampling).
#include <qcustomplot.h>
#include <QLabel>
#include <QtTest>
#include <cmath>

#include "basin/widgets/dynamics_view.h"
#include "image_compare.h"

using namespace basin::widgets;

namespace {

// The demo's numbers (issue #17's note: SGD, η = 0.05, β = 0.9, 512 samples).
StabilityPlotData demoStability() {
    StabilityPlotData d;
    d.title = "Sharpness against the stability threshold: demo";
    d.labels = {"ckpt_0_init", "ckpt_1_step30", "ckpt_2_epoch1", "ckpt_3_epoch2", "ckpt_4_epoch3", "ckpt_5_epoch4"};
    d.sharpness = {3.26, 24.4, 16.8, 17.6, 15.1, 16.6};
    d.threshold = std::vector<double>(6, 76.0);
    d.lambda_max = std::vector<double>(6, NAN);
    d.sharpness_label = "λmax(H)";
    d.threshold_label = "(2 + 2β)/η = 76";
    d.notes = {"ckpt_0_init.pt: sharpness 3.26 against 76 (ratio 0.0429), 6 H·v"};
    return d;
}

BatchScalingPlotData demoScaling() {
    BatchScalingPlotData d;
    d.title = "λmax of mini-batch Hessians: demo";
    d.batch_sizes = {8, 16, 32, 64, 128};
    d.mean = {28.5, 25.0, 19.3, 17.7, 17.3};
    d.stddev = {18.3, 9.1, 4.2, 2.0, 1.1};
    d.full_lambda_max = 16.6;
    d.samples = 512;
    d.slope = -0.194;
    d.fit_x = {8, 128};
    d.fit_y = {27.9, 16.9};
    d.notes = {"Batch scaling: 4 disjoint batches per size, 147 H·v in 15.3 s"};
    return d;
}

// Two checkpoints' top eigenvalues on 4 common bins over [10, 30].
BatchSpectraPlotData twoSpectra() {
    BatchSpectraPlotData d;
    d.edges = {10, 15, 20, 25, 30};
    d.sets = {{"ckpt_0_init", {0.1, 0.1, 0, 0}, 14.0, 1.5}, {"ckpt_5_epoch4", {0, 0.05, 0.1, 0.05}, 22.0, 3.0}};
    d.end = "largest";
    d.batch_size = 32;
    d.batches = 8;
    d.top_k = 5;
    d.notes = {"Per-batch spectra of ckpt_5_epoch4.pt: 8 disjoint batches of 32, 311 H·v"};
    return d;
}

ResamplePlotData resampled() {
    ResamplePlotData d;
    d.quantities = {{"λmax", 16.6, {-4, 2, 6}, 3.1, 0.2, 980}, {"trace", 410, {1, -1, 0.5}, 0.8, 2.5, 62}};
    d.samples = 512;
    d.subsample = 256;
    d.resamples = 3;
    d.target = 5;
    return d;
}

std::vector<double> values(QCPGraph* g) {
    std::vector<double> v;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) v.push_back(it->value);
    return v;
}

}  // namespace

class TestDynamicsView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void drawsTheNumbersItIsGiven() {
        DynamicsView view;
        view.resize(1200, 800);
        view.show();
        view.setStability(demoStability());
        view.setBatchScaling(demoScaling());
        view.setBatchSpectra(twoSpectra());
        view.setResample(resampled());
        QCustomPlot* s = view.stabilityPlot();
        QCOMPARE(values(s->graph(0)), demoStability().sharpness);
        // One dashed line across the plot at the threshold, named by its rule.
        QCOMPARE(values(s->graph(1)), (std::vector<double>{76.0, 76.0}));
        QCOMPARE(s->graph(1)->pen().style(), Qt::DashLine);
        QVERIFY(s->graph(1)->name().contains("(2 + 2β)/η = 76"));
        QCOMPARE(s->yAxis->scaleType(), QCPAxis::stLinear);
        QCustomPlot* b = view.scalingPlot();
        QCOMPARE(b->xAxis->scaleType(), QCPAxis::stLogarithmic);
        QCOMPARE(b->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QCOMPARE(values(b->graph(0)), demoScaling().mean);
        QCOMPARE(values(b->graph(1)), (std::vector<double>{16.6, 16.6}));
        QVERIFY(b->graph(2)->name().contains("slope -0.194"));
        QCOMPARE(view.filledPlots().size(), size_t(4));
        // Every checkpoint is named on the axis, the batch sizes are the log axis's ticks.
        QCOMPARE(qSharedPointerCast<QCPAxisTickerText>(s->xAxis->ticker())->ticks().size(), 6);
        QCOMPARE(qSharedPointerCast<QCPAxisTickerText>(b->xAxis->ticker())->ticks().keys(),
                 (QList<double>{8, 16, 32, 64, 128}));
        QVERIFY(view.notesLabel()->text().contains("147 H·v"));

        const QImage image = view.grab().toImage();
        const auto r =
            basin::test::compareWithBaseline(image, BASIN_BASELINE_DIR, BASIN_IMAGE_OUT_DIR, "dynamics.png", 2.0);
        QVERIFY2(r.ok, qPrintable(r.message));
    }

    void thresholdsThatChangeAreDrawnPerCheckpoint() {
        DynamicsView view;
        view.resize(900, 500);
        StabilityPlotData d = demoStability();
        d.threshold = {76, 76, 152, 152, 304, 304};  // the learning rate halved twice
        d.lambda_max = {NAN, 30, NAN, NAN, NAN, NAN};
        view.setStability(d);
        QCOMPARE(values(view.stabilityPlot()->graph(1)), d.threshold);
        QCOMPARE(values(view.stabilityPlot()->graph(2)), (std::vector<double>{30}));
        // Values spanning more than a factor of 50 go on a log axis.
        d.sharpness = {1e5, 2e5, 1.5e5, 1e5, 1e5, 1e5};
        view.setStability(d);
        QCOMPARE(view.stabilityPlot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    }

    void drawsPerBatchSpectraAndResampling() {
        DynamicsView view;
        view.resize(1200, 800);
        view.setBatchSpectra(twoSpectra());
        view.setResample(resampled());
        QCustomPlot* p = view.spectraPlot();
        QCOMPARE(p->graphCount(), 2);
        // A step line: each bin's density held from its left edge to its right, ends included.
        QCOMPARE(values(p->graph(1)), (std::vector<double>{0, 0, 0.05, 0.05, 0.1, 0.1, 0.05, 0.05}));
        QCOMPARE(p->graph(1)->data()->at(0)->key, 10.0);
        QCOMPARE(p->graph(1)->data()->at(7)->key, 30.0);
        QVERIFY(p->graph(0)->name().contains("ckpt_0_init: mean λmax 14"));
        QCOMPARE(p->graph(0)->brush().style(), Qt::NoBrush);  // an overlay is not filled
        QCustomPlot* r = view.resamplePlot();
        QCOMPARE(r->graph(0)->data()->size(), 6);  // 3 subsamples of 2 quantities
        QCOMPARE(values(r->graph(1)), (std::vector<double>{5, 5}));
        auto* data_bars = qobject_cast<QCPBars*>(r->plottable(2));
        auto* estimator_bars = qobject_cast<QCPBars*>(r->plottable(3));
        QVERIFY(data_bars && estimator_bars);
        QCOMPARE(data_bars->data()->at(1)->value, 0.8);
        QCOMPARE(estimator_bars->data()->at(0)->value, 0.2);
        QVERIFY(data_bars->name().contains("N = 512"));
        QCOMPARE(qSharedPointerCast<QCPAxisTickerText>(r->xAxis->ticker())->ticks().values(),
                 (QList<QString>{"λmax", "trace"}));
        // Every subsample and bar is inside the axes.
        QVERIFY(r->yAxis->range().lower < -4 && r->yAxis->range().upper > 6);
        QCOMPARE(view.filledPlots().size(), size_t(2));
        QVERIFY(view.notesLabel()->text().contains("311 H·v"));
        // One set alone is filled under its line.
        BatchSpectraPlotData one = twoSpectra();
        one.sets.resize(1);
        view.setBatchSpectra(one);
        QCOMPARE(view.spectraPlot()->graph(0)->brush().style(), Qt::SolidPattern);
        view.clearResample("No sampling uncertainty: cancelled");
        QCOMPARE(view.resamplePlot()->plottableCount(), 0);
        QCOMPARE(view.filledPlots().size(), size_t(1));
    }

    void aPartNotComputedSaysSo() {
        DynamicsView view;
        view.resize(900, 500);
        view.setBatchScaling(demoScaling());
        QCOMPARE(view.stabilityPlot()->graphCount(), 0);
        QCOMPARE(view.filledPlots().size(), size_t(1));
        view.clearBatchScaling("No batch scaling: cancelled");
        QCOMPARE(view.scalingPlot()->graphCount(), 0);
        QVERIFY(view.filledPlots().empty());
    }
};

QTEST_MAIN(TestDynamicsView)
#include "test_dynamics_view.moc"
