#pragma once
/// Loss surfaces: the loss and accuracy at theta = origin + x * dx + y * dy on a grid (Li et al.
/// 2018), or along a line (dy absent). Grids are computed coarse to fine: the points on a lattice
/// of stride 2^k first, then each finer lattice, so a usable picture exists after a few percent of
/// the points. A grid carries a mask of computed points, so a cancelled grid resumes where it stopped.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "basin/checkpoint_line.h"
#include "basin/directions.h"
#include "basin/objective.h"
#include "basin/progress.h"
#include "basin/provenance.h"

namespace basin {

/// The loss-surface analysis's options (the contract of options.h): which directions, which grid,
/// how BatchNorm behaves. The directions' seeds come from `seed` by seedFor().
struct SurfaceJobOptions {
    /// random | eigen (top two) | eigen-neg (largest and most negative) | checkpoints | pca |
    /// FILE[,FILE] (.npy flat vectors or named tensors)
    std::string dirs = "random";
    DirectionNorm norm = DirectionNorm::Filter;  ///< random and file directions
    IgnoreMode ignore = IgnoreMode::BiasBN;
    bool orthogonal = false;               ///< make the second direction orthogonal to the first
    std::vector<std::string> checkpoints;  ///< for checkpoints and pca; empty: the study's
    int nx = 21, ny = 21;                  ///< ny = 1 computes a line
    /// x0, x1, y0, y1; none: [-1, 1]^2, or for checkpoints and pca the span of the trajectory
    std::optional<std::array<double, 4>> range;
    BatchNormMode bn = BatchNormMode::Eval;
    uint64_t seed = 0;  ///< the study's seed
    /// Plan the directions at this model's weights (same architecture) instead of the surface's own
    /// origin: compare's "same directions" (empty: at the surface's own weights).
    std::string directions_model;
    /// One layer's landscape (Q-BERT's per-layer view): the directions move only this layer group
    /// (a name of Objective::groups(), or several joined as "conv1+bn1"), zero elsewhere; random
    /// ones filter-normalised within it, eigen ones the top eigenvectors of its Hessian block.
    /// Empty: every parameter. Not offered for checkpoints and pca, which follow the trajectory.
    std::string group;

    bool isLine() const { return ny <= 1; }
};

/// Throws basin::Error naming the option (a grid of fewer than 2 points along x, more than a
/// million points in all, a range whose end is not above its start, or not finite).
void validate(const SurfaceJobOptions& options);
std::string toJson(const SurfaceJobOptions& options);
SurfaceJobOptions surfaceOptionsFromJson(const std::string& json_text, const std::string& origin);
/// The files besides the study's whose bytes change the surface: checkpoints (for checkpoints and
/// pca, the study's when the options name none) and direction files.
std::vector<std::string> referencedFiles(const SurfaceJobOptions& options, const StudySpec& spec);

/// The curvature part of a curvature map's options (curvature_map.h holds the whole
/// CurvatureMapOptions: these and the surface's).
struct CurvatureSettings {
    bool lambda_min = true;  ///< both ends, λmax and λmin, from one Krylov space; false: λmax alone
    double tol = 1e-3;       ///< the Ritz residual rule at each point: ||H u - λ u|| <= tol * |λ|max
    int max_hvp = 100;       ///< cap on the H·v products of each point's eigenvalues
    int trace_probes = 0;    ///< Hutchinson probes at each point, the same at every point; 0: no trace
    bool warm_start = true;  ///< start each point's Lanczos from its nearest computed neighbour's Ritz vectors
};

/// The curvature at every point of a grid: what makes a surface a curvature map. Same layout as
/// SurfaceGrid::loss (j * nx + i); NaN where not computed (and λmin, trace where not asked for).
struct GridCurvature {
    CurvatureSettings settings;
    std::vector<double> lambda_max, lambda_min;
    std::vector<double> trace, trace_stderr;  ///< Hutchinson mean and its standard error
    std::vector<int32_t> hvp;                 ///< H·v products spent at each point (eigenvalues and trace)
    std::vector<uint8_t> converged;           ///< 1 where the residual rule held within max_hvp
    std::vector<uint8_t> warm;                ///< 1 where Lanczos started from a neighbour's Ritz vectors

    /// |λmin / λmax| at point k (Li et al.'s measure of how far from convex); NaN when unknown.
    double ratio(size_t k) const;
};

struct SurfaceGrid {
    std::vector<double> xs, ys;          ///< coordinates; ys has one entry (0) for a line
    std::vector<double> loss, accuracy;  ///< ys.size() x xs.size(), x fastest: index j * nx + i
    std::vector<uint8_t> done;           ///< 1 where computed
    std::string x_label = "x", y_label = "y";
    std::string bn_mode = "eval";
    std::vector<std::array<double, 2>> trajectory;  ///< checkpoints in plane coordinates, if any
    std::vector<std::string> trajectory_labels;
    double cosine_xy = 0;        ///< cosine between the two directions (before any orthogonalisation)
    SurfaceJobOptions options;   ///< what it was asked with (a grid made by hand keeps the defaults)
    Provenance provenance;       ///< what made it (empty for a grid made by hand)
    std::string directions_key;  ///< digest of the direction vectors' bytes (empty when unknown)
    /// Present for a curvature map (curvature_map.h): λmax, λmin, trace at every point.
    std::optional<GridCurvature> curvature;

    int nx() const { return int(xs.size()); }
    int ny() const { return int(ys.size()); }
    bool is2D() const { return ys.size() > 1; }
    int64_t computed() const;
    bool complete() const { return computed() == int64_t(xs.size() * ys.size()); }
    /// Index of the smallest computed loss, -1 if none.
    int64_t argminLoss() const;
};

struct SurfaceOptions {
    int nx = 51, ny = 51;  ///< ny = 1 for a line
    double x0 = -1, x1 = 1, y0 = -1, y1 = 1;
    BatchNormMode bn = BatchNormMode::Eval;
};

/// An empty grid with the coordinates laid out (linspace of each range).
SurfaceGrid makeGrid(const SurfaceOptions& options);

/// Coarse-to-fine visiting order of an nx x ny grid: every index exactly once, the points of
/// stride 2^k (k from large to 0) first; the grid's corners come in the first level.
std::vector<int64_t> progressiveOrder(int nx, int ny);

/// Points dealt to processes: the n-th point of the coarse-to-fine order goes to rank n % size,
/// so every process has a share of every level.
struct SurfaceDeal {
    int rank = 0, size = 1;
};

/// Fills the points of `grid` not yet done (of those dealt to this process). `on_partial` is called after each
/// coarse-to-fine level and every `partial_every` points; with a deal of size > 1 only after each level, on every
/// process at the same points (so it may gather). The objective's parameters are restored afterwards, also when
/// cancelled (basin::Cancelled) or failed; the grid then keeps what was computed. With `line` (a 1-D grid between two
/// checkpoints, SurfacePlan::line) the point at x is placeOnLine(line, x) instead of origin + x dx: the BatchNorm
/// statistics move with the weights and x = 0, x = 1 are the checkpoints exactly; the buffers are restored afterwards
/// too.
void computeSurface(Objective& objective, const Eigen::VectorXd& origin, const Eigen::VectorXd& dx,
                    const Eigen::VectorXd* dy, SurfaceGrid& grid, BatchNormMode bn, JobContext* job = nullptr,
                    const std::function<void(const SurfaceGrid&)>& on_partial = {}, int partial_every = 64,
                    const SurfaceDeal& deal = {}, const CheckpointLine* line = nullptr);

/// JSON (keys: xcoordinates, ycoordinates, loss, accuracy, done, x_label, y_label, bn, trajectory,
/// options, provenance, directions_key; a curvature map adds curvature{settings, lambda_max,
/// lambda_min, trace, trace_stderr, hvp, converged, warm}), every field as a list of rows (one per
/// y), and back; CSV with columns x, y, loss, accuracy (a map adds lambda_max, lambda_min, ratio,
/// trace, trace_stderr, hvp).
std::string surfaceJson(const SurfaceGrid& grid);
SurfaceGrid surfaceFromJson(const std::string& text, const std::string& origin);

/// Takes the computed points of `partial` (read from `origin`) into `grid`, after checking that both
/// were made the same way: the same model and data bytes and study settings, the same options
/// (directions, seed, normalisation, grid, range, BatchNorm), the same direction vectors and
/// coordinates; for a curvature map also its curvature settings. Anything different is refused
/// with a sentence saying what differs.
void resumeFrom(SurfaceGrid& grid, const SurfaceGrid& partial, const std::string& origin);
std::string surfaceCsv(const SurfaceGrid& grid);

}  // namespace basin
