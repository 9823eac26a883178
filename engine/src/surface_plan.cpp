#include "basin/surface_plan.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "basin/curvature.h"
#include "basin/error.h"
#include "basin/sensitivity.h"

namespace basin {

namespace {

std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

std::array<double, 4> rangeAround(const std::vector<std::array<double, 2>>& pts, bool two_d) {
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    for (const auto& p : pts) {
        x0 = std::min(x0, p[0]);
        x1 = std::max(x1, p[0]);
        y0 = std::min(y0, p[1]);
        y1 = std::max(y1, p[1]);
    }
    const double mx = 0.25 * std::max(x1 - x0, 1e-3), my = 0.25 * std::max(y1 - y0, 0.25 * (x1 - x0));
    if (!two_d) return {x0 - mx, x1 + mx, 0, 0};
    return {x0 - mx, x1 + mx, y0 - my, y1 + my};
}

// The flat entries of one layer group, in the order of the flat vector.
std::vector<int64_t> groupEntries(const Objective& o, const std::string& group) {
    std::vector<SensitivityGroup> groups;
    try {
        groups = sensitivityGroups(o, {group});
    } catch (const Error&) {
        std::string known;
        for (const auto& g : o.groups()) known += (known.empty() ? "" : ", ") + g.name;
        throw Error("surface option group (--group) is '" + group + "'; it must name a layer group of the model (" +
                    known + "), or several joined by +");
    }
    const auto& params = o.parameters();
    std::vector<int> idx = groups.back().parameters;
    std::sort(idx.begin(), idx.end());
    std::vector<int64_t> entries;
    for (int k : idx)
        for (int64_t i = 0; i < params[size_t(k)].size; ++i) entries.push_back(params[size_t(k)].offset + i);
    return entries;
}

Eigen::VectorXd masked(const Eigen::VectorXd& d, const std::vector<int64_t>& entries) {
    Eigen::VectorXd out = Eigen::VectorXd::Zero(d.size());
    for (int64_t e : entries) out[e] = d[e];
    return out;
}

}  // namespace

SurfacePlan planSurface(Objective& o, const SurfaceRequest& r, JobContext* job) {
    SurfacePlan plan;
    const Eigen::VectorXd theta = o.parametersFlat();
    const auto& params = o.parameters();
    std::ostringstream desc;
    auto ckpts = r.checkpoints.empty() ? o.spec().checkpoints : r.checkpoints;
    if (!r.group.empty() && (r.dirs == "checkpoints" || r.dirs == "pca"))
        throw Error("surface option group (--group) applies to random, eigen, eigen-neg and file directions, not to " +
                    r.dirs);
    const std::vector<int64_t> entries = r.group.empty() ? std::vector<int64_t>{} : groupEntries(o, r.group);
    const bool restricted = !r.group.empty();

    if (r.dirs == "random") {
        plan.origin = theta;
        plan.dx = randomDirection(params, theta, r.norm, r.ignore, r.seed);
        if (r.two_d) plan.dy = randomDirection(params, theta, r.norm, r.ignore, r.seed + 1);
        plan.x_label = "random direction 1";
        plan.y_label = "random direction 2";
        desc << "random Gaussian directions, seed " << r.seed << ", "
             << (r.norm == DirectionNorm::Filter  ? "filter"
                 : r.norm == DirectionNorm::Layer ? "layer"
                                                  : "no")
             << " normalisation, biases and BatchNorm " << (r.ignore == IgnoreMode::BiasBN ? "zeroed" : "kept");
    } else if (r.dirs == "eigen" || r.dirs == "eigen-neg") {
        EigenOptions eo;
        eo.top_k = r.dirs == "eigen" ? 2 : 1;
        eo.which = r.dirs == "eigen" ? Which::Largest : Which::Both;
        eo.tol = 1e-4;
        eo.vectors = true;
        eo.seed = r.seed;
        LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, job); };
        // One group's landscape: the eigenvectors of its Hessian block H_gg (v -> (H [v_g, 0])_g),
        // put back in the full vector with zeros elsewhere.
        const int64_t n = restricted ? int64_t(entries.size()) : o.parameterCount();
        LinearOperator block = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
            Eigen::VectorXd full = Eigen::VectorXd::Zero(o.parameterCount()), hv;
            for (int64_t i = 0; i < n; ++i) full[entries[size_t(i)]] = v[i];
            o.hvp(full, hv, job);
            out.resize(n);
            for (int64_t i = 0; i < n; ++i) out[i] = hv[entries[size_t(i)]];
        };
        auto ends = topEigenpairs(restricted ? block : H, n, eo, job);
        if (restricted)
            for (auto* e : {&ends.largest, &ends.smallest})
                if (*e) {
                    Eigen::MatrixXd full = Eigen::MatrixXd::Zero(o.parameterCount(), (*e)->vectors.cols());
                    for (int64_t i = 0; i < n; ++i) full.row(entries[size_t(i)]) = (*e)->vectors.row(i);
                    (*e)->vectors = full;
                }
        plan.origin = theta;
        plan.dx = ends.largest->vectors.col(0);
        std::ostringstream lx, ly;
        lx << "eigenvector of lambda_1 = " << ends.largest->eigenvalues[0];
        if (r.two_d) {
            const auto& other = r.dirs == "eigen" ? *ends.largest : *ends.smallest;
            const int c = r.dirs == "eigen" ? 1 : int(other.eigenvalues.size()) - 1;
            plan.dy = other.vectors.col(c);
            ly << "eigenvector of lambda = " << other.eigenvalues[size_t(c)];
        }
        plan.x_label = lx.str();
        plan.y_label = ly.str();
        desc << "unit Hessian eigenvectors (Lanczos, tol 1e-4, seed " << r.seed << ")";
        if (restricted) desc << " of the block of group " << r.group;
    } else if (r.dirs == "checkpoints") {
        if (ckpts.size() < 2)
            throw Error("a line between checkpoints needs 2 checkpoints, " + std::to_string(ckpts.size()) + " given");
        std::vector<Eigen::VectorXd> pts;
        for (const auto& c : ckpts) pts.push_back(o.parametersOfModel(c));
        if (!r.two_d || ckpts.size() == 2) {
            plan.origin = pts.front();
            plan.dx = pts.back() - pts.front();
            plan.line = checkpointLine(o, ckpts.front(), ckpts.back());
            plan.x_label = "interpolation " + stem(ckpts.front()) + " (0) to " + stem(ckpts.back()) + " (1)";
            const double dd = std::max(plan.dx.squaredNorm(), 1e-300);
            for (const auto& p : pts) plan.trajectory.push_back({plan.dx.dot(p - plan.origin) / dd, 0.0});
            desc << "linear interpolation between checkpoints (Goodfellow et al. 2015)";
        } else {
            const auto& mid = pts[pts.size() / 2];
            auto pl = planeThrough(pts.front(), mid, pts.back());
            plan.origin = pl.origin;
            plan.dx = pl.x;
            plan.dy = pl.y;
            plan.x_label = "towards " + stem(ckpts[ckpts.size() / 2]);
            plan.y_label = "towards " + stem(ckpts.back()) + " (orthogonalised)";
            plan.trajectory = projectOntoPlane(pts, plan.origin, plan.dx, *plan.dy);
            desc << "the plane through three checkpoints (Garipov et al. 2018)";
        }
        for (const auto& c : ckpts) plan.trajectory_labels.push_back(stem(c));
        plan.suggested_range = rangeAround(plan.trajectory, r.two_d && plan.dy.has_value());
    } else if (r.dirs == "pca") {
        std::vector<Eigen::VectorXd> pts;
        for (const auto& c : ckpts) pts.push_back(o.parametersOfModel(c));
        const auto pca = trajectoryPCA(pts, params, r.ignore);
        plan.origin = pts.back();
        plan.dx = pca.x;
        if (r.two_d) plan.dy = pca.y;
        std::ostringstream lx, ly;
        lx.precision(3);
        ly.precision(3);
        lx << "PC 1 (" << 100 * pca.explained_x << "% of variance)";
        ly << "PC 2 (" << 100 * pca.explained_y << "% of variance)";
        plan.x_label = lx.str();
        plan.y_label = ly.str();
        plan.trajectory = pca.projected;
        for (const auto& c : ckpts) plan.trajectory_labels.push_back(stem(c));
        plan.suggested_range = rangeAround(plan.trajectory, r.two_d);
        desc << "PCA of the training trajectory (" << ckpts.size() << " checkpoints), origin at the last";
    } else {
        const auto comma = r.dirs.find(',');
        const std::string fx = r.dirs.substr(0, comma);
        plan.origin = theta;
        plan.dx = loadDirection(fx, params);
        plan.x_label = stem(fx);
        if (r.two_d) {
            if (comma == std::string::npos) throw Error("a 2D grid needs two direction files: --dirs X.npy,Y.npy");
            const std::string fy = r.dirs.substr(comma + 1);
            plan.dy = loadDirection(fy, params);
            plan.y_label = stem(fy);
        }
        desc << "directions read from " << r.dirs;
    }
    if (restricted && r.dirs != "eigen" && r.dirs != "eigen-neg") {
        plan.dx = masked(plan.dx, entries);
        if (plan.dy) plan.dy = masked(*plan.dy, entries);
        if (plan.dx.norm() == 0 || (plan.dy && plan.dy->norm() == 0))
            throw Error(
                "the directions restricted to group " + r.group +
                " are zero: its parameters are biases or normalisation layers, which --ignore biasbn leaves out; "
                "give --ignore none to move them");
        desc << ", restricted to group " << r.group << " (zero elsewhere)";
    }
    if (restricted) {
        plan.x_label += " [" + r.group + "]";
        if (plan.dy) plan.y_label += " [" + r.group + "]";
    }
    if (plan.dy) {
        plan.cosine_xy = cosine(plan.dx, *plan.dy);
        if (r.orthogonal && (r.dirs == "random" || r.dirs.find('.') != std::string::npos)) {
            orthogonalise(plan.dx, *plan.dy);
            desc << ", y orthogonalised against x (cosine before " << plan.cosine_xy << ")";
        }
    }
    plan.description = desc.str();
    return plan;
}

void placeOnPlan(Objective& o, const SurfacePlan& plan, double x, double y, Eigen::VectorXd& scratch) {
    if (plan.line && !plan.dy) {
        if (y != 0) throw Error("a point on the line between two checkpoints has no second coordinate");
        placeOnLine(o, *plan.line, x);
        return;
    }
    scratch = plan.origin + x * plan.dx;
    if (plan.dy) scratch += y * *plan.dy;
    o.setParameters(scratch);
}

}  // namespace basin
