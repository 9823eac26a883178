#pragma once
/// What DynamicsView draws, as plain numbers (the app converts the engine's stability and
/// batch-scaling results into these structs): sharpness across checkpoints against the optimizer's
/// stability threshold (the edge-of-stability figure), and mini-batch λmax against the batch size.
#include <cstdint>
#include <string>
#include <vector>

namespace basin::widgets {

struct StabilityPlotData {
    std::string title;
    std::vector<std::string> labels;  ///< one per checkpoint, in training order (the x axis)
    std::vector<double> sharpness;    ///< λmax(H), or λ1(P^-1/2 H P^-1/2) for Adam/AdamW rows
    std::vector<double> threshold;    ///< each checkpoint's threshold (equal when the lr did not change)
    /// λmax(H) of the rows whose sharpness is preconditioned (NaN for the others): drawn beside it.
    std::vector<double> lambda_max;
    std::string sharpness_label;  ///< "λmax(H)", "λ1(P⁻¹ᐟ²HP⁻¹ᐟ²)" or both joined
    std::string threshold_label;  ///< the rule with its inputs, e.g. "(2 + 2β)/η = 76 (heavy ball, η = 0.05, β = 0.9)"
    std::vector<std::string> notes;  ///< each row's rule and cost
    bool empty() const { return labels.empty(); }
};

struct BatchScalingPlotData {
    std::string title;
    std::vector<double> batch_sizes;  ///< B, ascending
    std::vector<double> mean;         ///< mean λmax(H_B) over the batches
    std::vector<double> stddev;       ///< their spread (n - 1)
    double full_lambda_max = 0;       ///< over all `samples`
    int64_t samples = 0;
    double slope = 0;                  ///< of log mean λmax on log B
    std::vector<double> fit_x, fit_y;  ///< the fitted power law at the ends of the B axis
    std::vector<std::string> notes;
    bool empty() const { return batch_sizes.empty(); }
};

struct DynamicsPlotData {
    StabilityPlotData stability;
    BatchScalingPlotData scaling;
    bool empty() const { return stability.empty() && scaling.empty(); }
};

}  // namespace basin::widgets
