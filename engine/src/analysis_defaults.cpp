#include "basin/analysis_defaults.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "basin/error.h"

namespace basin {

namespace {

using nlohmann::json;

std::string where(const StudySpec& s) { return s.study_path.empty() ? std::string("study") : s.study_path; }

// The text of options[analysis], with the seed checked against the study's.
std::optional<std::string> section(const StudySpec& s, const char* analysis) {
    if (s.options.empty()) return std::nullopt;
    json j = json::parse(s.options);
    if (!j.contains(analysis) || j[analysis].is_null()) return std::nullopt;
    json& o = j[analysis];
    if (!o.is_object()) throw Error(where(s), std::string("its options.") + analysis + " is not a JSON object");
    if (o.contains("seed") && o["seed"] != json(s.seed))
        throw Error(where(s), std::string("its options.") + analysis + " sets seed " + o["seed"].dump() +
                                  ", but an analysis follows the study's seed (" + std::to_string(s.seed) +
                                  "); set \"seed\" at the top of the study instead");
    o["seed"] = s.seed;
    return o.dump();
}

std::string origin(const StudySpec& s, const char* analysis) { return where(s) + " (options." + analysis + ")"; }

}  // namespace

std::optional<SpectrumOptions> studySpectrumOptions(const StudySpec& s) {
    const auto text = section(s, "spectrum");
    if (!text) return std::nullopt;
    return spectrumOptionsFromJson(*text, origin(s, "spectrum"));
}

std::optional<SurfaceJobOptions> studySurfaceOptions(const StudySpec& s) {
    const auto text = section(s, "surface");
    if (!text) return std::nullopt;
    return surfaceOptionsFromJson(*text, origin(s, "surface"));
}

std::optional<SensitivityOptions> studySensitivityOptions(const StudySpec& s) {
    const auto text = section(s, "sensitivity");
    if (!text) return std::nullopt;
    return sensitivityOptionsFromJson(*text, origin(s, "sensitivity"));
}

std::optional<CompareOptions> studyCompareOptions(const StudySpec& s) {
    const auto text = section(s, "compare");
    if (!text) return std::nullopt;
    return compareOptionsFromJson(*text, origin(s, "compare"));
}

std::optional<StructureOptions> studyStructureOptions(const StudySpec& s) {
    const auto text = section(s, "structure");
    if (!text) return std::nullopt;
    StructureOptions o = structureOptionsFromJson(*text, origin(s, "structure"));
    if (!s.study_path.empty()) {
        const std::filesystem::path dir = std::filesystem::path(s.study_path).parent_path();
        for (std::string* p : {&o.align_data, &o.align_targets})
            if (!p->empty() && std::filesystem::path(*p).is_relative()) *p = (dir / *p).lexically_normal().string();
    }
    return o;
}

std::optional<CurvatureMapOptions> studyCurvatureMapOptions(const StudySpec& s) {
    const auto text = section(s, "curvature-map");
    if (!text) return std::nullopt;
    return curvatureMapOptionsFromJson(*text, origin(s, "curvature-map"));
}

std::optional<ProbeOptions> studyProbeOptions(const StudySpec& s) {
    const auto text = section(s, "probe");
    if (!text) return std::nullopt;
    return probeOptionsFromJson(*text, origin(s, "probe"));
}

std::optional<StabilityOptions> studyStabilityOptions(const StudySpec& s) {
    const auto text = section(s, "stability");
    if (!text) return std::nullopt;
    return stabilityOptionsFromJson(*text, origin(s, "stability"));
}

std::optional<BatchScalingOptions> studyBatchScalingOptions(const StudySpec& s) {
    const auto text = section(s, "batch-scaling");
    if (!text) return std::nullopt;
    return batchScalingOptionsFromJson(*text, origin(s, "batch-scaling"));
}

std::optional<BatchSpectraOptions> studyBatchSpectraOptions(const StudySpec& s) {
    const auto text = section(s, "batch-spectra");
    if (!text) return std::nullopt;
    return batchSpectraOptionsFromJson(*text, origin(s, "batch-spectra"));
}

std::optional<ResampleOptions> studyResampleOptions(const StudySpec& s) {
    const auto text = section(s, "resample");
    if (!text) return std::nullopt;
    return resampleOptionsFromJson(*text, origin(s, "resample"));
}

void checkStudyOptions(const StudySpec& s) {
    if (s.options.empty()) return;
    const json j = json::parse(s.options);
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "spectrum" && it.key() != "surface" && it.key() != "sensitivity" && it.key() != "compare" &&
            it.key() != "structure" && it.key() != "curvature-map" && it.key() != "probe" && it.key() != "stability" &&
            it.key() != "batch-scaling" && it.key() != "batch-spectra" && it.key() != "resample")
            throw Error(where(s),
                        "its options name an unknown analysis '" + it.key() +
                            "' (known: spectrum, surface, sensitivity, compare, structure, curvature-map, probe, "
                            "stability, batch-scaling, batch-spectra, resample)");
    studySpectrumOptions(s);
    studySurfaceOptions(s);
    studySensitivityOptions(s);
    studyCompareOptions(s);
    studyStructureOptions(s);
    studyCurvatureMapOptions(s);
    studyProbeOptions(s);
    studyStabilityOptions(s);
    studyBatchScalingOptions(s);
    studyBatchSpectraOptions(s);
    studyResampleOptions(s);
}

}  // namespace basin
