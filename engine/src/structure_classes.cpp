// The class structure of the Gauss-Newton matrix (Papyan 2020, in the exact form of structure.h).
#include <Eigen/Dense>
#include <chrono>

#include "basin/error.h"
#include "basin/options.h"
#include "stats.h"
#include "structure_impl.h"

namespace basin::detail {

namespace {

std::vector<double> descendingEigenvalues(const Eigen::MatrixXd& gram) {
    if (gram.rows() == 0) return {};
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(0.5 * (gram + gram.transpose()), Eigen::EigenvaluesOnly);
    std::vector<double> v(es.eigenvalues().data(), es.eigenvalues().data() + es.eigenvalues().size());
    std::reverse(v.begin(), v.end());
    return v;
}

double cos2(const Eigen::VectorXd& v, const Eigen::VectorXd& g) {
    const double n = v.squaredNorm() * g.squaredNorm();
    return n > 0 ? std::pow(v.dot(g), 2) / n : 0.0;
}

// Restores all samples and the curvature matrix however the class part ends.
struct Restore {
    Objective& o;
    CurvatureKind curvature;
    ~Restore() {
        o.restrictSamples({});
        if (o.curvature() != curvature) o.setCurvature(curvature);
    }
};

}  // namespace

int classTop(const StructureOptions& opt, int classes) { return opt.class_top > 0 ? opt.class_top : classes; }

ClassPart classPart(Objective& o, const StructureOptions& opt, const SharedEigen& eigen, JobContext* job) {
    const auto t0 = std::chrono::steady_clock::now();
    if (o.spec().loss != Loss::CrossEntropy)
        throw Error(
            "the class structure of the Gauss-Newton matrix is offered for the cross_entropy loss; this study's is " +
            lossName(o.spec().loss));
    const int64_t P = o.parameterCount();
    const std::vector<int64_t> labels = o.classLabels();
    const int64_t N = int64_t(labels.size());
    const int K = int(o.outputs(job).cols());
    for (int64_t y : labels)
        if (y < 0 || y >= K)
            throw Error(o.data().targets_path, "holds class " + std::to_string(y) + ", but the model has " +
                                                   std::to_string(K) + " outputs (classes 0 to " +
                                                   std::to_string(K - 1) + ")");
    checkMemory(P, K * K + 3 * K, "the class structure (" + std::to_string(K * K) + " class and cross-class vectors)");
    ClassPart r;
    r.classes = K;
    r.counts.assign(size_t(K), 0);
    std::vector<std::vector<int64_t>> members(static_cast<size_t>(K));
    for (int64_t i = 0; i < N; ++i) members[size_t(labels[size_t(i)])].push_back(i);
    for (int c = 0; c < K; ++c) r.counts[size_t(c)] = int64_t(members[size_t(c)].size());

    Eigen::MatrixXd A = Eigen::MatrixXd::Zero(P, K * K);  // column c*K + c' = a_cc'
    Eigen::MatrixXd g = Eigen::MatrixXd::Zero(P, K);      // column c = g_c
    const int64_t hvp0 = o.hvpCount();
    {
        Restore restore{o, o.curvature()};
        if (job) job->stage("class and cross-class mean gradients", K);
        for (int c = 0; c < K; ++c) {
            const auto& idx = members[size_t(c)];
            if (idx.empty()) continue;
            o.restrictSamples(idx);
            const Eigen::MatrixXd z = o.outputs(job);
            Eigen::MatrixXd p = (z.colwise() - z.rowwise().maxCoeff()).array().exp().matrix();
            p.array().colwise() /= p.rowwise().sum().array();
            const double scale = 1.0 / std::sqrt(double(N) * double(idx.size()));
            std::vector<Eigen::MatrixXd> cot;
            for (int cp = 0; cp < K; ++cp) {
                // ∇_z ℓ(x, c') = p − e_c', weighted by √p_c'.
                Eigen::MatrixXd rmat = p;
                rmat.col(cp).array() -= 1.0;
                rmat.array().colwise() *= p.col(cp).array().sqrt() * scale;
                cot.push_back(std::move(rmat));
            }
            A.middleCols(c * K, K) = o.outputVjps(cot, job);
            Eigen::VectorXd gc;
            o.gradient(gc, job);
            g.col(c) = gc;
            if (job) job->step(c + 1);
        }
        o.restrictSamples({});
        r.gradient_passes = K + 1;

        // The class term: per class, the best rank-one part of Σ_c' a_cc' a_cc'^T; the rest is cross-class.
        Eigen::MatrixXd Q = Eigen::MatrixXd::Zero(P, K), R(P, K * (K - 1));
        for (int c = 0; c < K; ++c) {
            const auto Ac = A.middleCols(c * K, K);
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Ac.transpose() * Ac);  // ascending
            Q.col(c) = Ac * es.eigenvectors().col(K - 1);
            R.middleCols(c * (K - 1), K - 1) = Ac * es.eigenvectors().leftCols(K - 1);
            r.class_trace += std::max(0.0, es.eigenvalues()[K - 1]);
            r.cross_trace += std::max(0.0, es.eigenvalues().head(K - 1).sum());
        }
        r.class_gram = descendingEigenvalues(Q.transpose() * Q);
        r.cross_gram = descendingEigenvalues(R.transpose() * R);
        r.between_gram = descendingEigenvalues(A.transpose() * A);

        // The top of G itself, by Lanczos on Gauss-Newton products.
        o.setCurvature(CurvatureKind::GaussNewton);
        LinearOperator G = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, job); };
        EigenOptions eo;
        eo.top_k = int(std::min<int64_t>(classTop(opt, K), P));
        eo.which = Which::Largest;
        eo.tol = opt.tol;
        eo.max_hvp = int(std::min<int64_t>(std::max(opt.max_hvp, eo.top_k + 1), P));
        eo.seed = seedFor(opt.seed, SeedStream::Eigen);
        eo.vectors = true;
        if (job) job->stage("top of the Gauss-Newton matrix", eo.max_hvp);
        const auto top = topEigenpairs(G, P, eo, job);
        r.converged = top.largest->converged;
        r.ggn_eigenvalues = top.largest->eigenvalues;
        for (size_t k = 0; k < r.ggn_eigenvalues.size(); ++k) {
            const Eigen::VectorXd v = top.largest->vectors.col(Eigen::Index(k)).normalized();
            OutlierSplit s;
            s.eigenvalue = r.ggn_eigenvalues[k];
            s.class_part = (Q.transpose() * v).squaredNorm();
            s.cross_part = (R.transpose() * v).squaredNorm();
            s.within_part = s.eigenvalue - s.class_part - s.cross_part;
            r.ggn_split.push_back(s);
            std::vector<double> row;
            for (int c = 0; c < K; ++c) row.push_back(cos2(v, g.col(c)));
            r.ggn_overlap.push_back(row);
        }
    }
    if (eigen.largest) {
        const EigenResult& h = *eigen.largest;
        const size_t k = std::min<size_t>(size_t(classTop(opt, K)), h.eigenvalues.size());
        r.hessian_eigenvalues.assign(h.eigenvalues.begin(), h.eigenvalues.begin() + long(k));
        for (size_t i = 0; i < k; ++i) {
            std::vector<double> row;
            for (int c = 0; c < K; ++c) row.push_back(cos2(h.vectors.col(Eigen::Index(i)), g.col(c)));
            r.hessian_overlap.push_back(row);
        }
    }
    r.hvp_count = o.hvpCount() - hvp0;
    r.seconds = secondsSince(t0);
    return r;
}

}  // namespace basin::detail
