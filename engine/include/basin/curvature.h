#pragma once
/// Curvature of the loss: top eigenpairs (Lanczos, or power iteration as PyHessian does it),
/// trace (Hutchinson, Hutch++), spectral density (stochastic Lanczos quadrature), the exact
/// spectrum of small models, and the split of the spectrum into bulk and outliers.
///
/// Every algorithm works on a symmetric LinearOperator, so it is tested on synthetic matrices
/// with known spectra as well as on real models; computeSpectrum() runs them on an Objective.
/// All random choices come from the seed in the options: same seed, same numbers.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "basin/objective.h"
#include "basin/progress.h"
#include "basin/provenance.h"

namespace basin {

/// out = A v for a symmetric n x n matrix A that is only known through products.
using LinearOperator = std::function<void(const Eigen::VectorXd& v, Eigen::VectorXd& out)>;

enum class Which { Largest, Smallest, Both };
enum class EigenMethod { Lanczos, Power };

struct EigenOptions {
    int top_k = 5;                 ///< eigenpairs wanted at each end asked for
    Which which = Which::Largest;  ///< Largest = largest algebraic; Smallest = most negative
    EigenMethod method = EigenMethod::Lanczos;
    double tol = 1e-3;     ///< stop when every wanted pair has ||A x - l x|| <= tol * |l_max|
    int max_hvp = 400;     ///< cap on products with A
    uint64_t seed = 0;     ///< seed of the start vector
    bool vectors = false;  ///< keep the eigenvectors (n x k each)
    /// Lanczos (and the first power-iteration vector) starts here instead of at a Gaussian vector
    /// drawn from `seed`: a warm start from a nearby point's Ritz vectors (curvature maps). Any
    /// non-zero vector of length n; the stopping rule is the same Ritz residual either way.
    std::optional<Eigen::VectorXd> start;
};

struct EigenResult {
    std::string method;               ///< "lanczos" or "power"
    std::string which;                ///< "largest" or "smallest"
    std::vector<double> eigenvalues;  ///< sorted descending
    std::vector<double> residuals;    ///< ||A x - l x|| for each pair, same order
    bool converged = false;           ///< every pair's residual within tolerance
    int64_t hvp_count = 0;
    double seconds = 0;
    double tol = 0;
    Eigen::MatrixXd vectors;  ///< columns in the order of eigenvalues, when asked for
};

struct EigenEnds {
    std::optional<EigenResult> largest, smallest;  ///< those asked for by EigenOptions::which
};

/// The top_k eigenpairs at the end(s) asked for. With Lanczos one Krylov space serves both ends
/// (the products are counted once, in both results); power iteration runs once per end.
/// Throws basin::Cancelled when the job is cancelled (within one product).
EigenEnds topEigenpairs(const LinearOperator& A, int64_t n, const EigenOptions& options, JobContext* job = nullptr);

enum class TraceMethod { Hutchinson, HutchPP };

struct TraceOptions {
    TraceMethod method = TraceMethod::Hutchinson;
    int probes = 64;  ///< products with A (Hutch++ spends the same budget)
    uint64_t seed = 0;
};

struct TraceResult {
    std::string method;
    double mean = 0;
    double stderr_ = 0;  ///< standard error of the mean (Hutch++: of its Hutchinson part)
    int probes = 0;
    int64_t hvp_count = 0;
    double seconds = 0;
};

TraceResult estimateTrace(const LinearOperator& A, int64_t n, const TraceOptions& options, JobContext* job = nullptr);

struct DensityOptions {
    int probes = 4;     ///< random start vectors
    int steps = 40;     ///< Lanczos steps per probe
    double sigma = -1;  ///< Gaussian smoothing std. dev.; < 0: 1% of the spectral range
    int grid_points = 400;
    uint64_t seed = 0;
};

struct DensityResult {
    std::vector<double> grid, values;          ///< smoothed density on a linear grid; integrates to 1
    std::vector<double> nodes, weights;        ///< Ritz values and weights of all probes (weights sum to 1)
    std::vector<double> log_grid, log_values;  ///< density of log10|l| (integrates to 1 over log10 axis)
    double sigma = 0;
    int probes = 0, steps = 0;
    int64_t hvp_count = 0;
    double seconds = 0;
};

DensityResult spectralDensity(const LinearOperator& A, int64_t n, const DensityOptions& options,
                              JobContext* job = nullptr);

struct ExactSpectrum {
    std::vector<double> eigenvalues;  ///< all n, descending
    Eigen::MatrixXd vectors;          ///< n x n when asked for
    double asymmetry = 0;             ///< ||A - A^T||_F / ||A||_F before symmetrising
    int64_t hvp_count = 0;
    double seconds = 0;
};

/// The full n x n matrix, column i = A e_i (n products, not symmetrised): the one way Basin builds
/// an exact Hessian (exactSpectrum, the structure analysis's exact diagonal). Refuses n > max_n
/// with the products and memory it would need.
Eigen::MatrixXd exactMatrix(const LinearOperator& A, int64_t n, int64_t max_n = 4096, JobContext* job = nullptr);

/// The full matrix from n products, symmetrised, all eigenvalues. Refuses n > max_n.
ExactSpectrum exactSpectrum(const LinearOperator& A, int64_t n, bool vectors, int64_t max_n = 4096,
                            JobContext* job = nullptr);

struct OutlierReport {
    int count = 0;                    ///< eigenvalues above the bulk edge
    double edge = 0;                  ///< the bulk edge: the largest eigenvalue of the bulk
    std::vector<double> eigenvalues;  ///< the outliers, descending
    double trace_share = 0;           ///< sum of the outliers / trace (0 when no trace is known)
    std::string rule;                 ///< the rule and its inputs, in words
    int classes = 0;                  ///< C used for the cross-check (0 = unknown)
    bool manual = false;              ///< the edge was set by hand
};

/// The rule: among the top Ritz values l_1 >= ... >= l_k (positive ones), the split is after the
/// index i with the largest relative gap (l_i - l_{i+1}) / l_{i+1}; when C is known and a gap at
/// C-1 or C outliers is within a factor 2 of the largest, that count is preferred (Papyan; Sagun
/// et al.: C-1 or C outliers for C classes). `manual_edge` overrides the rule.
OutlierReport splitOutliers(const std::vector<double>& top_descending, double trace, int classes,
                            std::optional<double> manual_edge = std::nullopt);

/// Bytes an eigen or density run keeps (m vectors of n doubles plus the operator's own needs).
int64_t estimateMemoryBytes(int64_t n, int vectors_kept);
/// Throws basin::Error with the estimate and how to reduce it if it exceeds available memory.
void checkMemory(int64_t n, int vectors_kept, const std::string& what);

/// The spectrum analysis's options (the contract of options.h). The estimators' own seeds
/// (eigen.seed, trace_options.seed, density_options.seed) are not options here: computeSpectrum
/// derives them from `seed` by seedFor(). The bulk edge set by hand is not an option either: it
/// is applied to a result (setBulkEdge) and stored with it.
struct SpectrumOptions {
    EigenOptions eigen;
    bool trace = false;
    TraceOptions trace_options;
    bool density = false;
    DensityOptions density_options;
    bool exact = false;
    int64_t exact_max = 4096;
    uint64_t seed = 0;  ///< the study's seed
};

void validate(const SpectrumOptions& options);
std::string toJson(const SpectrumOptions& options);
SpectrumOptions spectrumOptionsFromJson(const std::string& json_text, const std::string& origin);

struct SpectrumResult {
    std::optional<EigenResult> largest, smallest;
    std::optional<TraceResult> trace;
    std::optional<DensityResult> density;
    std::optional<ExactSpectrum> exact;
    OutlierReport outliers;
    int64_t parameters = 0;
    int64_t hvp_count = 0;
    double seconds = 0;
    std::string dtype;
    HvpReport hvp;            ///< how the products were made (mode, and what auto measured)
    SpectrumOptions options;  ///< what it ran with
    Provenance provenance;    ///< what made it
};

/// Sets the bulk edge by hand (`edge`), or back to Basin's rule (nullopt), and splits the outliers
/// again from the result's own eigenvalues and trace; no product is made.
void setBulkEdge(SpectrumResult& result, std::optional<double> edge);

/// Runs the asked analyses on the objective's Hessian at its current parameters (options validated
/// first; seeds derived from options.seed). Throws basin::Error when a product is not finite.
SpectrumResult computeSpectrum(Objective& objective, const SpectrumOptions& options, JobContext* job = nullptr);

/// JSON with the keys of `basin-cli spectrum --json` (see README): eigenvalues, residuals,
/// converged, hvp_count, seconds, trace{mean,stderr,probes}, density{grid,values,nodes,weights},
/// exact_eigenvalues, outliers{count,edge,eigenvalues,trace_share,rule,manual}, options, provenance.
std::string spectrumJson(const SpectrumResult& result);
/// The result back from spectrumJson's text (as stored in a study file); throws basin::Error
/// naming `origin` when the text is not such a result.
SpectrumResult spectrumFromJson(const std::string& json_text, const std::string& origin);

}  // namespace basin
