// Eigenvector localisation over layer groups, and the block-diagonal view against the full H.
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

#include "basin/options.h"
#include "blocks.h"
#include "lanczos.h"
#include "stats.h"
#include "structure_impl.h"

namespace basin::detail {

namespace {

EigenvectorShares shares(const Eigen::VectorXd& v, const std::vector<Structure>& groups, const char* end, double value,
                         double residual) {
    EigenvectorShares s;
    s.end = end;
    s.eigenvalue = value;
    s.residual = residual;
    const Eigen::VectorXd v2 = v.cwiseProduct(v);
    const double total = v2.sum();
    double sum_sq = 0;
    for (const auto& g : groups) {
        s.shares.push_back(total > 0 ? g.sum(v2) / total : 0.0);
        sum_sq += s.shares.back() * s.shares.back();
    }
    const double fourth = v2.squaredNorm();
    s.participation = fourth > 0 ? total * total / fourth : 0.0;
    s.group_participation = sum_sq > 0 ? 1.0 / sum_sq : 0.0;
    return s;
}

// An orthonormal basis of the columns' span (Householder QR; the columns are nearly orthonormal).
Eigen::MatrixXd orthonormal(const Eigen::MatrixXd& m) {
    if (m.cols() == 0) return m;
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(m);
    return qr.householderQ() * Eigen::MatrixXd::Identity(m.rows(), m.cols());
}

}  // namespace

LocalisationPart localisationPart(const Objective& o, const StructureOptions& opt, const SharedEigen& eigen) {
    LocalisationPart r;
    const auto groups = groupStructures(o, opt.merge);
    for (const auto& g : groups) {
        r.groups.push_back(g.name);
        r.group_sizes.push_back(g.size);
    }
    r.converged = true;
    for (const auto* e : {&eigen.largest, &eigen.smallest}) {
        if (!*e) continue;
        const bool top = e == &eigen.largest;
        const EigenResult& res = **e;
        const int k = std::min<int>(opt.top_k, int(res.eigenvalues.size()));
        // Top: the largest first; bottom: the most negative first (the results are descending).
        for (int i = 0; i < k; ++i) {
            const int c = top ? i : int(res.eigenvalues.size()) - 1 - i;
            r.vectors.push_back(shares(res.vectors.col(c), groups, top ? "top" : "bottom", res.eigenvalues[size_t(c)],
                                       res.residuals[size_t(c)]));
        }
        r.converged = r.converged && res.converged;
    }
    return r;
}

double jensenShannonDistance(const std::vector<double>& p, const std::vector<double>& q, double dx) {
    double js = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        const double m = 0.5 * (p[i] + q[i]);
        if (p[i] > 0) js += 0.5 * p[i] * std::log2(p[i] / m);
        if (q[i] > 0) js += 0.5 * q[i] * std::log2(q[i] / m);
    }
    return std::sqrt(std::clamp(js * dx, 0.0, 1.0));
}

BlockPart blockPart(Objective& o, const LinearOperator& H, const StructureOptions& opt, const SharedEigen& eigen,
                    JobContext* job) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = o.hvpCount();
    const auto& params = o.parameters();
    const int64_t P = o.parameterCount();
    const auto groups = sensitivityGroups(o, opt.merge);
    BlockPart r;
    struct Found {
        double value;
        size_t block;
        Eigen::VectorXd vector;  // in the block's coordinates
    };
    std::vector<Found> found;
    for (size_t g = 0; g < groups.size(); ++g) {
        const auto& idx = groups[g].parameters;
        const int64_t n = groupSize(params, idx);
        const LinearOperator block = blockOperator(H, P, params, idx);
        BlockInfo b;
        b.name = groups[g].name;
        b.size = n;
        if (n == 1) {  // a 1 x 1 block: its one product is its spectrum
            Eigen::VectorXd one = Eigen::VectorXd::Ones(1), out;
            finiteProduct(block, one, out, "the block of " + b.name, 1);
            b.eigenvalues = {out[0]};
            b.converged = true;
            b.nodes = {out[0]};
            b.weights = {1.0};
            found.push_back({out[0], g, one});
        } else {
            EigenOptions eo;
            eo.top_k = int(std::min<int64_t>(opt.top_k, n));
            eo.which = Which::Largest;
            eo.tol = opt.tol;
            eo.max_hvp = int(std::min<int64_t>(opt.max_hvp, n));
            eo.seed = seedFor(opt.seed, SeedStream::Eigen);
            eo.vectors = true;
            if (job) job->stage("top eigenvalues of the block " + b.name, eo.max_hvp);
            const auto e = topEigenpairs(block, n, eo, job);
            b.eigenvalues = e.largest->eigenvalues;
            b.converged = e.largest->converged;
            for (size_t i = 0; i < b.eigenvalues.size(); ++i)
                found.push_back({b.eigenvalues[i], g, e.largest->vectors.col(Eigen::Index(i))});
            DensityOptions d;
            d.probes = opt.density_probes;
            d.steps = opt.density_steps;
            d.seed = seedFor(opt.seed, SeedStream::Density);
            const auto density = spectralDensity(block, n, d, job);
            b.nodes = density.nodes;
            b.weights = density.weights;
        }
        r.blocks.push_back(std::move(b));
    }

    // block-diag(H)'s eigenvalues are the union of the blocks': its top k are the top k of theirs.
    std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.value > b.value; });
    const size_t k = std::min<size_t>(size_t(opt.top_k), found.size());
    Eigen::MatrixXd Ub(P, Eigen::Index(k));
    for (size_t i = 0; i < k; ++i) {
        r.block.push_back(found[i].value);
        r.block_of.push_back(r.blocks[found[i].block].name);
        Ub.col(Eigen::Index(i)) = scatter(found[i].vector, P, params, groups[found[i].block].parameters);
    }
    if (eigen.largest) {
        const EigenResult& full = *eigen.largest;
        const size_t kf = std::min<size_t>(size_t(opt.top_k), full.eigenvalues.size());
        r.full.assign(full.eigenvalues.begin(), full.eigenvalues.begin() + long(kf));
        const size_t m = std::min(k, kf);
        // Principal angles: the singular values of Ub^T Uf are their cosines (Björck & Golub).
        const Eigen::MatrixXd Qb = orthonormal(Ub.leftCols(Eigen::Index(m)));
        const Eigen::MatrixXd Qf = orthonormal(full.vectors.leftCols(Eigen::Index(m)));
        Eigen::JacobiSVD<Eigen::MatrixXd> svd(Qb.transpose() * Qf);
        for (Eigen::Index i = 0; i < svd.singularValues().size(); ++i)
            r.angles.push_back(std::acos(std::clamp(svd.singularValues()[i], -1.0, 1.0)) * 180.0 / std::numbers::pi);
        std::sort(r.angles.begin(), r.angles.end());
    }

    // Densities of log10|λ| on one grid, smoothed by js_sigma decades, for the distances.
    double amax = 0;
    for (const auto& b : r.blocks)
        for (double x : b.nodes) amax = std::max(amax, std::abs(x));
    const double floor = std::max(amax * 1e-8, 1e-300);
    double lo = 1e300, hi = -1e300;
    for (const auto& b : r.blocks)
        for (double x : b.nodes) {
            const double l = std::log10(std::max(std::abs(x), floor));
            lo = std::min(lo, l);
            hi = std::max(hi, l);
        }
    const double sl = r.js_sigma, a = lo - 5 * sl, bnd = hi + 5 * sl;
    const int G = 400;
    const double dx = (bnd - a) / (G - 1), norm = 1.0 / (sl * std::sqrt(2 * std::numbers::pi));
    for (int i = 0; i < G; ++i) r.log_grid.push_back(a + dx * i);
    for (auto& b : r.blocks) {
        b.log_values.assign(size_t(G), 0.0);
        for (size_t j = 0; j < b.nodes.size(); ++j) {
            const double l = std::log10(std::max(std::abs(b.nodes[j]), floor));
            for (int i = 0; i < G; ++i) {
                const double z = (r.log_grid[size_t(i)] - l) / sl;
                b.log_values[size_t(i)] += b.weights[j] * norm * std::exp(-0.5 * z * z);
            }
        }
        double mass = 0;
        for (double v : b.log_values) mass += v * dx;
        if (mass > 0)
            for (double& v : b.log_values) v /= mass;
    }
    r.js.assign(r.blocks.size(), std::vector<double>(r.blocks.size(), 0.0));
    for (size_t i = 0; i < r.blocks.size(); ++i)
        for (size_t j = i + 1; j < r.blocks.size(); ++j)
            r.js[i][j] = r.js[j][i] = jensenShannonDistance(r.blocks[i].log_values, r.blocks[j].log_values, dx);
    r.hvp_count = o.hvpCount() - hvp0;
    r.seconds = secondsSince(t0);
    return r;
}

}  // namespace basin::detail
