#include "basin/surface.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis_options.h"
#include "basin/error.h"
#include "grid_walk.h"
#include "json_util.h"
#include "result_file.h"

namespace basin {

double GridCurvature::ratio(size_t k) const {
    if (k >= lambda_max.size() || k >= lambda_min.size()) return std::nan("");
    const double a = lambda_max[k], b = lambda_min[k];
    if (!std::isfinite(a) || !std::isfinite(b) || a == 0) return std::nan("");
    return std::abs(b / a);
}

int64_t SurfaceGrid::computed() const { return std::count(done.begin(), done.end(), uint8_t(1)); }

int64_t SurfaceGrid::argminLoss() const {
    int64_t best = -1;
    for (size_t i = 0; i < loss.size(); ++i)
        if (done[i] && (best < 0 || loss[i] < loss[size_t(best)])) best = int64_t(i);
    return best;
}

SurfaceGrid makeGrid(const SurfaceOptions& o) {
    if (o.nx < 1 || o.ny < 1) throw Error("a grid needs at least one point along each axis");
    SurfaceGrid g;
    auto linspace = [](double a, double b, int n) {
        std::vector<double> v;
        for (int i = 0; i < n; ++i) v.push_back(n == 1 ? a : i == n - 1 ? b : a + (b - a) * i / (n - 1));  // ends exact
        return v;
    };
    g.xs = linspace(o.x0, o.x1, o.nx);
    g.ys = o.ny == 1 ? std::vector<double>{0.0} : linspace(o.y0, o.y1, o.ny);
    const size_t n = g.xs.size() * g.ys.size();
    g.loss.assign(n, std::nan(""));
    g.accuracy.assign(n, std::nan(""));
    g.done.assign(n, 0);
    g.bn_mode = o.bn == BatchNormMode::Recompute ? "recompute" : "eval";
    return g;
}

namespace detail {

std::pair<std::vector<int64_t>, std::vector<int>> orderWithLevels(int nx, int ny) {
    // Level of index i on an axis of n points: the largest stride s = 2^k with i % s == 0, with
    // the last index treated like index 0 so the far edge is in the coarsest level too.
    int top = 1;
    while (top * 2 < std::max(nx, ny)) top *= 2;
    auto level = [top](int i, int n) {
        if (i == 0 || i == n - 1) return top;
        int s = 1;
        while (s < top && i % (2 * s) == 0) s *= 2;
        return s;
    };
    std::vector<int64_t> order(size_t(nx) * size_t(ny));
    std::vector<int> lv(order.size());
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
            const int64_t k = int64_t(j) * nx + i;
            order[size_t(k)] = k;
            lv[size_t(k)] = std::min(level(i, nx), ny == 1 ? top : level(j, ny));
        }
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return lv[size_t(a)] > lv[size_t(b)]; });
    std::vector<int> levels;
    for (auto k : order) levels.push_back(lv[size_t(k)]);
    return {order, levels};
}

void walkGrid(SurfaceGrid& grid, const SurfaceDeal& deal, JobContext* job, const std::string& stage,
              const std::function<void(int64_t)>& visit, const std::function<void(const SurfaceGrid&)>& on_partial,
              int partial_every) {
    const auto [order, levels] = orderWithLevels(grid.nx(), grid.ny());
    auto mine = [&](size_t n) { return deal.size <= 1 || int(n % size_t(deal.size)) == deal.rank; };
    int64_t todo = 0;
    for (size_t n = 0; n < order.size(); ++n) todo += !grid.done[size_t(order[n])] && mine(n);
    if (job) job->stage(stage, todo);
    int64_t count = 0;
    for (size_t n = 0; n < order.size(); ++n) {
        const int64_t k = order[n];
        bool computed = false;
        if (!grid.done[size_t(k)] && mine(n)) {
            visit(k);
            computed = true;
            ++count;
            if (job) job->step(count);
        }
        // Report when a coarse-to-fine level is complete (on every process alike), and,
        // working alone, periodically within a level.
        const bool level_end = n + 1 == order.size() || levels[n + 1] != levels[n];
        const bool periodic = deal.size <= 1 && computed && count % std::max(partial_every, 1) == 0;
        if (on_partial && (level_end || periodic)) on_partial(grid);
    }
}

}  // namespace detail

std::vector<int64_t> progressiveOrder(int nx, int ny) { return detail::orderWithLevels(nx, ny).first; }

void computeSurface(Objective& objective, const Eigen::VectorXd& origin, const Eigen::VectorXd& dx,
                    const Eigen::VectorXd* dy, SurfaceGrid& grid, BatchNormMode bn, JobContext* job,
                    const std::function<void(const SurfaceGrid&)>& on_partial, int partial_every,
                    const SurfaceDeal& deal, const CheckpointLine* line) {
    const int64_t P = objective.parameterCount();
    if (line && grid.is2D()) throw Error("a line between checkpoints is drawn on a 1-D grid");
    if (origin.size() != P || dx.size() != P || (dy && dy->size() != P))
        throw Error("a direction's length does not match the model's " + std::to_string(P) + " parameters");
    if (grid.is2D() && !dy) throw Error("a 2D grid needs two directions");
    const Eigen::VectorXd saved = objective.parametersFlat();
    const Eigen::VectorXd saved_buffers = line ? objective.buffersFlat() : Eigen::VectorXd();
    const BatchNormMode saved_bn = objective.batchNormMode();
    objective.setBatchNormMode(bn);
    const int nx = grid.nx(), ny = grid.ny();
    Eigen::VectorXd theta(P);
    auto restore = [&] {
        objective.setParameters(saved);
        if (saved_buffers.size() > 0) objective.setBuffers(saved_buffers);
        objective.setBatchNormMode(saved_bn);
    };
    try {
        detail::walkGrid(
            grid, deal, job, "surface " + std::to_string(nx) + (grid.is2D() ? "x" + std::to_string(ny) : ""),
            [&](int64_t k) {
                const int i = int(k % nx), j = int(k / nx);
                if (line) {
                    placeOnLine(objective, *line, grid.xs[size_t(i)]);
                } else {
                    theta = origin + grid.xs[size_t(i)] * dx;
                    if (dy) theta += grid.ys[size_t(j)] * *dy;
                    objective.setParameters(theta);
                }
                const auto e = objective.evaluate(job);
                grid.loss[size_t(k)] = e.loss;
                grid.accuracy[size_t(k)] = e.accuracy;
                grid.done[size_t(k)] = 1;
            },
            on_partial, partial_every);
    } catch (...) {
        restore();
        throw;
    }
    restore();
}

std::string surfaceJson(const SurfaceGrid& g) {
    using nlohmann::json;
    json loss = json::array(), acc = json::array(), done = json::array();
    for (int j = 0; j < g.ny(); ++j) {
        json lr = json::array(), ar = json::array(), dr = json::array();
        for (int i = 0; i < g.nx(); ++i) {
            const size_t k = size_t(j) * size_t(g.nx()) + size_t(i);
            lr.push_back(g.done[k] ? json(g.loss[k]) : json(nullptr));
            ar.push_back(g.done[k] && g.accuracy[k] >= 0 ? json(g.accuracy[k]) : json(nullptr));
            dr.push_back(int(g.done[k]));
        }
        loss.push_back(lr);
        acc.push_back(ar);
        done.push_back(dr);
    }
    json traj = json::array();
    for (size_t t = 0; t < g.trajectory.size(); ++t)
        traj.push_back({{"x", g.trajectory[t][0]},
                        {"y", g.trajectory[t][1]},
                        {"label", t < g.trajectory_labels.size() ? g.trajectory_labels[t] : ""}});
    json j = {{"format", "basin-surface"},
              {"version", 2},
              {"xcoordinates", g.xs},
              {"ycoordinates", g.ys},
              {"loss", loss},
              {"accuracy", acc},
              {"done", done},
              {"x_label", g.x_label},
              {"y_label", g.y_label},
              {"bn", g.bn_mode},
              {"trajectory", traj},
              {"cosine_xy", g.cosine_xy},
              {"complete", g.complete()},
              {"directions_key", g.directions_key},
              {"options", detail::surfaceOptionsObject(g.options)},
              {"provenance", detail::provenanceObject(g.provenance)}};
    if (g.curvature) {
        const GridCurvature& c = *g.curvature;
        auto rows = [&](auto values) {
            json m = json::array();
            for (int jj = 0; jj < g.ny(); ++jj) {
                json r = json::array();
                for (int i = 0; i < g.nx(); ++i) r.push_back(values(size_t(jj) * size_t(g.nx()) + size_t(i)));
                m.push_back(r);
            }
            return m;
        };
        auto number = [&](const std::vector<double>& v) {
            return rows([&](size_t k) {
                return g.done[k] && k < v.size() && std::isfinite(v[k]) ? json(v[k]) : json(nullptr);
            });
        };
        auto whole = [&](const auto& v) {
            return rows([&](size_t k) { return g.done[k] && k < v.size() ? json(int(v[k])) : json(nullptr); });
        };
        j["curvature"] = {{"settings", detail::curvatureSettingsObject(c.settings)},
                          {"lambda_max", number(c.lambda_max)},
                          {"lambda_min", number(c.lambda_min)},
                          {"trace", number(c.trace)},
                          {"trace_stderr", number(c.trace_stderr)},
                          {"hvp", whole(c.hvp)},
                          {"converged", whole(c.converged)},
                          {"warm", whole(c.warm)}};
    }
    return detail::dumpText(j, -1);
}

SurfaceGrid surfaceFromJson(const std::string& text, const std::string& origin) {
    using nlohmann::json;
    SurfaceGrid g;
    try {
        json j = detail::parseResultFile(text, origin, "basin-surface", "is not a Basin surface file");
        g.xs = j.at("xcoordinates").get<std::vector<double>>();
        g.ys = j.at("ycoordinates").get<std::vector<double>>();
        if (g.xs.empty() || g.ys.empty()) throw Error(origin, "has no grid coordinates");
        if (g.xs.size() * g.ys.size() > 4'000'000) throw Error(origin, "has a grid of more than 4 million points");
        g.x_label = j.value("x_label", "x");
        g.y_label = j.value("y_label", "y");
        g.bn_mode = j.value("bn", "eval");
        g.cosine_xy = j.value("cosine_xy", 0.0);
        g.directions_key = j.value("directions_key", "");
        const size_t nx = g.xs.size(), ny = g.ys.size(), n = nx * ny;
        g.loss.assign(n, std::nan(""));
        g.accuracy.assign(n, std::nan(""));
        g.done.assign(n, 0);
        const auto& L = j.at("loss");
        const auto& A = j.at("accuracy");
        auto checkRows = [&](const json& m, const char* what) {
            if (!m.is_array() || m.size() != ny)
                throw Error(origin, std::string("the ") + what + " has " + std::to_string(m.is_array() ? m.size() : 0) +
                                        " rows for " + std::to_string(ny) + " y coordinates");
            for (size_t r = 0; r < ny; ++r)
                if (!m[r].is_array() || m[r].size() != nx)
                    throw Error(origin, std::string("row ") + std::to_string(r) + " of the " + what +
                                            " does not have " + std::to_string(nx) + " values");
        };
        checkRows(L, "loss");
        checkRows(A, "accuracy");
        for (size_t r = 0; r < ny; ++r)
            for (size_t c = 0; c < nx; ++c) {
                const size_t k = r * nx + c;
                if (L[r][c].is_null()) continue;
                const double v = L[r][c].get<double>();
                if (!std::isfinite(v))
                    throw Error(origin, "holds a loss that is not finite at point (" + std::to_string(c) + ", " +
                                            std::to_string(r) + ")");
                g.loss[k] = v;
                g.done[k] = 1;
                g.accuracy[k] = A[r][c].is_null() ? -1.0 : A[r][c].get<double>();
            }
        for (const auto& t : j.value("trajectory", json::array())) {
            g.trajectory.push_back({t.at("x").get<double>(), t.at("y").get<double>()});
            g.trajectory_labels.push_back(t.value("label", ""));
        }
        if (j.contains("curvature") && j["curvature"].is_object()) {
            const json& c = j["curvature"];
            GridCurvature gc;
            gc.settings = detail::curvatureSettingsFromObject(c.at("settings"), origin);
            const double nan = std::nan("");
            gc.lambda_max.assign(n, nan);
            gc.lambda_min.assign(n, nan);
            gc.trace.assign(n, nan);
            gc.trace_stderr.assign(n, nan);
            gc.hvp.assign(n, 0);
            gc.converged.assign(n, 0);
            gc.warm.assign(n, 0);
            auto read = [&](const char* key, auto& out) {
                const json& m = c.at(key);
                checkRows(m, key);
                for (size_t r = 0; r < ny; ++r)
                    for (size_t col = 0; col < nx; ++col) {
                        const json& v = m[r][col];
                        if (v.is_null()) continue;
                        const double x = v.get<double>();
                        if (!std::isfinite(x))
                            throw Error(origin, std::string("holds a ") + key + " that is not finite");
                        out[r * nx + col] = static_cast<std::decay_t<decltype(out[0])>>(x);
                    }
            };
            read("lambda_max", gc.lambda_max);
            read("lambda_min", gc.lambda_min);
            read("trace", gc.trace);
            read("trace_stderr", gc.trace_stderr);
            read("hvp", gc.hvp);
            read("converged", gc.converged);
            read("warm", gc.warm);
            for (size_t k = 0; k < n; ++k)
                if (g.done[k] && !std::isfinite(gc.lambda_max[k]))
                    throw Error(origin, "holds a computed point without its lambda_max (point " +
                                            std::to_string(k % nx) + ", " + std::to_string(k / nx) + ")");
            g.curvature = std::move(gc);
        }
        if (j.contains("options") && j["options"].is_object())
            g.options = detail::surfaceOptionsFromObject(j["options"], origin);
        if (j.contains("provenance") && j["provenance"].is_object())
            g.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("is not a valid Basin surface file (") + e.what() + ")");
    }
    return g;
}

namespace {

// "seed 0, not 7; norm filter, not layer": the options fields that differ between two grids.
std::string optionDifferences(const SurfaceJobOptions& was, const SurfaceJobOptions& now) {
    const auto a = detail::surfaceOptionsObject(was), b = detail::surfaceOptionsObject(now);
    std::string out;
    for (auto it = a.begin(); it != a.end(); ++it)
        if (!b.contains(it.key()) || b[it.key()] != it.value())
            out += (out.empty() ? "" : "; ") + it.key() + " " + it.value().dump() + ", not " +
                   (b.contains(it.key()) ? b[it.key()].dump() : "null");
    return out;
}

}  // namespace

void resumeFrom(SurfaceGrid& grid, const SurfaceGrid& partial, const std::string& origin) {
    const std::string refuse = "cannot be resumed here: ";
    if (partial.provenance.empty() || partial.directions_key.empty())
        throw Error(origin, refuse +
                                "it does not record the directions, data and options it was made with (a file of an "
                                "older Basin); start the surface again without --resume");
    if (partial.provenance.inputs_key != grid.provenance.inputs_key)
        throw Error(origin, refuse +
                                "it was made with other model or data bytes or study settings (samples, batch, dtype, "
                                "seed, H·v mode) than these; resume with the study it was made with, or start again");
    if (grid.curvature.has_value() != partial.curvature.has_value())
        throw Error(origin, refuse + (partial.curvature
                                          ? "it is a curvature map, not a loss surface; resume it with curvature-map"
                                          : "it is a loss surface, not a curvature map; start the map again"));
    std::string diff = optionDifferences(partial.options, grid.options);
    if (grid.curvature) {
        const auto a = detail::curvatureSettingsObject(partial.curvature->settings),
                   b = detail::curvatureSettingsObject(grid.curvature->settings);
        for (auto it = a.begin(); it != a.end(); ++it)
            if (b[it.key()] != it.value())
                diff += (diff.empty() ? "" : "; ") + it.key() + " " + it.value().dump() + ", not " + b[it.key()].dump();
    }
    if (!diff.empty() || partial.provenance.options_key != grid.provenance.options_key)
        throw Error(origin, refuse + "it was made with other options (" +
                                (diff.empty() ? "the files they name changed" : diff) +
                                "); give the same options to resume it");
    if (partial.directions_key != grid.directions_key)
        throw Error(origin, refuse +
                                "its directions differ from the ones planned now (with the same options: a direction "
                                "file or checkpoint changed, or eigenvectors came out otherwise); start again");
    if (partial.xs != grid.xs || partial.ys != grid.ys)
        throw Error(origin, refuse + "it holds a grid of other coordinates; give the same --grid and --range");
    if (grid.curvature) {
        const auto settings = grid.curvature->settings;
        grid.curvature = partial.curvature;
        grid.curvature->settings = settings;
    }
    grid.loss = partial.loss;
    grid.accuracy = partial.accuracy;
    grid.done = partial.done;
}

std::string surfaceCsv(const SurfaceGrid& g) {
    std::ostringstream s;
    s.precision(17);
    const GridCurvature* c = g.curvature ? &*g.curvature : nullptr;
    s << "x,y,loss,accuracy" << (c ? ",lambda_max,lambda_min,ratio,trace,trace_stderr,hvp" : "") << "\n";
    auto cell = [&](double v) {
        if (std::isfinite(v)) s << v;
    };
    for (int j = 0; j < g.ny(); ++j)
        for (int i = 0; i < g.nx(); ++i) {
            const size_t k = size_t(j) * size_t(g.nx()) + size_t(i);
            if (!g.done[k]) continue;
            s << g.xs[size_t(i)] << ',' << g.ys[size_t(j)] << ',' << g.loss[k] << ',';
            if (g.accuracy[k] >= 0) s << g.accuracy[k];
            if (c) {
                for (double v : {c->lambda_max[k], c->lambda_min[k], c->ratio(k), c->trace[k], c->trace_stderr[k]}) {
                    s << ',';
                    cell(v);
                }
                s << ',' << c->hvp[k];
            }
            s << '\n';
        }
    return s.str();
}

}  // namespace basin
