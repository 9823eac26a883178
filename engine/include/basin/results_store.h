#pragma once
/// Results kept in the study file, so reopening a study shows what was computed and nothing is
/// computed twice. The "results" section maps a result key to
///   {"analysis", "inputs_key", "options_key", "saved", "result": {... "options", "provenance"}}.
/// The key (provenance.h) covers the model and data bytes, the study settings that change
/// numbers and every option of the analysis, so a stored result is found only for the same inputs;
/// one whose options match but whose files changed is found as stale (staleResults).
/// Writes go through updateFileLocked: under a lock, merged with what another process stored
/// meanwhile, atomically; the user's own keys and their order are kept.
#include <optional>
#include <string>
#include <vector>

#include "basin/provenance.h"
#include "basin/study.h"

namespace basin {

struct StoredResult {
    std::string key, analysis, inputs_key, options_key;
    std::string saved;   ///< when it was stored, ISO 8601 UTC
    std::string result;  ///< the result's JSON text (spectrumJson, surfaceJson, ...)
};

/// The result stored under `key`, if any. Throws basin::Error naming the file when it cannot be
/// read, is not JSON, or its "results" section is not an object.
std::optional<StoredResult> findResult(const std::string& study_path, const std::string& key);

/// Every stored result, in file order.
std::vector<StoredResult> storedResults(const std::string& study_path);

/// Results of the same analysis and options as `p` whose inputs (model or data bytes, settings)
/// differ from `p`'s: what a study shows as stale.
std::vector<StoredResult> staleResults(const std::string& study_path, const Provenance& p);

/// What a study holds for a result about to be computed: its keys, the stored result with the same
/// key (reuse it: nothing needs computing), and else the newest one stored with the same analysis
/// and options for other inputs (stale). The window and basin-cli look results up through this.
struct ResultLookup {
    Provenance keys;  ///< analysis, options, inputs_key, options_key and key of the would-be result
    std::optional<StoredResult> stored;
    std::optional<StoredResult> stale;
};
/// `model`: the model file when it is not the study's (a checkpoint). Without a study file, or
/// when the study cannot be read, nothing is found (the keys are still made).
ResultLookup lookUpResult(const StudySpec& spec, const std::string& analysis, const std::string& options_json,
                          const std::vector<std::string>& referenced = {}, const std::string& model = {});

/// Adds or replaces the result under p.key. Throws basin::Error naming the file when it is
/// read-only or not a valid study (a file that is not valid JSON is never overwritten).
void storeResult(const std::string& study_path, const Provenance& p, const std::string& result_json);

/// Removes every stored result (the spec and the user's own keys stay).
void clearResults(const std::string& study_path);

}  // namespace basin
