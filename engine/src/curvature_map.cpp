// Curvature maps: λmax, λmin and the trace at every grid point, warm-started from neighbours.
#include "basin/curvature_map.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>

#include "arrays.h"
#include "basin/curvature.h"
#include "basin/error.h"
#include "basin/options.h"
#include "basin/surface_job.h"
#include "grid_walk.h"
#include "lanczos.h"
#include "stats.h"

namespace basin {

namespace {

// The share of the seeded random start kept in a warm start: enough that an eigenvector the
// neighbour's Ritz vectors miss (two eigenvalues crossing between the points) is still in the
// Krylov space, small enough that the neighbour's vectors dominate the first steps.
constexpr double kRandomShare = 0.1;

// The Ritz vectors of computed points, kept while they can still be a nearest neighbour: a point
// whose eight neighbours are all done is forgotten first, so memory stays near a few rows of the
// grid for large models.
class WarmStarts {
public:
    WarmStarts(const SurfaceGrid& grid, int64_t parameters) : grid_(grid) {
        const int64_t budget = std::min<int64_t>(detail::availableMemoryBytes() / 4, int64_t(1) << 31);
        capacity_ = std::max<int64_t>(16, budget / std::max<int64_t>(1, 8 * parameters));
    }

    // The start vector of the nearest computed point (grid index distance; ties: the lowest index).
    const Eigen::VectorXd* nearest(int64_t k) const {
        const int nx = grid_.nx();
        const int64_t i = k % nx, j = k / nx;
        const Eigen::VectorXd* best = nullptr;
        int64_t best_d = 0;
        for (const auto& [q, v] : kept_) {
            const int64_t di = q % nx - i, dj = q / nx - j, d = di * di + dj * dj;
            if (!best || d < best_d) {
                best = &v;
                best_d = d;
            }
        }
        return best;
    }

    void keep(int64_t k, Eigen::VectorXd v) {
        kept_[k] = std::move(v);
        if (int64_t(kept_.size()) <= capacity_) return;
        for (auto it = kept_.begin(); it != kept_.end() && int64_t(kept_.size()) > capacity_;)
            it = surrounded(it->first) ? kept_.erase(it) : std::next(it);
        while (int64_t(kept_.size()) > capacity_) kept_.erase(kept_.begin());
    }

private:
    bool surrounded(int64_t k) const {
        const int nx = grid_.nx(), ny = grid_.ny();
        const int i = int(k % nx), j = int(k / nx);
        for (int dj = -1; dj <= 1; ++dj)
            for (int di = -1; di <= 1; ++di) {
                const int a = i + di, b = j + dj;
                if (a >= 0 && a < nx && b >= 0 && b < ny && !grid_.done[size_t(b) * size_t(nx) + size_t(a)])
                    return false;
            }
        return true;
    }

    const SurfaceGrid& grid_;
    int64_t capacity_ = 16;
    std::map<int64_t, Eigen::VectorXd> kept_;
};

}  // namespace

SurfacePlan planCurvatureMap(Objective& objective, const CurvatureMapOptions& o, JobContext* job) {
    SurfaceJobOptions surface = o.surface;
    surface.seed = o.seed;
    return planSurfaceJob(objective, surface, job);
}

SurfaceGrid curvatureMapGridFor(const Objective& objective, const CurvatureMapOptions& o, const SurfacePlan& plan) {
    SurfaceJobOptions surface = o.surface;
    surface.seed = o.seed;
    SurfaceGrid grid = surfaceGridFor(objective, surface, plan);
    GridCurvature c;
    c.settings = o.curvature;
    const size_t n = grid.loss.size();
    const double nan = std::nan("");
    c.lambda_max.assign(n, nan);
    c.lambda_min.assign(n, nan);
    c.trace.assign(n, nan);
    c.trace_stderr.assign(n, nan);
    c.hvp.assign(n, 0);
    c.converged.assign(n, 0);
    c.warm.assign(n, 0);
    grid.curvature = std::move(c);
    CurvatureMapOptions keyed = o;
    keyed.surface = surface;
    grid.provenance =
        makeProvenance(objective, "curvature-map", toJson(keyed), referencedFiles(keyed, objective.spec()));
    return grid;
}

void computeCurvatureMapPoints(Objective& objective, const SurfacePlan& plan, SurfaceGrid& map, JobContext* job,
                               const std::function<void(const SurfaceGrid&)>& on_partial, int partial_every,
                               const SurfaceDeal& deal) {
    if (!map.curvature) throw Error("a curvature map needs its curvature arrays (curvatureMapGridFor makes them)");
    const int64_t P = objective.parameterCount();
    if (plan.origin.size() != P || plan.dx.size() != P || (plan.dy && plan.dy->size() != P))
        throw Error("a direction's length does not match the model's " + std::to_string(P) + " parameters");
    if (map.is2D() && !plan.dy) throw Error("a 2D grid needs two directions");
    GridCurvature& c = *map.curvature;
    const CurvatureSettings& s = c.settings;
    const uint64_t seed = map.options.seed;
    checkMemory(P, s.max_hvp + (s.warm_start ? 4 : 0), "a curvature map's Lanczos");

    EigenOptions eo;
    eo.top_k = 1;
    eo.which = s.lambda_min ? Which::Both : Which::Largest;
    eo.tol = s.tol;
    eo.max_hvp = s.max_hvp;
    eo.seed = seedFor(seed, SeedStream::Eigen);
    eo.vectors = s.warm_start;
    TraceOptions to;
    to.method = TraceMethod::Hutchinson;
    to.probes = s.trace_probes;
    to.seed = seedFor(seed, SeedStream::Trace);  // the same probes at every point: a smooth trace map
    Eigen::VectorXd random_start;
    if (s.warm_start) {
        std::mt19937_64 rng(eo.seed);
        random_start = detail::gaussianVector(P, rng).normalized();
    }

    // Between two checkpoints the points are placed as the surface places them (placeOnPlan:
    // BatchNorm statistics interpolated too, the ends exactly the checkpoints), so the map's loss
    // is the surface's at every point.
    const Eigen::VectorXd saved = objective.parametersFlat();
    const Eigen::VectorXd saved_buffers = plan.line ? objective.buffersFlat() : Eigen::VectorXd();
    const BatchNormMode saved_bn = objective.batchNormMode();
    objective.setBatchNormMode(map.options.bn);
    auto restore = [&] {
        objective.setParameters(saved);
        if (saved_buffers.size() > 0) objective.setBuffers(saved_buffers);
        objective.setBatchNormMode(saved_bn);
    };
    // Cancellation is checked inside every product (Objective::hvp checks between batches); the
    // inner solvers get no JobContext, so the map's own stage and step counts stay on screen.
    LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { objective.hvp(v, out, job); };
    WarmStarts starts(map, P);
    const int nx = map.nx(), ny = map.ny();
    Eigen::VectorXd theta(P);
    try {
        detail::walkGrid(
            map, deal, job, "curvature map " + std::to_string(nx) + (map.is2D() ? "x" + std::to_string(ny) : ""),
            [&](int64_t k) {
                const int i = int(k % nx), j = int(k / nx);
                placeOnPlan(objective, plan, map.xs[size_t(i)], map.is2D() ? map.ys[size_t(j)] : 0.0, theta);
                const Evaluation e = objective.evaluate(job);
                EigenOptions here = eo;
                const Eigen::VectorXd* near = s.warm_start ? starts.nearest(k) : nullptr;
                if (near) here.start = *near + kRandomShare * random_start;
                const EigenEnds ends = topEigenpairs(H, P, here, nullptr);
                int64_t products = ends.largest->hvp_count;
                std::optional<TraceResult> trace;
                if (s.trace_probes > 0) {
                    trace = estimateTrace(H, P, to, nullptr);
                    products += trace->hvp_count;
                }
                const size_t kk = size_t(k);
                map.loss[kk] = e.loss;
                map.accuracy[kk] = e.accuracy;
                c.lambda_max[kk] = ends.largest->eigenvalues.front();
                bool converged = ends.largest->converged;
                if (ends.smallest) {
                    c.lambda_min[kk] = ends.smallest->eigenvalues.back();
                    converged = converged && ends.smallest->converged;
                }
                if (trace) {
                    c.trace[kk] = trace->mean;
                    c.trace_stderr[kk] = trace->stderr_;
                }
                c.hvp[kk] = int32_t(products);
                c.converged[kk] = converged;
                c.warm[kk] = near != nullptr;
                map.done[kk] = 1;
                if (s.warm_start) {
                    // Both ends in one vector: the next Krylov space then holds both from its first step.
                    Eigen::VectorXd v = ends.largest->vectors.col(0);
                    if (ends.smallest) v += ends.smallest->vectors.col(ends.smallest->vectors.cols() - 1);
                    if (v.norm() > 0) starts.keep(k, v.normalized());
                }
            },
            on_partial, partial_every);
    } catch (...) {
        restore();
        throw;
    }
    restore();
}

SurfaceGrid computeCurvatureMap(Objective& objective, const CurvatureMapOptions& given, JobContext* job,
                                const std::function<void(const SurfaceGrid&)>& publish) {
    validate(given);
    CurvatureMapOptions o = given;
    o.surface.seed = o.seed;
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = objective.hvpCount();
    const SurfacePlan plan = planCurvatureMap(objective, o, job);
    SurfaceGrid map = curvatureMapGridFor(objective, o, plan);
    computeCurvatureMapPoints(objective, plan, map, job, publish);
    map.provenance.seconds = detail::secondsSince(t0);
    map.provenance.hvp_count = objective.hvpCount() - hvp0;
    if (publish) publish(map);
    return map;
}

std::string curvatureMapJson(const SurfaceGrid& map) {
    if (!map.curvature) throw Error("a loss surface is not a curvature map");
    return surfaceJson(map);
}

SurfaceGrid curvatureMapFromJson(const std::string& text, const std::string& origin) {
    SurfaceGrid g = surfaceFromJson(text, origin);
    if (!g.curvature) throw Error(origin, "holds a loss surface, not a curvature map (no curvature section)");
    return g;
}

CurvatureMapCost curvatureMapCost(const SurfaceGrid& map) {
    CurvatureMapCost c;
    if (!map.curvature) return c;
    const GridCurvature& g = *map.curvature;
    for (size_t k = 0; k < map.done.size(); ++k) {
        if (!map.done[k]) continue;
        ++c.points;
        c.hvp += g.hvp[k];
        if (g.warm[k]) {
            ++c.warm_points;
            c.warm_hvp += g.hvp[k];
        } else {
            c.cold_hvp += g.hvp[k];
        }
    }
    return c;
}

}  // namespace basin
