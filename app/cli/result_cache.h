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

private:
    bool enabled_;
    StudySpec spec_;
    std::string analysis_, key_;
    ResultLookup lookup_;
};

}  // namespace basin::cli
