#include "basin/provenance.h"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

#include "basin/error.h"
#include "basin/objective.h"
#include "basin/options.h"
#include "basin/study.h"
#include "digest.h"
#include "json_util.h"

#ifndef BASIN_VERSION
#define BASIN_VERSION "0.0.0"
#endif

namespace basin {

using nlohmann::json;

std::string basinVersion() { return BASIN_VERSION; }

std::string utcNow() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return stamp;
}

std::string inputsKey(const StudySpec& s, const std::string& model_path) {
    detail::Digest d;
    d.add(std::string("basin-inputs-2"));
    d.addFile(model_path.empty() ? s.model : model_path);
    d.addFile(s.data.inputs);
    d.addFile(s.data.targets);
    d.add(s.data.input_key);
    d.add(s.data.target_key);
    for (const auto& k : s.data.inputs_keys) d.add("input:" + k);  // forward()'s arguments, in order
    std::ostringstream settings;
    settings.precision(17);
    settings << lossName(s.loss) << '|' << s.samples << '|' << s.batch_size << '|' << dtypeName(s.dtype) << '|'
             << hvpModeName(s.hvp_mode) << '|' << curvatureName(s.curvature) << '|' << s.seed << '|' << s.hvp_tolerance
             << '|' << sampleModeName(s.sample) << '|' << s.class_axis << '|' << s.ignore_index;
    d.add(settings.str());
    return d.hex();
}

std::string optionsKey(const std::string& analysis, const std::string& options_json,
                       const std::vector<std::string>& referenced_files) {
    detail::Digest d;
    d.add(std::string("basin-options-1"));
    d.add(analysis);
    d.add(options_json);
    for (const auto& f : referenced_files) d.addFile(f);
    return d.hex();
}

std::string resultKey(const std::string& inputs_key, const std::string& options_key) {
    detail::Digest d;
    d.add(inputs_key);
    d.add(options_key);
    return d.hex();
}

Provenance makeProvenance(const Objective& o, const std::string& analysis, const std::string& options_json,
                          const std::vector<std::string>& referenced_files) {
    Provenance p;
    const StudySpec& s = o.spec();
    p.analysis = analysis;
    p.options = options_json;
    p.inputs_key = inputsKey(s, o.modelPath());
    p.options_key = optionsKey(analysis, options_json, referenced_files);
    p.key = resultKey(p.inputs_key, p.options_key);
    p.model = o.modelPath();
    p.inputs = o.data().inputs_path;
    p.targets = o.data().targets_path;
    json samples = {{"rule", o.data().sample.empty() ? std::string("first") : o.data().sample},
                    {"count", o.data().samples},
                    {"available", o.data().available},
                    {"seed", seedFor(s.seed, SeedStream::Samples)}};  // the random subset's seed
    if (!o.data().sample_indices.empty()) samples["indices"] = o.data().sample_indices;
    else samples.erase("seed");
    p.samples = samples.dump();
    if (!o.hvpReport().chosen.empty() || o.hvpCount() > 0) p.hvp = detail::toJson(o.hvpReport()).dump();
    p.basin_version = basinVersion();
    p.computed_at = utcNow();
    return p;
}

std::string provenanceJson(const Provenance& p) {
    auto parsed = [](const std::string& text) { return text.empty() ? json(nullptr) : json::parse(text); };
    json j = {{"analysis", p.analysis},
              {"options", parsed(p.options)},
              {"inputs_key", p.inputs_key},
              {"options_key", p.options_key},
              {"key", p.key},
              {"model", p.model},
              {"inputs", p.inputs},
              {"targets", p.targets},
              {"samples", parsed(p.samples)},
              {"hvp", parsed(p.hvp)},
              {"basin_version", p.basin_version},
              {"computed_at", p.computed_at},
              {"seconds", p.seconds},
              {"hvp_count", p.hvp_count}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Provenance provenanceFromJson(const std::string& text, const std::string& origin) {
    Provenance p;
    try {
        const json j = json::parse(text);
        if (!j.is_object()) throw Error(origin, "has a provenance that is not a JSON object");
        auto str = [&](const char* k) {
            return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
        };
        auto sub = [&](const char* k) { return j.contains(k) && !j[k].is_null() ? j[k].dump() : std::string(); };
        p.analysis = str("analysis");
        p.options = sub("options");
        p.inputs_key = str("inputs_key");
        p.options_key = str("options_key");
        p.key = str("key");
        p.model = str("model");
        p.inputs = str("inputs");
        p.targets = str("targets");
        p.samples = sub("samples");
        p.hvp = sub("hvp");
        p.basin_version = str("basin_version");
        p.computed_at = str("computed_at");
        p.seconds = j.value("seconds", 0.0);
        p.hvp_count = j.value("hvp_count", int64_t(0));
    } catch (const json::exception& e) {
        throw Error(origin, std::string("has a malformed provenance (") + e.what() + ")");
    }
    return p;
}

}  // namespace basin
