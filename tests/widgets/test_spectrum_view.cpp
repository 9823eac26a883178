#include <qcustomplot.h>
#include <QApplication>
#include <QFileInfo>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "basin/widgets/figure.h"
#include "basin/widgets/figure_style.h"
#include "basin/widgets/spectrum_view.h"
#include "image_compare.h"

using basin::widgets::figurePixels;
using basin::widgets::FigureStyle;
using basin::widgets::SpectrumPlotData;
using basin::widgets::SpectrumView;
using basin::widgets::writeFigure;

namespace {

constexpr double kThreshold = 1.5;  // mean |diff| per channel; a shifted curve or label exceeds it

// A spectrum shaped like a trained network's: a narrow bulk around zero with a few negative
// values, three outliers well to the right, and a known exact spectrum.
SpectrumPlotData synthetic() {
    SpectrumPlotData d;
    d.title = "synthetic spectrum";
    d.top_eigenvalues = {9.0, 6.0, 4.5, 1.2, 1.0, -0.3, -0.4, -0.5, -0.6, -0.8};
    for (int i = 0; i <= 200; ++i) {
        const double x = -1.5 + 12.0 * i / 200;
        const double bulk = 0.94 * std::exp(-x * x / (2 * 0.09)) / std::sqrt(2 * M_PI * 0.09);
        double spikes = 0;
        for (double c : {4.5, 6.0, 9.0}) spikes += 0.02 * std::exp(-(x - c) * (x - c) / 0.08) / std::sqrt(0.08 * M_PI);
        d.density_grid.push_back(x);
        d.density_values.push_back(bulk + spikes);
    }
    for (int i = 0; i <= 100; ++i) {
        const double u = -3.5 + 5.0 * i / 100;
        d.log_density_grid.push_back(u);
        d.log_density_values.push_back(std::exp(-(u + 1.2) * (u + 1.2) / 0.5) / std::sqrt(0.5 * M_PI));
    }
    for (int i = 0; i < 400; ++i) d.exact_eigenvalues.push_back(0.8 * std::sin(M_PI * (i + 0.5) / 400 - M_PI / 2));
    for (double c : {4.5, 6.0, 9.0}) d.exact_eigenvalues.push_back(c);
    d.bulk_edge = 1.2;
    d.outlier_count = 3;
    d.trace = 25.3;
    d.trace_stderr = 1.7;
    d.hvp_count = 312;
    d.parameters = 403;
    return d;
}

std::vector<double> stemKeys(const SpectrumView& view) {
    std::vector<double> keys;
    QCustomPlot* plot = view.plot();
    for (int i = 0; i < plot->graphCount(); ++i) {
        QCPGraph* g = plot->graph(i);
        if (g->property("basinRole").toString() != "stem") continue;
        keys.push_back(g->data()->at(0)->key);
        if (g->data()->size() != 2 || g->data()->at(1)->key != keys.back()) return {};  // a stem is vertical
    }
    std::sort(keys.begin(), keys.end());
    return keys;
}

QCPGraph* graphNamed(const SpectrumView& view, const QString& name) {
    for (int i = 0; i < view.plot()->graphCount(); ++i)
        if (view.plot()->graph(i)->name() == name) return view.plot()->graph(i);
    return nullptr;
}

QImage grabShown(SpectrumView& view) {
    view.resize(900, 620);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view)) return {};
    return view.grab().toImage();
}

}  // namespace

class TestSpectrumView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        // Fixed style and font so the baselines do not depend on the desktop's settings.
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setFont(QFont("DejaVu Sans", 10));
    }

    void emptyViewSaysWhatToDo() {
        SpectrumView view;
        QCOMPARE(view.stemCount(), 0);
        QVERIFY(view.readoutText().isEmpty());
        QCOMPARE(view.plot()->xAxis->label(), QString("eigenvalue λ"));
        auto* title = qobject_cast<QCPTextElement*>(view.plot()->plotLayout()->element(0, 0));
        QVERIFY(title);
        QVERIFY(title->text().replace('\n', ' ').contains("Run spectrum"));
    }

    void drawsEveryEigenvalueAsAStem() {
        SpectrumView view;
        const SpectrumPlotData d = synthetic();
        view.setData(d);
        QCOMPARE(view.stemCount(), int(d.top_eigenvalues.size()));
        std::vector<double> want = d.top_eigenvalues;
        std::sort(want.begin(), want.end());
        QCOMPARE(stemKeys(view), want);
        QCOMPARE(view.plot()->xAxis->label(), QString("eigenvalue λ"));
        QCOMPARE(view.plot()->yAxis->label(), QString("density"));
    }

    void marksOutliersAndTheBulkEdge() {
        SpectrumView view;
        view.setData(synthetic());
        QCPGraph* outliers = graphNamed(view, "outliers");
        QVERIFY(outliers);
        QCOMPARE(outliers->data()->size(), 3);
        QCOMPARE(outliers->data()->at(0)->key, 4.5);
        QCOMPARE(outliers->data()->at(2)->key, 9.0);
        QCPGraph* edge = graphNamed(view, "bulk edge 1.2");
        QVERIFY(edge);
        QCOMPARE(edge->data()->at(0)->key, 1.2);
        QVERIFY(graphNamed(view, "bulk"));
        QVERIFY(graphNamed(view, "density (SLQ, smoothed)"));
        QCOMPARE(view.plot()->plottableCount(), view.plot()->graphCount() + 1);  // + the exact histogram
    }

    void probesAreLaidOverTheCentreNamedByTheirPoint() {
        SpectrumView view;
        view.setData(synthetic());
        SpectrumPlotData probe = synthetic();
        probe.title = "probe at (0.5, −0.25)";
        for (double& x : probe.top_eigenvalues) x *= 2;  // beyond the centre's range
        for (double& x : probe.density_grid) x *= 2;
        view.setOverlays({probe});
        QCPGraph* line = graphNamed(view, "probe at (0.5, −0.25)");
        QVERIFY2(line, "the probe's density is named in the legend by its point");
        QCOMPARE(line->data()->size(), int(probe.density_grid.size()));
        int markers = 0;
        for (int i = 0; i < view.plot()->graphCount(); ++i)
            if (view.plot()->graph(i)->property("basinRole").toString() == "probe-eigenvalues")
                markers += view.plot()->graph(i)->data()->size();
        QCOMPARE(markers, int(probe.top_eigenvalues.size()));
        QVERIFY(view.plot()->xAxis->range().upper >= 18);                     // the probe's λmax (2 x 9) is in view
        QCOMPARE(view.stemCount(), int(synthetic().top_eigenvalues.size()));  // the centre's stems stay
        view.setOverlays({});
        QVERIFY(!graphNamed(view, "probe at (0.5, −0.25)"));
    }

    void readoutShowsTheKeyNumbers() {
        SpectrumView view;
        view.setData(synthetic());
        QCOMPARE(view.readoutText(),
                 QString("λmax  9\nλmin  \u22120.8\ntrace  25.3 ± 1.7\noutliers  3 (77.1% of trace)\n"
                         "bulk edge  1.2\nH·v used  312"));
    }

    void logAbsAxisPlotsLog10OfMagnitudes() {
        SpectrumView view;
        view.setData(synthetic());
        view.setLogAbsAxis(true);
        QCOMPARE(view.plot()->xAxis->label(), QString("log₁₀ |eigenvalue λ|"));
        QCOMPARE(view.plot()->yAxis->label(), QString("density of log₁₀|λ|"));
        QCOMPARE(view.stemCount(), 10);
        QCOMPARE(stemKeys(view).front(), std::log10(0.3));
        QCOMPARE(stemKeys(view).back(), std::log10(9.0));
        QCPGraph* negative = graphNamed(view, "λ < 0 (as |λ|)");
        QVERIFY(negative);
        QCOMPARE(negative->data()->size(), 5);
        view.setLogAbsAxis(false);
        QCOMPARE(stemKeys(view).front(), -0.8);
    }

    void logDensityClampsZeroToAFloor() {
        SpectrumView view;
        view.setData(synthetic());
        view.setLogDensity(true);
        QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(view.plot()->yAxis->range().lower > 0);
        QCPGraph* density = graphNamed(view, "density (SLQ, smoothed)");
        for (auto it = density->data()->constBegin(); it != density->data()->constEnd(); ++it)
            QVERIFY(it->value >= view.plot()->yAxis->range().lower);
    }

    void matchesBaselineLinear() {
        SpectrumView view;
        view.setData(synthetic());
        const QImage image = grabShown(view);
        QCOMPARE(image.size(), QSize(900, 620));
        const auto r = basin::test::compareWithBaseline(image, BASIN_BASELINE_DIR, BASIN_IMAGE_OUT_DIR,
                                                        "spectrum_linear.png", kThreshold);
        QVERIFY2(r.ok, qPrintable(r.message));
    }

    void matchesBaselineLogAbs() {
        SpectrumView view;
        view.setData(synthetic());
        view.setLogAbsAxis(true);
        view.setLogDensity(true);
        const QImage image = grabShown(view);
        const auto r = basin::test::compareWithBaseline(image, BASIN_BASELINE_DIR, BASIN_IMAGE_OUT_DIR,
                                                        "spectrum_logabs.png", kThreshold);
        QVERIFY2(r.ok, qPrintable(r.message));
    }

    void baselineComparisonCatchesAChange() {
        SpectrumView view;
        SpectrumPlotData moved = synthetic();
        for (double& x : moved.density_grid) x += 1.0;
        view.setData(moved);
        const QImage image = grabShown(view);
        const QImage baseline(QString(BASIN_BASELINE_DIR) + "/spectrum_linear.png");
        QVERIFY(!baseline.isNull());
        QVERIFY(basin::test::meanAbsoluteDifference(image, baseline) > kThreshold);
    }

    void draggingTheBulkEdgeRecountsTheOutliers() {
        SpectrumView view;
        view.setData(synthetic());
        grabShown(view);
        QCustomPlot* plot = view.plot();
        QSignalSpy moved(&view, &SpectrumView::bulkEdgeChanged);
        const QCPRange before = plot->xAxis->range();
        const double y = plot->yAxis->coordToPixel(0.5 * plot->yAxis->range().upper);
        const QPointF from(plot->xAxis->coordToPixel(1.2) + 3, y), to(plot->xAxis->coordToPixel(5.0), y);
        // Press within a few pixels of the dashed line, move with the button held, release.
        QMouseEvent press(QEvent::MouseButtonPress, from, plot->mapToGlobal(from), Qt::LeftButton, Qt::LeftButton, {});
        QApplication::sendEvent(plot, &press);
        QMouseEvent move(QEvent::MouseMove, to, plot->mapToGlobal(to), Qt::NoButton, Qt::LeftButton, {});
        QApplication::sendEvent(plot, &move);
        QMouseEvent release(QEvent::MouseButtonRelease, to, plot->mapToGlobal(to), Qt::LeftButton, Qt::NoButton, {});
        QApplication::sendEvent(plot, &release);
        QVERIFY(moved.count() >= 1);
        const double edge = view.data().bulk_edge.value();
        QVERIFY2(std::abs(edge - 5.0) < 0.05, qPrintable(QString::number(edge)));
        QVERIFY(view.data().edge_by_hand);
        QCOMPARE(view.data().outlier_count, 2);  // 6 and 9 stay above; 4.5 joined the bulk
        QVERIFY2(view.readoutText().contains("outliers  2 (59.3% of trace)"), qPrintable(view.readoutText()));
        QVERIFY(view.readoutText().contains("(by hand)"));
        QCOMPARE(graphNamed(view, "outliers")->data()->size(), 2);
        // The view did not pan while the edge moved.
        QCOMPARE(plot->xAxis->range(), before);

        // A press far from the line pans as before and leaves the edge where it is.
        const QPointF far(plot->xAxis->coordToPixel(8.0), y);
        QMouseEvent press2(QEvent::MouseButtonPress, far, plot->mapToGlobal(far), Qt::LeftButton, Qt::LeftButton, {});
        QApplication::sendEvent(plot, &press2);
        QMouseEvent release2(QEvent::MouseButtonRelease, far, plot->mapToGlobal(far), Qt::LeftButton, Qt::NoButton, {});
        QApplication::sendEvent(plot, &release2);
        QCOMPARE(view.data().bulk_edge.value(), edge);
    }

    // Every export is a figure (basin/widgets/figure.h); the view's plot drawn into one keeps its
    // text as text in SVG and PDF, at the asked pixels in PNG.
    void itsFiguresKeepTextAsText() {
        QTemporaryDir dir;
        SpectrumView view;
        view.setData(synthetic());
        const FigureStyle style = *FigureStyle::preset("screen");
        const QString svg = dir.filePath("s.svg"), png = dir.filePath("s.png"), pdf = dir.filePath("s.pdf");
        QCOMPARE(writeFigure({{view.plot(), {}}}, style, svg), QString());
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.contains("<svg"));
        // Qt writes the λ (another font) as its own text run, so the label is checked in pieces.
        QVERIFY2(text.contains(">eigenvalue </text>") && text.contains(">density</text>"),
                 text.mid(text.indexOf("eigenvalue") - 40, 120).constData());
        QCOMPARE(writeFigure({{view.plot(), {}}}, style, png, 1600), QString());
        QCOMPARE(QImage(png).size(), figurePixels(style, 1600));
        QCOMPARE(writeFigure({{view.plot(), {}}}, style, pdf), QString());
        QFile p(pdf);
        QVERIFY(p.open(QIODevice::ReadOnly));
        const QByteArray bytes = p.readAll();
        QVERIFY(bytes.startsWith("%PDF-"));
        // An embedded font with a map back to characters: the labels are text, not pixels.
        QVERIFY2(bytes.contains("/FontDescriptor") && bytes.contains("/ToUnicode"), bytes.left(400).constData());
        // The view on screen is drawn as before once the figure is made.
        const QImage shown = grabShown(view);
        QVERIFY(!shown.isNull());
    }
};

QTEST_MAIN(TestSpectrumView)
#include "test_spectrum_view.moc"
