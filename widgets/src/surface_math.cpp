#include "basin/widgets/surface_math.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace basin::widgets {

std::string surfaceProblem(const SurfacePlotData& d) {
    if (d.x.size() < 2 || d.y.size() < 2) return "the grid needs at least 2 points along each direction";
    if (d.values.size() != d.x.size() * d.y.size())
        return "the grid has " + std::to_string(d.x.size()) + " x " + std::to_string(d.y.size()) + " points but " +
               std::to_string(d.values.size()) + " values";
    auto ascending = [](const std::vector<double>& v) {
        for (std::size_t i = 1; i < v.size(); ++i)
            if (!(v[i] > v[i - 1])) return false;
        return true;
    };
    if (!ascending(d.x) || !ascending(d.y)) return "grid coordinates must be strictly ascending";
    if (std::none_of(d.values.begin(), d.values.end(), [](double v) { return std::isfinite(v); }))
        return "no finite value on the grid";
    return {};
}

std::array<double, 2> finiteRange(const std::vector<double>& values) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (lo > hi) return {0, 0};
    return {lo, hi};
}

double heightScale(const SurfacePlotData& d, double ratio) {
    if (d.x.empty() || d.y.empty()) return 1;
    const double side = std::max(d.x.back() - d.x.front(), d.y.back() - d.y.front());
    const auto [lo, hi] = d.value_range ? *d.value_range : finiteRange(d.values);
    if (!(hi > lo) || !(side > 0)) return 1;
    return ratio * side / (hi - lo);
}

std::array<double, 3> viridis(double t) {
    static constexpr std::array<std::array<double, 3>, 9> kSamples{{
        {68 / 255.0, 1 / 255.0, 84 / 255.0},     // #440154
        {71 / 255.0, 45 / 255.0, 123 / 255.0},   // #472D7B
        {59 / 255.0, 82 / 255.0, 139 / 255.0},   // #3B528B
        {44 / 255.0, 114 / 255.0, 142 / 255.0},  // #2C728E
        {33 / 255.0, 144 / 255.0, 140 / 255.0},  // #21908C
        {39 / 255.0, 173 / 255.0, 129 / 255.0},  // #27AD81
        {93 / 255.0, 200 / 255.0, 99 / 255.0},   // #5DC863
        {170 / 255.0, 220 / 255.0, 50 / 255.0},  // #AADC32
        {253 / 255.0, 231 / 255.0, 37 / 255.0},  // #FDE725
    }};
    if (!std::isfinite(t)) t = 0;
    t = std::clamp(t, 0.0, 1.0) * (kSamples.size() - 1);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), kSamples.size() - 2);
    const double f = t - static_cast<double>(i);
    std::array<double, 3> rgb{};
    for (int c = 0; c < 3; ++c) rgb[c] = kSamples[i][c] + f * (kSamples[i + 1][c] - kSamples[i][c]);
    return rgb;
}

std::array<double, 3> colormap(const std::string& name, double t) {
    if (name == "diverging") {
        // Blue (negative) to vermillion (positive) through a near-white middle: both ends stay
        // apart for colour-blind readers, and zero reads as "no curvature".
        static constexpr std::array<double, 3> kLow{0x00 / 255.0, 0x72 / 255.0, 0xB2 / 255.0}, kMid{0.96, 0.96, 0.94},
            kHigh{0xD5 / 255.0, 0x5E / 255.0, 0x00 / 255.0};
        if (!std::isfinite(t)) t = 0.5;
        t = std::clamp(t, 0.0, 1.0);
        const auto& a = t < 0.5 ? kLow : kMid;
        const auto& b = t < 0.5 ? kMid : kHigh;
        const double f = t < 0.5 ? t / 0.5 : (t - 0.5) / 0.5;
        return {a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])};
    }
    if (name != "grey") return viridis(t);
    if (!std::isfinite(t)) t = 0;
    const double g = 0.08 + 0.8 * std::clamp(t, 0.0, 1.0);  // never white: the page is white
    return {g, g, g};
}

std::array<double, 2> scaleRange(const SurfacePlotData& data) {
    if (data.value_range && (*data.value_range)[1] > (*data.value_range)[0]) return *data.value_range;
    return colourRange(data.values);
}

std::array<double, 2> sharedRange(const std::vector<const std::vector<double>*>& grids) {
    std::vector<double> ends;
    for (const auto* g : grids) {
        if (!g) continue;
        const auto [lo, hi] = finiteRange(*g);
        bool any = false;
        for (double v : *g) any = any || std::isfinite(v);
        if (any) ends.insert(ends.end(), {lo, hi});
    }
    return colourRange(ends);
}

std::vector<double> displayValues(const std::vector<double>& values, bool log10, std::optional<double> clip_max) {
    std::vector<double> out = values;
    if (clip_max)
        for (double& v : out)
            if (v > *clip_max) v = *clip_max;
    if (!log10) return out;
    double smallest = std::numeric_limits<double>::infinity();
    for (double v : out)
        if (std::isfinite(v) && v > 0) smallest = std::min(smallest, v);
    if (!std::isfinite(smallest)) smallest = 1e-12;  // nothing positive: a flat floor, never -inf
    for (double& v : out)
        if (!std::isnan(v)) v = std::log10(v > 0 ? v : smallest);
    return out;
}

std::array<double, 2> colourRange(const std::vector<double>& values) {
    if (std::none_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); })) return {0, 1};
    const auto [lo, hi] = finiteRange(values);
    if (hi > lo) return {lo, hi};
    return {lo - 0.5, lo + 0.5};
}

const SurfaceField* colourField(const SurfacePlotData& data) {
    if (data.colour_by.empty()) return nullptr;
    for (const SurfaceField& f : data.fields)
        if (f.name == data.colour_by && f.values.size() == data.values.size()) return &f;
    return nullptr;
}

const std::vector<double>& colourValues(const SurfacePlotData& data) {
    const SurfaceField* f = colourField(data);
    return f ? f->values : data.values;
}

std::string colourLabel(const SurfacePlotData& data) {
    const SurfaceField* f = colourField(data);
    return f ? f->label : data.value_label;
}

std::array<double, 2> colourScale(const SurfacePlotData& data) {
    const SurfaceField* f = colourField(data);
    if (!f) return scaleRange(data);
    if (!f->signed_values) return colourRange(f->values);
    const auto [lo, hi] = finiteRange(f->values);
    const double m = std::max(std::abs(lo), std::abs(hi));
    return m > 0 ? std::array<double, 2>{-m, m} : std::array<double, 2>{-1, 1};
}

std::string colourMapName(const SurfacePlotData& data) {
    const SurfaceField* f = colourField(data);
    return f && f->signed_values ? std::string("diverging") : data.colormap;
}

int nearestIndex(const std::vector<double>& coords, double x) {
    if (coords.empty()) return -1;
    const auto it = std::lower_bound(coords.begin(), coords.end(), x);
    if (it == coords.begin()) return 0;
    if (it == coords.end()) return int(coords.size()) - 1;
    const auto i = int(it - coords.begin());
    return (x - coords[i - 1] <= coords[i] - x) ? i - 1 : i;
}

int64_t argminDone(const std::vector<double>& values, const std::vector<uint8_t>& done) {
    int64_t best = -1;
    for (std::size_t k = 0; k < values.size() && k < done.size(); ++k)
        if (done[k] && std::isfinite(values[k]) && (best < 0 || values[k] < values[std::size_t(best)]))
            best = int64_t(k);
    return best;
}

std::vector<double> colourBarTicks(double lo, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo)) return {};
    const double span = hi - lo;
    double step = std::pow(10.0, std::floor(std::log10(span)));
    // The largest of 1, 2, 5 x 10^k that leaves at least four ticks.
    for (double f : {5.0, 2.0, 1.0, 0.5, 0.2, 0.1}) {
        const double s = step * f;
        if (std::floor(hi / s) - std::ceil(lo / s) + 1 >= 4) {
            step = s;
            break;
        }
    }
    std::vector<double> ticks;
    for (double k = std::ceil(lo / step); k * step <= hi * (1 + 1e-12) + 1e-300; k += 1) {
        const double t = k * step;
        ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    }
    return ticks;
}

std::string colourBarLabel(double tick) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", tick);
    return buf;
}

}  // namespace basin::widgets
