#pragma once
/// Directions in parameter space for loss surfaces: random (Li et al. 2018, with filter, layer or
/// no normalisation), Hessian eigenvectors, checkpoint differences (Goodfellow et al. 2015;
/// Garipov et al. 2018), and PCA of a training trajectory. All are flat vectors laid out like
/// Objective::parametersFlat(); none of this code needs torch.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "basin/objective.h"

namespace basin {

enum class DirectionNorm { Filter, Layer, None };
enum class IgnoreMode { BiasBN, None };

DirectionNorm parseDirectionNorm(const std::string& name);  ///< filter | layer | none
IgnoreMode parseIgnoreMode(const std::string& name);        ///< biasbn | none

/// Gaussian direction normalised against the weights theta, as Li et al.'s code does it:
/// Filter: each filter (slice along dim 0) of each weight tensor gets the norm of the same filter
/// of theta; Layer: each tensor gets the norm of its tensor in theta; None: left as drawn.
/// Tensors of dimension <= 1 (biases, BatchNorm) are zeroed with IgnoreMode::BiasBN, else set to
/// theta's values (so a step of 1 doubles them, as in Li et al.).
Eigen::VectorXd randomDirection(const std::vector<ParameterInfo>& params, const Eigen::VectorXd& theta,
                                DirectionNorm norm, IgnoreMode ignore, uint64_t seed);

/// Applies the normalisation above to an existing direction (used for directions from files).
void normaliseDirection(Eigen::VectorXd& d, const std::vector<ParameterInfo>& params, const Eigen::VectorXd& theta,
                        DirectionNorm norm, IgnoreMode ignore);

/// Removes from `b` its component along `a` (Gram-Schmidt); returns the cosine between them before.
double orthogonalise(const Eigen::VectorXd& a, Eigen::VectorXd& b);
double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b);

/// The plane through three points (Garipov et al.): origin p0, orthonormal-direction basis scaled
/// so that p1 sits at (1, 0); the coordinates of the three points are returned.
struct Plane {
    Eigen::VectorXd origin, x, y;
    std::vector<std::array<double, 2>> points;  ///< coordinates of p0, p1, p2
};
Plane planeThrough(const Eigen::VectorXd& p0, const Eigen::VectorXd& p1, const Eigen::VectorXd& p2);

/// PCA of a trajectory: the rows are theta_i - theta_final for each checkpoint but the final one,
/// not centred, so the plane passes through the final weights (Li et al. centre them).
struct TrajectoryPCA {
    Eigen::VectorXd x, y;                          ///< first two principal axes, unit norm
    double explained_x = 0, explained_y = 0;       ///< fraction of variance each explains
    std::vector<std::array<double, 2>> projected;  ///< every checkpoint, final one at (0, 0)
};
/// `checkpoints` are flat parameter vectors in training order, the last one the origin.
TrajectoryPCA trajectoryPCA(const std::vector<Eigen::VectorXd>& checkpoints, const std::vector<ParameterInfo>& params,
                            IgnoreMode ignore);

/// Projects points onto the plane (origin, x, y): least-squares coordinates.
std::vector<std::array<double, 2>> projectOntoPlane(const std::vector<Eigen::VectorXd>& points,
                                                    const Eigen::VectorXd& origin, const Eigen::VectorXd& x,
                                                    const Eigen::VectorXd& y);

/// Writes a flat direction as a float64 .npy file (atomically); reads a direction from .npy (flat)
/// or from a dict of named tensors (.npz, torch.save .pt) matched to the parameter names.
void saveDirection(const std::string& path, const Eigen::VectorXd& d);
Eigen::VectorXd loadDirection(const std::string& path, const std::vector<ParameterInfo>& params);

}  // namespace basin
