// LayerView: bars, table and proposal drawn from given numbers, compared with a baseline image.
#include <qcustomplot.h>
#include <QApplication>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QStyleFactory>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "basin/widgets/figure.h"
#include "basin/widgets/figure_style.h"
#include "basin/widgets/layer_view.h"
#include "image_compare.h"

using namespace basin::widgets;

namespace {

constexpr double kThreshold = 1.5;

// Five layers whose curvatures span four decades, as a small CNN's do; bn1 is not quantised.
LayerPlotData synthetic() {
    LayerPlotData d;
    d.title = "synthetic layers";
    d.layers = {
        {"conv1", 80, 12.5, 0.9, 0.08, 0.012, 8},     {"bn1", 16, 3.1, 0.4, 0.05, std::nullopt, std::nullopt},
        {"conv2", 1168, 4.2, 0.05, 0.006, 0.0021, 4}, {"fc1", 7850, 0.8, 0.002, 0.0004, 0.00031, 2},
        {"fc2", 330, 25.0, 1.6, 0.2, 0.0045, 8},
    };
    d.quantised = {"conv1", "conv2", "fc1", "fc2"};
    d.precision = {{"float32", {}, 37776, 0.2188, 0.9219, std::nullopt, false},
                   {"uniform 8-bit", {8, 8, 8, 8}, 9572, 0.2190, 0.9219, 0.0001, false},
                   {"uniform 4-bit", {4, 4, 4, 4}, 4858, 0.2410, 0.9141, 0.018, false},
                   {"proposal", {8, 4, 2, 8}, 3100, 0.2301, 0.9180, 0.012, true}};
    d.budget_bytes = 9444;
    return d;
}

QImage grabShown(LayerView& view) {
    view.resize(1100, 560);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view)) return {};
    return view.grab().toImage();
}

}  // namespace

class TestLayerView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setFont(QFont("DejaVu Sans", 10));
    }

    void emptyViewSaysWhatToDo() {
        LayerView view;
        QVERIFY(view.eigenvalueBars().empty());
        QCOMPARE(view.layerTable()->rowCount(), 0);
        auto* title = qobject_cast<QCPTextElement*>(view.plot()->plotLayout()->element(0, 0));
        QVERIFY(title && title->text().replace('\n', ' ').contains("Run layer sensitivity"));
    }

    void barsAreTheLayersNumbersOnALogAxis() {
        LayerView view;
        view.setData(synthetic());
        QCOMPARE(view.eigenvalueBars(), (std::vector<double>{12.5, 3.1, 4.2, 0.8, 25.0}));
        QCOMPARE(view.traceBars(), (std::vector<double>{0.9, 0.4, 0.05, 0.002, 1.6}));
        QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        // From the decade below the smallest trace (0.002) to the one above the largest eigenvalue.
        QCOMPARE(view.plot()->yAxis->range().lower, 1e-3);
        QCOMPARE(view.plot()->yAxis->range().upper, 100.0);
        QCPErrorBars* errors = nullptr;
        for (int i = 0; i < view.plot()->plottableCount(); ++i)
            if (auto* e = qobject_cast<QCPErrorBars*>(view.plot()->plottable(i))) errors = e;
        QVERIFY(errors);
        QCOMPARE(errors->data()->size(), 5);
        QCOMPARE(errors->data()->at(2).errorPlus, 0.006);
        QCOMPARE(errors->data()->at(3).errorMinus, 0.0004);
    }

    void tableSortsByNumberNotByText() {
        LayerView view;
        view.setData(synthetic());
        QTableWidget* t = view.layerTable();
        QCOMPARE(t->rowCount(), 5);
        QCOMPARE(t->item(0, 0)->text(), QString("conv1"));
        QCOMPARE(t->item(1, 4)->text(), QString("float32"));  // bn1 is kept in float32
        QCOMPARE(t->item(3, 5)->text(), QString("2"));
        t->sortItems(3, Qt::DescendingOrder);  // mean trace, most sensitive first
        QStringList order;
        for (int r = 0; r < 5; ++r) order << t->item(r, 0)->text();
        QCOMPARE(order, QStringList({"fc2", "conv1", "bn1", "conv2", "fc1"}));
        QCOMPARE(t->item(0, 3)->text(), QString("1.6 ± 0.2"));
        t->sortItems(1, Qt::AscendingOrder);  // parameters: 16 < 80 < 330 < 1,168 < 7,850
        order.clear();
        for (int r = 0; r < 5; ++r) order << t->item(r, 0)->text();
        QCOMPARE(order, QStringList({"bn1", "conv1", "fc2", "conv2", "fc1"}));
    }

    void proposalTableComparesStorages() {
        LayerView view;
        view.setData(synthetic());
        QTableWidget* p = view.precisionTable();
        QCOMPARE(p->rowCount(), 4);
        QCOMPARE(p->item(3, 0)->text(), QString("proposal"));
        // Bits named by layer; Omega predicted beside the loss measured; the proposal in bold.
        QCOMPARE(p->item(3, 1)->text(), QString("conv1 8 · conv2 4 · fc1 2 · fc2 8"));
        QCOMPARE(p->item(3, 2)->text(), QString("3.1 kB"));
        QCOMPARE(p->item(3, 3)->text(), QString("0.012"));
        QCOMPARE(p->item(3, 4)->text(), QString("0.2301"));
        QCOMPARE(p->item(3, 5)->text(), QString("91.80 %"));
        QVERIFY(p->item(3, 0)->font().bold() && !p->item(2, 0)->font().bold());
        QCOMPARE(p->item(0, 2)->text(), QString("37.8 kB"));
        QCOMPARE(p->item(0, 3)->text(), QString("—"));
        auto* warning = view.findChild<QLabel*>("precisionWarning");
        QVERIFY(warning && warning->isHidden());
        LayerPlotData beaten = synthetic();
        beaten.proposal_beaten_by = "uniform 4-bit";
        view.setData(beaten);
        QVERIFY(!warning->isHidden());
        QVERIFY(warning->text().contains("“uniform 4-bit” is no larger than the proposal"));
    }

    void manyLayerNamesNeverOverlap() {
        // A ViT's 40 groups under a chart 800 px wide: the names turn, and thin out when even
        // upright they would touch.
        LayerPlotData d = synthetic();
        d.layers.clear();
        for (int i = 0; i < 40; ++i)
            d.layers.push_back({"blocks." + std::to_string(i / 4) + ".attn.qkv" + std::to_string(i % 4), 1000, 1.0 + i,
                                0.1, 0.01, 0.001, 4});
        LayerView view;
        view.setData(d);
        view.resize(1100, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY(view.layerNameRotation() != 0);
        const QFontMetrics fm(view.plot()->xAxis->tickLabelFont());
        const double per = double(view.plot()->axisRect()->width()) / 40 * view.layerNameStep();
        // Neighbouring names (upright or turned) are at least a line apart.
        const double needed = view.layerNameRotation() == -45 ? 1.41 * fm.height() : fm.height();
        QVERIFY2(per >= needed, qPrintable(QString("%1 px between names, %2 needed").arg(per).arg(needed)));
        // Few layers stay level.
        view.setData(synthetic());
        QTRY_COMPARE(view.layerNameRotation(), 0.0);
        QCOMPARE(view.layerNameStep(), 1);
    }

    void matchesBaseline() {
        LayerView view;
        view.setData(synthetic());
        const QImage image = grabShown(view);
        QCOMPARE(image.size(), QSize(1100, 560));
        const auto r =
            basin::test::compareWithBaseline(image, BASIN_BASELINE_DIR, BASIN_IMAGE_OUT_DIR, "layers.png", kThreshold);
        QVERIFY2(r.ok, qPrintable(r.message));
    }

    void everyColumnFitsBesideTheChart() {
        // The width the Layers tab gets in the default 1400 px window beside the study dock.
        LayerView view;
        view.setData(synthetic());
        view.resize(1040, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (QTableWidget* t : {view.layerTable(), view.precisionTable()}) {
            QVERIFY2(t->horizontalHeader()->length() <= t->viewport()->width(),
                     qPrintable(QString("%1: columns %2 px in %3 px")
                                    .arg(t->objectName())
                                    .arg(t->horizontalHeader()->length())
                                    .arg(t->viewport()->width())));
            QVERIFY(!t->horizontalScrollBar()->isVisible());
        }
        // The chart has all the rest: no gap beside the tables.
        QVERIFY2(view.plot()->width() + view.layerTable()->width() >= view.width() - 20,
                 qPrintable(QString("chart %1 + table %2 in %3")
                                .arg(view.plot()->width())
                                .arg(view.layerTable()->width())
                                .arg(view.width())));
    }

    void exportsFigures() {
        QTemporaryDir dir;
        LayerView view;
        view.setData(synthetic());
        const FigureStyle style = *FigureStyle::preset("screen");
        QCOMPARE(writeFigure({{view.plot(), {}}}, style, dir.filePath("l.png"), 1200), QString());
        QCOMPARE(QImage(dir.filePath("l.png")).size(), figurePixels(style, 1200));
        QCOMPARE(writeFigure({{view.plot(), {}}}, style, dir.filePath("l.svg")), QString());
        QFile svg(dir.filePath("l.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray text = svg.readAll();
        QVERIFY(text.contains("curvature (log scale)"));
        QVERIFY(text.contains("conv2"));
    }
};

QTEST_MAIN(TestLayerView)
#include "test_layer_view.moc"
