#pragma once
/// What LayerView draws: per-layer curvature and the mixed-precision proposal, as plain numbers
/// (the app converts the engine's sensitivity result into this struct).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace basin::widgets {

struct LayerRow {
    std::string name;                  ///< the layer group, e.g. "conv1"
    int64_t parameters = 0;            ///< n_i
    double top_eigenvalue = 0;         ///< largest eigenvalue of the layer's Hessian block
    double mean_trace = 0;             ///< Tr(H_ii) / n_i
    double mean_trace_err = 0;         ///< standard error of mean_trace (trace stderr / n_i)
    std::optional<double> omega4;      ///< Omega_i at 4 bits; absent for layers that are not quantised
    std::optional<int> proposed_bits;  ///< bits the proposal gives this layer, if any
};

/// One way to store the model: full precision, uniform b bits, a point of the Pareto frontier, or
/// the proposal.
struct PrecisionRow {
    std::string label;      ///< "float32", "uniform 4-bit", "frontier: next smaller", "proposal"
    std::vector<int> bits;  ///< one per quantised layer (LayerPlotData::quantised); empty for float32
    double size_bytes = 0;
    double loss = 0;              ///< measured
    double accuracy = -1;         ///< fraction correct; -1 when the loss has none
    std::optional<double> omega;  ///< the sum of Omega the choice predicts; absent for float32
    bool proposal = false;        ///< the row of the proposal (drawn in bold)
};

struct LayerPlotData {
    std::string title;
    std::vector<LayerRow> layers;         ///< in model order
    std::vector<std::string> quantised;   ///< the quantised layers, in the order of PrecisionRow::bits
    std::vector<PrecisionRow> precision;  ///< float32 first, then by size, largest first; empty when not computed
    std::optional<double> budget_bytes;   ///< the size budget of the proposal
    /// When a measured choice beats the proposal (no larger, lower loss): its label; else empty.
    std::string proposal_beaten_by;
    bool empty() const { return layers.empty(); }
};

}  // namespace basin::widgets
