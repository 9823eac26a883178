#include <QApplication>
#include <QSignalSpy>
#include <QSurfaceFormat>
#include <QtTest>
#include <cmath>

#include "basin/widgets/surface_view.h"
#include "image_compare.h"

using basin::widgets::SurfacePlotData;
using basin::widgets::SurfaceView;

namespace {

SurfacePlotData bowl() {
    SurfacePlotData d;
    d.title = "synthetic loss surface";
    for (int i = 0; i <= 40; ++i) d.x.push_back(-1 + i / 20.0);
    for (int j = 0; j <= 30; ++j) d.y.push_back(-0.75 + j / 20.0);
    for (double y : d.y)
        for (double x : d.x) d.values.push_back(0.2 + x * x + 2 * y * y + 0.1 * std::sin(6 * x));
    return d;
}

// Pixels of the rendered plot area (the colour bar cut off) within `tolerance` of `colour`.
int pixelsNear(const QImage& image, QColor colour, int tolerance) {
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width() * 8 / 10; ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - colour.red()) + std::abs(c.green() - colour.green()) +
                    std::abs(c.blue() - colour.blue()) <=
                tolerance)
                ++n;
        }
    return n;
}

}  // namespace

class TestSurfaceView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aBadGridIsRefusedWithTheReason() {
        SurfaceView view;
        SurfacePlotData d = bowl();
        d.values.resize(10);
        view.setData(d);
        QCOMPARE(view.problem(), QString("the grid has 41 x 31 points but 10 values"));
        QCOMPARE(view.contourCount(), 0);
    }

    void rendersTheSurfaceColouredByValue() {
        SurfaceView view;
        view.resize(720, 540);
        view.setData(bowl());
        QVERIFY(view.problem().isEmpty());
        QCOMPARE(view.contourCount(), 12);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage image = view.grabFramebuffer();
        QCOMPARE(image.size(), QSize(720, 540));
        QDir().mkpath(BASIN_IMAGE_OUT_DIR);
        image.save(QString(BASIN_IMAGE_OUT_DIR) + "/surface_bowl_rendered.png");  // to look at when a check fails
        // The low middle of the bowl is dark viridis, the rim high up is yellow-green.
        QVERIFY2(pixelsNear(image, QColor(0x44, 0x01, 0x54), 60) > 200, "no low (dark purple) surface drawn");
        QVERIFY2(pixelsNear(image, QColor(0xAA, 0xDC, 0x32), 90) > 200, "no high (yellow-green) surface drawn");
        const auto r =
            basin::test::compareWithBaseline(image, BASIN_BASELINE_DIR, BASIN_IMAGE_OUT_DIR, "surface_bowl.png", 0.8);
        QVERIFY2(r.ok, qPrintable(r.message));
    }

    void aClickOnTheSurfacePicksItsGridPoint() {
        SurfaceView view;
        view.resize(720, 540);
        SurfacePlotData d = bowl();
        view.setData(d);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // Off the surface (a corner of the background): nothing.
        QVERIFY(!view.gridPointAt(QPoint(2, 2)));
        // Search the middle rows for a pixel on the surface: its point lies inside the grid.
        std::optional<std::array<double, 2>> hit;
        QPoint at;
        for (int x = 200; x < 500 && !hit; x += 10) {
            at = QPoint(x, 300);
            hit = view.gridPointAt(at);
        }
        QVERIFY2(hit, "no pixel of the middle row shows the surface");
        QVERIFY((*hit)[0] >= -1 && (*hit)[0] <= 1 && (*hit)[1] >= -0.75 && (*hit)[1] <= 0.75);
        QSignalSpy picked(&view, &SurfaceView::pointPicked);
        QTest::mouseClick(&view, Qt::LeftButton, {}, at);
        QCOMPARE(picked.count(), 1);
        QCOMPARE(picked.at(0).at(0).toDouble(), (*hit)[0]);
        QCOMPARE(picked.at(0).at(1).toDouble(), (*hit)[1]);
        // Probes are marks like the minimum and the current weights.
        const int before = view.markCount();
        d.probes = {{0.5, 0.25}, {-0.5, 0.0}};
        view.setData(d);
        QCOMPARE(view.markCount(), before + 2);
        QVERIFY2(view.legendEntries().contains("probes"), qPrintable(view.legendEntries().join(", ")));
        d.probes.clear();
        view.setData(d);
        QVERIFY(!view.legendEntries().contains("probes"));
    }

    void uncomputedPointsDoNotStopTheDrawing() {
        SurfaceView view;
        SurfacePlotData d = bowl();
        d.values[5] = std::nan("");
        view.setData(d);
        QVERIFY(view.problem().isEmpty());
        QCOMPARE(view.contourCount(), 12);
        view.clear();
        QCOMPARE(view.contourCount(), 0);
    }
};

int main(int argc, char** argv) {
    // VTK's OpenGL2 backend needs this before the QApplication exists (docs/ARCHITECTURE.md, "Build facts").
    QSurfaceFormat::setDefaultFormat(basin::widgets::defaultVtkSurfaceFormat());
    QApplication app(argc, argv);
    TestSurfaceView test;
    return QTest::qExec(&test, argc, argv);
}
#include "test_surface_view.moc"
