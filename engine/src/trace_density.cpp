// Trace (Hutchinson, Hutch++) and spectral density (stochastic Lanczos quadrature).
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

#include "basin/curvature.h"
#include "basin/error.h"
#include "lanczos.h"
#include "stats.h"

namespace basin {

using detail::meanAndStderr;
using detail::secondsSince;

TraceResult estimateTrace(const LinearOperator& A, int64_t n, const TraceOptions& o, JobContext* job) {
    if (o.probes < 1) throw Error("the trace needs at least one probe");
    const auto t0 = std::chrono::steady_clock::now();
    std::mt19937_64 rng(o.seed);
    TraceResult r;
    r.probes = o.probes;
    Eigen::VectorXd Az(n);
    if (o.method == TraceMethod::Hutchinson || o.probes < 3) {
        r.method = "hutchinson";
        if (job) job->stage("trace (Hutchinson)", o.probes);
        std::vector<double> samples;
        for (int i = 0; i < o.probes; ++i) {
            const Eigen::VectorXd z = detail::rademacherVector(n, rng);
            detail::finiteProduct(A, z, Az, "Hutchinson", i + 1);
            samples.push_back(z.dot(Az));
            if (job) job->step(i + 1);
        }
        const auto me = meanAndStderr(samples);
        r.mean = me.mean;
        r.stderr_ = me.stderr_;
        r.hvp_count = o.probes;
    } else {
        // Hutch++ (Meyer, Musco, Musco, Woodruff 2021): a third of the budget finds the dominant
        // subspace Q = orth(A S), a third takes its trace exactly, the rest runs Hutchinson on
        // the deflated remainder (I - QQ^T) A (I - QQ^T).
        r.method = "hutchpp";
        const int k = o.probes / 3, m = o.probes - 2 * k;
        if (job) job->stage("trace (Hutch++)", o.probes);
        int done = 0;
        Eigen::MatrixXd Y(n, k);
        for (int i = 0; i < k; ++i) {
            detail::finiteProduct(A, detail::rademacherVector(n, rng), Az, "Hutch++", done + 1);
            Y.col(i) = Az;
            if (job) job->step(++done);
        }
        Eigen::HouseholderQR<Eigen::MatrixXd> qr(Y);
        const Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(n, k);
        double tq = 0;
        for (int i = 0; i < k; ++i) {
            detail::finiteProduct(A, Q.col(i), Az, "Hutch++", done + 1);
            tq += Q.col(i).dot(Az);
            if (job) job->step(++done);
        }
        std::vector<double> samples;
        for (int i = 0; i < m; ++i) {
            Eigen::VectorXd g = detail::rademacherVector(n, rng);
            g -= Q * (Q.transpose() * g);
            detail::finiteProduct(A, g, Az, "Hutch++", done + 1);
            samples.push_back(g.dot(Az));
            if (job) job->step(++done);
        }
        const auto me = meanAndStderr(samples);
        r.mean = tq + me.mean;
        r.stderr_ = me.stderr_;
        r.hvp_count = o.probes;
    }
    r.seconds = secondsSince(t0);
    return r;
}

DensityResult spectralDensity(const LinearOperator& A, int64_t n, const DensityOptions& o, JobContext* job) {
    if (o.probes < 1 || o.steps < 2) throw Error("spectral density needs at least 1 probe and 2 Lanczos steps");
    const auto t0 = std::chrono::steady_clock::now();
    std::mt19937_64 rng(o.seed);
    DensityResult r;
    r.probes = o.probes;
    r.steps = int(std::min<int64_t>(o.steps, n));
    if (job) job->stage("spectral density (SLQ)", int64_t(o.probes) * r.steps);
    for (int p = 0; p < o.probes; ++p) {
        // Stochastic Lanczos quadrature: the Ritz values of a Lanczos run from a random unit
        // vector are quadrature nodes, the squared first components of T's eigenvectors their
        // weights (Golub & Meurant; Lin, Saad & Yang 2016; Ghorbani et al. 2019).
        const auto s = detail::lanczos(
            A, detail::rademacherVector(n, rng), r.steps,
            [&](const detail::LanczosState& st) {
                if (job) job->step(int64_t(p) * r.steps + st.steps);
                return false;
            },
            job);
        Eigen::VectorXd theta;
        Eigen::MatrixXd S;
        detail::tridiagonalEigen(s, theta, S);
        for (int i = 0; i < s.steps; ++i) {
            r.nodes.push_back(theta[i]);
            r.weights.push_back(S(0, i) * S(0, i) / double(o.probes));
        }
        r.hvp_count += s.steps;
    }
    const auto [lo_it, hi_it] = std::minmax_element(r.nodes.begin(), r.nodes.end());
    const double lo = *lo_it, hi = *hi_it;
    const double range = std::max(hi - lo, 1e-12 * std::max(1.0, std::abs(hi)));
    r.sigma = o.sigma > 0 ? o.sigma : 0.01 * range;
    const double a = lo - 5 * r.sigma, b = hi + 5 * r.sigma;
    const int G = std::max(o.grid_points, 10);
    const double norm = 1.0 / (r.sigma * std::sqrt(2 * std::numbers::pi));
    for (int g = 0; g < G; ++g) {
        const double x = a + (b - a) * g / (G - 1);
        double d = 0;
        for (size_t i = 0; i < r.nodes.size(); ++i) {
            const double z = (x - r.nodes[i]) / r.sigma;
            d += r.weights[i] * norm * std::exp(-0.5 * z * z);
        }
        r.grid.push_back(x);
        r.values.push_back(d);
    }
    // Density of log10|lambda|: the bulk spans decades, invisible on a linear axis.
    const double amax = std::max(std::abs(lo), std::abs(hi));
    const double floor = std::max(amax * 1e-8, 1e-300);
    const double sl = 0.1;  // smoothing in decades
    std::vector<double> lx;
    for (double t : r.nodes) lx.push_back(std::log10(std::max(std::abs(t), floor)));
    const auto [llo, lhi] = std::minmax_element(lx.begin(), lx.end());
    const double la = *llo - 5 * sl, lb = *lhi + 5 * sl;
    const double lnorm = 1.0 / (sl * std::sqrt(2 * std::numbers::pi));
    for (int g = 0; g < G; ++g) {
        const double x = la + (lb - la) * g / (G - 1);
        double d = 0;
        for (size_t i = 0; i < lx.size(); ++i) {
            const double z = (x - lx[i]) / sl;
            d += r.weights[i] * lnorm * std::exp(-0.5 * z * z);
        }
        r.log_grid.push_back(x);
        r.log_values.push_back(d);
    }
    r.seconds = secondsSince(t0);
    return r;
}

}  // namespace basin
