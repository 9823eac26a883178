#pragma once
/// The curvature probe: "what does the spectrum look like over there?" The spectrum analysis
/// (computeSpectrum, with its SpectrumOptions) run at θ + x·d₁ + y·d₂ of a surface's plane, the
/// directions planned as the surface plans them. At (0, 0) of a plane whose origin is the current
/// weights (random, eigen and file directions) it is the centre's spectrum, bit for bit, with the
/// same seed. A probe is keyed by its point and its directions' options, apart from the centre's
/// spectrum and from other probes.
#include <cstdint>
#include <string>

#include "basin/curvature.h"
#include "basin/objective.h"
#include "basin/progress.h"
#include "basin/surface.h"
#include "basin/surface_plan.h"

namespace basin {

/// The probe analysis's options (the contract of options.h).
struct ProbeOptions {
    SpectrumOptions spectrum;  ///< what is computed at the point (its seed is `seed`)
    /// The plane: the direction fields of a surface's options (dirs, norm, ignore, orthogonal,
    /// checkpoints, group, bn, directions_model; a line when ny == 1). The grid and the range do
    /// not move the point and are left out of the key.
    SurfaceJobOptions directions;
    double x = 0, y = 0;  ///< the point in the plane's coordinates (y = 0 on a line)
    uint64_t seed = 0;    ///< the study's seed
};

void validate(const ProbeOptions& options);
/// Canonical: the directions with their grid and range at the defaults (a line stays a line).
std::string toJson(const ProbeOptions& options);
ProbeOptions probeOptionsFromJson(const std::string& json_text, const std::string& origin);
std::vector<std::string> referencedFiles(const ProbeOptions& options, const StudySpec& spec);

struct ProbeResult {
    double x = 0, y = 0;
    Evaluation eval;               ///< loss and accuracy at the point
    SpectrumResult spectrum;       ///< the spectrum there (its provenance is the probe's)
    std::string directions_key;    ///< digest of the plane's vectors, as a surface's directions_key
    std::string x_label, y_label;  ///< the plane's axes
    ProbeOptions options;
    Provenance provenance;  ///< analysis "probe"
};

/// The spectrum at the point. `plan` (the plane already planned from options.directions at this
/// objective's weights) saves planning it again; without it the plane is planned here. The
/// objective's parameters and BatchNorm mode are restored afterwards, also when cancelled or failed.
ProbeResult computeProbe(Objective& objective, const ProbeOptions& options, JobContext* job = nullptr,
                         const SurfacePlan* plan = nullptr);

/// JSON: x, y, loss, accuracy, directions_key, x_label, y_label, spectrum (spectrumJson), options,
/// provenance; and back (throws basin::Error naming `origin`).
std::string probeJson(const ProbeResult& result);
ProbeResult probeFromJson(const std::string& json_text, const std::string& origin);

}  // namespace basin
