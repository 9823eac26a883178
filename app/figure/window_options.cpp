#include "window_options.h"

#include "basin/analysis_defaults.h"

namespace basin::gui {

SpectrumOptions windowSpectrumOptions(const StudySpec& spec) {
    if (auto own = studySpectrumOptions(spec)) return *own;
    SpectrumOptions o;
    o.eigen.top_k = 5;
    o.eigen.which = Which::Both;
    o.density = true;
    o.density_options.probes = 3;
    o.density_options.steps = 30;
    o.trace = true;
    o.trace_options.method = TraceMethod::Hutchinson;
    o.trace_options.probes = 20;
    o.seed = spec.seed;
    return o;
}

SurfaceJobOptions windowSurfaceOptions(const StudySpec& spec) {
    if (auto own = studySurfaceOptions(spec)) return *own;
    SurfaceJobOptions o;
    o.nx = o.ny = 21;
    o.seed = spec.seed;
    return o;
}

SensitivityOptions windowSensitivityOptions(const StudySpec& spec, int64_t parameters) {
    if (auto own = studySensitivityOptions(spec)) return *own;
    SensitivityOptions o;
    o.probes = 16;
    o.bits = {2, 3, 4, 8};
    o.budget_bytes = 0.25 * 4.0 * double(parameters);
    o.seed = spec.seed;
    return o;
}

StructureOptions windowStructureOptions(const StudySpec& spec) {
    if (auto own = studyStructureOptions(spec)) return *own;
    StructureOptions o;
    o.probes = 32;
    o.max_hvp = 150;
    o.classes = spec.loss == Loss::CrossEntropy;
    o.seed = spec.seed;
    return o;
}

StabilityOptions windowStabilityOptions(const StudySpec& spec) {
    if (auto own = studyStabilityOptions(spec)) return *own;
    StabilityOptions o;
    o.seed = spec.seed;
    return o;
}

BatchScalingOptions windowBatchScalingOptions(const StudySpec& spec) {
    if (auto own = studyBatchScalingOptions(spec)) return *own;
    BatchScalingOptions o;
    o.tol = 1e-3;
    o.max_hvp = 100;
    o.seed = spec.seed;
    return o;
}

BatchSpectraOptions windowBatchSpectraOptions(const StudySpec& spec) {
    if (auto own = studyBatchSpectraOptions(spec)) return *own;
    BatchSpectraOptions o;
    o.tol = 1e-3;
    o.max_hvp = 100;
    o.seed = spec.seed;
    return o;
}

std::vector<std::string> windowBatchSpectraModels(const StudySpec& spec) {
    return spec.checkpoints.empty() ? std::vector<std::string>{spec.model} : spec.checkpoints;
}

ResampleOptions windowResampleOptions(const StudySpec& spec) {
    if (auto own = studyResampleOptions(spec)) return *own;
    ResampleOptions o;
    o.tol = 1e-3;
    o.max_hvp = 100;
    o.seed = spec.seed;
    return o;
}

CompareOptions windowCompareOptions(const StudySpec& spec) {
    if (auto own = studyCompareOptions(spec)) return *own;
    CompareOptions o;
    o.spectrum = windowSpectrumOptions(spec);
    o.spectrum.eigen.top_k = 3;  // a table row needs λmax and λmin; the density shows the rest
    o.surfaces = true;
    o.surface = windowSurfaceOptions(spec);
    o.surface.nx = o.surface.ny = 11;
    o.path_points = 11;
    o.seed = spec.seed;
    return o;
}

CurvatureMapOptions windowCurvatureMapOptions(const StudySpec& spec) {
    if (auto own = studyCurvatureMapOptions(spec)) return *own;
    CurvatureMapOptions o;
    o.surface = windowSurfaceOptions(spec);
    o.seed = o.surface.seed = spec.seed;
    return o;
}

ProbeOptions windowProbeOptions(const StudySpec& spec) {
    if (auto own = studyProbeOptions(spec)) return *own;
    ProbeOptions o;
    o.spectrum = windowSpectrumOptions(spec);
    o.directions = windowSurfaceOptions(spec);
    o.seed = o.spectrum.seed = o.directions.seed = spec.seed;
    return o;
}

}  // namespace basin::gui
