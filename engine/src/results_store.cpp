#include "basin/results_store.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "basin/atomic_file.h"
#include "basin/error.h"
#include "json_util.h"

namespace basin {

namespace {

// Ordered, so the user's own keys keep their place when the file is written back.
using ojson = nlohmann::ordered_json;

ojson parseStudyText(const std::string& path, const std::string& text) {
    ojson j;
    try {
        j = detail::parseBoundedJson<ojson>(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(path, std::string("is not valid JSON (") + e.what() + "); results are not stored in it");
    } catch (const Error& e) {
        throw Error(path, e.what());
    }
    if (!j.is_object()) throw Error(path, "is not a Basin study (not a JSON object)");
    if (j.contains("results") && !j["results"].is_object())
        throw Error(path, "its \"results\" section is not a JSON object; remove it or fix it");
    return j;
}

ojson readStudy(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "cannot be opened for reading");
    std::stringstream ss;
    ss << in.rdbuf();
    return parseStudyText(path, ss.str());
}

StoredResult entryOf(const std::string& key, const ojson& e) {
    StoredResult r;
    r.key = key;
    if (!e.is_object()) return r;
    r.analysis = e.value("analysis", "");
    r.inputs_key = e.value("inputs_key", "");
    r.options_key = e.value("options_key", "");
    r.saved = e.value("saved", "");
    if (e.contains("result")) r.result = e["result"].dump();
    return r;
}

}  // namespace

std::optional<StoredResult> findResult(const std::string& study_path, const std::string& key) {
    const ojson j = readStudy(study_path);
    if (!j.contains("results") || !j["results"].contains(key)) return std::nullopt;
    StoredResult r = entryOf(key, j["results"][key]);
    if (r.result.empty()) return std::nullopt;
    return r;
}

std::vector<StoredResult> storedResults(const std::string& study_path) {
    const ojson j = readStudy(study_path);
    std::vector<StoredResult> out;
    if (!j.contains("results")) return out;
    for (auto it = j["results"].begin(); it != j["results"].end(); ++it) {
        StoredResult r = entryOf(it.key(), it.value());
        if (!r.result.empty()) out.push_back(std::move(r));
    }
    return out;
}

std::vector<StoredResult> staleResults(const std::string& study_path, const Provenance& p) {
    std::vector<StoredResult> out;
    for (auto& r : storedResults(study_path))
        if (r.analysis == p.analysis && r.options_key == p.options_key && r.inputs_key != p.inputs_key)
            out.push_back(std::move(r));
    return out;
}

ResultLookup lookUpResult(const StudySpec& spec, const std::string& analysis, const std::string& options_json,
                          const std::vector<std::string>& referenced, const std::string& model) {
    ResultLookup l;
    l.keys.analysis = analysis;
    l.keys.options = options_json;
    l.keys.model = model.empty() ? spec.model : model;
    l.keys.inputs_key = inputsKey(spec, model);
    l.keys.options_key = optionsKey(analysis, options_json, referenced);
    l.keys.key = resultKey(l.keys.inputs_key, l.keys.options_key);
    if (spec.study_path.empty()) return l;
    std::vector<StoredResult> all;
    try {
        all = storedResults(spec.study_path);
    } catch (const Error&) {
        return l;  // an unreadable study holds nothing to reuse; computing will say what is wrong if it matters
    }
    for (auto& r : all) {
        if (r.key == l.keys.key) l.stored = r;
        else if (r.analysis == analysis && r.options_key == l.keys.options_key && r.inputs_key != l.keys.inputs_key &&
                 (!l.stale || r.saved > l.stale->saved))
            l.stale = r;
    }
    return l;
}

void storeResult(const std::string& study_path, const Provenance& p, const std::string& result_json) {
    if (p.key.empty()) throw Error(study_path, "a result without a key cannot be stored");
    if (!isWritable(study_path)) throw Error(study_path, "is read-only, so results computed now are not saved in it");
    ojson result;
    try {
        result = ojson::parse(result_json);
    } catch (const nlohmann::json::exception& e) {
        throw Error(study_path, std::string("a result to store is not valid JSON (") + e.what() + ")");
    }
    updateFileLocked(study_path, [&](const std::string& text) {
        if (text.empty()) throw Error(study_path, "the study file vanished or is empty; results are not stored");
        ojson j = parseStudyText(study_path, text);
        j["results"][p.key] = {{"analysis", p.analysis},
                               {"inputs_key", p.inputs_key},
                               {"options_key", p.options_key},
                               {"saved", utcNow()},
                               {"result", result}};
        return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    });
}

void clearResults(const std::string& study_path) {
    updateFileLocked(study_path, [&](const std::string& text) {
        ojson j = parseStudyText(study_path, text);
        j.erase("results");
        return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    });
}

}  // namespace basin
