#pragma once
// --cache for basin-cli commands: reuse a result stored in the study file, or store a new one.
#include <optional>
#include <string>

#include "basin/study.h"

namespace basin::cli {

class ResultCache {
public:
    /// Enabled only with --cache and a study file; `options_json` holds every option that
    /// changes the numbers (defaults written out).
    ResultCache(bool enabled, const StudySpec& spec, const std::string& analysis, const std::string& options_json);
    /// Prints a stored result (to stdout, and to `out` when given) and returns true; every rank
    /// looks, so none computes when one is found.
    bool printStored(const std::string& out) const;
    /// The stored result's JSON text, if there is one (quietly).
    std::optional<std::string> stored() const;
    /// Stores a new result (rank 0 only).
    void store(const std::string& result_json) const;

private:
    bool enabled_;
    StudySpec spec_;
    std::string analysis_, options_, key_;
};

}  // namespace basin::cli
