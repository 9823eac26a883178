// Top eigenpairs: Lanczos with full reorthogonalisation, and power iteration with deflation.
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>

#include "basin/curvature.h"
#include "basin/error.h"
#include "lanczos.h"
#include "stats.h"

namespace basin {

using detail::finiteProduct;
using detail::secondsSince;

using detail::LanczosState;

namespace {

// Indices (into ascending Ritz values) of the wanted pairs for one end of the spectrum.
std::vector<int> wantedIndices(int steps, int k, bool largest) {
    std::vector<int> idx;
    for (int i = 0; i < std::min(k, steps); ++i) idx.push_back(largest ? steps - 1 - i : i);
    return idx;
}

EigenResult lanczosEigen(const LinearOperator& A, int64_t n, const EigenOptions& o, bool largest, const LanczosState& s,
                         double seconds) {
    Eigen::VectorXd theta;
    Eigen::MatrixXd S;
    detail::tridiagonalEigen(s, theta, S);
    const double scale = std::max(std::abs(theta[0]), std::abs(theta[s.steps - 1]));
    const double b = s.beta[s.steps - 1];
    EigenResult r;
    r.method = "lanczos";
    r.which = largest ? "largest" : "smallest";
    r.hvp_count = s.steps;
    r.seconds = seconds;
    r.tol = o.tol;
    auto idx = wantedIndices(s.steps, o.top_k, largest);
    if (!largest) std::reverse(idx.begin(), idx.end());  // output is descending
    r.converged = int(idx.size()) == o.top_k;
    for (int i : idx) {
        r.eigenvalues.push_back(theta[i]);
        // ||A x - theta x|| = |beta_m * s_{m,i}| for the Ritz pair (exact under full reorthogonalisation).
        const double res = std::abs(b * S(s.steps - 1, i));
        r.residuals.push_back(res);
        if (res > o.tol * std::max(scale, 1e-300)) r.converged = false;
    }
    if (o.vectors) {
        r.vectors.resize(n, Eigen::Index(idx.size()));
        for (size_t c = 0; c < idx.size(); ++c) r.vectors.col(Eigen::Index(c)) = s.Q.leftCols(s.steps) * S.col(idx[c]);
    }
    return r;
}

bool lanczosDone(const LanczosState& s, const EigenOptions& o, bool want_large, bool want_small) {
    if (s.steps < o.top_k + 1) return false;
    Eigen::VectorXd theta;
    Eigen::MatrixXd S;
    detail::tridiagonalEigen(s, theta, S);
    const double scale = std::max(std::abs(theta[0]), std::abs(theta[s.steps - 1]));
    const double b = s.beta[s.steps - 1];
    auto ok = [&](bool large) {
        for (int i : wantedIndices(s.steps, o.top_k, large))
            if (std::abs(b * S(s.steps - 1, i)) > o.tol * scale) return false;
        return true;
    };
    return (!want_large || ok(true)) && (!want_small || ok(false));
}

// Power iteration with deflation, as PyHessian does it: each new vector is kept orthogonal to
// the eigenvectors already found; an eigenvalue is accepted when it changes by less than tol
// (relative) between two iterations. `shift` > 0 runs on (shift*I - A) to reach the most negative end.
EigenResult powerEigen(const LinearOperator& A, int64_t n, const EigenOptions& o, bool largest, double shift,
                       std::mt19937_64& rng, JobContext* job, int64_t budget) {
    const auto t0 = std::chrono::steady_clock::now();
    EigenResult r;
    r.method = "power";
    r.which = largest ? "largest" : "smallest";
    r.tol = o.tol;
    r.converged = true;
    std::vector<Eigen::VectorXd> found;
    Eigen::VectorXd Av(n);
    for (int k = 0; k < o.top_k && k < n; ++k) {
        Eigen::VectorXd v = k == 0 && largest && o.start ? *o.start : detail::gaussianVector(n, rng);
        double lambda = 0, prev = 0, res = 0;
        bool conv = false;
        for (int it = 0; r.hvp_count < budget; ++it) {
            for (const auto& u : found) v -= u.dot(v) * u;
            v.normalize();
            finiteProduct(A, v, Av, "power iteration", r.hvp_count + 1);
            if (!largest) Av = shift * v - Av;
            ++r.hvp_count;
            if (job) job->step(r.hvp_count);
            lambda = v.dot(Av);
            res = (Av - lambda * v).norm();
            Eigen::VectorXd next = Av;
            if (it > 0 && std::abs(lambda - prev) <= o.tol * (std::abs(prev) + 1e-6)) {
                conv = true;
                break;
            }
            prev = lambda;
            v = next;
        }
        v.normalize();
        found.push_back(v);
        r.eigenvalues.push_back(largest ? lambda : shift - lambda);
        r.residuals.push_back(res);
        r.converged = r.converged && conv;
        if (!conv) break;
    }
    // Deflation finds them in order, but rounding can swap two near-equal ones.
    std::vector<size_t> order(r.eigenvalues.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return r.eigenvalues[a] > r.eigenvalues[b]; });
    EigenResult sorted = r;
    for (size_t i = 0; i < order.size(); ++i) {
        sorted.eigenvalues[i] = r.eigenvalues[order[i]];
        sorted.residuals[i] = r.residuals[order[i]];
    }
    if (o.vectors) {
        sorted.vectors.resize(n, Eigen::Index(found.size()));
        for (size_t i = 0; i < order.size(); ++i) sorted.vectors.col(Eigen::Index(i)) = found[order[i]];
    }
    if (int(sorted.eigenvalues.size()) < o.top_k) sorted.converged = false;
    sorted.seconds = secondsSince(t0);
    return sorted;
}

}  // namespace

EigenEnds topEigenpairs(const LinearOperator& A, int64_t n, const EigenOptions& o, JobContext* job) {
    if (o.top_k < 1) throw Error("the number of eigenvalues asked for must be at least 1");
    if (o.tol <= 0) throw Error("the eigenvalue tolerance must be positive");
    if (o.start && (o.start->size() != n || !o.start->allFinite() || o.start->norm() == 0))
        throw Error("the start vector of Lanczos must hold " + std::to_string(n) + " finite numbers, not all zero");
    std::mt19937_64 rng(o.seed);
    const auto t0 = std::chrono::steady_clock::now();
    const bool large = o.which != Which::Smallest, small = o.which != Which::Largest;
    EigenEnds out;
    if (o.method == EigenMethod::Power) {
        if (job) job->stage("power iteration", o.max_hvp);
        EigenOptions first = o;
        if (!large) first.top_k = 1;  // only the shift is needed
        auto top = powerEigen(A, n, first, true, 0, rng, job, o.max_hvp);
        if (large) out.largest = top;
        if (small) {
            // The shift makes the most negative end dominant; it comes from the largest eigenvalue.
            const double shift = std::max(top.eigenvalues.front(), 0.0) * 1.01 + 1e-12;
            auto r = powerEigen(A, n, o, false, shift, rng, job, o.max_hvp - top.hvp_count);
            r.hvp_count += large ? 0 : top.hvp_count;
            r.seconds = secondsSince(t0);
            out.smallest = r;
        }
        return out;
    }
    if (job) job->stage("lanczos", o.max_hvp);
    const auto s = detail::lanczos(
        A, o.start ? *o.start : detail::gaussianVector(n, rng), o.max_hvp,
        [&](const LanczosState& st) {
            if (job) job->step(st.steps);
            return lanczosDone(st, o, large, small);
        },
        job);
    const double secs = secondsSince(t0);
    if (large) out.largest = lanczosEigen(A, n, o, true, s, secs);
    if (small) out.smallest = lanczosEigen(A, n, o, false, s, secs);
    return out;
}

}  // namespace basin
