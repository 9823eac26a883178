#include "basin/directions.h"

#include <Eigen/Dense>
#include <cstring>
#include <random>

#include "basin/error.h"
#include "basin/study.h"

namespace basin {

DirectionNorm parseDirectionNorm(const std::string& n) {
    if (n == "filter") return DirectionNorm::Filter;
    if (n == "layer") return DirectionNorm::Layer;
    if (n == "none") return DirectionNorm::None;
    throw Error("unknown direction normalisation '" + n + "' (choose filter, layer or none)");
}

IgnoreMode parseIgnoreMode(const std::string& n) {
    if (n == "biasbn") return IgnoreMode::BiasBN;
    if (n == "none") return IgnoreMode::None;
    throw Error("unknown ignore mode '" + n + "' (choose biasbn or none)");
}

void normaliseDirection(Eigen::VectorXd& d, const std::vector<ParameterInfo>& params, const Eigen::VectorXd& theta,
                        DirectionNorm norm, IgnoreMode ignore) {
    for (const auto& p : params) {
        auto dp = d.segment(p.offset, p.size);
        const auto tp = theta.segment(p.offset, p.size);
        if (p.shape.size() <= 1) {
            if (ignore == IgnoreMode::BiasBN) dp.setZero();
            else dp = tp;
            continue;
        }
        if (norm == DirectionNorm::Layer) {
            const double dn = dp.norm();
            if (dn > 0) dp *= tp.norm() / dn;
        } else if (norm == DirectionNorm::Filter) {
            const int64_t filters = p.shape[0], per = p.size / filters;
            for (int64_t f = 0; f < filters; ++f) {
                auto df = dp.segment(f * per, per);
                const double dn = df.norm();
                if (dn > 0) df *= tp.segment(f * per, per).norm() / dn;
            }
        }
    }
}

Eigen::VectorXd randomDirection(const std::vector<ParameterInfo>& params, const Eigen::VectorXd& theta,
                                DirectionNorm norm, IgnoreMode ignore, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> dist;
    Eigen::VectorXd d(theta.size());
    for (auto& x : d) x = dist(rng);
    normaliseDirection(d, params, theta, norm, ignore);
    return d;
}

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    const double n = a.norm() * b.norm();
    return n > 0 ? a.dot(b) / n : 0.0;
}

double orthogonalise(const Eigen::VectorXd& a, Eigen::VectorXd& b) {
    const double c = cosine(a, b);
    const double aa = a.squaredNorm();
    if (aa > 0) b -= (a.dot(b) / aa) * a;
    return c;
}

Plane planeThrough(const Eigen::VectorXd& p0, const Eigen::VectorXd& p1, const Eigen::VectorXd& p2) {
    Plane pl;
    pl.origin = p0;
    const Eigen::VectorXd u = p1 - p0;
    Eigen::VectorXd v = p2 - p0;
    const double un = u.norm();
    if (un == 0) throw Error("the first two checkpoints are identical; they do not span a plane");
    v -= (u.dot(v) / (un * un)) * u;
    if (v.norm() <= 1e-12 * un) throw Error("the three checkpoints lie on one line; they do not span a plane");
    // Both axes get the length of p1 - p0, so the plane is drawn without distortion.
    pl.x = u;
    pl.y = v * (un / v.norm());
    pl.points = projectOntoPlane({p0, p1, p2}, p0, pl.x, pl.y);
    return pl;
}

std::vector<std::array<double, 2>> projectOntoPlane(const std::vector<Eigen::VectorXd>& points,
                                                    const Eigen::VectorXd& origin, const Eigen::VectorXd& x,
                                                    const Eigen::VectorXd& y) {
    Eigen::Matrix2d G;
    G << x.dot(x), x.dot(y), x.dot(y), y.dot(y);
    const auto solver = G.ldlt();
    std::vector<std::array<double, 2>> out;
    for (const auto& p : points) {
        const Eigen::VectorXd r = p - origin;
        const Eigen::Vector2d c = solver.solve(Eigen::Vector2d(x.dot(r), y.dot(r)));
        out.push_back({c[0], c[1]});
    }
    return out;
}

TrajectoryPCA trajectoryPCA(const std::vector<Eigen::VectorXd>& ckpts, const std::vector<ParameterInfo>& params,
                            IgnoreMode ignore) {
    if (ckpts.size() < 3)
        throw Error("PCA of a trajectory needs at least 3 checkpoints, " + std::to_string(ckpts.size()) + " given");
    const Eigen::VectorXd& final = ckpts.back();
    const int64_t n = final.size();
    const int m = int(ckpts.size()) - 1;
    Eigen::MatrixXd M(m, n);
    for (int i = 0; i < m; ++i) {
        if (ckpts[size_t(i)].size() != n) throw Error("the checkpoints have different numbers of parameters");
        M.row(i) = (ckpts[size_t(i)] - final).transpose();
    }
    if (ignore == IgnoreMode::BiasBN)
        for (const auto& p : params)
            if (p.shape.size() <= 1) M.middleCols(p.offset, p.size).setZero();
    // Not centred, unlike sklearn's PCA in Li et al.'s code: the plane is drawn through the final
    // weights, so it is fitted through them (the best plane through theta_final); centring would
    // fit a plane through the mean instead, and with 3 checkpoints lose a dimension. The m x m
    // Gram matrix gives the axes without an m x n SVD.
    const Eigen::MatrixXd G = M * M.transpose();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(G);
    const double total = std::max(es.eigenvalues().sum(), 1e-300);
    TrajectoryPCA r;
    const Eigen::VectorXd u1 = es.eigenvectors().col(m - 1), u2 = es.eigenvectors().col(m - 2);
    r.x = (M.transpose() * u1).normalized();
    r.y = (M.transpose() * u2).normalized();
    r.explained_x = es.eigenvalues()[m - 1] / total;
    r.explained_y = es.eigenvalues()[m - 2] / total;
    r.projected = projectOntoPlane(ckpts, final, r.x, r.y);
    return r;
}

void saveDirection(const std::string& path, const Eigen::VectorXd& d) {
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(d.size()) + ",), }";
    const size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::string out = "\x93NUMPY";
    out += char(1);
    out += char(0);
    out += char(header.size() & 0xff);
    out += char((header.size() >> 8) & 0xff);
    out += header;
    out.append(reinterpret_cast<const char*>(d.data()), size_t(d.size()) * sizeof(double));
    writeFileAtomically(path, out);
}

}  // namespace basin
