#pragma once
/// What DynamicsView draws, as plain numbers (the app converts the engine's stability and
/// batch-scaling results into these structs): sharpness across checkpoints against the optimizer's
/// stability threshold (the edge-of-stability figure), mini-batch λmax against the batch size, the
/// per-batch spectra of one or several checkpoints, and how much of λmax and the trace is the data.
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

/// The distribution of each batch's top-k eigenvalues over K mini-batches, one set per checkpoint
/// (or model), all on the same bins: the overlay.
struct BatchSpectraPlotData {
    struct Set {
        std::string label;            ///< the checkpoint's name
        std::vector<double> density;  ///< one per bin, integrating to 1
        double mean = 0, stddev = 0;  ///< of the K λmax (0, 0 without the largest end)
    };
    std::string title;
    std::vector<double> edges;  ///< bins + 1, ascending, shared by every set
    std::vector<Set> sets;
    std::string end;  ///< "largest" or "smallest": the end drawn
    int64_t batch_size = 0;
    int batches = 0, top_k = 0;
    std::vector<std::string> notes;
    bool empty() const { return sets.empty() || edges.size() < 2; }
};

/// A data-resampling estimate beside the estimator's own error, per quantity (λmax, the trace, the
/// density's second moment), all as percentages of the full-sample value.
struct ResamplePlotData {
    struct Quantity {
        std::string name;               ///< "λmax", "trace", "moment 2"
        double full = 0;                ///< the estimate over all N samples
        std::vector<double> deviation;  ///< each subsample's (value / full − 1) · 100
        double data_error = 0;          ///< 100 · σ/√N / |full|
        double estimator_error = 0;     ///< 100 · the estimator's error at N / |full|
        int64_t suggested_samples = 0;  ///< for the target
    };
    std::string title;
    std::vector<Quantity> quantities;
    int64_t samples = 0, subsample = 0;
    int resamples = 0;
    double target = 0;  ///< the relative data error aimed at, in %
    std::vector<std::string> notes;
    bool empty() const { return quantities.empty(); }
};

struct DynamicsPlotData {
    StabilityPlotData stability;
    BatchScalingPlotData scaling;
    BatchSpectraPlotData spectra;
    ResamplePlotData resample;
    bool empty() const { return stability.empty() && scaling.empty() && spectra.empty() && resample.empty(); }
};

}  // namespace basin::widgets
