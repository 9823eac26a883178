#include "result_cache.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "basin/results_store.h"
#include "distributed.h"

namespace basin::cli {

ResultCache::ResultCache(bool enabled, const StudySpec& spec, const std::string& analysis, const std::string& options_json)
    : enabled_(enabled && !spec.study_path.empty()), spec_(spec), analysis_(analysis), options_(options_json) {
    if (enabled && spec.study_path.empty())
        std::fprintf(stderr, "--cache needs a study file (--study); the result is not stored\n");
    if (enabled_) key_ = resultKey(spec_, {}, analysis_, options_);
}

std::optional<std::string> ResultCache::stored() const {
    if (!enabled_) return std::nullopt;
    return findResult(spec_.study_path, key_);
}

bool ResultCache::printStored(const std::string& out) const {
    const auto hit = stored();
    if (!hit) return false;
    if (!isLeader()) return true;
    std::fprintf(stderr, "using the %s result stored in %s (key %s)\n", analysis_.c_str(), spec_.study_path.c_str(), key_.c_str());
    const std::string text = nlohmann::json::parse(*hit).dump(2);
    if (!out.empty()) writeFileAtomically(out, text + "\n");
    std::cout << text << "\n";
    return true;
}

void ResultCache::store(const std::string& result_json) const {
    if (enabled_ && isLeader()) storeResult(spec_.study_path, key_, analysis_, options_, result_json);
}

}  // namespace basin::cli
