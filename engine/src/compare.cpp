#include "basin/compare.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "basin/error.h"

namespace basin {

std::vector<CheckpointRow> compareCheckpoints(const StudySpec& spec, const std::vector<std::string>& checkpoints,
                                              const SpectrumOptions& options, JobContext* job,
                                              const std::function<void(const CheckpointRow&)>& on_row) {
    if (checkpoints.empty()) throw Error("give at least one checkpoint to compare");
    std::vector<CheckpointRow> rows;
    for (const auto& c : checkpoints) {
        auto o = Objective::open(spec, c);
        CheckpointRow row;
        row.model = c;
        row.eval = o.evaluate(job);
        row.spectrum = computeSpectrum(o, options, job);
        rows.push_back(row);
        if (on_row) on_row(rows.back());
    }
    return rows;
}

PathResult interpolationPath(const StudySpec& spec, const std::string& from, const std::string& to, int points,
                             EigenOptions eigen, JobContext* job) {
    if (points < 2) throw Error("a path needs at least 2 points");
    auto o = Objective::open(spec, from);
    const Eigen::VectorXd a = o.parametersFlat(), b = o.parametersOfModel(to);
    PathResult r;
    r.from = from;
    r.to = to;
    eigen.top_k = 1;
    eigen.which = Which::Largest;
    LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, job); };
    for (int i = 0; i < points; ++i) {
        PathPoint p;
        p.t = double(i) / (points - 1);
        o.setParameters((1 - p.t) * a + p.t * b);
        p.eval = o.evaluate(job);
        if (eigen.max_hvp > 0) p.top_eigenvalue = topEigenpairs(H, o.parameterCount(), eigen, job).largest->eigenvalues.front();
        r.points.push_back(p);
    }
    const double l0 = r.points.front().eval.loss, l1 = r.points.back().eval.loss;
    r.barrier_over_ends = -INFINITY;
    r.barrier_over_line = -INFINITY;
    for (const auto& p : r.points) {
        if (p.eval.loss - std::max(l0, l1) > r.barrier_over_ends) {
            r.barrier_over_ends = p.eval.loss - std::max(l0, l1);
            r.t_max = p.t;
        }
        r.barrier_over_line = std::max(r.barrier_over_line, p.eval.loss - ((1 - p.t) * l0 + p.t * l1));
    }
    return r;
}

std::string checkpointRowJson(const CheckpointRow& r) {
    const auto& s = r.spectrum;
    nlohmann::json j = {{"model", r.model},
                        {"loss", r.eval.loss},
                        {"accuracy", r.eval.accuracy < 0 ? nlohmann::json(nullptr) : nlohmann::json(r.eval.accuracy)},
                        {"outliers", s.outliers.count},
                        {"bulk_edge", s.outliers.edge},
                        {"hvp_count", s.hvp_count}};
    j["lambda_max"] = s.largest ? nlohmann::json(s.largest->eigenvalues.front()) : nlohmann::json(nullptr);
    j["lambda_min"] = s.smallest ? nlohmann::json(s.smallest->eigenvalues.back()) : nlohmann::json(nullptr);
    j["top_eigenvalues"] = s.largest ? nlohmann::json(s.largest->eigenvalues) : nlohmann::json::array();
    j["trace"] = s.trace ? nlohmann::json(s.trace->mean) : nlohmann::json(nullptr);
    j["trace_stderr"] = s.trace ? nlohmann::json(s.trace->stderr_) : nlohmann::json(nullptr);
    if (s.density) j["density"] = {{"grid", s.density->grid}, {"values", s.density->values}};
    return j.dump();
}

std::string compareJson(const std::vector<std::string>& rows, const PathResult* path) {
    nlohmann::json table = nlohmann::json::array();
    for (const auto& r : rows) table.push_back(nlohmann::json::parse(r));
    nlohmann::json j = {{"checkpoints", table}};
    if (path) {
        nlohmann::json pts = nlohmann::json::array();
        for (const auto& p : path->points)
            pts.push_back({{"t", p.t},
                           {"loss", p.eval.loss},
                           {"accuracy", p.eval.accuracy < 0 ? nlohmann::json(nullptr) : nlohmann::json(p.eval.accuracy)},
                           {"top_eigenvalue", p.top_eigenvalue}});
        j["path"] = {{"from", path->from},
                     {"to", path->to},
                     {"points", pts},
                     {"barrier_over_ends", path->barrier_over_ends},
                     {"barrier_over_line", path->barrier_over_line},
                     {"t_max", path->t_max}};
    }
    return j.dump(2);
}

std::string compareCsv(const std::vector<std::string>& rows) {
    std::ostringstream s;
    s.precision(10);
    const char* cols[] = {"loss", "accuracy", "lambda_max", "lambda_min", "trace", "trace_stderr", "outliers", "bulk_edge", "hvp_count"};
    s << "model";
    for (const char* c : cols) s << ',' << c;
    s << '\n';
    for (const auto& text : rows) {
        const auto r = nlohmann::json::parse(text);
        s << '"' << r["model"].get<std::string>() << '"';
        for (const char* c : cols) {
            s << ',';
            if (!r[c].is_null()) s << r[c].get<double>();
        }
        s << '\n';
    }
    return s.str();
}

}  // namespace basin
