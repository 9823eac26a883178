#include "lanczos.h"

#include <Eigen/Eigenvalues>
#include <chrono>
#include <cmath>

#include "basin/error.h"

namespace basin::detail {

Eigen::VectorXd gaussianVector(int64_t n, std::mt19937_64& rng) {
    std::normal_distribution<double> dist(0.0, 1.0);
    Eigen::VectorXd v(n);
    for (int64_t i = 0; i < n; ++i) v[i] = dist(rng);
    return v;
}

Eigen::VectorXd rademacherVector(int64_t n, std::mt19937_64& rng) {
    Eigen::VectorXd v(n);
    for (int64_t i = 0; i < n; i += 64) {
        const uint64_t bits = rng();
        for (int64_t b = 0; b < 64 && i + b < n; ++b) v[i + b] = ((bits >> b) & 1u) ? 1.0 : -1.0;
    }
    return v;
}

void finiteProduct(const LinearOperator& A, const Eigen::VectorXd& v, Eigen::VectorXd& out, const std::string& where,
                   int64_t index) {
    if (!v.allFinite())
        throw Error("the vector of " + where + " step " + std::to_string(index) + " is not finite (NaN or infinity)");
    A(v, out);
    if (!out.allFinite())
        throw Error("the curvature product of " + where + " step " + std::to_string(index) +
                    " is not finite (NaN or infinity): the loss is not twice differentiable at these weights, or "
                    "the data hold non-finite values; check the model and the data");
}

LanczosState lanczos(const LinearOperator& A, const Eigen::VectorXd& v0, int max_steps,
                     const std::function<bool(const LanczosState&)>& after_step, JobContext* job) {
    const int64_t n = v0.size();
    if (max_steps < 1 || n < 1) throw Error("Lanczos needs at least one step and one parameter");
    const int m = int(std::min<int64_t>(max_steps, n));
    LanczosState s;
    s.Q.resize(n, m);
    s.Q.col(0) = v0 / v0.norm();
    Eigen::VectorXd w(n);
    for (int j = 0; j < m; ++j) {
        finiteProduct(A, s.Q.col(j), w, "Lanczos", j + 1);
        const double a = s.Q.col(j).dot(w);
        s.alpha.push_back(a);
        // Full reorthogonalisation, twice ("twice is enough", Parlett): keeps the Ritz values free
        // of the ghost copies that plain Lanczos produces in floating point.
        for (int pass = 0; pass < 2; ++pass) {
            auto Qj = s.Q.leftCols(j + 1);
            w.noalias() -= Qj * (Qj.transpose() * w);
        }
        const double b = w.norm();
        s.steps = j + 1;
        const double scale = std::abs(a) + (j > 0 ? s.beta[j - 1] : 0.0);
        if (b <= 1e-12 * std::max(scale, 1e-300) || j + 1 == n) {
            s.beta.push_back(0.0);
            s.invariant = true;
        } else {
            s.beta.push_back(b);
            if (j + 1 < m) s.Q.col(j + 1) = w / b;
        }
        if (job) job->check();
        if (s.invariant || (after_step && after_step(s))) break;
    }
    return s;
}

void tridiagonalEigen(const LanczosState& s, Eigen::VectorXd& values, Eigen::MatrixXd& vectors) {
    const int k = s.steps;
    Eigen::VectorXd diag = Eigen::Map<const Eigen::VectorXd>(s.alpha.data(), k);
    Eigen::VectorXd sub =
        k > 1 ? Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(s.beta.data(), k - 1)) : Eigen::VectorXd(0);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es;
    es.computeFromTridiagonal(diag, sub, Eigen::ComputeEigenvectors);
    values = es.eigenvalues();
    vectors = es.eigenvectors();
}

}  // namespace basin::detail
