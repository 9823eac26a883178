#pragma once
// Small numeric helpers shared by the estimators.
#include <chrono>
#include <cmath>
#include <vector>

namespace basin::detail {

inline double secondsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct MeanSpread {
    double mean = 0, spread = 0;  // the sample mean and standard deviation (n - 1; 0 for one sample)
};

inline MeanSpread meanAndSpread(const std::vector<double>& x) {
    MeanSpread r;
    if (x.empty()) return r;
    for (double v : x) r.mean += v;
    r.mean /= double(x.size());
    if (x.size() > 1) {
        double ss = 0;
        for (double v : x) ss += (v - r.mean) * (v - r.mean);
        r.spread = std::sqrt(ss / double(x.size() - 1));
    }
    return r;
}

struct MeanErr {
    double mean = 0, stderr_ = 0;  // the sample mean and its standard error (0 for one sample)
};

inline MeanErr meanAndStderr(const std::vector<double>& x) {
    const MeanSpread s = meanAndSpread(x);
    return {s.mean, x.size() > 1 ? s.spread / std::sqrt(double(x.size())) : 0.0};
}

}  // namespace basin::detail
