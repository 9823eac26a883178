#pragma once
/// Sharpness against the optimizer's stability threshold (issue #17): the edge of stability of
/// Cohen et al. 2021 (gradient descent: λmax(H) ≈ 2/η; heavy-ball momentum β: (2 + 2β)/η; Nesterov:
/// (2 + 2β)/((1 + 2β)η)) and of Cohen et al. 2022 for Adam and AdamW: λ1 of the preconditioned
/// Hessian P^{-1/2} H P^{-1/2}, P = diag(√v̂ + ε), v̂ = v / (1 − β₂^step), against
/// (2 + 2β₁)/((1 − β₁)η). Weight decay is reported, not used (AdamW's decoupled decay does not move
/// the threshold in that analysis).
#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

#include "basin/curvature.h"
#include "basin/objective.h"
#include "basin/provenance.h"

namespace basin {

struct OptimizerState {
    std::string kind;  ///< "sgd", "adam" or "adamw"; "gd" when only a learning rate was typed
    std::string path;  ///< the file read ("" when typed)
    double lr = 0, momentum = 0, dampening = 0, beta1 = 0, beta2 = 0, eps = 0, weight_decay = 0;
    bool nesterov = false;
    double step = 0;  ///< Adam's step count (bias correction)
    /// Adam/AdamW: the second-moment estimate v (not bias-corrected), flattened in the objective's
    /// parameter order; empty for SGD.
    Eigen::VectorXd exp_avg_sq;
};

/// Reads torch.save(optimizer.state_dict()) for SGD, Adam or AdamW, as the file's content or
/// under "optimizer", "optimizer_state_dict" or "optim" of a training checkpoint, and maps its
/// per-parameter state onto `o`'s parameters in order (PyTorch numbers them as model.parameters()
/// yields them). Throws basin::Error naming the file for another optimizer, several parameter
/// groups with different settings, or a state whose count or shapes do not fit the model.
OptimizerState readOptimizerState(const std::string& path, const Objective& o);

/// The threshold the sharpness is held against, and the rule in words with its inputs.
double stabilityThreshold(const OptimizerState& s, std::string* rule = nullptr);

/// P^{-1/2} for Adam/AdamW (diag, one entry per parameter); throws for SGD.
Eigen::VectorXd adamPreconditionerInvSqrt(const OptimizerState& s);

struct StabilityRow {
    std::string checkpoint;
    OptimizerState optimizer;
    double lambda_max = 0;                 ///< λmax of the Hessian (or the study's curvature matrix)
    std::optional<double> preconditioned;  ///< Adam/AdamW: λ1(P^{-1/2} H P^{-1/2})
    double sharpness = 0;                  ///< the value held against the threshold
    double threshold = 0;
    double ratio = 0;                      ///< sharpness / threshold (1: at the edge of stability)
    std::string rule;
    int64_t hvp_count = 0;
    double seconds = 0;
    Provenance provenance;
};

/// λmax (and, for Adam, the preconditioned λ1) at `o`'s current weights by Lanczos with `eigen`
/// (top_k forced to 1, largest), held against the optimizer's threshold.
StabilityRow computeStability(Objective& o, const OptimizerState& optimizer, EigenOptions eigen, JobContext* job = nullptr);

/// One row as JSON (the optimizer's settings without v), and a table of rows as JSON.
std::string stabilityJson(const std::vector<StabilityRow>& rows);

/// Batch-size dependence (issue #17): λmax of the mini-batch Hessian H_B, the Hessian of the mean
/// loss over B samples, over `batches` disjoint batches of each size, against the full-sample λmax.
struct BatchScalingOptions {
    std::vector<int64_t> sizes;  ///< batch sizes B; empty: powers of two from 8 up to the samples / batches
    int batches = 4;             ///< K disjoint batches per size (K * B samples at most all of them)
    EigenOptions eigen;          ///< Lanczos for each λmax (top_k forced to 1)
    uint64_t seed = 0;           ///< the batches' draw (the study's s + 3, the samples' stream)
};

struct BatchScalingRow {
    int64_t batch_size = 0;
    std::vector<double> lambda_max;  ///< one per batch
    double mean = 0, stddev = 0;     ///< over the batches (stddev with n - 1)
    double stable_lr_sgd = 0;        ///< 2 / mean λmax(H_B): gradient descent's largest stable step at this B
};

struct BatchScalingResult {
    std::vector<BatchScalingRow> rows;
    double full_lambda_max = 0;  ///< over every sample of the study
    /// Least-squares slope of log mean λmax(H_B) against log B (negative: smaller batches are sharper).
    double slope = 0;
    int64_t hvp_count = 0;
    double seconds = 0;
    Provenance provenance;
};

/// `count` disjoint batches of `size` of the indices 0..n-1: the first count * size of a seeded
/// Fisher-Yates permutation (mt19937-64), each sorted. Throws basin::Error when they do not fit.
std::vector<std::vector<int64_t>> disjointBatches(int64_t n, int64_t size, int count, uint64_t seed);

/// λmax of the Hessian of the mean loss over `samples` (indices into the study's samples); the
/// objective goes back to all its samples afterwards.
double batchLambdaMax(Objective& o, const std::vector<int64_t>& samples, EigenOptions eigen, JobContext* job = nullptr);

BatchScalingResult computeBatchScaling(Objective& o, const BatchScalingOptions& options, JobContext* job = nullptr);
std::string batchScalingJson(const BatchScalingResult& r);

}  // namespace basin
