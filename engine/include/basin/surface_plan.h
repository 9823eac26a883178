#pragma once
/// From what a user asks for ("random directions, filter-normalised", "the plane through three
/// checkpoints", "PCA of the trajectory") to an origin and directions: one home for the choice,
/// shared by basin-cli and the GUI.
#include <optional>
#include <string>
#include <vector>

#include "basin/checkpoint_line.h"
#include "basin/directions.h"
#include "basin/surface.h"

namespace basin {

struct SurfaceRequest {
    /// random | eigen (top two) | eigen-neg (largest and most negative) | checkpoints | pca |
    /// FILE[,FILE] (.npy flat vectors or named tensors)
    std::string dirs = "random";
    DirectionNorm norm = DirectionNorm::Filter;
    IgnoreMode ignore = IgnoreMode::BiasBN;
    bool orthogonal = false;  ///< make dy orthogonal to dx (random and file directions)
    bool two_d = true;        ///< a plane; false for a line
    uint64_t seed = 0;
    std::vector<std::string> checkpoints;  ///< for checkpoints and pca; empty = the study's
    /// Restrict the directions to this layer group (SurfaceJobOptions::group); empty: all parameters.
    std::string group;
};

struct SurfacePlan {
    Eigen::VectorXd origin, dx;
    std::optional<Eigen::VectorXd> dy;
    std::string x_label, y_label;
    double cosine_xy = 0;                           ///< cosine between the directions before orthogonalisation
    std::vector<std::array<double, 2>> trajectory;  ///< checkpoints in plane (or line) coordinates
    std::vector<std::string> trajectory_labels;
    std::optional<std::array<double, 4>> suggested_range;  ///< x0, x1, y0, y1 covering the trajectory
    std::string description;                               ///< one line, written into outputs
    /// The line between two checkpoints (dirs "checkpoints", one direction): the points are placed
    /// with placeOnLine, weights and BatchNorm statistics together, exact at x = 0 and x = 1.
    std::optional<CheckpointLine> line;
};

/// Builds the plan at the objective's current parameters. Throws basin::Error on bad requests
/// (too few checkpoints, a file of the wrong size, checkpoints of another architecture).
SurfacePlan planSurface(Objective& objective, const SurfaceRequest& request, JobContext* job = nullptr);

/// Puts `o` at (x, y) of `plan`: on its checkpoint line when it has one (placeOnLine: statistics
/// too, the ends exact; y is 0 there), else at origin + x·dx + y·dy. How curvature maps and probes
/// place a point (computeSurface does the same with the plan's parts). `scratch` avoids an
/// allocation per point. The caller restores the weights (and, with a line, the buffers).
void placeOnPlan(Objective& o, const SurfacePlan& plan, double x, double y, Eigen::VectorXd& scratch);

}  // namespace basin
