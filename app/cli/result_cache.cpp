#include "result_cache.h"

#include <cstdio>

#include "basin/error.h"
#include "basin/results_store.h"
#include "distributed.h"

namespace basin::cli {

ResultCache::ResultCache(bool enabled, const StudySpec& spec, const std::string& analysis,
                         const std::string& options_json, const std::vector<std::string>& referenced,
                         const std::string& model)
    : enabled_(enabled && !spec.study_path.empty()), spec_(spec), analysis_(analysis) {
    if (enabled && spec.study_path.empty() && isLeader())
        std::fprintf(stderr, "basin-cli: --cache needs a study file (--study); the result is not stored\n");
    if (enabled_) lookup_ = lookUpResult(spec, analysis, options_json, referenced, model);
    key_ = lookup_.keys.key;
}

std::optional<std::string> ResultCache::stored() const {
    if (!enabled_) return std::nullopt;
    const auto& hit = lookup_.stored;
    if (!hit) return std::nullopt;
    if (isLeader())
        std::fprintf(stderr, "basin-cli: using the %s result stored in %s on %s (key %s)\n", analysis_.c_str(),
                     spec_.study_path.c_str(), hit->saved.c_str(), key_.c_str());
    return hit->result;
}

void ResultCache::store(const Provenance& p, const std::string& result_json) const {
    if (!enabled_ || !isLeader()) return;
    if (p.key != key_)
        throw Error("internal error: the " + analysis_ + " result's key " + p.key + " is not the key looked up (" +
                    key_ + "); it is not stored");
    try {
        storeResult(spec_.study_path, p, result_json);
    } catch (const Error& e) {
        std::fprintf(stderr, "basin-cli: the result is not stored: %s\n", e.what());
    }
}

}  // namespace basin::cli
