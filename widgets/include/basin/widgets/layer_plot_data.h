#pragma once
/// What LayerView draws: per-layer curvature and the mixed-precision proposal, as plain numbers
/// (the app converts the engine's sensitivity result into this struct).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace basin::widgets {

struct LayerRow {
    std::string name;              ///< the layer group, e.g. "conv1"
    int64_t parameters = 0;        ///< n_i
    double top_eigenvalue = 0;     ///< largest eigenvalue of the layer's Hessian block
    double mean_trace = 0;         ///< Tr(H_ii) / n_i
    double mean_trace_err = 0;     ///< standard error of mean_trace (trace stderr / n_i)
    std::optional<double> omega4;  ///< Omega_i at 4 bits; absent for layers that are not quantised
    std::optional<int> proposed_bits;  ///< bits the proposal gives this layer, if any
};

/// One way to store the model: full precision, uniform b bits, or the proposal.
struct PrecisionRow {
    std::string label;     ///< "float32", "uniform 4-bit", "proposal"
    std::string bits;      ///< per quantised layer, e.g. "8 4 4 2"; empty for float32
    double size_bytes = 0;
    double loss = 0;
    double accuracy = -1;  ///< fraction correct; -1 when the loss has none
};

struct LayerPlotData {
    std::string title;
    std::vector<LayerRow> layers;          ///< in model order
    std::vector<PrecisionRow> precision;   ///< float32 first; empty when not computed
    std::optional<double> budget_bytes;    ///< the size budget of the proposal
    bool empty() const { return layers.empty(); }
};

}  // namespace basin::widgets
