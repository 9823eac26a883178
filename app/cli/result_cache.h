#pragma once
// --cache for basin-cli commands: reuse a result stored in the study file, or store a new one.
// The key is the engine's (provenance.h): the model and data bytes, the study settings and every
// option of the analysis, so a stored result is reused only when all of it is the same.
#include <optional>
#include <string>
#include <vector>

#include "basin/provenance.h"
#include "basin/results_store.h"
#include "basin/study.h"

namespace basin::cli {

class ResultCache {
public:
    /// Enabled only with --cache and a study file. `options_json` is the analysis options'
    /// canonical JSON (toJson); `referenced` the further files they name; `model` the model file
    /// when it is not the study's (a checkpoint).
    ResultCache(bool enabled, const StudySpec& spec, const std::string& analysis, const std::string& options_json,
                const std::vector<std::string>& referenced = {}, const std::string& model = {});
    /// The stored result's JSON text, if there is one. Says on stderr that it is used.
    std::optional<std::string> stored() const;
    /// Stores a new result (rank 0 only); `p` is the result's own provenance, whose key must be
    /// this cache's (else the options the command computed with are not those it looked up).
    void store(const Provenance& p, const std::string& result_json) const;
    const std::string& key() const { return key_; }

    /// The stored result, read by `from_json` (errors name `origin`), else `compute()`'s, stored
    /// (when the cache is on, by rank 0) as `to_json` writes it. The one place commands reuse or
    /// compute their analysis.
    template <class Result, class Compute>
    Result reuseOrCompute(Compute&& compute, Result (*from_json)(const std::string&, const std::string&),
                          std::string (*to_json)(const Result&), const std::string& origin) const {
        if (const auto hit = stored()) return from_json(*hit, origin);
        Result r = compute();
        store(r.provenance, to_json(r));
        return r;
    }

private:
    bool enabled_;
    StudySpec spec_;
    std::string analysis_, key_;
    ResultLookup lookup_;
};

}  // namespace basin::cli
