#pragma once
/// Results kept in the study file, under "results": {KEY: {"analysis", "options", "saved", "result"}},
/// so reopening a study shows what was computed and nothing is computed twice. KEY hashes the
/// bytes of the model and data files, the study settings that change numbers (loss, samples,
/// batch, dtype, H*v mode, operator, seed) and the analysis options: a result is reused only for
/// the same inputs. The file is rewritten atomically; the spec part is left as it was.
#include <optional>
#include <string>

#include "basin/study.h"

namespace basin {

/// 16 hex digits. Throws basin::Error naming a file that cannot be read.
std::string resultKey(const StudySpec& spec, const std::string& model_path, const std::string& analysis,
                      const std::string& options_json);

/// The stored result's JSON text, if the study file holds one under `key`.
std::optional<std::string> findResult(const std::string& study_path, const std::string& key);

/// Adds or replaces the result under `key`; `options_json` and `result_json` are JSON texts.
void storeResult(const std::string& study_path, const std::string& key, const std::string& analysis,
                 const std::string& options_json, const std::string& result_json);

}  // namespace basin
