#pragma once
/// Per-layer sensitivity (HAWQ, HAWQ-V2) and a mixed-precision proposal.
/// For each layer group: the top eigenvalue of its Hessian block H_ii, and its mean trace
/// Tr(H_ii)/n_i by Hutchinson (one probe over all parameters serves every group: z_i^T (H z)_i has
/// expectation Tr(H_ii) because the off-diagonal terms average to zero). The perturbation of b-bit
/// symmetric per-channel quantisation is Omega_i(b) = Tr(H_ii)/n_i * ||Q_b(W_i) - W_i||^2.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "basin/objective.h"
#include "basin/progress.h"
#include "basin/provenance.h"

namespace basin {

/// Symmetric per-channel uniform quantisation of the weight tensors (dimension >= 2) among
/// `params` to `bits` bits: per output channel (slice along dim 0) the step is
/// s = max|w| / (2^(bits-1) - 1) and w -> s * round(w / s). Biases and normalisation parameters
/// (dimension <= 1) are left as they are (kept in float32, as HAWQ does).
void quantise(Eigen::VectorXd& theta, const std::vector<ParameterInfo>& params, const std::vector<int>& param_indices,
              int bits);

struct SensitivityGroup {
    std::string name;
    std::vector<int> parameters;  ///< indices into Objective::parameters()
};

/// The objective's groups (one per module that owns parameters), with `merge` entries such as
/// "conv1+bn1" joining groups into one; throws basin::Error for an unknown name.
std::vector<SensitivityGroup> sensitivityGroups(const Objective& objective, const std::vector<std::string>& merge = {});

/// The sensitivity analysis's options (the contract of options.h). The probes are drawn from
/// seedFor(seed, SeedStream::Trace), each block's Lanczos start from seedFor(seed, SeedStream::Eigen).
struct SensitivityOptions {
    int probes = 32;  ///< Hutchinson probes (each one H*v for all groups)
    std::vector<int> bits = {2, 3, 4, 8};
    double eig_tol = 1e-3;  ///< Lanczos tolerance for each block's top eigenvalue
    int eig_max_hvp = 100;
    std::optional<double> budget_bytes;  ///< size budget for the proposal
    uint64_t seed = 0;                   ///< the study's seed
    std::vector<std::string> merge;
};

void validate(const SensitivityOptions& options);
std::string toJson(const SensitivityOptions& options);
SensitivityOptions sensitivityOptionsFromJson(const std::string& json_text, const std::string& origin);

struct GroupSensitivity {
    std::string name;
    int64_t parameters = 0;  ///< n_i
    int64_t quantised = 0;   ///< entries in weight tensors (dimension >= 2)
    double top_eigenvalue = 0;
    bool eig_converged = false;
    double trace = 0, trace_stderr = 0, mean_trace = 0;
    std::map<int, double> delta;  ///< ||Q_b(W_i) - W_i||^2 per bit width
    std::map<int, double> omega;  ///< Omega_i(b)
};

struct ParetoPoint {
    std::vector<int> bits;  ///< one per quantisable group (in the order of `quantisable`)
    double size_bytes = 0;
    double omega = 0;
};

/// Pareto frontier of (size, sum of Omega) over every choice of bits per group: exact, by merging
/// the groups one at a time and pruning dominated partial choices (both sums are additive, so a
/// partial choice that is dominated stays dominated). Sorted by size, omega strictly decreasing.
/// `omega[g][c]` and `size[g][c]` are group g's values for bits[c]; `fixed_bytes` is added to every size.
std::vector<ParetoPoint> paretoFrontier(const std::vector<std::vector<double>>& omega,
                                        const std::vector<std::vector<double>>& size, const std::vector<int>& bits,
                                        double fixed_bytes);

struct QuantisedEvaluation {
    std::string label;
    std::vector<int> bits;  ///< per quantisable group
    double size_bytes = 0;
    double omega = 0;
    Evaluation eval;
};

struct SensitivityResult {
    std::vector<GroupSensitivity> groups;
    std::vector<std::string> quantisable;  ///< groups with weight tensors, in the order of ParetoPoint::bits
    std::vector<ParetoPoint> pareto;
    double float32_bytes = 0;
    double trace_total = 0, trace_total_stderr = 0;
    Evaluation full_precision;
    std::vector<QuantisedEvaluation> uniform;     ///< every uniform width in `bits`, widest first
    std::optional<QuantisedEvaluation> proposal;  ///< when a budget was given and is reachable
    /// Frontier points next to the proposal, measured like it: Omega is a second-order estimate,
    /// so the two smaller frontier points ("frontier: next smaller", "frontier: second smaller")
    /// and the next larger one ("frontier: next larger (over budget)") have their loss measured
    /// too. Sorted by size; empty without a proposal.
    std::vector<QuantisedEvaluation> frontier_measured;
    /// The label of a measured choice (uniform or frontier) within the proposal's size whose
    /// measured loss is lower than the proposal's: the proposal is then not the one to take
    /// (Omega ranked it first, the measured loss does not). Empty when none is.
    std::string proposal_dominated_by;
    std::optional<double> budget_bytes;
    int64_t hvp_count = 0;
    double seconds = 0;
    HvpReport hvp;
    SensitivityOptions options;  ///< what it ran with
    Provenance provenance;       ///< what made it
};

/// The label of the choice among `uniform` and `frontier` that is no larger than `proposal` and has
/// the lowest measured loss below the proposal's; empty when none has a lower loss.
std::string dominatingChoice(const QuantisedEvaluation& proposal, const std::vector<QuantisedEvaluation>& uniform,
                             const std::vector<QuantisedEvaluation>& frontier);

SensitivityResult computeSensitivity(Objective& objective, const SensitivityOptions& options,
                                     JobContext* job = nullptr);

/// JSON with the keys of `basin-cli sensitivity --json`: groups[{name, parameters, top_eigenvalue,
/// trace, trace_stderr, mean_trace, omega{bits: value}, delta}], pareto[{bits, size, omega}],
/// proposal{bits, size, loss, accuracy}, uniform, frontier_measured, proposal_dominated_by (a label or
/// null), full_precision, options, provenance; and back.
std::string sensitivityJson(const SensitivityResult& result);
SensitivityResult sensitivityFromJson(const std::string& json_text, const std::string& origin);

}  // namespace basin
