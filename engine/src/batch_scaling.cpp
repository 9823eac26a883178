// Curvature against the batch size (issue #17): mini-batch Hessians' λmax over disjoint batches.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "basin/error.h"
#include "basin/options.h"
#include "basin/stability.h"

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

double batchLambdaMax(Objective& o, const std::vector<int64_t>& samples, EigenOptions eigen, JobContext* job) {
    eigen.top_k = 1;
    eigen.which = Which::Largest;
    o.restrictSamples(samples);
    try {
        LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, job); };
        const double l = topEigenpairs(H, o.parameterCount(), eigen, job).largest->eigenvalues.front();
        o.restrictSamples({});
        return l;
    } catch (...) {
        o.restrictSamples({});
        throw;
    }
}

BatchScalingResult computeBatchScaling(Objective& o, const BatchScalingOptions& opt, JobContext* job) {
    validate(opt);
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
            if (job) job->step(int64_t(k + 1));
        }
        const double mean =
            std::accumulate(row.lambda_max.begin(), row.lambda_max.end(), 0.0) / double(row.lambda_max.size());
        double ss = 0;
        for (double l : row.lambda_max) ss += (l - mean) * (l - mean);
        row.mean = mean;
        row.stddev = row.lambda_max.size() > 1 ? std::sqrt(ss / double(row.lambda_max.size() - 1)) : 0;
        row.stable_lr_sgd = mean > 0 ? 2 / mean : INFINITY;
        if (mean > 0) {
            xs.push_back(std::log(double(b)));
            ys.push_back(std::log(mean));
        }
        r.rows.push_back(row);
    }
    if (job) job->stage("λmax of the full Hessian", 1);
    r.full_lambda_max = batchLambdaMax(o, {}, eigen, job);
    if (xs.size() >= 2) {
        const double mx = std::accumulate(xs.begin(), xs.end(), 0.0) / double(xs.size());
        const double my = std::accumulate(ys.begin(), ys.end(), 0.0) / double(ys.size());
        double sxy = 0, sxx = 0;
        for (size_t i = 0; i < xs.size(); ++i) sxy += (xs[i] - mx) * (ys[i] - my), sxx += (xs[i] - mx) * (xs[i] - mx);
        r.slope = sxx > 0 ? sxy / sxx : 0;
    }
    r.hvp_count = o.hvpCount() - hvp0;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.provenance = makeProvenance(o, "batch-scaling", toJson(opt));
    r.provenance.seconds = r.seconds;
    r.provenance.hvp_count = r.hvp_count;
    return r;
}

}  // namespace basin
