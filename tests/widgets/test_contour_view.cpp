// ContourView and LineView: a grid from above and a line, drawn from given numbers, compared with
// baselines; SurfacePanel's display options and the point under the mouse.
#include <qcustomplot.h>
#include <QApplication>
#include <QComboBox>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "basin/widgets/contour_view.h"
#include "basin/widgets/figure.h"
#include "basin/widgets/figure_style.h"
#include "basin/widgets/surface_panel.h"
#include "basin/widgets/surface_view.h"
#include "image_compare.h"

using namespace basin::widgets;

namespace {

constexpr double kThreshold = 1.5;

// A tilted bowl on a 9 x 7 grid, its minimum off centre at (0.25, -1/3), with a trajectory.
SurfacePlotData bowl() {
    SurfacePlotData d;
    d.title = "bowl";
    d.x_label = "PC 1";
    d.y_label = "PC 2";
    for (int i = 0; i < 9; ++i) d.x.push_back(-1 + 0.25 * i);
    for (int j = 0; j < 7; ++j) d.y.push_back(-1 + j / 3.0);
    for (double y : d.y)
        for (double x : d.x) {
            d.values.push_back(0.2 + (x - 0.25) * (x - 0.25) + 2 * (y + 1.0 / 3) * (y + 1.0 / 3));
            d.accuracy.push_back(0.9 - 0.1 * std::abs(x));
        }
    d.minimum = 2 * 9 + 5;  // (0.25, -1/3)
    d.trajectory = {{-0.9, 0.9}, {-0.4, 0.3}, {0.25, -1.0 / 3}};
    d.trajectory_labels = {"init", "epoch1", "final"};
    return d;
}

SurfacePlotData line() {
    SurfacePlotData d;
    d.title = "interpolation";
    d.x_label = "interpolation ckpt_0 (0) to ckpt_5 (1)";
    d.y = {0};
    for (int i = 0; i < 11; ++i) {
        const double x = -0.25 + 0.15 * i;
        d.x.push_back(x);
        d.values.push_back(2.3 * (1 - x) * (1 - x) + 0.2 + 0.4 * std::sin(3 * x) * std::sin(3 * x));
        d.accuracy.push_back(0.1 + 0.8 * std::min(1.0, std::max(0.0, x)));
    }
    d.minimum = 9;  // 0.233 at x = 1.1
    d.trajectory = {{0, 0}, {1, 0}};
    d.trajectory_labels = {"ckpt_0", "ckpt_5"};
    return d;
}

// The bowl as a curvature map: λmax positive and growing away from the minimum, λmin signed
// (negative on the left half), their ratio.
SurfacePlotData bowlMap() {
    SurfacePlotData d = bowl();
    SurfaceField lmax{"lambda_max", "λmax", {}, true}, lmin{"lambda_min", "λmin", {}, true},
        ratio{"ratio", "|λmin/λmax|", {}, false};
    for (double y : d.y)
        for (double x : d.x) {
            lmax.values.push_back(4 + x * x + y);
            lmin.values.push_back(x - 0.25 * y);
            ratio.values.push_back(std::abs(lmin.values.back() / lmax.values.back()));
        }
    d.fields = {lmax, lmin, ratio};
    return d;
}

template <class View>
QImage grabShown(View& view, QSize size) {
    view.resize(size);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view)) return {};
    return view.grab().toImage();
}

}  // namespace

class TestContourView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setFont(QFont("DejaVu Sans", 10));
    }

    void mapHoldsTheGridValues() {
        ContourView view;
        const SurfacePlotData d = bowl();
        view.setData(d);
        QCPColorMapData* cells = view.colorMap()->data();
        QCOMPARE(cells->keySize(), 9);
        QCOMPARE(cells->valueSize(), 7);
        for (int j = 0; j < 7; ++j)
            for (int i = 0; i < 9; ++i) QCOMPARE(cells->cell(i, j), d.values[std::size_t(j) * 9 + i]);
        QCOMPARE(view.colorMap()->dataRange().lower, 0.2);
        QCOMPARE(view.plot()->xAxis->label(), QString("PC 1"));
        QCOMPARE(view.plot()->yAxis->label(), QString("PC 2"));
        // The marks are named in the legend: the grid's minimum and the current weights (the origin).
        QCPGraph* minimum = nullptr;
        QStringList names;
        for (int i = 0; i < view.plot()->graphCount(); ++i) {
            names << view.plot()->graph(i)->name();
            if (view.plot()->graph(i)->name() == "minimum") minimum = view.plot()->graph(i);
        }
        QVERIFY2(minimum && names.contains("current weights"), qPrintable(names.join(", ")));
        QVERIFY(view.plot()->legend->visible());
        QCOMPARE(minimum->data()->at(0)->key, 0.25);
        QCOMPARE(minimum->data()->at(0)->value, -1.0 / 3);
        QCPCurve* path = nullptr;
        for (int i = 0; i < view.plot()->plottableCount(); ++i)
            if (auto* c = qobject_cast<QCPCurve*>(view.plot()->plottable(i))) path = c;
        QVERIFY(path);
        QCOMPARE(path->data()->size(), 3);
        QCOMPARE(view.plot()->itemCount(), 3);  // one label per checkpoint
    }

    void contourMatchesBaseline() {
        ContourView view;
        view.setData(bowl());
        const QImage image = grabShown(view, QSize(700, 560));
        const auto r = basin::test::compareWithBaseline(image, BASIN_BASELINE_DIR, BASIN_IMAGE_OUT_DIR,
                                                        "contour_bowl.png", kThreshold);
        QVERIFY2(r.ok, qPrintable(r.message));
    }

    void lineShowsLossAndAccuracy() {
        LineView view;
        view.setData(line());
        QCOMPARE(view.plot()->graphCount(), 3);  // loss, accuracy, minimum
        QCOMPARE(view.plot()->graph(0)->data()->size(), 11);
        QCOMPARE(view.plot()->graph(1)->data()->at(10)->value, 90.0);
        QCOMPARE(view.plot()->graph(2)->data()->at(0)->key, line().x[9]);
        QCOMPARE(view.plot()->xAxis->label(), QString("interpolation ckpt_0 (0) to ckpt_5 (1)"));
        const QImage image = grabShown(view, QSize(800, 480));
        const auto r = basin::test::compareWithBaseline(image, BASIN_BASELINE_DIR, BASIN_IMAGE_OUT_DIR,
                                                        "line_interpolation.png", kThreshold);
        QVERIFY2(r.ok, qPrintable(r.message));
    }

    void panelAppliesLogAndClipToTheViews() {
        SurfacePanel panel;
        panel.setData(bowl());
        QVERIFY(!panel.showsLine());
        const double corner = bowl().values.back();  // (1, 1): 0.2 + 0.5625 + 2 * 16/9
        QCOMPARE(panel.contourView()->data().values.back(), corner);
        panel.setClip(2.0);
        QCOMPARE(panel.contourView()->data().values.back(), 2.0);
        QCOMPARE(panel.contourView()->data().value_label, std::string("loss (clipped at 2)"));
        panel.setLogScale(true);
        QCOMPARE(panel.contourView()->data().values.back(), std::log10(2.0));
        QCOMPARE(panel.surfaceView()->data().values.back(), std::log10(2.0));
        QCOMPARE(panel.contourView()->data().value_label, std::string("log10 loss (clipped at 2)"));
        // The panel keeps the true numbers and reports them under the mouse.
        QCOMPARE(panel.data().values.back(), corner);
        QCOMPARE(panel.describePoint(0.27, -0.3),
                 QString("PC 1 = 0.25, PC 2 = \u22120.3333: loss 0.2, accuracy 87.50 %"));
        panel.setClip(std::nullopt);
        panel.setLogScale(false);
        QCOMPARE(panel.contourView()->data().values.back(), corner);

        panel.setData(line());
        QVERIFY(panel.showsLine());
        QCOMPARE(panel.lineView()->data().values.size(), std::size_t(11));
        QVERIFY(panel.contourView()->data().values.empty());
    }

    void hoverReportsThePointAsAStatusLine() {
        SurfacePanel panel;
        panel.setData(bowl());
        grabShown(panel, QSize(1200, 560));
        QCustomPlot* plot = panel.contourView()->plot();
        QSignalSpy status(&panel, &SurfacePanel::statusMessage);
        const QPoint at(int(plot->xAxis->coordToPixel(-0.5)), int(plot->yAxis->coordToPixel(1.0 / 3)));
        QMouseEvent move(QEvent::MouseMove, at, plot->mapToGlobal(at), Qt::NoButton, Qt::NoButton, {});
        QApplication::sendEvent(plot, &move);
        QCOMPARE(status.count(), 1);
        const double loss = 0.2 + 0.75 * 0.75 + 2 * (2.0 / 3) * (2.0 / 3);
        QCOMPARE(
            status.at(0).at(0).toString(),
            QString("PC 1 = \u22120.5, PC 2 = 0.3333: loss %1, accuracy 85.00 %").arg(QString::number(loss, 'g', 4)));
    }

    void colourByRedrawsWithTheChosenField() {
        SurfacePanel panel;
        const SurfacePlotData d = bowlMap();
        panel.setData(d);
        auto* box = panel.findChild<QComboBox*>("surfaceColourBy");
        QVERIFY(box);
        QCOMPARE(box->count(), 4);  // loss and the three fields
        QCOMPARE(box->itemText(2), QString("λmin"));
        QCOMPARE(panel.colourBy(), QString());
        // By the loss, as before: the cells hold the loss.
        QCOMPARE(panel.contourView()->colorMap()->data()->cell(3, 2), d.values[2 * 9 + 3]);
        panel.setColourBy("lambda_min");
        QCOMPARE(panel.colourBy(), QString("lambda_min"));
        QCPColorMapData* cells = panel.contourView()->colorMap()->data();
        for (int j = 0; j < 7; ++j)
            for (int i = 0; i < 9; ++i) QCOMPARE(cells->cell(i, j), d.fields[1].values[std::size_t(j) * 9 + i]);
        // Signed: a diverging map centred at zero, on its own scale and title.
        const QCPRange range = panel.contourView()->colorMap()->dataRange();
        QCOMPARE(range.lower, -range.upper);
        QCOMPARE(range.upper, 1.0 + 0.25);  // |λmin| is largest at (1, -1)
        QCPColorGradient g = panel.contourView()->colorMap()->gradient();
        const QColor middle = QColor::fromRgb(g.color(0.0, QCPRange(-1, 1)));
        QVERIFY2(middle.red() > 210 && middle.green() > 210 && middle.blue() > 210, "zero is drawn near-white");
        QVERIFY(QColor::fromRgb(g.color(-1.0, QCPRange(-1, 1))).blue() > 150);  // negative: blue
        QVERIFY(QColor::fromRgb(g.color(1.0, QCPRange(-1, 1))).red() > 200);    // positive: vermillion
        QCOMPARE(panel.surfaceView()->data().colour_by, std::string("lambda_min"));
        QCOMPARE(panel.surfaceView()->data().values, d.values);  // the height stays the loss
        QVERIFY(panel.describePoint(0.27, -0.3).contains(QString("λmin 0.3333")));
        const QImage image = grabShown(panel, QSize(1200, 560));
        const auto r =
            basin::test::compareWithBaseline(panel.contourView()->grab().toImage(), BASIN_BASELINE_DIR,
                                             BASIN_IMAGE_OUT_DIR, "contour_colour_by_lambda_min.png", kThreshold);
        QVERIFY2(r.ok, qPrintable(r.message));
        QVERIFY(!image.isNull());
        // New data of the same kind keeps the choice; a loss surface falls back to the loss.
        panel.setData(bowlMap());
        QCOMPARE(panel.colourBy(), QString("lambda_min"));
        panel.setData(bowl());
        QCOMPARE(panel.colourBy(), QString());
        QVERIFY(!box->isEnabled());
        panel.setData(bowlMap());
        QCOMPARE(panel.colourBy(), QString("lambda_min"));  // the user's choice comes back with a map
    }

    void aClickOnTheMapAsksForAProbeThere() {
        SurfacePanel panel;
        SurfacePlotData d = bowlMap();
        d.probes = {{-0.5, 0.0}};
        d.probe_labels = {"P1"};
        panel.setData(d);
        grabShown(panel, QSize(1200, 560));
        QCustomPlot* plot = panel.contourView()->plot();
        // The probes are marked, labelled.
        int marked = 0;
        for (int i = 0; i < plot->graphCount(); ++i)
            if (plot->graph(i)->property("basinRole").toString() == "probes") marked += plot->graph(i)->data()->size();
        QCOMPARE(marked, 1);
        QSignalSpy asked(&panel, &SurfacePanel::probeRequested);
        const QPoint at(int(plot->xAxis->coordToPixel(0.5)), int(plot->yAxis->coordToPixel(1.0 / 3)));
        QTest::mouseClick(plot, Qt::LeftButton, {}, at);
        QCOMPARE(asked.count(), 1);
        // Within a cell of the point clicked (cells are 0.25 x 1/3).
        QVERIFY(std::abs(asked.at(0).at(0).toDouble() - 0.5) < 0.125);
        QVERIFY(std::abs(asked.at(0).at(1).toDouble() - 1.0 / 3) < 1.0 / 6);
        // A drag is not a click.
        QTest::mousePress(plot, Qt::LeftButton, {}, at);
        QMouseEvent move(QEvent::MouseMove, at + QPoint(40, 0), plot->mapToGlobal(at + QPoint(40, 0)), Qt::LeftButton,
                         Qt::LeftButton, {});
        QApplication::sendEvent(plot, &move);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, at + QPoint(40, 0));
        QCOMPARE(asked.count(), 1);
    }

    void exportsTheMapWithTextAsText() {
        QTemporaryDir dir;
        SurfacePanel panel;
        panel.setData(bowl());
        const FigureStyle style = *FigureStyle::preset("screen");
        QCOMPARE(writeFigure({{panel.contourView()->plot(), {}}}, style, dir.filePath("m.png"), 1200), QString());
        QCOMPARE(QImage(dir.filePath("m.png")).size(), figurePixels(style, 1200));
        QCOMPARE(writeFigure({{panel.contourView()->plot(), {}}}, style, dir.filePath("m.svg")), QString());
        QFile svg(dir.filePath("m.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("PC 2"));
    }
};

QTEST_MAIN(TestContourView)
#include "test_contour_view.moc"
