// Curvature against the batch size (issue #17): mini-batch Hessians' λmax over disjoint batches.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>

#include "basin/error.h"
#include "basin/options.h"
#include "basin/stability.h"
#include "sample_subsets.h"
#include "stats.h"

namespace basin {

std::vector<std::vector<int64_t>> disjointBatches(int64_t n, int64_t size, int count, uint64_t seed) {
    if (size < 1 || count < 1) throw Error("a batch needs at least one sample and at least one batch is needed");
    if (size * count > n)
        throw Error(std::to_string(count) + " disjoint batches of " + std::to_string(size) + " need " +
                    std::to_string(size * count) + " samples, but the study uses " + std::to_string(n) +
                    "; use fewer batches or a smaller size");
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    for (int64_t i = n - 1; i > 0; --i) {
        // Unbiased index in [0, i], the same on every platform (no std::uniform_int_distribution).
        const uint64_t range = uint64_t(i) + 1, limit = UINT64_MAX - UINT64_MAX % range;
        uint64_t r;
        do r = rng();
        while (r >= limit);
        std::swap(order[size_t(i)], order[size_t(r % range)]);
    }
    std::vector<std::vector<int64_t>> out;
    for (int k = 0; k < count; ++k) {
        std::vector<int64_t> b(order.begin() + k * size, order.begin() + (k + 1) * size);
        std::sort(b.begin(), b.end());
        out.push_back(std::move(b));
    }
    return out;
}

double batchLambdaMax(Objective& o, const std::vector<int64_t>& samples, EigenOptions eigen, JobContext* job,
                      const Eigen::VectorXd* inv_sqrt) {
    eigen.top_k = 1;
    eigen.which = Which::Largest;
    if (inv_sqrt && inv_sqrt->size() != o.parameterCount())
        throw Error("the preconditioner has " + std::to_string(inv_sqrt->size()) + " entries for a model of " +
                    std::to_string(o.parameterCount()) + " parameters");
    return detail::onSamples(o, samples, [&] {
        Eigen::VectorXd scaled;
        LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
            if (!inv_sqrt) return o.hvp(v, out, job);
            scaled = inv_sqrt->cwiseProduct(v);
            o.hvp(scaled, out, job);
            out = inv_sqrt->cwiseProduct(out);
        };
        return topEigenpairs(H, o.parameterCount(), eigen, job).largest->eigenvalues.front();
    });
}

namespace {

// The Hutchinson trace of H_B (all samples when `samples` is empty); the objective goes back to all
// its samples afterwards.
double batchTrace(Objective& o, const std::vector<int64_t>& samples, const TraceOptions& trace, JobContext* job) {
    return detail::onSamples(o, samples, [&] {
        LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, job); };
        return estimateTrace(H, o.parameterCount(), trace, job).mean;
    });
}

}  // namespace

std::string batchScalingOptimizer(const StudySpec& spec) {
    const std::vector<std::string>& listed =
        spec.checkpoints.empty() ? std::vector<std::string>{spec.model} : spec.checkpoints;
    for (size_t k = 0; k < listed.size() && k < spec.optimizers.size(); ++k)
        if (listed[k] == spec.model) return spec.optimizers[k];
    return {};
}

BatchScalingResult computeBatchScaling(Objective& o, const BatchScalingOptions& opt, JobContext* job,
                                       const std::string& optimizer) {
    validate(opt);
    std::optional<Eigen::VectorXd> inv_sqrt;
    double beta1 = 0, eta_factor = 0;
    if (!optimizer.empty()) {
        const OptimizerState state = readOptimizerState(optimizer, o);
        if (state.kind == "adam" || state.kind == "adamw") {
            inv_sqrt = adamPreconditionerInvSqrt(state);
            beta1 = state.beta1;
            eta_factor = (2 + 2 * beta1) / (1 - beta1);  // η_max = eta_factor / λ1(P^-1/2 H_B P^-1/2)
        }
    }
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = o.hvpCount();
    const int64_t n = o.data().samples;
    std::vector<int64_t> sizes = opt.sizes;
    if (sizes.empty())
        for (int64_t b = 8; b * opt.batches <= n; b *= 2) sizes.push_back(b);
    if (sizes.empty())
        throw Error("the study's " + std::to_string(n) + " samples hold no " + std::to_string(opt.batches) +
                    " batches of 8");
    EigenOptions eigen;
    eigen.tol = opt.tol;
    eigen.max_hvp = opt.max_hvp;
    eigen.seed = seedFor(opt.seed, SeedStream::Eigen);
    TraceOptions trace;
    trace.probes = opt.trace_probes;
    trace.seed = seedFor(opt.seed, SeedStream::Trace);
    BatchScalingResult r;
    r.options = opt;
    r.samples = n;
    std::vector<double> xs, ys;
    for (int64_t b : sizes) {
        BatchScalingRow row;
        row.batch_size = b;
        const auto batches = disjointBatches(n, b, opt.batches, seedFor(opt.seed, SeedStream::Samples) + uint64_t(b));
        if (job) job->stage("λmax of H_B, B = " + std::to_string(b), int64_t(batches.size()));
        for (size_t k = 0; k < batches.size(); ++k) {
            row.lambda_max.push_back(batchLambdaMax(o, batches[k], eigen, job));
            if (opt.trace_probes > 0) row.trace.push_back(batchTrace(o, batches[k], trace, job));
            if (inv_sqrt) row.preconditioned.push_back(batchLambdaMax(o, batches[k], eigen, job, &*inv_sqrt));
            if (job) job->step(int64_t(k + 1));
        }
        const detail::MeanSpread top = detail::meanAndSpread(row.lambda_max);
        const double mean = top.mean;
        row.mean = mean;
        row.stddev = top.spread;
        if (!row.trace.empty()) {
            const detail::MeanSpread t = detail::meanAndSpread(row.trace);
            row.trace_mean = t.mean;
            row.trace_stddev = t.spread;
        }
        if (!row.preconditioned.empty()) {
            const detail::MeanSpread p = detail::meanAndSpread(row.preconditioned);
            row.preconditioned_mean = p.mean;
            row.preconditioned_stddev = p.spread;
            row.stable_lr_adam = p.mean > 0 ? eta_factor / p.mean : INFINITY;
        }
        row.stable_lr_sgd = mean > 0 ? 2 / mean : INFINITY;
        if (mean > 0) {
            xs.push_back(std::log(double(b)));
            ys.push_back(std::log(mean));
        }
        r.rows.push_back(row);
    }
    if (job) job->stage("λmax of the full Hessian", 1);
    r.full_lambda_max = batchLambdaMax(o, {}, eigen, job);
    if (opt.trace_probes > 0) r.full_trace = batchTrace(o, {}, trace, job);
    if (inv_sqrt) {
        r.optimizer = optimizer;
        r.beta1 = beta1;
        r.full_preconditioned = batchLambdaMax(o, {}, eigen, job, &*inv_sqrt);
    }
    if (xs.size() >= 2) {
        const double mx = std::accumulate(xs.begin(), xs.end(), 0.0) / double(xs.size());
        const double my = std::accumulate(ys.begin(), ys.end(), 0.0) / double(ys.size());
        double sxy = 0, sxx = 0;
        for (size_t i = 0; i < xs.size(); ++i) sxy += (xs[i] - mx) * (ys[i] - my), sxx += (xs[i] - mx) * (xs[i] - mx);
        r.slope = sxx > 0 ? sxy / sxx : 0;
    }
    r.hvp_count = o.hvpCount() - hvp0;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.provenance = makeProvenance(o, "batch-scaling", toJson(opt), optimizerFiles(optimizer));
    r.provenance.seconds = r.seconds;
    r.provenance.hvp_count = r.hvp_count;
    return r;
}

}  // namespace basin
