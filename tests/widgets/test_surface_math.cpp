#include <QtTest>
#include <cmath>
#include <limits>

#include "basin/widgets/surface_math.h"

using namespace basin::widgets;

namespace {
SurfacePlotData grid3x2() {
    SurfacePlotData d;
    d.x = {-1, 0, 1};
    d.y = {0, 2};
    d.values = {1, 2, 3, 4, 5, 7};
    return d;
}
}  // namespace

class TestSurfaceMath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aGoodGridHasNoProblem() { QCOMPARE(surfaceProblem(grid3x2()), std::string()); }
    void problemsAreNamed() {
        SurfacePlotData d = grid3x2();
        d.values.pop_back();
        QCOMPARE(surfaceProblem(d), std::string("the grid has 3 x 2 points but 5 values"));
        d = grid3x2();
        d.x = {0, 0, 1};
        QCOMPARE(surfaceProblem(d), std::string("grid coordinates must be strictly ascending"));
        d = grid3x2();
        d.values.assign(6, std::numeric_limits<double>::quiet_NaN());
        QCOMPARE(surfaceProblem(d), std::string("no finite value on the grid"));
        d = grid3x2();
        d.y = {0};
        QCOMPARE(surfaceProblem(d), std::string("the grid needs at least 2 points along each direction"));
    }
    void rangeSkipsNonFinite() {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        QCOMPARE(finiteRange({nan, 3, -2, INFINITY}), (std::array<double, 2>{-2, 3}));
        QCOMPARE(finiteRange({nan}), (std::array<double, 2>{0, 0}));
    }
    void heightIsAShareOfTheWiderSide() {
        // wider side 2 (x from -1 to 1 and y from 0 to 2), values span 6: 0.6 * 2 / 6
        QCOMPARE(heightScale(grid3x2()), 0.2);
        SurfacePlotData flat = grid3x2();
        flat.values.assign(6, 5.0);
        QCOMPARE(heightScale(flat), 1.0);
    }
    void viridisHitsItsPublishedSamples() {
        const auto start = viridis(0), end = viridis(1), mid = viridis(0.5), below = viridis(-3);
        QCOMPARE(start[0], 0x44 / 255.0);
        QCOMPARE(start[2], 0x54 / 255.0);
        QCOMPARE(end[1], 0xE7 / 255.0);
        QCOMPARE(mid[0], 0x21 / 255.0);
        QCOMPARE(mid[1], 0x90 / 255.0);
        QCOMPARE(below, start);
        const auto between = viridis(1.0 / 16);  // halfway between the first two samples
        QCOMPARE(between[1], (0x01 + 0x2D) / 2.0 / 255.0);
    }
};

QTEST_APPLESS_MAIN(TestSurfaceMath)
#include "test_surface_math.moc"
