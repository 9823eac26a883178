// The arithmetic of the surface and layer views: display transforms, colour ranges, lookups.
#include <QtTest>
#include <cmath>
#include <limits>

#include "basin/widgets/layer_math.h"
#include "basin/widgets/surface_math.h"

using namespace basin::widgets;

class TestViewMath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void displayValuesClipsThenLogs() {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const std::vector<double> v{0.1, 1, 10, 1000, nan};
        const auto same = displayValues(v, false, std::nullopt);
        QCOMPARE(same[3], 1000.0);
        QVERIFY(std::isnan(same[4]));
        const auto clipped = displayValues(v, false, 50.0);
        QCOMPARE(clipped[2], 10.0);
        QCOMPARE(clipped[3], 50.0);
        QVERIFY(std::isnan(clipped[4]));
        const auto logged = displayValues(v, true, 100.0);
        QCOMPARE(logged[0], -1.0);
        QCOMPARE(logged[1], 0.0);
        QCOMPARE(logged[2], 1.0);
        QCOMPARE(logged[3], 2.0);  // clipped to 100 first
        QVERIFY(std::isnan(logged[4]));
        // A non-positive value on a log scale sits at the smallest positive one, not at -inf.
        const auto floor = displayValues({0.01, 0, -3}, true, std::nullopt);
        QCOMPARE(floor, std::vector<double>({-2, -2, -2}));
    }

    void colourRangeHasAWidth() {
        QCOMPARE(colourRange({3, 1, 2, std::nan("")}), (std::array<double, 2>{1, 3}));
        QCOMPARE(colourRange({2, 2}), (std::array<double, 2>{1.5, 2.5}));
        QCOMPARE(colourRange({std::nan("")}), (std::array<double, 2>{0, 1}));
        QCOMPARE(colourRange({}), (std::array<double, 2>{0, 1}));
    }

    void nearestIndexPicksTheClosestCoordinate() {
        const std::vector<double> xs{-1, -0.5, 0, 0.5, 1};
        QCOMPARE(nearestIndex(xs, -3), 0);
        QCOMPARE(nearestIndex(xs, 0.2), 2);
        QCOMPARE(nearestIndex(xs, 0.3), 3);
        QCOMPARE(nearestIndex(xs, 0.25), 2);  // a tie goes to the lower
        QCOMPARE(nearestIndex(xs, 7), 4);
        QCOMPARE(nearestIndex({}, 0), -1);
    }

    void argminDoneIgnoresPointsNotComputed() {
        const std::vector<double> v{5, 0.5, 3, 1, std::nan("")};
        QCOMPARE(argminDone(v, {1, 0, 1, 1, 1}), int64_t(3));
        QCOMPARE(argminDone(v, {1, 1, 1, 1, 1}), int64_t(1));
        QCOMPARE(argminDone(v, {0, 0, 0, 0, 1}), int64_t(-1));
    }

    void logAxisRangeCoversWholeDecades() {
        QCOMPARE(logAxisRange({0.03, 2.5, 40}), (std::array<double, 2>{0.01, 100}));
        QCOMPARE(logAxisRange({1e-5, -2, 0, 3e-3}), (std::array<double, 2>{1e-5, 1e-2}));
        QCOMPARE(logAxisRange({10, 10}), (std::array<double, 2>{10, 100}));
        QCOMPARE(logAxisRange({-1, 0}), (std::array<double, 2>{0.1, 10}));
    }

    void formatBytesInPowersOfAThousand() {
        QCOMPARE(formatBytes(512), std::string("512 B"));
        QCOMPARE(formatBytes(36584), std::string("36.6 kB"));
        QCOMPARE(formatBytes(1.25e6), std::string("1.25 MB"));
    }
};

QTEST_APPLESS_MAIN(TestViewMath)
#include "test_view_math.moc"
