#pragma once
/// The arithmetic behind SpectrumView, kept free of Qt so it is tested on its own.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "basin/widgets/spectrum_plot_data.h"

namespace basin::widgets {

struct Histogram {
    std::vector<double> edges;    ///< bins + 1 edges, ascending
    std::vector<int64_t> counts;  ///< values in [edges[i], edges[i+1]); the last bin is closed
    int64_t outside = 0;          ///< values that fell outside [lo, hi] or were not finite
};

/// Equal-width bins over [lo, hi]. Throws std::invalid_argument when bins < 1 or hi <= lo.
Histogram histogram(const std::vector<double>& values, double lo, double hi, int bins);

/// counts / (total * width), so the bars integrate to the share of `total` they hold and can be
/// laid over a density that integrates to 1.
std::vector<double> histogramDensity(const Histogram& h, int64_t total);

/// Square-root rule, clamped to [8, 120] so neither a few values nor thousands look odd.
int suggestedBins(std::size_t count);

/// log10|v| of every non-zero finite value, in input order.
std::vector<double> log10Abs(const std::vector<double>& values);

struct Range {
    double lo = 0, hi = 1;
};

/// The span of every x the plot shows (density grid, eigenvalues, bulk edge), widened by `margin`
/// of its width on each side; a single point gets a unit-wide window around it.
Range xRange(const SpectrumPlotData& data, bool log_abs, double margin = 0.04);

/// Upper y bound for the density axis: the largest value of the density and of the histogram
/// density, with 8% headroom; 1 when there is nothing to show.
double densityTop(const std::vector<double>& density_values, const std::vector<double>& bar_values);

/// Four significant digits, plain or scientific, with a real minus sign (U+2212).
std::string formatNumber(double v);

struct OutlierSplit {
    int count = 0;     ///< values strictly above the edge
    double share = 0;  ///< their sum / trace; NaN when no (non-zero) trace is known
};

/// The split at a hand-placed bulk edge: how many of `eigenvalues` lie above `edge`, and the share
/// of `trace` they carry (the rule the engine states for its own edge, applied to any edge).
OutlierSplit splitAt(const std::vector<double>& eigenvalues, double edge, std::optional<double> trace);

/// The readout lines: λmax, λmin, trace ± stderr, outliers and bulk edge, H·v products.
/// Lines without data are left out.
std::vector<std::string> readoutLines(const SpectrumPlotData& data);

}  // namespace basin::widgets
