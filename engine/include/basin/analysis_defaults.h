#pragma once
/// A study's own analysis options. A study file may hold, beside its spec,
///   "options": {"spectrum": {...}, "surface": {...}, "sensitivity": {...}, "compare": {...},
///              "structure": {...}, "curvature-map": {...}, "probe": {...}, "stability": {...},
///              "batch-scaling": {...}, "batch-spectra": {...}, "resample": {...}}
/// in the JSON of each analysis's options (missing keys take the defaults). The window and
/// basin-cli start from these for the study, so both compute the same numbers; basin-cli's flags
/// then override single fields. The seed is always the study's: an options object that sets a
/// different one is refused.
#include <optional>

#include "basin/compare.h"
#include "basin/curvature.h"
#include "basin/curvature_map.h"
#include "basin/probe.h"
#include "basin/sampling.h"
#include "basin/sensitivity.h"
#include "basin/stability.h"
#include "basin/structure.h"
#include "basin/study.h"
#include "basin/surface.h"

namespace basin {

/// Each returns the study's options for that analysis (seeded by the study), or nullopt when it
/// gives none; throws basin::Error naming the study file for options that are malformed or out
/// of range.
std::optional<SpectrumOptions> studySpectrumOptions(const StudySpec& spec);
std::optional<SurfaceJobOptions> studySurfaceOptions(const StudySpec& spec);
std::optional<SensitivityOptions> studySensitivityOptions(const StudySpec& spec);
std::optional<CompareOptions> studyCompareOptions(const StudySpec& spec);
/// Relative paths of the alignment data are resolved against the study file's folder.
std::optional<StructureOptions> studyStructureOptions(const StudySpec& spec);
std::optional<CurvatureMapOptions> studyCurvatureMapOptions(const StudySpec& spec);
std::optional<ProbeOptions> studyProbeOptions(const StudySpec& spec);
std::optional<StabilityOptions> studyStabilityOptions(const StudySpec& spec);
std::optional<BatchScalingOptions> studyBatchScalingOptions(const StudySpec& spec);
std::optional<BatchSpectraOptions> studyBatchSpectraOptions(const StudySpec& spec);
std::optional<ResampleOptions> studyResampleOptions(const StudySpec& spec);

/// Checks the whole "options" section (every analysis named, every value in range, no unknown
/// analysis); loadStudy() calls it, so a bad value is refused when the study is opened.
void checkStudyOptions(const StudySpec& spec);

}  // namespace basin
