#pragma once
/// Curvature across the landscape: λmax, λmin and (optionally) the trace of the Hessian at every
/// point θ + x·d₁ + y·d₂ of a surface's grid (Li et al.'s plot_hessian_eigen.py, live). A map is a
/// SurfaceGrid with its `curvature` filled: the same directions, grid, coarse-to-fine order,
/// partial grids, resume checks, deal of points to processes and files as a loss surface, and the
/// loss at every point besides.
///
/// Each point's λmax and λmin come from one Lanczos run (both ends of one Krylov space) stopped
/// by the same Ritz residual rule as the spectrum. With warm_start, the run starts from the Ritz
/// vectors of the nearest point already computed (plus a small share of the seeded random start,
/// so an eigenvector that was not there before is still found); neighbouring Hessians are close,
/// so fewer products reach the tolerance. The trace uses the same Hutchinson probes at every
/// point, so the map of the trace is smooth rather than noisy from point to point.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "basin/objective.h"
#include "basin/progress.h"
#include "basin/surface.h"
#include "basin/surface_plan.h"

namespace basin {

/// The curvature-map analysis's options (the contract of options.h): the surface's (directions,
/// grid, range, BatchNorm, group) and the curvature's. Seeds: the directions as a surface's, each
/// point's Lanczos start from seedFor(seed, Eigen), the trace probes from seedFor(seed, Trace).
struct CurvatureMapOptions {
    SurfaceJobOptions surface;  ///< its seed is `seed`
    CurvatureSettings curvature;
    uint64_t seed = 0;  ///< the study's seed
};

/// Throws basin::Error naming the option ("curvature-map option max_hvp (--max-hvp) is 0; ...").
void validate(const CurvatureMapOptions& options);
std::string toJson(const CurvatureMapOptions& options);
CurvatureMapOptions curvatureMapOptionsFromJson(const std::string& json_text, const std::string& origin);
/// The options a map was made with (its surface options and curvature settings).
CurvatureMapOptions curvatureMapOptions(const SurfaceGrid& map);
/// The files besides the study's whose bytes change the map (as the surface's).
std::vector<std::string> referencedFiles(const CurvatureMapOptions& options, const StudySpec& spec);

/// The map's directions, planned at the objective's weights from options.surface seeded by
/// options.seed (what computeCurvatureMap plans).
SurfacePlan planCurvatureMap(Objective& objective, const CurvatureMapOptions& options, JobContext* job = nullptr);

/// The map's empty grid along `plan` (planCurvatureMap): coordinates, labels,
/// the curvature arrays (NaN), the provenance (analysis "curvature-map") and the directions' key.
SurfaceGrid curvatureMapGridFor(const Objective& objective, const CurvatureMapOptions& options,
                                const SurfacePlan& plan);

/// Fills the points of `map` not yet done (those dealt to this process), coarse to fine, as
/// computeSurface does: `on_partial` after each level (every process alike) and every
/// `partial_every` points when alone; cancellable within one H·v product (basin::Cancelled); the
/// objective's parameters and BatchNorm mode are restored afterwards, also when cancelled or
/// failed, and the map keeps what was computed. Throws basin::Error for a non-finite product.
void computeCurvatureMapPoints(Objective& objective, const SurfacePlan& plan, SurfaceGrid& map,
                               JobContext* job = nullptr,
                               const std::function<void(const SurfaceGrid&)>& on_partial = {}, int partial_every = 16,
                               const SurfaceDeal& deal = {});

/// The whole map on one process (options validated first, directions planned at the objective's
/// weights). `publish` sees the map each time more points are done, and once complete. The
/// provenance's seconds and hvp_count are set.
SurfaceGrid computeCurvatureMap(Objective& objective, const CurvatureMapOptions& options, JobContext* job = nullptr,
                                const std::function<void(const SurfaceGrid&)>& publish = {});

/// surfaceJson of a map, and back; the reader refuses a grid that is not a curvature map.
std::string curvatureMapJson(const SurfaceGrid& map);
SurfaceGrid curvatureMapFromJson(const std::string& json_text, const std::string& origin);

/// What a map spent: H·v in all, per computed point (mean), and split by warm and cold starts.
struct CurvatureMapCost {
    int64_t points = 0, warm_points = 0;
    int64_t hvp = 0, warm_hvp = 0, cold_hvp = 0;
    double perPoint() const { return points ? double(hvp) / double(points) : 0.0; }
};
CurvatureMapCost curvatureMapCost(const SurfaceGrid& map);

}  // namespace basin
