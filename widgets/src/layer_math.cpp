#include "basin/widgets/layer_math.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace basin::widgets {

std::array<double, 2> logAxisRange(const std::vector<double>& values) {
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (double v : values)
        if (std::isfinite(v) && v > 0) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (hi == 0) return {0.1, 10};
    double a = std::floor(std::log10(lo)), b = std::ceil(std::log10(hi));
    if (b <= a) b = a + 1;
    return {std::pow(10.0, a), std::pow(10.0, b)};
}

std::string formatBytes(double bytes) {
    char buf[32];
    if (bytes >= 1e6) std::snprintf(buf, sizeof buf, "%.3g MB", bytes / 1e6);
    else if (bytes >= 1e3) std::snprintf(buf, sizeof buf, "%.3g kB", bytes / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0f B", bytes);
    return buf;
}

std::string bitsByLayer(const std::vector<std::string>& names, const std::vector<int>& bits) {
    std::string s;
    for (std::size_t i = 0; i < bits.size(); ++i) {
        if (!s.empty()) s += " \u00b7 ";
        if (i < names.size()) s += names[i] + " ";
        s += std::to_string(bits[i]);
    }
    return s;
}

}  // namespace basin::widgets
