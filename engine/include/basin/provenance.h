#pragma once
/// What made a result. Every result Basin computes carries one; JSON exports, figures and the
/// study file write it beside the numbers, so a number can always be traced to the files, samples,
/// options and program that produced it.
#include <cstdint>
#include <string>
#include <vector>

namespace basin {

struct StudySpec;
class Objective;

struct Provenance {
    std::string analysis;         ///< "spectrum", "surface", "sensitivity", "compare-row", "path", ...
    std::string options;          ///< the analysis options, canonical JSON text (toJson of its options struct)
    std::string inputs_key;       ///< the model and data bytes and the study settings that change numbers
    std::string options_key;      ///< the analysis and its options alone (finds a stale result for new bytes)
    std::string key;              ///< the result key: inputs_key, analysis and options together
    std::string model;            ///< the model file the numbers are of
    std::string inputs, targets;  ///< the data files
    std::string samples;          ///< which samples, JSON text: {"rule": "first", "count": N, ...}
    std::string hvp;              ///< the H·v report, JSON text (empty when no products were made)
    std::string basin_version;
    std::string computed_at;  ///< ISO 8601, UTC
    double seconds = 0;
    int64_t hvp_count = 0;

    bool empty() const { return key.empty(); }
};

/// Basin's version, e.g. "0.2.0".
std::string basinVersion();
/// Now, as ISO 8601 UTC ("2026-12-01T08:37:51Z").
std::string utcNow();

/// 16 hex digits over the bytes of the model file (`model_path`, or the study's model when empty),
/// of the data files, and of every study setting that changes a number (loss, samples and how
/// they are chosen, batch size, dtype, H·v mode and tolerance, curvature matrix, seed, input and
/// target names). Threads and device are left out: they change speed, not the numbers beyond
/// rounding. Throws basin::Error naming a file that cannot be read.
std::string inputsKey(const StudySpec& spec, const std::string& model_path = {});

/// 16 hex digits over the analysis name, its options JSON and the bytes of any further files the
/// options name (checkpoints, direction files).
std::string optionsKey(const std::string& analysis, const std::string& options_json,
                       const std::vector<std::string>& referenced_files = {});

/// The result key: equal only when the inputs key and the options key are.
std::string resultKey(const std::string& inputs_key, const std::string& options_key);

/// A provenance for a result of `analysis` with `options_json`, computed now from `objective`
/// (its files, samples and H·v report); seconds and hvp_count are left for the caller to set.
Provenance makeProvenance(const Objective& objective, const std::string& analysis, const std::string& options_json,
                          const std::vector<std::string>& referenced_files = {});

/// As JSON text (an object with the fields above), and back; fromJson throws basin::Error naming
/// `origin` on a malformed object.
std::string provenanceJson(const Provenance& p);
Provenance provenanceFromJson(const std::string& text, const std::string& origin);

}  // namespace basin
