#include <QtTest>
#include <cmath>
#include <limits>

#include "basin/widgets/spectrum_math.h"

using namespace basin::widgets;

class TestSpectrumMath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void histogramCountsAndClosedLastBin() {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const Histogram h = histogram({0, 0.5, 1, 1.5, 2, 2, 3, nan}, 0, 2, 4);
        QCOMPARE(h.edges, (std::vector<double>{0, 0.5, 1, 1.5, 2}));
        QCOMPARE(h.counts, (std::vector<int64_t>{1, 1, 1, 3}));
        QCOMPARE(h.outside, int64_t(2));
        QCOMPARE(histogramDensity(h, 8), (std::vector<double>{0.25, 0.25, 0.25, 0.75}));
    }
    void histogramEdgesWinOverRounding() {
        // 0.3 / 3 is not 0.1 in binary; a value on an edge still lands in the bin the edge opens.
        const Histogram h = histogram({0.1, 0.2, 0.3}, 0, 0.3, 3);
        QCOMPARE(h.edges.back(), 0.3);
        QCOMPARE(h.counts, (std::vector<int64_t>{0, 1, 2}));
        QCOMPARE(h.outside, int64_t(0));
    }
    void histogramRejectsBadArguments() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, histogram({1.0}, 0, 1, 0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, histogram({1.0}, 1, 1, 4));
    }
    void densityOfEmptyTotalIsZero() {
        const Histogram h = histogram({0.5}, 0, 1, 2);
        QCOMPARE(histogramDensity(h, 0), (std::vector<double>{0, 0}));
    }
    void binsFollowSquareRootWithinClamp() {
        QCOMPARE(suggestedBins(0), 8);
        QCOMPARE(suggestedBins(100), 10);
        QCOMPARE(suggestedBins(1000), 32);
        QCOMPARE(suggestedBins(1000000), 120);
    }
    void logAbsDropsZerosAndNonFinite() {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        QCOMPARE(log10Abs({-100, 0, 0.01, nan, 1}), (std::vector<double>{2, -2, 0}));
    }
    void xRangeCoversEverythingShown() {
        SpectrumPlotData d;
        d.density_grid = {-1, 2};
        d.top_eigenvalues = {5, 0.5};
        const Range r = xRange(d, false, 0.04);
        QCOMPARE(r.lo, -1.24);
        QCOMPARE(r.hi, 5.24);
        d.bulk_edge = 7.0;
        QCOMPARE(xRange(d, false, 0.0).hi, 7.0);
        SpectrumPlotData one;
        one.top_eigenvalues = {3};
        QCOMPARE(xRange(one, false).lo, 2.5);
        QCOMPARE(xRange(one, false).hi, 3.5);
        SpectrumPlotData logs;
        logs.top_eigenvalues = {-0.01, 1000};
        QCOMPARE(xRange(logs, true, 0.0).lo, -2.0);
        QCOMPARE(xRange(logs, true, 0.0).hi, 3.0);
    }
    void densityTopHasHeadroom() {
        QCOMPARE(densityTop({1, 2}, {3}), 3.24);
        QCOMPARE(densityTop({}, {}), 1.0);
    }
    void numbersUseFourDigitsAndRealMinus() {
        QCOMPARE(formatNumber(-0.5), std::string("\u22120.5"));
        QCOMPARE(formatNumber(123.456), std::string("123.5"));
        QCOMPARE(formatNumber(1.5e-7), std::string("1.500e-07"));
        QCOMPARE(formatNumber(2.5e6), std::string("2.500e+06"));
        QCOMPARE(formatNumber(0), std::string("0"));
        QCOMPARE(formatNumber(std::numeric_limits<double>::quiet_NaN()), std::string("n/a"));
    }
    void readoutListsWhatIsKnown() {
        SpectrumPlotData d;
        QVERIFY(readoutLines(d).empty());
        d.top_eigenvalues = {9, -0.8, 1.2};
        d.trace = 25.3;
        d.trace_stderr = 1.7;
        d.bulk_edge = 1.2;
        d.outlier_count = 1;
        d.hvp_count = 312;
        // 9 / 25.3 of the trace is above the edge.
        const std::vector<std::string> want{"λmax  9",           "λmin  \u22120.8",
                                            "trace  25.3 ± 1.7", "outliers  1 (35.6% of trace)",
                                            "bulk edge  1.2",    "H·v used  312"};
        QCOMPARE(readoutLines(d), want);
        d.edge_by_hand = true;
        d.hvp_mode = "fd (chosen by auto)";
        d.hvp_detail = "1.5 gradients per product";
        const std::vector<std::string> by_hand{"λmax  9",
                                               "λmin  \u22120.8",
                                               "trace  25.3 ± 1.7",
                                               "outliers  1 (35.6% of trace)",
                                               "bulk edge  1.2 (by hand)",
                                               "H·v used  312",
                                               "H·v mode  fd (chosen by auto)",
                                               "  1.5 gradients per product"};
        QCOMPARE(readoutLines(d), by_hand);
    }
    void splitAtCountsValuesAboveTheEdgeAndTheirShare() {
        const std::vector<double> top{9, 6, 4.5, 1.2, 1.0, -0.3, std::nan("")};
        OutlierSplit s = splitAt(top, 1.2, 25.3);
        QCOMPARE(s.count, 3);  // strictly above: 1.2 itself is bulk
        QCOMPARE(s.share, 19.5 / 25.3);
        s = splitAt(top, 5.0, 25.3);
        QCOMPARE(s.count, 2);
        QCOMPARE(s.share, 15.0 / 25.3);
        s = splitAt(top, -1.0, std::nullopt);
        QCOMPARE(s.count, 6);
        QVERIFY(std::isnan(s.share));
        QCOMPARE(splitAt(top, 10.0, 0.0).count, 0);
        QVERIFY(std::isnan(splitAt(top, 10.0, 0.0).share));
    }
};

QTEST_APPLESS_MAIN(TestSpectrumMath)
#include "test_spectrum_math.moc"
