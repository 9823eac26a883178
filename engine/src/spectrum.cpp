// Exact spectrum, the bulk/outlier split, memory checks, and the spectrum job on an Objective.
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "arrays.h"
#include "basin/curvature.h"
#include "basin/error.h"
#include "basin/options.h"
#include "lanczos.h"
#include "stats.h"

namespace basin {

using detail::secondsSince;

namespace {

std::string human(double bytes) {
    std::ostringstream s;
    s.precision(3);
    if (bytes >= 1e9) s << bytes / 1e9 << " GB";
    else s << bytes / 1e6 << " MB";
    return s.str();
}

}  // namespace

Eigen::MatrixXd exactMatrix(const LinearOperator& A, int64_t n, int64_t max_n, JobContext* job) {
    if (n > max_n)
        throw Error("the exact Hessian of " + std::to_string(n) + " parameters needs " + std::to_string(n) +
                    " H*v products and a " + human(8.0 * n * n) + " matrix; it is offered up to " +
                    std::to_string(max_n) + " parameters (raise the limit, or use Lanczos and SLQ)");
    checkMemory(n, int(std::min<int64_t>(n, 3 * n)), "the exact Hessian");
    if (job) job->stage("exact Hessian", n);
    Eigen::MatrixXd H(n, n);
    Eigen::VectorXd e = Eigen::VectorXd::Zero(n), col(n);
    for (int64_t i = 0; i < n; ++i) {
        e[i] = 1;
        detail::finiteProduct(A, e, col, "the exact Hessian", i + 1);
        H.col(i) = col;
        e[i] = 0;
        if (job) job->step(i + 1);
    }
    return H;
}

ExactSpectrum exactSpectrum(const LinearOperator& A, int64_t n, bool vectors, int64_t max_n, JobContext* job) {
    const auto t0 = std::chrono::steady_clock::now();
    const Eigen::MatrixXd H = exactMatrix(A, n, max_n, job);
    ExactSpectrum r;
    const double hn = H.norm();
    r.asymmetry = hn > 0 ? (H - H.transpose()).norm() / hn : 0.0;
    const Eigen::MatrixXd Hs = 0.5 * (H + H.transpose());
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Hs,
                                                      vectors ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
    for (int64_t i = n - 1; i >= 0; --i) r.eigenvalues.push_back(es.eigenvalues()[i]);
    if (vectors) r.vectors = es.eigenvectors().rowwise().reverse();
    r.hvp_count = n;
    r.seconds = secondsSince(t0);
    return r;
}

OutlierReport splitOutliers(const std::vector<double>& top, double trace, int classes,
                            std::optional<double> manual_edge) {
    OutlierReport r;
    r.classes = classes;
    std::vector<double> v = top;
    std::sort(v.begin(), v.end(), std::greater<>());
    auto finish = [&](int count) {
        r.count = count;
        r.eigenvalues.assign(v.begin(), v.begin() + count);
        double s = 0;
        for (double x : r.eigenvalues) s += x;
        r.trace_share = trace > 0 ? s / trace : 0.0;
        return r;
    };
    if (manual_edge) {
        r.manual = true;
        r.edge = *manual_edge;
        r.rule = "bulk edge set by hand at " + std::to_string(*manual_edge) + ": outliers are the eigenvalues above it";
        int c = 0;
        while (c < int(v.size()) && v[c] > *manual_edge) ++c;
        return finish(c);
    }
    // Relative gaps between consecutive positive values: g_i = (l_i - l_{i+1}) / l_{i+1}.
    std::vector<double> gap;
    for (size_t i = 0; i + 1 < v.size() && v[i + 1] > 0; ++i) gap.push_back((v[i] - v[i + 1]) / v[i + 1]);
    const double min_gap = 0.5;  // an outlier stands at least 1.5x above the next value
    std::ostringstream rule;
    rule << "largest relative gap (l_i - l_{i+1})/l_{i+1} among the top " << v.size() << " Ritz values; a gap below "
         << min_gap << " means no outliers";
    if (classes > 0)
        rule << "; cross-checked against C = " << classes
             << " classes (a gap at C-1 or C within 2x of the largest wins)";
    int best = -1;
    for (size_t i = 0; i < gap.size(); ++i)
        if (best < 0 || gap[i] > gap[best]) best = int(i);
    if (best < 0 || gap[best] < min_gap) {
        r.edge = v.empty() ? 0.0 : v.front();
        rule << "; no gap qualifies (largest " << (best < 0 ? 0.0 : gap[best]) << ")";
        r.rule = rule.str();
        return finish(0);
    }
    int count = best + 1;
    if (classes > 0) {
        for (int c : {classes - 1, classes}) {
            const int i = c - 1;
            if (i >= 0 && i < int(gap.size()) && gap[i] >= 0.5 * gap[best] && gap[i] >= min_gap &&
                (count != classes - 1 && count != classes)) {
                count = c;
            }
        }
    }
    r.edge = v[count];
    rule << "; split after " << count << " (gap " << gap[count - 1] << ")";
    r.rule = rule.str();
    return finish(count);
}

int64_t estimateMemoryBytes(int64_t n, int vectors_kept) { return int64_t(8) * n * (int64_t(vectors_kept) + 4); }

void checkMemory(int64_t n, int vectors_kept, const std::string& what) {
    const int64_t need = estimateMemoryBytes(n, vectors_kept);
    const int64_t have = detail::availableMemoryBytes();
    if (need > have)
        throw Error(what + " needs about " + human(double(need)) + " (" + std::to_string(vectors_kept) +
                    " vectors of " + std::to_string(n) + " parameters) but only " + human(double(have)) +
                    " is free; lower --max-hvp / --steps, or ask for fewer eigenvalues");
}

namespace {

// What the bulk/outlier rule reads from a result: the top eigenvalues (the exact spectrum's
// first 40 when there is one) and the trace (exact when known).
std::pair<std::vector<double>, double> outlierInputs(const SpectrumResult& r) {
    std::vector<double> top;
    if (r.exact) {
        const size_t n = std::min<size_t>(r.exact->eigenvalues.size(), 40);
        top.assign(r.exact->eigenvalues.begin(), r.exact->eigenvalues.begin() + long(n));
    } else if (r.largest) {
        top = r.largest->eigenvalues;
    }
    double trace = r.trace ? r.trace->mean : 0.0;
    if (r.exact) {
        trace = 0;
        for (double x : r.exact->eigenvalues) trace += x;
    }
    return {top, trace};
}

}  // namespace

void setBulkEdge(SpectrumResult& r, std::optional<double> edge) {
    if (edge && !std::isfinite(*edge)) throw Error("the bulk edge must be a finite number");
    const auto [top, trace] = outlierInputs(r);
    r.outliers = splitOutliers(top, trace, r.outliers.classes, edge);
}

SpectrumResult computeSpectrum(Objective& objective, const SpectrumOptions& given, JobContext* job) {
    validate(given);
    SpectrumOptions o = given;
    o.eigen.seed = seedFor(o.seed, SeedStream::Eigen);
    o.trace_options.seed = seedFor(o.seed, SeedStream::Trace);
    o.density_options.seed = seedFor(o.seed, SeedStream::Density);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t n = objective.parameterCount();
    const int64_t hvp0 = objective.hvpCount();
    checkMemory(n, o.eigen.method == EigenMethod::Lanczos ? o.eigen.max_hvp : 2 * o.eigen.top_k + 2, "Lanczos");
    if (o.density) checkMemory(n, o.density_options.steps, "spectral density");
    LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { objective.hvp(v, out, job); };
    SpectrumResult r;
    r.options = given;
    r.parameters = n;
    r.dtype = dtypeName(objective.spec().dtype);
    auto ends = topEigenpairs(H, n, o.eigen, job);
    r.largest = ends.largest;
    r.smallest = ends.smallest;
    if (o.trace) r.trace = estimateTrace(H, n, o.trace_options, job);
    if (o.density) r.density = spectralDensity(H, n, o.density_options, job);
    if (o.exact) r.exact = exactSpectrum(H, n, false, o.exact_max, job);
    r.outliers.classes = int(objective.data().classes);
    setBulkEdge(r, std::nullopt);
    r.hvp_count = objective.hvpCount() - hvp0;
    r.hvp = objective.hvpReport();
    r.seconds = secondsSince(t0);
    r.provenance = makeProvenance(objective, "spectrum", toJson(given));
    r.provenance.seconds = r.seconds;
    r.provenance.hvp_count = r.hvp_count;
    return r;
}

}  // namespace basin
