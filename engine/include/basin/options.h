#pragma once
/// What every analysis's options share: the one seed rule, and the contract each options struct
/// keeps (spectrum: curvature.h, surface: surface_job.h, sensitivity: sensitivity.h, compare:
/// compare.h, structure: structure.h):
///  - defaults in the struct itself;
///  - validate(o) throws basin::Error naming the option, its value and what it must be, in the
///    same words whether the value came from a study file, the command line or the window;
///  - toJson(o) is the canonical JSON text of every field that can change a number (the result key
///    is derived from it), and xOptionsFromJson(text, origin) reads it back (missing keys take the
///    defaults; unknown keys and wrong types are errors naming `origin`), then validates.
#include <cstdint>
#include <string>

namespace basin {

/// The seed rule. An analysis run from a study with seed s draws each of its random streams from
/// s plus a fixed offset, so the window, basin-cli, render and compare draw the same numbers:
///   Lanczos / power start vector        s + 0
///   Hutchinson / Hutch++ trace probes   s + 1   (also the per-layer traces of sensitivity)
///   SLQ density probes                  s + 2
///   loss-surface directions             s + 0 (first), s + 1 (second)
///                                       (also a curvature map's and a probe's plane)
///   random sample subsets               s + 3
///   per-batch spectra: batches of size B s + 3 + B (batch-scaling's batches at that size), every
///   batch's Lanczos start s + 0
///   data resamples (resample)           s + 4: subsample r from splitmix64(s + 4 + r); every
///   subsample's Lanczos start s + 0 and trace probes s + 1 (the full sample's)
///   structure: the diagonal's probes s + 1 (the trace's: its per-probe sums are the Hutchinson
///   trace with as many probes), every Lanczos start s + 0, block densities s + 2, the alignment's
///   trace probes s + 1
/// A curvature map draws every point's Lanczos start from s + 0 (a warm start keeps a share of it)
/// and every point's Hutchinson probes from s + 1: the same vectors at every point.
enum class SeedStream : uint64_t {
    Eigen = 0,
    Trace = 1,
    Density = 2,
    DirectionX = 0,
    DirectionY = 1,
    Samples = 3,
    Resamples = 4
};

inline uint64_t seedFor(uint64_t study_seed, SeedStream stream) { return study_seed + uint64_t(stream); }

}  // namespace basin
