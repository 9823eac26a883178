#pragma once
// The analyses as the window (and `basin-cli render`) runs them for a study: the study's own
// "options" where it gives them (analysis_defaults.h), else the presets below, always seeded by
// the study. One home, so the window, render and the compare view ask for the same numbers.
#include <cstdint>
#include <string>
#include <vector>

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

namespace basin::gui {

/// Preset: top 5 at both ends by Lanczos, SLQ density of 3 probes x 30 steps, Hutchinson trace of
/// 20 probes.
SpectrumOptions windowSpectrumOptions(const StudySpec& spec);
/// Preset: random filter-normalised directions (biases and BatchNorm ignored), 21 x 21 over
/// [-1, 1]^2, BatchNorm statistics as stored.
SurfaceJobOptions windowSurfaceOptions(const StudySpec& spec);
/// Preset: 16 probes, bits 2, 3, 4 and 8, a budget of a quarter of the float32 size.
SensitivityOptions windowSensitivityOptions(const StudySpec& spec, int64_t parameters);
/// Preset: the spectrum preset with the top 3 at both ends, surfaces of 11 x 11 over [-1, 1]^2
/// (the compare view's own grid), a path of 11 points.
CompareOptions windowCompareOptions(const StudySpec& spec);
/// Preset: the surface preset's plane and grid; λmax and λmin at each point to tol 1e-3 within
/// 100 H·v, warm-started, no trace.
CurvatureMapOptions windowCurvatureMapOptions(const StudySpec& spec);
/// Preset: the spectrum preset at the point, on the surface preset's plane, at (0, 0).
ProbeOptions windowProbeOptions(const StudySpec& spec);
/// Preset: the diagonal (32 probes, channels zeroed 1, 2, 4 and 8 at a time), localisation and
/// blocks of the top 5 (Lanczos to 1e-3, at most 150 products; SLQ of 2 x 20 per block), and for a
/// cross-entropy study the class structure; no alignment (it needs a second data file).
StructureOptions windowStructureOptions(const StudySpec& spec);
/// Preset: λmax (and Adam's preconditioned λ1) to tol 1e-4 within 200 H·v each, the optimizer's own
/// learning rate (the study's "options": {"stability": {"lr": ...}} types one).
StabilityOptions windowStabilityOptions(const StudySpec& spec);
/// Preset: 4 disjoint batches of each power of two from 8 that fits, λmax to tol 1e-3 within 100 H·v.
BatchScalingOptions windowBatchScalingOptions(const StudySpec& spec);
/// Preset: the top 5 of 8 disjoint batches of 32 (basin-cli batch-spectra's), Lanczos to 1e-3
/// within 100 H·v per batch, 20 bins.
BatchSpectraOptions windowBatchSpectraOptions(const StudySpec& spec);
/// The models the window and render take per-batch spectra of: the study's checkpoints (the
/// overlay), else its model.
std::vector<std::string> windowBatchSpectraModels(const StudySpec& spec);
/// Preset: basin-cli resample's (20 subsamples of half the samples, λmax and the trace of 32
/// probes, a 5 % target), Lanczos to 1e-3 within 100 H·v.
ResampleOptions windowResampleOptions(const StudySpec& spec);

}  // namespace basin::gui
