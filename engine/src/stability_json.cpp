// The stability and batch-scaling analyses' options (validation, canonical JSON and back), their
// results as JSON and back, and their tables as CSV.
#include <cmath>
#include <cstdio>

#include "basin/stability.h"
#include "json_util.h"
#include "option_checks.h"
#include "options_json.h"
#include "result_file.h"

namespace basin {

namespace {

using detail::OptionName;
using nlohmann::json;

OptionName stabilityName(const char* key, const char* flag) { return {"stability", key, flag}; }
OptionName scalingName(const char* key, const char* flag) { return {"batch-scaling", key, flag}; }

json optionalNumber(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json stabilityOptionsObject(const StabilityOptions& o) {
    return {{"tol", o.tol},
            {"max_hvp", o.max_hvp},
            {"lr", optionalNumber(o.lr)},
            {"momentum", optionalNumber(o.momentum)},
            {"seed", o.seed}};
}

StabilityOptions stabilityOptionsFromObject(const json& j, const std::string& origin) {
    detail::OptionsReader r(j, origin, "stability", {"tol", "max_hvp", "lr", "momentum", "seed"});
    StabilityOptions o;
    r.get("tol", o.tol);
    r.get("max_hvp", o.max_hvp);
    r.getOptional("lr", o.lr);
    r.getOptional("momentum", o.momentum);
    r.get("seed", o.seed);
    return detail::validatedFrom(o, origin);
}

json scalingOptionsObject(const BatchScalingOptions& o) {
    json j = {{"sizes", o.sizes}, {"batches", o.batches}, {"tol", o.tol}, {"max_hvp", o.max_hvp}, {"seed", o.seed}};
    if (o.trace_probes != 0) j["trace_probes"] = o.trace_probes;  // absent: no trace (the key of older results)
    return j;
}

BatchScalingOptions scalingOptionsFromObject(const json& j, const std::string& origin) {
    detail::OptionsReader r(j, origin, "batch-scaling", {"sizes", "batches", "tol", "max_hvp", "trace_probes", "seed"});
    BatchScalingOptions o;
    r.get("sizes", o.sizes);
    r.get("batches", o.batches);
    r.get("tol", o.tol);
    r.get("max_hvp", o.max_hvp);
    r.get("trace_probes", o.trace_probes);
    r.get("seed", o.seed);
    return detail::validatedFrom(o, origin);
}

// inf (a batch whose mean λmax is not positive has no stable step) is written as null.
json finiteOrNull(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double numberOrInfinity(const json& v) { return v.is_null() ? INFINITY : v.get<double>(); }

json rowObject(const StabilityRow& r) {
    const OptimizerState& s = r.optimizer;
    return {{"format", "basin-stability-row"},
            {"checkpoint", r.checkpoint},
            {"optimizer",
             {{"file", s.path},
              {"kind", s.kind},
              {"lr", s.lr},
              {"momentum", s.momentum},
              {"dampening", s.dampening},
              {"nesterov", s.nesterov},
              {"beta1", s.beta1},
              {"beta2", s.beta2},
              {"eps", s.eps},
              {"weight_decay", s.weight_decay},
              {"step", s.step}}},
            {"lambda_max", r.lambda_max},
            {"preconditioned_lambda_max", r.preconditioned ? json(*r.preconditioned) : json(nullptr)},
            {"sharpness", r.sharpness},
            {"threshold", r.threshold},
            {"ratio", r.ratio},
            {"converged", r.converged},
            {"rule", r.rule},
            {"hvp_count", r.hvp_count},
            {"seconds", r.seconds},
            {"options", stabilityOptionsObject(r.options)},
            {"provenance", detail::provenanceObject(r.provenance)}};
}

StabilityRow rowFromObject(const json& j, const std::string& origin) {
    if (!j.is_object() || j.value("format", "") != "basin-stability-row")
        throw Error(origin, "does not hold a stability row");
    StabilityRow r;
    r.checkpoint = j.at("checkpoint").get<std::string>();
    const json& s = j.at("optimizer");
    r.optimizer.path = s.at("file").get<std::string>();
    r.optimizer.kind = s.at("kind").get<std::string>();
    r.optimizer.lr = s.at("lr").get<double>();
    r.optimizer.momentum = s.at("momentum").get<double>();
    r.optimizer.dampening = s.value("dampening", 0.0);
    r.optimizer.nesterov = s.at("nesterov").get<bool>();
    r.optimizer.beta1 = s.at("beta1").get<double>();
    r.optimizer.beta2 = s.at("beta2").get<double>();
    r.optimizer.eps = s.at("eps").get<double>();
    r.optimizer.weight_decay = s.at("weight_decay").get<double>();
    r.optimizer.step = s.at("step").get<double>();
    r.lambda_max = j.at("lambda_max").get<double>();
    if (!j.at("preconditioned_lambda_max").is_null()) r.preconditioned = j["preconditioned_lambda_max"].get<double>();
    r.sharpness = j.at("sharpness").get<double>();
    r.threshold = j.at("threshold").get<double>();
    r.ratio = j.at("ratio").get<double>();
    r.converged = j.at("converged").get<bool>();
    r.rule = j.at("rule").get<std::string>();
    r.hvp_count = j.at("hvp_count").get<int64_t>();
    r.seconds = j.at("seconds").get<double>();
    r.options = stabilityOptionsFromObject(j.at("options"), origin);
    if (j.contains("provenance") && !j["provenance"].is_null())
        r.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    return r;
}

std::string csvNumber(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

std::string quoted(const std::string& s) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

}  // namespace

void validate(const StabilityOptions& o) {
    using namespace detail;
    requirePositive(stabilityName("tol", "--tol"), o.tol);
    requireRange(stabilityName("max_hvp", "--max-hvp"), o.max_hvp, 2, 100000);
    if (o.lr) requirePositive(stabilityName("lr", "--lr"), *o.lr);
    if (o.momentum && !(*o.momentum >= 0 && *o.momentum < 1))
        optionError(stabilityName("momentum", "--momentum"), valueText(*o.momentum), "at least 0 and below 1");
}

std::string toJson(const StabilityOptions& o) { return stabilityOptionsObject(o).dump(); }

StabilityOptions stabilityOptionsFromJson(const std::string& text, const std::string& origin) {
    return stabilityOptionsFromObject(detail::parseOptions(text, origin, "stability"), origin);
}

void validate(const BatchScalingOptions& o) {
    using namespace detail;
    for (size_t i = 0; i < o.sizes.size(); ++i)
        if (o.sizes[i] < 1 || (i > 0 && o.sizes[i] <= o.sizes[i - 1])) {
            std::string list;
            for (int64_t b : o.sizes) list += (list.empty() ? "" : ",") + std::to_string(b);
            optionError(scalingName("sizes", "--sizes"), list,
                        "batch sizes of at least 1 in ascending order, each once");
        }
    requireRange(scalingName("batches", "--batches"), o.batches, 1, 100000);
    requirePositive(scalingName("tol", "--tol"), o.tol);
    requireRange(scalingName("max_hvp", "--max-hvp"), o.max_hvp, 2, 100000);
    requireRange(scalingName("trace_probes", "--trace-probes"), o.trace_probes, 0, 100000);
}

std::string toJson(const BatchScalingOptions& o) { return scalingOptionsObject(o).dump(); }

BatchScalingOptions batchScalingOptionsFromJson(const std::string& text, const std::string& origin) {
    return scalingOptionsFromObject(detail::parseOptions(text, origin, "batch-scaling"), origin);
}

std::string stabilityRowJson(const StabilityRow& row) { return detail::dumpText(rowObject(row)); }

StabilityRow stabilityRowFromJson(const std::string& text, const std::string& origin) {
    try {
        return rowFromObject(
            detail::parseResultFile(text, origin, "basin-stability-row", "does not hold a stability row"), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds a stability row that cannot be read (") + e.what() + ")");
    }
}

std::string stabilityJson(const StabilityResult& r) {
    json rows = json::array();
    for (const StabilityRow& row : r.rows) rows.push_back(rowObject(row));
    return detail::dumpText(
        {{"format", "basin-stability"}, {"options", stabilityOptionsObject(r.options)}, {"rows", rows}});
}

StabilityResult stabilityFromJson(const std::string& text, const std::string& origin) {
    StabilityResult r;
    try {
        const json j = detail::parseResultFile(text, origin, "basin-stability", "does not hold a stability table");
        r.options = stabilityOptionsFromObject(j.at("options"), origin);
        for (const json& row : j.at("rows")) r.rows.push_back(rowFromObject(row, origin));
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds a stability table that cannot be read (") + e.what() + ")");
    }
    return r;
}

std::string stabilityCsv(const StabilityResult& r) {
    std::string csv =
        "checkpoint,optimizer,lr,momentum,beta1,lambda_max,preconditioned_lambda_max,sharpness,threshold,ratio,"
        "converged,hvp_count,seconds,rule\n";
    for (const StabilityRow& row : r.rows) {
        const OptimizerState& s = row.optimizer;
        csv += quoted(row.checkpoint) + "," + s.kind + "," + csvNumber(s.lr) + "," + csvNumber(s.momentum) + "," +
               csvNumber(s.beta1) + "," + csvNumber(row.lambda_max) + "," +
               (row.preconditioned ? csvNumber(*row.preconditioned) : "") + "," + csvNumber(row.sharpness) + "," +
               csvNumber(row.threshold) + "," + csvNumber(row.ratio) + "," + (row.converged ? "true" : "false") + "," +
               std::to_string(row.hvp_count) + "," + csvNumber(row.seconds) + "," + quoted(row.rule) + "\n";
    }
    return csv;
}

std::string batchScalingJson(const BatchScalingResult& r) {
    json rows = json::array();
    for (const auto& row : r.rows) {
        json o = {{"batch_size", row.batch_size},
                  {"lambda_max", row.lambda_max},
                  {"mean", row.mean},
                  {"stddev", row.stddev},
                  {"stable_lr_sgd", finiteOrNull(row.stable_lr_sgd)}};
        if (!row.trace.empty())
            o["trace"] = {{"values", row.trace}, {"mean", row.trace_mean}, {"stddev", row.trace_stddev}};
        if (!row.preconditioned.empty())
            o["preconditioned"] = {{"values", row.preconditioned},
                                   {"mean", row.preconditioned_mean},
                                   {"stddev", row.preconditioned_stddev},
                                   {"stable_lr_adam", finiteOrNull(row.stable_lr_adam)}};
        rows.push_back(o);
    }
    return detail::dumpText({{"format", "basin-batch-scaling"},
                             {"rows", rows},
                             {"full_lambda_max", r.full_lambda_max},
                             {"full_trace", r.full_trace ? json(*r.full_trace) : json(nullptr)},
                             {"adam", r.full_preconditioned ? json{{"optimizer", r.optimizer},
                                                                   {"beta1", r.beta1},
                                                                   {"full_preconditioned", *r.full_preconditioned}}
                                                            : json(nullptr)},
                             {"samples", r.samples},
                             {"slope_log_lambda_log_b", r.slope},
                             {"hvp_count", r.hvp_count},
                             {"seconds", r.seconds},
                             {"options", scalingOptionsObject(r.options)},
                             {"provenance", detail::provenanceObject(r.provenance)}});
}

BatchScalingResult batchScalingFromJson(const std::string& text, const std::string& origin) {
    BatchScalingResult r;
    try {
        const json j =
            detail::parseResultFile(text, origin, "basin-batch-scaling", "does not hold a batch-scaling result");
        for (const json& row : j.at("rows")) {
            BatchScalingRow b;
            b.batch_size = row.at("batch_size").get<int64_t>();
            b.lambda_max = row.at("lambda_max").get<std::vector<double>>();
            b.mean = row.at("mean").get<double>();
            b.stddev = row.at("stddev").get<double>();
            b.stable_lr_sgd = numberOrInfinity(row.at("stable_lr_sgd"));
            if (row.contains("trace")) {
                b.trace = row["trace"].at("values").get<std::vector<double>>();
                b.trace_mean = row["trace"].at("mean").get<double>();
                b.trace_stddev = row["trace"].at("stddev").get<double>();
            }
            if (row.contains("preconditioned")) {
                const json& p = row["preconditioned"];
                b.preconditioned = p.at("values").get<std::vector<double>>();
                b.preconditioned_mean = p.at("mean").get<double>();
                b.preconditioned_stddev = p.at("stddev").get<double>();
                b.stable_lr_adam = numberOrInfinity(p.at("stable_lr_adam"));
            }
            r.rows.push_back(std::move(b));
        }
        r.full_lambda_max = j.at("full_lambda_max").get<double>();
        if (j.contains("full_trace") && !j["full_trace"].is_null()) r.full_trace = j["full_trace"].get<double>();
        if (j.contains("adam") && !j["adam"].is_null()) {
            r.optimizer = j["adam"].at("optimizer").get<std::string>();
            r.beta1 = j["adam"].at("beta1").get<double>();
            r.full_preconditioned = j["adam"].at("full_preconditioned").get<double>();
        }
        r.samples = j.at("samples").get<int64_t>();
        r.slope = j.at("slope_log_lambda_log_b").get<double>();
        r.hvp_count = j.at("hvp_count").get<int64_t>();
        r.seconds = j.at("seconds").get<double>();
        r.options = scalingOptionsFromObject(j.at("options"), origin);
        if (j.contains("provenance") && !j["provenance"].is_null())
            r.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds a batch-scaling result that cannot be read (") + e.what() + ")");
    }
    return r;
}

std::string batchScalingCsv(const BatchScalingResult& r) {
    std::string csv = "series,batch_size,value\n";
    auto add = [&](const char* series, const std::string& b, double v) {
        csv += std::string(series) + "," + b + "," + (std::isfinite(v) ? csvNumber(v) : std::string()) + "\n";
    };
    for (const auto& row : r.rows) {
        const std::string b = std::to_string(row.batch_size);
        for (double l : row.lambda_max) add("lambda_max", b, l);
        add("mean", b, row.mean);
        add("stddev", b, row.stddev);
        add("stable_lr_sgd", b, row.stable_lr_sgd);
        for (double t : row.trace) add("trace", b, t);
        if (!row.trace.empty()) {
            add("trace_mean", b, row.trace_mean);
            add("trace_stddev", b, row.trace_stddev);
        }
        for (double l : row.preconditioned) add("preconditioned", b, l);
        if (!row.preconditioned.empty()) {
            add("preconditioned_mean", b, row.preconditioned_mean);
            add("preconditioned_stddev", b, row.preconditioned_stddev);
            add("stable_lr_adam", b, row.stable_lr_adam);
        }
    }
    add("full_lambda_max", std::to_string(r.samples), r.full_lambda_max);
    if (r.full_trace) add("full_trace", std::to_string(r.samples), *r.full_trace);
    if (r.full_preconditioned) add("full_preconditioned", std::to_string(r.samples), *r.full_preconditioned);
    add("slope", "", r.slope);
    return csv;
}

}  // namespace basin
