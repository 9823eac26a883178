#pragma once
/// Where curvature lives: the structure analysis. Its parts can be asked for separately, and each
/// reports the H·v products it cost:
///  - diag: the Hessian diagonal (Hutchinson's E[z ⊙ Hz] with a per-entry standard error, or exact
///    from the full Hessian of a small model), summed per tensor, output channel, attention head and
///    layer group, with Optimal Brain Damage saliency diag(H)·w²/2 at the same levels, the least
///    salient structures ranked, and the loss measured after zeroing the k least salient beside
///    zeroing the k smallest by magnitude;
///  - localisation: each top and bottom Hessian eigenvector's share of squared norm per layer group
///    and its participation ratio;
///  - classes (cross-entropy): the Gauss-Newton matrix split into a class term, a cross-class term
///    and a within-class term (Papyan 2020, in the exact form below), the eigenvalues of their Gram
///    matrices against the top Gauss-Newton and Hessian eigenvalues, and each outlier eigenvector's
///    overlap with each class's mean gradient;
///  - blocks: the top eigenvalues of block-diag(H) over layer groups against those of H, the
///    principal angles between their top eigenspaces, each block's spectral density and the
///    Jensen-Shannon distance between the blocks' densities;
///  - align: against a second data file (another domain, a test split) ‖H_A − H_B‖₂, the trace
///    difference and the cosine of the two gradients, for the whole model and the classifier head.
/// "H" is the study's curvature matrix (the Hessian unless the study asks for another), as in
/// every analysis. Every part restores the objective's parameters (and restricted samples and
/// curvature) before it returns, also when it fails or is cancelled.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "basin/objective.h"
#include "basin/progress.h"
#include "basin/provenance.h"

namespace basin {

/// What the least salient structures are, for the ranked table and the removal check:
/// single weights (entries of tensors of dimension >= 2), output channels of those tensors
/// (slices along dim 0: a filter of a convolution, a row of a linear layer), or attention heads.
enum class PruneLevel { Weight, Channel, Head };
std::string pruneLevelName(PruneLevel level);  ///< "weight" | "channel" | "head"

/// The structure analysis's options (the contract of options.h). Seeds: the diagonal's probes are
/// the trace's stream (seedFor(seed, Trace)), so their per-probe sums are the Hutchinson trace of
/// the spectrum with as many probes; every Lanczos start (eigenvectors, blocks, Gauss-Newton,
/// alignment) is the Eigen stream; block densities the Density stream; alignment's trace probes the
/// Trace stream.
struct StructureOptions {
    bool diag = true;           ///< the diagonal, its aggregates, saliency and removal
    bool localisation = true;   ///< eigenvector shares per layer group
    bool classes = false;       ///< class structure of the Gauss-Newton matrix (cross-entropy)
    bool blocks = true;         ///< block-diagonal against full
    std::string align_data;     ///< a second data file: alignment when not empty
    std::string align_targets;  ///< its targets file, when separate
    std::string align_group;    ///< the classifier head's layer group; empty: the last group

    int probes = 64;           ///< Hutchinson probes of the diagonal (one H·v each)
    bool exact = false;        ///< the diagonal from the exact Hessian (P products)
    int64_t exact_max = 4096;  ///< the largest model the exact diagonal is offered for
    int heads = 0;             ///< heads per attention module; 0: the model's num_heads attribute
    PruneLevel prune_level = PruneLevel::Channel;
    std::vector<int> prune = {1, 2, 4, 8};  ///< how many structures to zero (each count: two evaluations)
    int table = 20;                         ///< rows of the ranked table of least salient structures
    bool keep_diagonal = false;             ///< keep the per-entry diagonal and its standard error in the result

    int top_k = 5;                   ///< eigenvectors at each end (localisation), eigenvalues compared (blocks)
    double tol = 1e-3;               ///< Lanczos residual tolerance, relative to |λ_max|
    int max_hvp = 200;               ///< cap on products of each Lanczos run
    int class_top = 0;               ///< Gauss-Newton and Hessian eigenpairs for the class structure; 0: C
    int density_probes = 2;          ///< SLQ probes per block
    int density_steps = 20;          ///< Lanczos steps per probe and block
    int align_probes = 16;           ///< Hutchinson probes of the trace difference (two H·v each)
    std::vector<std::string> merge;  ///< join layer groups, "conv1+bn1" (as sensitivity does)
    uint64_t seed = 0;               ///< the study's seed
};

void validate(const StructureOptions& options);
std::string toJson(const StructureOptions& options);
StructureOptions structureOptionsFromJson(const std::string& json_text, const std::string& origin);
/// The files the options name (the alignment data), whose bytes belong in the result key.
std::vector<std::string> referencedFiles(const StructureOptions& options);

/// A set of parameter entries summed over: a tensor, an output channel, an attention head, a group,
/// or one weight. diag_sum is Σ_i diag(H)_i over its entries (the trace of its diagonal block),
/// saliency Σ_i diag(H)_i w_i²/2 (OBD), each with the standard error of the Hutchinson estimate
/// (0 when exact).
struct StructureEntry {
    std::string name;   ///< "conv1.weight", "conv1.weight[3]", "attn.head0", "conv1", "fc.weight[2,17]"
    std::string level;  ///< "tensor" | "channel" | "head" | "group" | "weight"
    int64_t size = 0;
    double diag_sum = 0, diag_sum_stderr = 0;
    double saliency = 0, saliency_stderr = 0;
    double weight_sq = 0;  ///< Σ_i w_i²: the magnitude criterion
};

/// Zeroing the k least salient structures (or the k smallest by magnitude) and evaluating.
struct RemovalRow {
    int k = 0;
    std::string criterion;             ///< "saliency" | "magnitude"
    double predicted = 0;              ///< Σ saliency of what was removed: OBD's predicted loss increase
    double weight_sq = 0;              ///< Σ w² removed
    Evaluation eval;                   ///< loss and accuracy with them zeroed
    std::vector<std::string> removed;  ///< names, in the ranking's order
};

struct DiagonalPart {
    std::string method;  ///< "hutchinson" | "exact"
    int probes = 0;
    double trace = 0, trace_stderr = 0;  ///< Σ diag (the Hutchinson trace of the same probes)
    std::vector<StructureEntry> tensors, channels, heads, groups;
    std::vector<std::string> head_rule;  ///< how heads were found, or why none were
    std::string prune_level;
    std::vector<StructureEntry> least_salient;      ///< at prune_level, least salient first
    Evaluation base;                                ///< the model as it is
    std::vector<RemovalRow> removal;                ///< per count: saliency, then magnitude
    std::vector<double> diagonal, diagonal_stderr;  ///< per entry, when kept
    int64_t hvp_count = 0;
    double seconds = 0;
};

struct EigenvectorShares {
    std::string end;  ///< "top" | "bottom"
    double eigenvalue = 0, residual = 0;
    std::vector<double> shares;      ///< per layer group, Σ = 1
    double participation = 0;        ///< (Σ v²)² / Σ v⁴: how many entries carry the vector
    double group_participation = 0;  ///< 1 / Σ share²: how many groups carry it
};

struct LocalisationPart {
    std::vector<std::string> groups;
    std::vector<int64_t> group_sizes;
    std::vector<EigenvectorShares> vectors;  ///< top (descending), then bottom (ascending)
    bool converged = false;
};

/// Basin's exact form of Papyan's decomposition. For sample i of true class c and each class c',
/// a_cc' = (N N_c)^(-1/2) Σ_{i in c} √p_ic' ∇ℓ(x_i, c'), ℓ(x, c') the loss as if x were labelled c'.
/// Then G = Σ_{c,c'} a_cc' a_cc'ᵀ + G_within exactly (G_within ⪰ 0, zero when the samples of each
/// class are identical). Per class, M_c = Σ_c' a_cc' a_cc'ᵀ splits into its best rank-one part
/// q_c q_cᵀ (the class term; q_c is class c's dominant mean-gradient direction) and the rest (the
/// cross-class term, rank <= C−1 per class): G = G_class (rank C) + G_cross (rank <= C(C−1)) +
/// G_within. The class-mean gradient of class c is g_c, the gradient of the mean loss over the
/// samples of class c.
struct OutlierSplit {
    double eigenvalue = 0;                                   ///< of G, from Lanczos
    double class_part = 0, cross_part = 0, within_part = 0;  ///< vᵀ G_class v, vᵀ G_cross v, the rest
};

struct ClassPart {
    int classes = 0;
    std::vector<int64_t> counts;                       ///< N_c
    std::vector<double> ggn_eigenvalues;               ///< top of G, descending
    std::vector<double> hessian_eigenvalues;           ///< top of H, descending
    std::vector<double> class_gram;                    ///< eigenvalues of the C x C Gram of q_c, descending
    std::vector<double> cross_gram;                    ///< of the C(C−1) cross-class vectors
    std::vector<double> between_gram;                  ///< of all C² a_cc' (G_class + G_cross)
    double class_trace = 0, cross_trace = 0;           ///< tr G_class, tr G_cross
    std::vector<OutlierSplit> ggn_split;               ///< per top eigenvector of G
    std::vector<std::vector<double>> ggn_overlap;      ///< [k][c] cos²(v_k, g_c), v_k top of G
    std::vector<std::vector<double>> hessian_overlap;  ///< [k][c] cos²(u_k, g_c), u_k top of H
    bool converged = false;
    int64_t hvp_count = 0;  ///< Gauss-Newton products (the Hessian's are the shared run's)
    int64_t gradient_passes =
        0;  ///< backward passes over all samples (about a gradient each): C for the a_cc', one for the g_c
    double seconds = 0;
};

struct BlockInfo {
    std::string name;
    int64_t size = 0;
    std::vector<double> eigenvalues;  ///< its top eigenvalues, descending
    bool converged = false;
    std::vector<double> nodes, weights;  ///< SLQ Ritz values and weights (Σ weights = 1)
    std::vector<double> log_values;      ///< density of log10|λ| on BlockPart::log_grid (integrates to 1)
};

struct BlockPart {
    std::vector<double> full;           ///< top k of H
    std::vector<double> block;          ///< top k of block-diag(H)
    std::vector<std::string> block_of;  ///< the group of each block eigenvalue
    std::vector<double> angles;         ///< principal angles (degrees) between the two top-k eigenspaces, ascending
    std::vector<BlockInfo> blocks;
    std::vector<double> log_grid;         ///< the blocks' common log10|λ| grid (negative λ fold onto |λ|)
    std::vector<std::vector<double>> js;  ///< Jensen-Shannon distance between blocks (base 2, in [0, 1])
    double js_sigma = 0.1;                ///< smoothing of the log10|λ| densities, in decades
    int64_t hvp_count = 0;
    double seconds = 0;
};

struct AlignScope {
    std::string scope;  ///< "model", or the head's group
    int64_t parameters = 0;
    double norm = 0;  ///< ‖H_A − H_B‖₂ = max(|λ_max|, |λ_min|) of the difference
    double lambda_max = 0, lambda_min = 0;
    bool converged = false;
    double trace_a = 0, trace_b = 0;  ///< Hutchinson, the same probes for both
    double trace_diff = 0, trace_diff_stderr = 0;
    double gradient_cosine = 0;  ///< cos(∇L_A, ∇L_B) on the scope's entries
};

struct AlignPart {
    std::string inputs, targets;  ///< the second data file(s)
    Evaluation a, b;              ///< the loss on the study's data and on the second
    AlignScope model, head;
    int64_t hvp_count = 0;  ///< products on both objectives
    double seconds = 0;
};

struct StructureResult {
    std::optional<DiagonalPart> diag;
    std::optional<LocalisationPart> localisation;
    std::optional<ClassPart> classes;
    std::optional<BlockPart> blocks;
    std::optional<AlignPart> align;
    int64_t parameters = 0;
    /// The one Lanczos run on H whose eigenpairs localisation, blocks and classes share (top and,
    /// with localisation, bottom); its products are counted here, not in those parts.
    int64_t eigen_hvp_count = 0;
    int64_t hvp_count = 0;  ///< every product of every part (the alignment's second objective included)
    double seconds = 0;
    HvpReport hvp;
    StructureOptions options;
    Provenance provenance;
};

/// Runs the parts asked for (options validated first). Throws basin::Error for a part that does not
/// apply (classes without cross-entropy, head removal without attention heads, an exact diagonal of
/// too large a model), and when a product is not finite; basin::Cancelled within one product.
StructureResult computeStructure(Objective& objective, const StructureOptions& options, JobContext* job = nullptr);

/// JSON with the keys of `basin-cli structure --json` (see README), and back (throws basin::Error
/// naming `origin` for text that is not such a result).
std::string structureJson(const StructureResult& result);
StructureResult structureFromJson(const std::string& json_text, const std::string& origin);

}  // namespace basin
