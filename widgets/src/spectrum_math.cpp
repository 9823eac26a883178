#include "basin/widgets/spectrum_math.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace basin::widgets {

Histogram histogram(const std::vector<double>& values, double lo, double hi, int bins) {
    if (bins < 1) throw std::invalid_argument("histogram: bins must be >= 1");
    if (!(hi > lo)) throw std::invalid_argument("histogram: hi must be greater than lo");
    Histogram h;
    h.edges.resize(bins + 1);
    const double width = (hi - lo) / bins;
    for (int i = 0; i <= bins; ++i) h.edges[i] = lo + width * i;
    h.edges[bins] = hi;  // exact, whatever the rounding of lo + width * bins
    h.counts.assign(bins, 0);
    for (double v : values) {
        if (!std::isfinite(v) || v < lo || v > hi) {
            ++h.outside;
            continue;
        }
        auto i = static_cast<int>((v - lo) / width);
        i = std::clamp(i, 0, bins - 1);
        // (v - lo) / width can round across an edge; the edges are the truth.
        if (v < h.edges[i]) --i;
        else if (i + 1 < bins && v >= h.edges[i + 1]) ++i;
        ++h.counts[i];
    }
    return h;
}

std::vector<double> histogramDensity(const Histogram& h, int64_t total) {
    std::vector<double> out(h.counts.size(), 0.0);
    if (total <= 0) return out;
    for (std::size_t i = 0; i < h.counts.size(); ++i) {
        const double width = h.edges[i + 1] - h.edges[i];
        out[i] = static_cast<double>(h.counts[i]) / (static_cast<double>(total) * width);
    }
    return out;
}

int suggestedBins(std::size_t count) {
    const int root = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
    return std::clamp(root, 8, 120);
}

std::vector<double> log10Abs(const std::vector<double>& values) {
    std::vector<double> out;
    out.reserve(values.size());
    for (double v : values)
        if (std::isfinite(v) && v != 0.0) out.push_back(std::log10(std::abs(v)));
    return out;
}

Range xRange(const SpectrumPlotData& data, bool log_abs, double margin) {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    auto take = [&](const std::vector<double>& xs) {
        for (double x : xs)
            if (std::isfinite(x)) {
                lo = std::min(lo, x);
                hi = std::max(hi, x);
            }
    };
    if (log_abs) {
        take(data.log_density_grid);
        take(log10Abs(data.top_eigenvalues));
        take(log10Abs(data.exact_eigenvalues));
        if (data.bulk_edge) take(log10Abs({*data.bulk_edge}));
    } else {
        take(data.density_grid);
        take(data.top_eigenvalues);
        take(data.exact_eigenvalues);
        if (data.bulk_edge) take({*data.bulk_edge});
    }
    if (!(hi >= lo)) return {};
    if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) return {lo - 0.5, hi + 0.5};
    const double pad = (hi - lo) * margin;
    return {lo - pad, hi + pad};
}

double densityTop(const std::vector<double>& density_values, const std::vector<double>& bar_values) {
    double top = 0;
    for (double v : density_values)
        if (std::isfinite(v)) top = std::max(top, v);
    for (double v : bar_values)
        if (std::isfinite(v)) top = std::max(top, v);
    return top > 0 ? top * 1.08 : 1.0;
}

std::string formatNumber(double v) {
    if (!std::isfinite(v)) return std::isnan(v) ? "n/a" : (v > 0 ? "∞" : "−∞");
    char buf[64];
    const double a = std::abs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e4)) std::snprintf(buf, sizeof buf, "%.3e", a);
    else std::snprintf(buf, sizeof buf, "%.4g", a);
    std::string s = buf;
    return v < 0 ? "\u2212" + s : s;
}

OutlierSplit splitAt(const std::vector<double>& eigenvalues, double edge, std::optional<double> trace) {
    OutlierSplit split;
    double sum = 0;
    for (double v : eigenvalues)
        if (std::isfinite(v) && v > edge) {
            ++split.count;
            sum += v;
        }
    split.share = (trace && *trace != 0) ? sum / *trace : std::numeric_limits<double>::quiet_NaN();
    return split;
}

std::vector<std::string> readoutLines(const SpectrumPlotData& data) {
    std::vector<std::string> lines;
    if (!data.top_eigenvalues.empty()) {
        const auto [mn, mx] = std::minmax_element(data.top_eigenvalues.begin(), data.top_eigenvalues.end());
        lines.push_back("λmax  " + formatNumber(*mx));
        lines.push_back("λmin  " + formatNumber(*mn));
    }
    if (data.trace) lines.push_back("trace  " + formatNumber(*data.trace) + " ± " + formatNumber(data.trace_stderr));
    if (data.bulk_edge) {
        const OutlierSplit split = splitAt(data.top_eigenvalues, *data.bulk_edge, data.trace);
        std::string outliers = "outliers  " + std::to_string(data.outlier_count);
        if (std::isfinite(split.share)) {
            char share[32];
            std::snprintf(share, sizeof share, " (%.1f%% of trace)", 100.0 * split.share);
            outliers += share;
        }
        lines.push_back(outliers);
        lines.push_back("bulk edge  " + formatNumber(*data.bulk_edge) + (data.edge_by_hand ? " (by hand)" : ""));
    }
    if (data.hvp_count > 0) lines.push_back("H·v used  " + std::to_string(data.hvp_count));
    if (!data.hvp_mode.empty()) lines.push_back("H·v mode  " + data.hvp_mode);
    if (!data.hvp_detail.empty()) lines.push_back("  " + data.hvp_detail);
    return lines;
}

}  // namespace basin::widgets
