#pragma once
/// How much of a curvature number is the data sample (issue #17, items 4 and 5).
///
/// Per-batch spectra ("batch-spectra"): the top-k eigenvalues (Lanczos, either or both ends) of
/// the mini-batch Hessian H_B, the Hessian of the mean loss over B samples, for K seeded disjoint
/// batches, with a histogram of all of them: the distribution of "Hessian max eigenvalue spectra"
/// that papers plot across mini-batches. Across checkpoints each checkpoint gives one such set;
/// commonHistograms() puts several on one set of bins for an overlay.
///
/// Sampling uncertainty ("resample"): R seeded subsamples of m of the study's N samples, drawn
/// WITHOUT replacement (subsampling, not a bootstrap: Basin's subset objective takes each sample
/// at most once), each estimated as the full sample is (λmax by Lanczos, the trace by Hutchinson
/// with the same probes, and from the same products the density's second moment), beside the estimator's own error at N
/// (the Lanczos residual, the Hutchinson probe standard error). The rule that turns the spread into a data error and a
/// sample count, stated once:
///   spread_m  = standard deviation of the R subsample estimates (n − 1 in the denominator);
///   σ         = spread_m · √m · √((N − 1)/(N − m))   the per-sample spread: the finite-population
///               correction of drawing m of N without replacement is undone, and spread ∝ 1/√m;
///   data error at n samples = σ/√n, so the full estimate's data part is σ/√N;
///   suggested samples = ⌈(σ / (target · |full estimate|))²⌉, the n with σ/√n ≤ target · |full|.
/// For the trace, a mean of per-sample traces, the 1/√m scaling is exact; for λmax and the second
/// moment it is an approximation (λmax of a subsample is not a mean, and is biased upwards at small m: compare
/// `mean` with `full`).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "basin/curvature.h"
#include "basin/objective.h"
#include "basin/progress.h"
#include "basin/provenance.h"

namespace basin {

/// Equal-width bins: edges has bins + 1 ascending values, counts and density one per bin; a value
/// on an inner edge falls in the bin above it, one equal to the last edge in the last bin.
/// density = count / (values counted · bin width), so it integrates to 1.
struct Histogram {
    std::vector<double> edges;
    std::vector<int64_t> counts;
    std::vector<double> density;
};

/// `bins` bins over [min, max] of `values` (widened to a width of 1e-6 · max(1, |value|) when
/// every value is the same); empty when `values` is. Throws basin::Error for bins < 1.
Histogram histogram(const std::vector<double>& values, int bins);
/// Each set on the same bins, over [min, max] of all the sets together: the overlay of several
/// checkpoints' (or models') per-batch spectra.
std::vector<Histogram> commonHistograms(const std::vector<std::vector<double>>& sets, int bins);

/// The per-batch spectra's options (the contract of options.h).
struct BatchSpectraOptions {
    int64_t batch_size = 32;       ///< B, samples per batch
    int batches = 8;               ///< K disjoint batches (K · B at most the study's samples)
    int top_k = 5;                 ///< eigenvalues at each end asked for
    Which which = Which::Largest;  ///< largest, smallest or both
    double tol = 1e-4;             ///< Lanczos: every wanted pair within tol · |λ_max| (curvature.h)
    int max_hvp = 200;             ///< cap on products for each batch
    int bins = 20;                 ///< histogram bins
    uint64_t seed = 0;             ///< the study's seed: batches from s + 3 + B, Lanczos starts s + 0
};

void validate(const BatchSpectraOptions& options);
std::string toJson(const BatchSpectraOptions& options);
BatchSpectraOptions batchSpectraOptionsFromJson(const std::string& json_text, const std::string& origin);

struct BatchEigenvalues {
    std::vector<int64_t> samples;  ///< the batch's sample indices (into the study's samples), ascending
    std::vector<double> largest;   ///< top_k largest, descending (empty unless asked for)
    std::vector<double> smallest;  ///< top_k most negative, descending (empty unless asked for)
    double residual = 0;           ///< the largest ||H_B x − λx|| among its pairs
    bool converged = false;        ///< every pair within tolerance
    int64_t hvp_count = 0;
};

struct BatchSpectraResult {
    int64_t samples = 0;  ///< N, the samples the batches were drawn from
    int64_t parameters = 0;
    std::vector<BatchEigenvalues> batches;  ///< K, in draw order
    Histogram largest, smallest;            ///< of every batch's eigenvalues at that end (empty when not asked)
    double lambda_max_mean = 0, lambda_max_stddev = 0;  ///< of the K λmax (stddev n − 1); 0 without the largest end
    BatchSpectraOptions options;
    Provenance provenance;  ///< analysis "batch-spectra"; its model is the checkpoint's
};

/// The K batches' spectra at `objective`'s current weights (open it on a checkpoint for that
/// checkpoint's). Validates first; the batches are disjointBatches(N, B, K, s + 3 + B) (stability.h),
/// the batches batch-scaling draws at that size; every batch's Lanczos starts from s + 0. Reports
/// "batch k of K" progress and cancels through `job`; the objective goes back to all its samples
/// afterwards, also when cancelled or failed. Throws basin::Error when K · B exceeds the samples,
/// under more than one process, or when a product is not finite.
BatchSpectraResult computeBatchSpectra(Objective& objective, const BatchSpectraOptions& options,
                                       JobContext* job = nullptr);

/// JSON: format "basin-batch-spectra", samples, parameters, batches[{samples, largest, smallest,
/// residual, converged, hvp_count}], largest/smallest histograms {edges, counts, density},
/// lambda_max {mean, stddev} (null without the largest end), hvp_count, seconds, options, provenance; and back (throws
/// basin::Error naming `origin`).
std::string batchSpectraJson(const BatchSpectraResult& result);
BatchSpectraResult batchSpectraFromJson(const std::string& json_text, const std::string& origin);
/// Every batch's eigenvalues at one end (the largest or the smallest), in batch order: what the
/// result's histogram at that end counts, and what an overlay of several results bins in common.
std::vector<double> batchEigenvalues(const BatchSpectraResult& result, bool largest);
/// One row per eigenvalue: model,batch,end,rank,eigenvalue (several results: one CSV for all).
std::string batchSpectraCsv(const std::vector<BatchSpectraResult>& results);

/// The sampling-uncertainty analysis's options (the contract of options.h).
struct ResampleOptions {
    int resamples = 20;      ///< R subsamples
    int64_t subsample = 0;   ///< m samples in each (at least 2, below N); 0: half the study's samples
    bool lambda_max = true;  ///< resample λmax (Lanczos, top 1)
    bool trace = true;       ///< resample the Hutchinson trace
    double tol = 1e-4;       ///< Lanczos tolerance for each λmax
    int max_hvp = 200;       ///< cap on products for each λmax
    int probes = 32;         ///< Hutchinson probes for each trace
    double target = 0.05;    ///< the relative data error the suggested sample count aims at
    uint64_t seed = 0;       ///< the study's seed: subsamples s + 4, Lanczos s + 0, probes s + 1
};

void validate(const ResampleOptions& options);
std::string toJson(const ResampleOptions& options);
ResampleOptions resampleOptionsFromJson(const std::string& json_text, const std::string& origin);

/// m for `options` on N samples (half of N when options.subsample is 0); throws basin::Error when
/// m is not from 2 to N − 1.
int64_t resampleSubsampleSize(const ResampleOptions& options, int64_t samples);

/// What a resampling run costs, to say before it runs.
struct ResampleCost {
    int64_t estimates = 0;       ///< R + 1 (the full sample once)
    int64_t max_products = 0;    ///< (R + 1) · (max_hvp + probes) at most
    double full_equivalent = 0;  ///< the same in full-sample products: a product over m samples costs about m/N of one
    std::string text;            ///< the sentence basin-cli prints
};
ResampleCost resampleCost(const ResampleOptions& options, int64_t samples);

/// The subsamples: resample r (0-based) is disjointBatches(N, m, 1, splitmix64(s + 4 + r))
/// (stability.h), each ascending, so R = 40 begins with the 20 of R = 20.
std::vector<std::vector<int64_t>> resampleSubsets(int64_t samples, int64_t subsample, int resamples,
                                                  uint64_t study_seed);

struct ResampledQuantity {
    double full = 0;  ///< the estimate over all N samples
    /// The estimator's own error at N: Lanczos's residual ||Hx − λx|| for λmax, the Hutchinson
    /// probe standard error for the trace.
    double estimator_error = 0;
    std::vector<double> values;            ///< the estimate on each subsample, in draw order
    double estimator_error_subsample = 0;  ///< root mean square of the subsamples' own estimator errors
    double mean = 0, spread = 0;           ///< over the subsamples (spread: standard deviation, n − 1)
    double per_sample = 0;                 ///< σ (the rule above)
    double data_error = 0;                 ///< σ/√N
    double relative_data_error = 0;        ///< data_error / |full| (infinite when full is 0)
    int64_t suggested_samples = 0;         ///< ⌈(σ/(target·|full|))²⌉, at least 1 (0 when full is 0)
    bool converged = true;                 ///< λmax: every Lanczos run converged (always true for the trace)
    int64_t hvp_count = 0;
};

struct ResampleResult {
    int64_t samples = 0, subsample = 0;  ///< N and m
    int resamples = 0;
    int64_t parameters = 0;
    std::optional<ResampledQuantity> lambda_max, trace;
    /// With the trace: the spectral density's second moment (1/P) tr(H²) (its first is trace / P),
    /// from the trace's own products as (1/P)·mean ||H z||² over the probes; its estimator error is
    /// that mean's standard error. Not a mean over samples: the 1/√m rule is an approximation for it.
    std::optional<ResampledQuantity> second_moment;
    ResampleOptions options;
    Provenance provenance;  ///< analysis "resample"
};

/// The full-sample estimates, then each subsample's, at `objective`'s current weights. Validates
/// first; progress "subsample r of R" and cancel through `job`; the objective goes back to all its
/// samples afterwards. The full trace equals the spectrum analysis's with as many probes and the
/// same seed. Throws basin::Error for m out of range, under more than one process, or when a
/// product is not finite.
ResampleResult computeResample(Objective& objective, const ResampleOptions& options, JobContext* job = nullptr);

/// JSON: format "basin-resample", samples, subsample, resamples, parameters, rule (the sentence
/// above), lambda_max/trace/second_moment {full, estimator_error, values, estimator_error_subsample, mean, spread,
/// per_sample, data_error, relative_data_error, suggested_samples, converged, hvp_count},
/// hvp_count, seconds, options, provenance; and back (throws basin::Error naming `origin`).
std::string resampleJson(const ResampleResult& result);
ResampleResult resampleFromJson(const std::string& json_text, const std::string& origin);

}  // namespace basin
