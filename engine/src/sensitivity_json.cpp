// The sensitivity analysis's options (validation, canonical JSON) and its results as JSON, and back.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "basin/sensitivity.h"
#include "json_util.h"
#include "option_checks.h"
#include "options_json.h"

namespace basin {

using nlohmann::json;

namespace {

detail::OptionName name(const char* key, const char* flag) { return {"sensitivity", key, flag}; }

json optionsObject(const SensitivityOptions& o) {
    return {{"probes", o.probes},
            {"bits", o.bits},
            {"eig_tol", o.eig_tol},
            {"eig_max_hvp", o.eig_max_hvp},
            {"budget", o.budget_bytes ? json(*o.budget_bytes) : json(nullptr)},
            {"seed", o.seed},
            {"merge", o.merge}};
}

SensitivityOptions optionsFromObject(const json& j, const std::string& origin) {
    detail::OptionsReader r(j, origin, "sensitivity",
                            {"probes", "bits", "eig_tol", "eig_max_hvp", "budget", "seed", "merge", "quantisation"});
    SensitivityOptions o;
    r.get("probes", o.probes);
    r.get("bits", o.bits);
    r.get("eig_tol", o.eig_tol);
    r.get("eig_max_hvp", o.eig_max_hvp);
    r.getOptional("budget", o.budget_bytes);
    r.get("seed", o.seed);
    r.get("merge", o.merge);
    return basin::detail::validatedFrom(o, origin);
}

json byBits(const std::map<int, double>& m) {
    json j = json::object();
    for (const auto& [b, v] : m) j[std::to_string(b)] = v;
    return j;
}

std::map<int, double> bitsMap(const json& j) {
    std::map<int, double> m;
    for (auto it = j.begin(); it != j.end(); ++it) m[std::stoi(it.key())] = it.value().get<double>();
    return m;
}

json quantJson(const QuantisedEvaluation& q) {
    json j = {{"label", q.label}, {"bits", q.bits}, {"size", q.size_bytes}, {"omega", q.omega}};
    j.update(detail::toJson(q.eval));
    return j;
}

QuantisedEvaluation quantFromJson(const json& j) {
    QuantisedEvaluation q;
    q.label = j.value("label", "");
    q.bits = j.at("bits").get<std::vector<int>>();
    q.size_bytes = j.at("size").get<double>();
    q.omega = j.value("omega", 0.0);
    q.eval = detail::evaluationFromJson(j);
    return q;
}

}  // namespace

void validate(const SensitivityOptions& o) {
    using namespace detail;
    requireAtLeast(name("probes", "--probes"), o.probes, 2);
    if (o.bits.empty()) optionError(name("bits", "--bits"), "empty", "a list of bit widths such as 2,3,4,8");
    std::set<int> seen;
    for (int b : o.bits) {
        requireRange(name("bits", "--bits"), b, 2, 16);
        if (!seen.insert(b).second)
            optionError(name("bits", "--bits"), std::to_string(b) + " twice", "a list of distinct bit widths");
    }
    requirePositive(name("eig_tol", "--tol"), o.eig_tol);
    requireAtLeast(name("eig_max_hvp", "--max-hvp"), o.eig_max_hvp, 1);
    if (o.budget_bytes) requirePositive(name("budget", "--budget"), *o.budget_bytes);
    for (const auto& m : o.merge)
        if (m.empty() || m.find('+') == std::string::npos)
            optionError(name("merge", "--merge"), "'" + m + "'", "groups joined by +, such as conv1+bn1");
}

std::string toJson(const SensitivityOptions& o) { return optionsObject(o).dump(); }

SensitivityOptions sensitivityOptionsFromJson(const std::string& text, const std::string& origin) {
    return optionsFromObject(detail::parseOptions(text, origin, "sensitivity"), origin);
}

std::string sensitivityJson(const SensitivityResult& r) {
    json groups = json::array();
    for (const auto& g : r.groups)
        groups.push_back({{"name", g.name},
                          {"parameters", g.parameters},
                          {"quantised_parameters", g.quantised},
                          {"top_eigenvalue", g.top_eigenvalue},
                          {"top_eigenvalue_converged", g.eig_converged},
                          {"trace", g.trace},
                          {"trace_stderr", g.trace_stderr},
                          {"mean_trace", g.mean_trace},
                          {"delta", byBits(g.delta)},
                          {"omega", byBits(g.omega)}});
    json pareto = json::array();
    for (const auto& p : r.pareto) pareto.push_back({{"bits", p.bits}, {"size", p.size_bytes}, {"omega", p.omega}});
    json uniform = json::array();
    for (const auto& u : r.uniform) uniform.push_back(quantJson(u));
    json frontier = json::array();
    for (const auto& f : r.frontier_measured) frontier.push_back(quantJson(f));
    json options = optionsObject(r.options);
    options["quantisation"] = "symmetric per-channel uniform on weight tensors; biases and norms stay float32";
    json j = {
        {"groups", groups},
        {"quantisable_groups", r.quantisable},
        {"pareto", pareto},
        {"float32_size", r.float32_bytes},
        {"trace_total", r.trace_total},
        {"trace_total_stderr", r.trace_total_stderr},
        {"full_precision", detail::toJson(r.full_precision)},
        {"uniform", uniform},
        {"proposal", r.proposal ? quantJson(*r.proposal) : json(nullptr)},
        {"frontier_measured", frontier},
        {"proposal_dominated_by", r.proposal_dominated_by.empty() ? json(nullptr) : json(r.proposal_dominated_by)},
        {"budget", r.budget_bytes ? json(*r.budget_bytes) : json(nullptr)},
        {"hvp_count", r.hvp_count},
        {"hvp", detail::toJson(r.hvp)},
        {"seconds", r.seconds},
        {"options", options},
        {"provenance", detail::provenanceObject(r.provenance)}};
    return detail::dumpText(j);
}

SensitivityResult sensitivityFromJson(const std::string& text, const std::string& origin) {
    SensitivityResult r;
    try {
        const json j = json::parse(text);
        if (!j.is_object() || !j.contains("groups")) throw Error(origin, "does not hold a sensitivity result");
        for (const auto& g : j["groups"]) {
            GroupSensitivity s;
            s.name = g.at("name").get<std::string>();
            s.parameters = g.at("parameters").get<int64_t>();
            s.quantised = g.value("quantised_parameters", int64_t(0));
            s.top_eigenvalue = g.at("top_eigenvalue").get<double>();
            s.eig_converged = g.value("top_eigenvalue_converged", false);
            s.trace = g.at("trace").get<double>();
            s.trace_stderr = g.at("trace_stderr").get<double>();
            s.mean_trace = g.at("mean_trace").get<double>();
            s.delta = bitsMap(g.at("delta"));
            s.omega = bitsMap(g.at("omega"));
            r.groups.push_back(s);
        }
        r.quantisable = j.value("quantisable_groups", std::vector<std::string>{});
        for (const auto& p : j.value("pareto", json::array()))
            r.pareto.push_back(
                {p.at("bits").get<std::vector<int>>(), p.at("size").get<double>(), p.at("omega").get<double>()});
        r.float32_bytes = j.value("float32_size", 0.0);
        r.trace_total = j.value("trace_total", 0.0);
        r.trace_total_stderr = j.value("trace_total_stderr", 0.0);
        r.full_precision = detail::evaluationFromJson(j.at("full_precision"));
        for (const auto& u : j.value("uniform", json::array())) r.uniform.push_back(quantFromJson(u));
        if (j.contains("proposal") && !j["proposal"].is_null()) r.proposal = quantFromJson(j["proposal"]);
        for (const auto& f : j.value("frontier_measured", json::array()))
            r.frontier_measured.push_back(quantFromJson(f));
        if (j.contains("proposal_dominated_by") && !j["proposal_dominated_by"].is_null())
            r.proposal_dominated_by = j["proposal_dominated_by"].get<std::string>();
        if (j.contains("budget") && !j["budget"].is_null()) r.budget_bytes = j["budget"].get<double>();
        r.hvp_count = j.value("hvp_count", int64_t(0));
        if (j.contains("hvp")) r.hvp = detail::hvpReportFromJson(j["hvp"]);
        r.seconds = j.value("seconds", 0.0);
        if (j.contains("options")) r.options = optionsFromObject(j["options"], origin);
        if (j.contains("provenance") && !j["provenance"].is_null())
            r.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds a sensitivity result that cannot be read (") + e.what() + ")");
    } catch (const std::invalid_argument&) {
        throw Error(origin, "holds a sensitivity result whose bit widths are not numbers");
    }
    return r;
}

}  // namespace basin
