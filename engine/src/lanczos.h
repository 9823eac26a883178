#pragma once
// The one Lanczos iteration in Basin, shared by the eigen solver and by spectral density (SLQ).
#include <Eigen/Core>
#include <functional>
#include <random>
#include <string>

#include "basin/curvature.h"

namespace basin::detail {

struct LanczosState {
    Eigen::MatrixXd Q;                // n x m orthonormal basis (columns 0..steps-1 valid)
    std::vector<double> alpha, beta;  // T's diagonal (m) and off-diagonal (beta[j] couples j, j+1)
    int steps = 0;
    bool invariant = false;  // an invariant subspace was found: T's spectrum is exact
};

// Runs Lanczos with full reorthogonalisation from v0 for at most max_steps products.
// After each step `after_step(state)` may return true to stop early (and reports progress);
// `job` is checked for cancellation after every product.
LanczosState lanczos(const LinearOperator& A, const Eigen::VectorXd& v0, int max_steps,
                     const std::function<bool(const LanczosState&)>& after_step, JobContext* job);

// Eigen-decomposition of the leading steps x steps tridiagonal block: values ascending,
// vectors as columns.
void tridiagonalEigen(const LanczosState& s, Eigen::VectorXd& values, Eigen::MatrixXd& vectors);

// out = A v, refusing a product that is not finite: a NaN or an infinity must stop an analysis
// with a sentence saying where it came from, never reach a result marked converged.
void finiteProduct(const LinearOperator& A, const Eigen::VectorXd& v, Eigen::VectorXd& out, const std::string& where,
                   int64_t index);

Eigen::VectorXd gaussianVector(int64_t n, std::mt19937_64& rng);
Eigen::VectorXd rademacherVector(int64_t n, std::mt19937_64& rng);

}  // namespace basin::detail
