#pragma once
/// The arithmetic behind LayerView, free of Qt so it is tested on its own.
#include <array>
#include <string>
#include <vector>

namespace basin::widgets {

/// A log axis covering every positive value: from the power of ten at or below the smallest to the
/// power of ten at or above the largest (one decade when they share one); {0.1, 10} when no value
/// is positive. Curvatures of layers span decades, which a linear axis would flatten to zero.
std::array<double, 2> logAxisRange(const std::vector<double>& values);

/// "1.2 MB", "36 kB", "512 B": model sizes as a reader compares them (powers of 1000).
std::string formatBytes(double bytes);

/// Bits per layer labelled by the layers' names: "conv1 8 · conv2 4 · fc 8"; an entry without a
/// name is shown as its number alone.
std::string bitsByLayer(const std::vector<std::string>& names, const std::vector<int>& bits);

}  // namespace basin::widgets
