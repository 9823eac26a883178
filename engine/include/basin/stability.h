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

}  // namespace basin
