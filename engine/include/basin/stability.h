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
#include "basin/study.h"

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

/// The stability analysis's options (the contract of options.h). The optimizer state is not an
/// option: it is a file per checkpoint (StabilityInput), whose bytes are part of each row's key.
struct StabilityOptions {
    double tol = 1e-4;  ///< Lanczos tolerance of each λ (Ritz residual relative to |λ|)
    int max_hvp = 200;  ///< cap on the products of each Lanczos run
    /// A typed learning rate: replaces the file's; with no file, gradient descent's 2/η (or, with a
    /// typed momentum, heavy ball's (2 + 2β)/η).
    std::optional<double> lr;
    std::optional<double> momentum;  ///< a typed heavy-ball momentum β, replacing the file's
    uint64_t seed = 0;               ///< the study's seed; every Lanczos run starts from s + 0
};

void validate(const StabilityOptions& options);
std::string toJson(const StabilityOptions& options);
StabilityOptions stabilityOptionsFromJson(const std::string& json_text, const std::string& origin);

/// One checkpoint of a stability table and where its optimizer state comes from.
struct StabilityInput {
    std::string checkpoint;  ///< the model file
    std::string
        optimizer;  ///< torch.save(optimizer.state_dict()) or a checkpoint dict holding one; "": none (typed lr)
};

/// The checkpoints (`checkpoints`, else the study's, else its model), each with its optimizer
/// state: `optimizers` when given (one per checkpoint), else the study's "optimizers" entry of
/// that checkpoint, else, without a typed learning rate, the checkpoint itself (its 'optimizer'
/// entry). Throws basin::Error when the counts differ.
std::vector<StabilityInput> stabilityInputs(const StudySpec& spec, const StabilityOptions& options,
                                            const std::vector<std::string>& checkpoints = {},
                                            const std::vector<std::string>& optimizers = {});
/// The files other than the model whose bytes are part of a row's key: its optimizer state.
std::vector<std::string> referencedFiles(const StabilityInput& input);
/// The referenced files (results_store.h) of a run that reads the optimizer state `optimizer`
/// ("" when none: no files).
std::vector<std::string> optimizerFiles(const std::string& optimizer);

/// The state a row holds against `o`'s parameters: read from input.optimizer, with the typed lr
/// and momentum over it; with no file, the typed lr alone ("gd", or "sgd" with a momentum).
/// Throws basin::Error naming the checkpoint when neither gives a learning rate.
OptimizerState stabilityOptimizer(const Objective& o, const StabilityInput& input, const StabilityOptions& options);

/// One checkpoint's row: its sharpness against its optimizer's threshold. This is the result that
/// is stored (analysis "stability", the checkpoint as the model, the optimizer file referenced).
struct StabilityRow {
    std::string checkpoint;
    OptimizerState optimizer;              ///< its settings; exp_avg_sq is not kept in the JSON
    double lambda_max = 0;                 ///< λmax of the Hessian (or the study's curvature matrix)
    std::optional<double> preconditioned;  ///< Adam/AdamW: λ1(P^{-1/2} H P^{-1/2})
    double sharpness = 0;                  ///< the value held against the threshold
    double threshold = 0;
    double ratio = 0;        ///< sharpness / threshold (1: at the edge of stability)
    bool converged = false;  ///< every Lanczos run met its tolerance
    std::string rule;
    int64_t hvp_count = 0;
    double seconds = 0;
    StabilityOptions options;
    Provenance provenance;
};

/// λmax (and, for Adam, the preconditioned λ1) at `o`'s current weights by Lanczos (largest, one
/// pair) within options.tol and options.max_hvp, held against the optimizer's threshold. The
/// optimizer as given (stabilityOptimizer applies the typed values). Validates first; cancellable
/// between products.
StabilityRow computeStability(Objective& o, const OptimizerState& optimizer, const StabilityOptions& options,
                              JobContext* job = nullptr);

/// The table across checkpoints, in their order.
struct StabilityResult {
    StabilityOptions options;
    std::vector<StabilityRow> rows;
};

/// A row as JSON (format basin-stability-row), and back; throws basin::Error naming `origin`.
std::string stabilityRowJson(const StabilityRow& row);
StabilityRow stabilityRowFromJson(const std::string& json_text, const std::string& origin);
/// The table as JSON ({"format": "basin-stability", "options", "rows": [...]}), and back.
std::string stabilityJson(const StabilityResult& result);
StabilityResult stabilityFromJson(const std::string& json_text, const std::string& origin);
/// One line per checkpoint: checkpoint, optimizer, lr, momentum, beta1, lambda_max,
/// preconditioned_lambda_max, sharpness, threshold, ratio, converged, hvp_count, seconds, rule.
std::string stabilityCsv(const StabilityResult& result);

/// Batch-size dependence (issue #17): λmax of the mini-batch Hessian H_B, the Hessian of the mean
/// loss over B samples, over `batches` disjoint batches of each size, against the full-sample λmax.
/// The analysis's options (the contract of options.h).
struct BatchScalingOptions {
    std::vector<int64_t> sizes;  ///< batch sizes B, ascending; empty: powers of two from 8 up to the samples / batches
    int batches = 4;             ///< K disjoint batches per size (K * B samples at most all of them)
    double tol = 1e-4;           ///< Lanczos tolerance of each λmax
    int max_hvp = 200;           ///< cap on the products of each Lanczos run
    /// Hutchinson probes for the trace of each H_B and of the full Hessian (0: no trace). Written in
    /// the options' JSON only when not 0, so results stored before the option existed keep their key.
    int trace_probes = 0;
    /// The study's seed: the batches of size B are drawn from s + 3 + B (the samples' stream), every
    /// Lanczos run starts from s + 0, every trace's probes from s + 1.
    uint64_t seed = 0;
};

void validate(const BatchScalingOptions& options);
std::string toJson(const BatchScalingOptions& options);
BatchScalingOptions batchScalingOptionsFromJson(const std::string& json_text, const std::string& origin);

struct BatchScalingRow {
    int64_t batch_size = 0;
    std::vector<double> lambda_max;  ///< one per batch
    double mean = 0, stddev = 0;     ///< over the batches (stddev with n - 1)
    double stable_lr_sgd = 0;        ///< 2 / mean λmax(H_B): gradient descent's largest stable step at this B
    /// With trace_probes: the Hutchinson trace of each batch's H_B, their mean and spread (n - 1).
    std::vector<double> trace;
    double trace_mean = 0, trace_stddev = 0;
    /// With an Adam/AdamW state (BatchScalingResult::optimizer): λ1(P^{-1/2} H_B P^{-1/2}) of each
    /// batch, their mean and spread, and Adam's largest stable step at this B,
    /// (2 + 2β₁)/((1 − β₁) · mean λ1) (Cohen et al. 2022's threshold solved for η).
    std::vector<double> preconditioned;
    double preconditioned_mean = 0, preconditioned_stddev = 0;
    double stable_lr_adam = 0;
};

struct BatchScalingResult {
    std::vector<BatchScalingRow> rows;
    double full_lambda_max = 0;        ///< over every sample of the study
    std::optional<double> full_trace;  ///< with trace_probes: the full Hessian's Hutchinson trace
    /// The Adam/AdamW state file the preconditioned columns use ("" without: no Adam columns), its
    /// β₁ and the full-sample preconditioned λ1.
    std::string optimizer;
    double beta1 = 0;
    std::optional<double> full_preconditioned;
    int64_t samples = 0;  ///< how many that is
    /// Least-squares slope of log mean λmax(H_B) against log B (negative: smaller batches are sharper).
    double slope = 0;
    int64_t hvp_count = 0;
    double seconds = 0;
    BatchScalingOptions options;
    Provenance provenance;
};

/// `count` disjoint batches of `size` of the indices 0..n-1: the first count * size of a seeded
/// Fisher-Yates permutation (mt19937-64), each sorted. Throws basin::Error when they do not fit.
std::vector<std::vector<int64_t>> disjointBatches(int64_t n, int64_t size, int count, uint64_t seed);

/// λmax of the Hessian of the mean loss over `samples` (indices into the study's samples), or with
/// `inv_sqrt` (adamPreconditionerInvSqrt) λ1 of P^{-1/2} H_B P^{-1/2}; the objective goes back to
/// all its samples afterwards.
double batchLambdaMax(Objective& o, const std::vector<int64_t>& samples, EigenOptions eigen, JobContext* job = nullptr,
                      const Eigen::VectorXd* inv_sqrt = nullptr);

/// The optimizer state batch scaling preconditions with: the one the study lists for its model
/// (its "optimizers", parallel to its checkpoints); "" when it lists none.
std::string batchScalingOptimizer(const StudySpec& spec);

/// Validates first; cancellable between products; the objective keeps all its samples afterwards.
/// With `optimizer` (a torch.save(optimizer.state_dict()) file of `o`'s model, part of the result's
/// key as a referenced file), an Adam/AdamW state adds the preconditioned columns; an SGD state
/// adds none (its stable step is the 2/λmax column) and is refused, naming the file, when it is
/// not SGD, Adam or AdamW or does not fit the model.
BatchScalingResult computeBatchScaling(Objective& o, const BatchScalingOptions& options, JobContext* job = nullptr,
                                       const std::string& optimizer = {});
/// JSON (format basin-batch-scaling) and back; throws basin::Error naming `origin`.
std::string batchScalingJson(const BatchScalingResult& r);
BatchScalingResult batchScalingFromJson(const std::string& json_text, const std::string& origin);
/// Long form, one number a line: series,batch_size,value with the series lambda_max (each batch),
/// mean, stddev, stable_lr_sgd, full_lambda_max (batch_size = all samples) and slope.
std::string batchScalingCsv(const BatchScalingResult& r);

}  // namespace basin
