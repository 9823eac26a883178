#include "basin/compare.h"

#include "basin/checkpoint_line.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis_options.h"
#include "basin/error.h"
#include "json_util.h"
#include "option_checks.h"
#include "options_json.h"

namespace basin {

using nlohmann::json;

namespace {

detail::OptionName name(const char* key, const char* flag) { return {"compare", key, flag}; }

json optionsObject(const CompareOptions& o) {
    return {{"checkpoints", o.checkpoints},
            {"spectrum", detail::spectrumOptionsObject(o.spectrum)},
            {"surfaces", o.surfaces},
            {"surface", detail::surfaceOptionsObject(o.surface)},
            {"same_directions", o.same_directions},
            {"path_points", o.path_points},
            {"path_max_hvp", o.path_max_hvp},
            {"path_bn", o.path_bn == BatchNormMode::Recompute ? "recompute" : "interpolate"},
            {"seed", o.seed}};
}

}  // namespace

void validate(const CompareOptions& o) {
    using namespace detail;
    validate(o.spectrum);
    if (o.surfaces) validate(o.surface);
    if (o.path_points != 0) requireRange(name("path_points", "--path"), o.path_points, 2, 10001);
    requireAtLeast(name("path_max_hvp", "--max-hvp"), o.path_max_hvp, 0);
    for (const auto& c : o.checkpoints)
        if (c.empty()) optionError(name("checkpoints", "--checkpoints"), "an empty file name", "a list of model files");
}

std::string toJson(const CompareOptions& o) { return optionsObject(o).dump(); }

CompareOptions compareOptionsFromJson(const std::string& text, const std::string& origin) {
    const json j = detail::parseOptions(text, origin, "compare");
    detail::OptionsReader r(j, origin, "compare",
                            {"checkpoints", "spectrum", "surfaces", "surface", "same_directions", "path_points",
                             "path_max_hvp", "path_bn", "seed"});
    CompareOptions o;
    r.get("checkpoints", o.checkpoints);
    if (r.has("spectrum")) o.spectrum = detail::spectrumOptionsFromObject(j["spectrum"], origin);
    r.get("surfaces", o.surfaces);
    if (r.has("surface")) o.surface = detail::surfaceOptionsFromObject(j["surface"], origin);
    r.get("same_directions", o.same_directions);
    r.get("path_points", o.path_points);
    r.get("path_max_hvp", o.path_max_hvp);
    std::string bn;
    r.get("path_bn", bn);
    if (!bn.empty()) {
        if (bn != "interpolate" && bn != "recompute")
            throw Error(origin, "compare option path_bn is '" + bn + "'; it must be interpolate or recompute");
        o.path_bn = bn == "recompute" ? BatchNormMode::Recompute : BatchNormMode::Eval;
    }
    r.get("seed", o.seed);
    return basin::detail::validatedFrom(o, origin);
}

Provenance checkpointRowProvenance(const StudySpec& spec, const std::string& checkpoint,
                                   const SpectrumOptions& options) {
    Provenance p;
    p.analysis = "compare-row";
    p.options = toJson(options);
    p.inputs_key = inputsKey(spec, checkpoint);
    p.options_key = optionsKey(p.analysis, p.options);
    p.key = resultKey(p.inputs_key, p.options_key);
    p.model = checkpoint;
    return p;
}

CheckpointRow checkpointRow(const StudySpec& spec, const std::string& checkpoint, const SpectrumOptions& options,
                            JobContext* job) {
    validate(options);
    auto o = Objective::open(spec, checkpoint);
    CheckpointRow row;
    row.model = checkpoint;
    row.eval = o.evaluate(job);
    row.spectrum = computeSpectrum(o, options, job);
    row.provenance = makeProvenance(o, "compare-row", toJson(options));
    row.provenance.seconds = row.spectrum.seconds;
    row.provenance.hvp_count = row.spectrum.hvp_count;
    return row;
}

PathResult interpolationPath(const StudySpec& spec, const std::string& from, const std::string& to, int points,
                             EigenOptions eigen, JobContext* job, BatchNormMode bn) {
    if (points < 2) throw Error("a path needs at least 2 points");
    auto o = Objective::open(spec, from);
    const CheckpointLine line = checkpointLine(o, from, to);
    PathResult r;
    r.from = from;
    r.to = to;
    eigen.top_k = 1;
    eigen.which = Which::Largest;
    o.setBatchNormMode(bn);
    r.bn = bn == BatchNormMode::Recompute ? "BatchNorm statistics recomputed over the samples at every point"
           : line.from_buffers.size() > 0
               ? "BatchNorm statistics interpolated with the weights (each end its checkpoint's own)"
               : "no BatchNorm statistics";
    LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, job); };
    for (int i = 0; i < points; ++i) {
        PathPoint p;
        p.t = i == points - 1 ? 1.0 : double(i) / (points - 1);
        placeOnLine(o, line, p.t);
        p.eval = o.evaluate(job);
        if (eigen.max_hvp > 0)
            p.top_eigenvalue = topEigenpairs(H, o.parameterCount(), eigen, job).largest->eigenvalues.front();
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
    r.provenance = makeProvenance(o, "path", pathOptionsJson(from, to, points, eigen, bn), {to});
    return r;
}

std::string pathOptionsJson(const std::string& from, const std::string& to, int points, const EigenOptions& eigen,
                            BatchNormMode bn) {
    return json{{"from", from},
                {"to", to},
                {"points", points},
                {"max_hvp", eigen.max_hvp},
                {"tol", eigen.tol},
                {"seed", eigen.seed},
                {"bn", bn == BatchNormMode::Recompute ? "recompute" : "interpolate"}}
        .dump();
}

std::string checkpointRowJson(const CheckpointRow& r) {
    const auto& s = r.spectrum;
    json j = {{"model", r.model},
              {"loss", r.eval.loss},
              {"accuracy", r.eval.accuracy < 0 ? json(nullptr) : json(r.eval.accuracy)},
              {"outliers", s.outliers.count},
              {"bulk_edge", s.outliers.edge},
              {"hvp_count", s.hvp_count}};
    j["lambda_max"] = s.largest ? json(s.largest->eigenvalues.front()) : json(nullptr);
    j["lambda_min"] = s.smallest ? json(s.smallest->eigenvalues.back()) : json(nullptr);
    j["top_eigenvalues"] = s.largest ? json(s.largest->eigenvalues) : json::array();
    j["trace"] = s.trace ? json(s.trace->mean) : json(nullptr);
    j["trace_stderr"] = s.trace ? json(s.trace->stderr_) : json(nullptr);
    j["spectrum"] = json::parse(spectrumJson(s));
    j["provenance"] = detail::provenanceObject(r.provenance);
    return detail::dumpText(j, -1);
}

CheckpointRow checkpointRowFromJson(const std::string& text, const std::string& origin) {
    CheckpointRow r;
    try {
        const json j = json::parse(text);
        if (!j.is_object() || !j.contains("model") || !j.contains("spectrum"))
            throw Error(origin, "does not hold a compare row (model and spectrum)");
        r.model = j["model"].get<std::string>();
        r.eval = detail::evaluationFromJson(j);
        r.spectrum = spectrumFromJson(j["spectrum"].dump(), origin);
        if (j.contains("provenance") && !j["provenance"].is_null())
            r.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds a compare row that cannot be read (") + e.what() + ")");
    }
    return r;
}

std::string pathJson(const PathResult& path) {
    json pts = json::array();
    for (const auto& p : path.points)
        pts.push_back({{"t", p.t},
                       {"loss", p.eval.loss},
                       {"accuracy", p.eval.accuracy < 0 ? json(nullptr) : json(p.eval.accuracy)},
                       {"top_eigenvalue", p.top_eigenvalue}});
    json j = {{"from", path.from},
              {"to", path.to},
              {"points", pts},
              {"barrier_over_ends", path.barrier_over_ends},
              {"barrier_over_line", path.barrier_over_line},
              {"t_max", path.t_max},
              {"bn", path.bn},
              {"provenance", detail::provenanceObject(path.provenance)}};
    return detail::dumpText(j, -1);
}

PathResult pathFromJson(const std::string& text, const std::string& origin) {
    PathResult r;
    try {
        const json j = json::parse(text);
        r.from = j.at("from").get<std::string>();
        r.to = j.at("to").get<std::string>();
        for (const auto& p : j.at("points")) {
            PathPoint q;
            q.t = p.at("t").get<double>();
            q.eval = detail::evaluationFromJson(p);
            q.top_eigenvalue = p.value("top_eigenvalue", 0.0);
            r.points.push_back(q);
        }
        r.barrier_over_ends = j.value("barrier_over_ends", 0.0);
        r.barrier_over_line = j.value("barrier_over_line", 0.0);
        r.t_max = j.value("t_max", 0.0);
        r.bn = j.value("bn", "");
        if (j.contains("provenance") && !j["provenance"].is_null())
            r.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds a path that cannot be read (") + e.what() + ")");
    }
    return r;
}

std::string compareJson(const std::vector<CheckpointRow>& rows, const PathResult* path, const CompareOptions* options) {
    json table = json::array();
    for (const auto& r : rows) table.push_back(json::parse(checkpointRowJson(r)));
    json j = {{"checkpoints", table}};
    if (path) j["path"] = json::parse(pathJson(*path));
    if (options) j["options"] = optionsObject(*options);
    return detail::dumpText(j);
}

std::string compareCsv(const std::vector<CheckpointRow>& rows) {
    std::ostringstream s;
    s.precision(10);
    const char* cols[] = {"loss",         "accuracy", "lambda_max", "lambda_min", "trace",
                          "trace_stderr", "outliers", "bulk_edge",  "hvp_count"};
    s << "model";
    for (const char* c : cols) s << ',' << c;
    s << '\n';
    for (const auto& row : rows) {
        const auto r = json::parse(checkpointRowJson(row));
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
