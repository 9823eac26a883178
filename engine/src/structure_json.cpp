// The structure result as JSON (the keys of `basin-cli structure --json`), and back.
#include <nlohmann/json.hpp>

#include "basin/error.h"
#include "json_util.h"
#include "structure_impl.h"

namespace basin {

namespace {

using nlohmann::json;

json entryJson(const StructureEntry& e) {
    return {{"name", e.name},
            {"level", e.level},
            {"size", e.size},
            {"diag_sum", e.diag_sum},
            {"diag_sum_stderr", e.diag_sum_stderr},
            {"saliency", e.saliency},
            {"saliency_stderr", e.saliency_stderr},
            {"weight_sq", e.weight_sq}};
}

StructureEntry entryFrom(const json& j) {
    StructureEntry e;
    e.name = j.at("name").get<std::string>();
    e.level = j.at("level").get<std::string>();
    e.size = j.at("size").get<int64_t>();
    e.diag_sum = j.at("diag_sum").get<double>();
    e.diag_sum_stderr = j.at("diag_sum_stderr").get<double>();
    e.saliency = j.at("saliency").get<double>();
    e.saliency_stderr = j.at("saliency_stderr").get<double>();
    e.weight_sq = j.at("weight_sq").get<double>();
    return e;
}

json entries(const std::vector<StructureEntry>& v) {
    json a = json::array();
    for (const auto& e : v) a.push_back(entryJson(e));
    return a;
}

std::vector<StructureEntry> entriesFrom(const json& j) {
    std::vector<StructureEntry> v;
    for (const auto& e : j) v.push_back(entryFrom(e));
    return v;
}

json diagJson(const DiagonalPart& d) {
    json removal = json::array();
    for (const auto& r : d.removal) {
        json row = {{"k", r.k},
                    {"criterion", r.criterion},
                    {"predicted", r.predicted},
                    {"weight_sq", r.weight_sq},
                    {"removed", r.removed}};
        row.update(detail::toJson(r.eval));
        removal.push_back(row);
    }
    return {{"method", d.method},
            {"probes", d.probes},
            {"trace", d.trace},
            {"trace_stderr", d.trace_stderr},
            {"tensors", entries(d.tensors)},
            {"channels", entries(d.channels)},
            {"heads", entries(d.heads)},
            {"groups", entries(d.groups)},
            {"head_rule", d.head_rule},
            {"prune_level", d.prune_level},
            {"least_salient", entries(d.least_salient)},
            {"base", detail::toJson(d.base)},
            {"removal", removal},
            {"diagonal", d.diagonal},
            {"diagonal_stderr", d.diagonal_stderr},
            {"hvp_count", d.hvp_count},
            {"seconds", d.seconds}};
}

DiagonalPart diagFrom(const json& j) {
    DiagonalPart d;
    d.method = j.at("method").get<std::string>();
    d.probes = j.at("probes").get<int>();
    d.trace = j.at("trace").get<double>();
    d.trace_stderr = j.at("trace_stderr").get<double>();
    d.tensors = entriesFrom(j.at("tensors"));
    d.channels = entriesFrom(j.at("channels"));
    d.heads = entriesFrom(j.at("heads"));
    d.groups = entriesFrom(j.at("groups"));
    d.head_rule = j.at("head_rule").get<std::vector<std::string>>();
    d.prune_level = j.at("prune_level").get<std::string>();
    d.least_salient = entriesFrom(j.at("least_salient"));
    d.base = detail::evaluationFromJson(j.at("base"));
    for (const auto& r : j.at("removal")) {
        RemovalRow row;
        row.k = r.at("k").get<int>();
        row.criterion = r.at("criterion").get<std::string>();
        row.predicted = r.at("predicted").get<double>();
        row.weight_sq = r.at("weight_sq").get<double>();
        row.removed = r.at("removed").get<std::vector<std::string>>();
        row.eval = detail::evaluationFromJson(r);
        d.removal.push_back(row);
    }
    d.diagonal = j.at("diagonal").get<std::vector<double>>();
    d.diagonal_stderr = j.at("diagonal_stderr").get<std::vector<double>>();
    d.hvp_count = j.at("hvp_count").get<int64_t>();
    d.seconds = j.at("seconds").get<double>();
    return d;
}

json localisationJson(const LocalisationPart& l) {
    json v = json::array();
    for (const auto& e : l.vectors)
        v.push_back({{"end", e.end},
                     {"eigenvalue", e.eigenvalue},
                     {"residual", e.residual},
                     {"shares", e.shares},
                     {"participation", e.participation},
                     {"group_participation", e.group_participation}});
    return {{"groups", l.groups}, {"group_sizes", l.group_sizes}, {"vectors", v}, {"converged", l.converged}};
}

LocalisationPart localisationFrom(const json& j) {
    LocalisationPart l;
    l.groups = j.at("groups").get<std::vector<std::string>>();
    l.group_sizes = j.at("group_sizes").get<std::vector<int64_t>>();
    for (const auto& e : j.at("vectors")) {
        EigenvectorShares s;
        s.end = e.at("end").get<std::string>();
        s.eigenvalue = e.at("eigenvalue").get<double>();
        s.residual = e.at("residual").get<double>();
        s.shares = e.at("shares").get<std::vector<double>>();
        s.participation = e.at("participation").get<double>();
        s.group_participation = e.at("group_participation").get<double>();
        l.vectors.push_back(s);
    }
    l.converged = j.at("converged").get<bool>();
    return l;
}

json classesJson(const ClassPart& c) {
    json split = json::array();
    for (const auto& s : c.ggn_split)
        split.push_back({{"eigenvalue", s.eigenvalue},
                         {"class", s.class_part},
                         {"cross", s.cross_part},
                         {"within", s.within_part}});
    return {{"classes", c.classes},
            {"counts", c.counts},
            {"ggn_eigenvalues", c.ggn_eigenvalues},
            {"hessian_eigenvalues", c.hessian_eigenvalues},
            {"class_gram", c.class_gram},
            {"cross_gram", c.cross_gram},
            {"between_gram", c.between_gram},
            {"class_trace", c.class_trace},
            {"cross_trace", c.cross_trace},
            {"ggn_split", split},
            {"ggn_overlap", c.ggn_overlap},
            {"hessian_overlap", c.hessian_overlap},
            {"converged", c.converged},
            {"hvp_count", c.hvp_count},
            {"gradient_passes", c.gradient_passes},
            {"seconds", c.seconds}};
}

ClassPart classesFrom(const json& j) {
    ClassPart c;
    c.classes = j.at("classes").get<int>();
    c.counts = j.at("counts").get<std::vector<int64_t>>();
    c.ggn_eigenvalues = j.at("ggn_eigenvalues").get<std::vector<double>>();
    c.hessian_eigenvalues = j.at("hessian_eigenvalues").get<std::vector<double>>();
    c.class_gram = j.at("class_gram").get<std::vector<double>>();
    c.cross_gram = j.at("cross_gram").get<std::vector<double>>();
    c.between_gram = j.at("between_gram").get<std::vector<double>>();
    c.class_trace = j.at("class_trace").get<double>();
    c.cross_trace = j.at("cross_trace").get<double>();
    for (const auto& s : j.at("ggn_split"))
        c.ggn_split.push_back({s.at("eigenvalue").get<double>(), s.at("class").get<double>(),
                               s.at("cross").get<double>(), s.at("within").get<double>()});
    c.ggn_overlap = j.at("ggn_overlap").get<std::vector<std::vector<double>>>();
    c.hessian_overlap = j.at("hessian_overlap").get<std::vector<std::vector<double>>>();
    c.converged = j.at("converged").get<bool>();
    c.hvp_count = j.at("hvp_count").get<int64_t>();
    c.gradient_passes = j.at("gradient_passes").get<int64_t>();
    c.seconds = j.at("seconds").get<double>();
    return c;
}

json blocksJson(const BlockPart& b) {
    json blocks = json::array();
    for (const auto& x : b.blocks)
        blocks.push_back({{"name", x.name},
                          {"size", x.size},
                          {"eigenvalues", x.eigenvalues},
                          {"converged", x.converged},
                          {"nodes", x.nodes},
                          {"weights", x.weights},
                          {"log_values", x.log_values}});
    return {{"full", b.full},      {"block", b.block},       {"block_of", b.block_of},
            {"angles", b.angles},  {"blocks", blocks},       {"log_grid", b.log_grid},
            {"js", b.js},          {"js_sigma", b.js_sigma}, {"hvp_count", b.hvp_count},
            {"seconds", b.seconds}};
}

BlockPart blocksFrom(const json& j) {
    BlockPart b;
    b.full = j.at("full").get<std::vector<double>>();
    b.block = j.at("block").get<std::vector<double>>();
    b.block_of = j.at("block_of").get<std::vector<std::string>>();
    b.angles = j.at("angles").get<std::vector<double>>();
    for (const auto& x : j.at("blocks")) {
        BlockInfo i;
        i.name = x.at("name").get<std::string>();
        i.size = x.at("size").get<int64_t>();
        i.eigenvalues = x.at("eigenvalues").get<std::vector<double>>();
        i.converged = x.at("converged").get<bool>();
        i.nodes = x.at("nodes").get<std::vector<double>>();
        i.weights = x.at("weights").get<std::vector<double>>();
        i.log_values = x.at("log_values").get<std::vector<double>>();
        b.blocks.push_back(i);
    }
    b.log_grid = j.at("log_grid").get<std::vector<double>>();
    b.js = j.at("js").get<std::vector<std::vector<double>>>();
    b.js_sigma = j.at("js_sigma").get<double>();
    b.hvp_count = j.at("hvp_count").get<int64_t>();
    b.seconds = j.at("seconds").get<double>();
    return b;
}

json scopeJson(const AlignScope& s) {
    return {{"scope", s.scope},
            {"parameters", s.parameters},
            {"norm", s.norm},
            {"lambda_max", s.lambda_max},
            {"lambda_min", s.lambda_min},
            {"converged", s.converged},
            {"trace_a", s.trace_a},
            {"trace_b", s.trace_b},
            {"trace_diff", s.trace_diff},
            {"trace_diff_stderr", s.trace_diff_stderr},
            {"gradient_cosine", s.gradient_cosine}};
}

AlignScope scopeFrom(const json& j) {
    AlignScope s;
    s.scope = j.at("scope").get<std::string>();
    s.parameters = j.at("parameters").get<int64_t>();
    s.norm = j.at("norm").get<double>();
    s.lambda_max = j.at("lambda_max").get<double>();
    s.lambda_min = j.at("lambda_min").get<double>();
    s.converged = j.at("converged").get<bool>();
    s.trace_a = j.at("trace_a").get<double>();
    s.trace_b = j.at("trace_b").get<double>();
    s.trace_diff = j.at("trace_diff").get<double>();
    s.trace_diff_stderr = j.at("trace_diff_stderr").get<double>();
    s.gradient_cosine = j.at("gradient_cosine").get<double>();
    return s;
}

json alignJson(const AlignPart& a) {
    return {{"inputs", a.inputs},       {"targets", a.targets},        {"a", detail::toJson(a.a)},
            {"b", detail::toJson(a.b)}, {"model", scopeJson(a.model)}, {"head", scopeJson(a.head)},
            {"hvp_count", a.hvp_count}, {"seconds", a.seconds}};
}

AlignPart alignFrom(const json& j) {
    AlignPart a;
    a.inputs = j.at("inputs").get<std::string>();
    a.targets = j.at("targets").get<std::string>();
    a.a = detail::evaluationFromJson(j.at("a"));
    a.b = detail::evaluationFromJson(j.at("b"));
    a.model = scopeFrom(j.at("model"));
    a.head = scopeFrom(j.at("head"));
    a.hvp_count = j.at("hvp_count").get<int64_t>();
    a.seconds = j.at("seconds").get<double>();
    return a;
}

template <class T>
json part(const std::optional<T>& p, json (*f)(const T&)) {
    return p ? f(*p) : json(nullptr);
}

template <class T>
void read(const json& j, const char* key, std::optional<T>& out, T (*f)(const json&)) {
    if (j.contains(key) && !j[key].is_null()) out = f(j[key]);
}

}  // namespace

std::string structureJson(const StructureResult& r) {
    const json j = {{"analysis", "structure"},
                    {"parameters", r.parameters},
                    {"diag", part(r.diag, diagJson)},
                    {"localisation", part(r.localisation, localisationJson)},
                    {"classes", part(r.classes, classesJson)},
                    {"blocks", part(r.blocks, blocksJson)},
                    {"align", part(r.align, alignJson)},
                    {"eigen_hvp_count", r.eigen_hvp_count},
                    {"hvp_count", r.hvp_count},
                    {"seconds", r.seconds},
                    {"hvp", detail::toJson(r.hvp)},
                    {"options", detail::structureOptionsObject(r.options)},
                    {"provenance", detail::provenanceObject(r.provenance)}};
    return detail::dumpText(j);
}

StructureResult structureFromJson(const std::string& text, const std::string& origin) {
    StructureResult r;
    try {
        const json j = detail::parseBoundedJson(text);
        if (!j.is_object() || j.value("analysis", "") != "structure")
            throw Error(origin, "does not hold a structure result");
        r.parameters = j.at("parameters").get<int64_t>();
        read(j, "diag", r.diag, diagFrom);
        read(j, "localisation", r.localisation, localisationFrom);
        read(j, "classes", r.classes, classesFrom);
        read(j, "blocks", r.blocks, blocksFrom);
        read(j, "align", r.align, alignFrom);
        r.eigen_hvp_count = j.at("eigen_hvp_count").get<int64_t>();
        r.hvp_count = j.at("hvp_count").get<int64_t>();
        r.seconds = j.at("seconds").get<double>();
        if (j.contains("hvp")) r.hvp = detail::hvpReportFromJson(j["hvp"]);
        r.options = detail::structureOptionsFromObject(j.at("options"), origin);
        if (j.contains("provenance") && !j["provenance"].is_null())
            r.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds a structure result that cannot be read (") + e.what() + ")");
    }
    return r;
}

}  // namespace basin
