// StructureView draws what it is given: bars, heatmap cells and table rows equal the data, a part
// not computed says so, and the whole view matches its baseline image.
#include <qcustomplot.h>
#include <QLabel>
#include <QTableWidget>
#include <QtTest>

#include "basin/widgets/structure_view.h"
#include "image_compare.h"

using namespace basin::widgets;

namespace {

StructurePlotData sample() {
    StructurePlotData d;
    d.title = "planted";
    d.groups = {{"conv1", 80, 0.012, 0.002, 0.9, 0.1},
                {"bn1", 16, -0.001, 0.0015, 0.2, 0.05},
                {"fc", 7850, 0.08, 0.01, 0.05, 0.004}};
    d.prune_level = "channel";
    d.least_salient = {{"bn1.weight[3]", 1, -0.0004, 0.0002, 0.8},
                       {"conv1.weight[5]", 9, 0.0001, 0.00005, 0.3},
                       {"fc.weight[2]", 784, 0.002, 0.0004, 4.1}};
    d.base_loss = 0.35;
    d.removal = {{1, 0.351, 0.37, 0.0001, 0.004}, {4, 0.36, 0.52, 0.003, 0.05}};
    d.localisation = {
        "Eigenvector localisation",     "eigenvector",          "layer group",
        {"top 1", "top 2", "bottom 1"}, {"conv1", "bn1", "fc"}, {{0.1, 0.05, 0.85}, {0.2, 0.1, 0.7}, {0.6, 0.3, 0.1}}};
    d.classes = {"Outliers against class means",
                 "eigenvector of G",
                 "class",
                 {"1", "2", "3"},
                 {"0", "1", "2"},
                 {{0.95, 0.02, 0.01}, {0.01, 0.9, 0.05}, {0.0, 0.1, 0.7}}};
    d.blocks = {{1, 2.5, 2.1, "fc", 12.0}, {2, 1.9, 1.2, "fc", 30.0}, {3, 1.1, 0.9, "conv1", 55.0}};
    d.notes = {"Diagonal (hutchinson, 32 probes): 32 H·v", "Total: 120 H·v in 10.0 s"};
    return d;
}

QCPColorMap* mapOf(QCustomPlot* plot) {
    for (int i = 0; i < plot->plottableCount(); ++i)
        if (auto* m = qobject_cast<QCPColorMap*>(plot->plottable(i))) return m;
    return nullptr;
}

}  // namespace

class TestStructureView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void drawsTheNumbersItIsGiven() {
        StructureView view;
        view.resize(1200, 760);
        view.show();
        const StructurePlotData d = sample();
        view.setData(d);
        QCOMPARE(view.saliencyBars(), (std::vector<double>{0.012, -0.001, 0.08}));
        QCOMPARE(view.meanDiagBars(), (std::vector<double>{0.9, 0.2, 0.05}));
        for (QCustomPlot* plot : {view.localisationPlot(), view.classPlot()}) {
            const Heatmap& h = plot == view.localisationPlot() ? d.localisation : d.classes;
            QCPColorMap* map = mapOf(plot);
            QVERIFY(map);
            QCOMPARE(map->data()->keySize(), 3);
            QCOMPARE(map->data()->valueSize(), 3);
            for (int r = 0; r < 3; ++r)
                for (int c = 0; c < 3; ++c)
                    QCOMPARE(map->data()->cell(c, 2 - r), h.values[size_t(r)][size_t(c)]);  // top row first
        }
        QCOMPARE(view.blocksPlot()->graphCount(), 2);
        QCOMPARE(view.blocksPlot()->graph(1)->data()->size(), 3);
        QCOMPARE(view.blocksPlot()->graph(1)->data()->at(1)->value, 1.2);
        QCOMPARE(view.salientTable()->rowCount(), 3);
        QCOMPARE(view.salientTable()->item(0, 0)->text(), QString("bn1.weight[3]"));
        QCOMPARE(view.removalTable()->rowCount(), 2);
        QCOMPARE(view.removalTable()->item(1, 0)->text(), QString("4"));
        QCOMPARE(view.blockTable()->rowCount(), 3);
        QCOMPARE(view.blockTable()->item(2, 3)->text(), QString("conv1"));
        QVERIFY(view.notesLabel()->text().contains("Total: 120"));
        QCOMPARE(view.filledPlots().size(), size_t(4));

        const QImage image = view.grab().toImage();
        const auto r =
            basin::test::compareWithBaseline(image, BASIN_BASELINE_DIR, BASIN_IMAGE_OUT_DIR, "structure.png", 2.0);
        QVERIFY2(r.ok, qPrintable(r.message));
    }

    void aPartNotComputedSaysSo() {
        StructureView view;
        view.resize(1000, 700);
        StructurePlotData d = sample();
        d.classes = {};
        d.blocks.clear();
        view.setData(d);
        QCOMPARE(view.filledPlots().size(), size_t(2));
        QVERIFY(!mapOf(view.classPlot()));
        QCOMPARE(view.blocksPlot()->graphCount(), 0);
        QCOMPARE(view.blockTable()->rowCount(), 0);
        view.clear("nothing here");
        QVERIFY(view.filledPlots().empty());
        QVERIFY(view.saliencyBars().empty());
        QCOMPARE(view.salientTable()->rowCount(), 0);
        // A single layer group and a single eigenvector still draw as one cell.
        StructurePlotData one;
        one.localisation = {"one", "eigenvector", "layer group", {"top 1"}, {"fc"}, {{1.0}}};
        view.setData(one);
        QCOMPARE(mapOf(view.localisationPlot())->data()->cell(0, 0), 1.0);
    }
};

QTEST_MAIN(TestStructureView)
#include "test_structure_view.moc"
