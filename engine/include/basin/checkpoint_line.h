#pragma once
/// The straight line between two checkpoints, weights and BatchNorm statistics together: the one
/// code path for compare's interpolation path and the surface's checkpoint line, so both hit their
/// ends exactly (t = 0 is the first checkpoint, t = 1 the second, bit for bit).
#include <Eigen/Core>
#include <string>

namespace basin {

class Objective;

struct CheckpointLine {
    Eigen::VectorXd from_weights, to_weights;
    /// The floating-point buffers (BatchNorm's running mean and variance, ...) of each end, in
    /// Objective::bufferInfos() order; empty for a model without any.
    Eigen::VectorXd from_buffers, to_buffers;
};

/// Reads both checkpoints (TorchScript or state dict, as Objective::parametersOfModel) in `o`'s
/// parameter and buffer order. Throws basin::Error naming the file whose names or shapes differ.
CheckpointLine checkpointLine(const Objective& o, const std::string& from, const std::string& to);

/// (1 - t) a + t b, and exactly a at t = 0, exactly b at t = 1.
Eigen::VectorXd lerp(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double t);

/// Puts `o` at t on the line: weights lerp(from, to, t), and the buffers lerp'd the same way, so
/// BatchNormMode::Eval evaluates with statistics interpolated with the weights (each end its own
/// checkpoint's). Under BatchNormMode::Recompute the objective recomputes them at evaluation.
void placeOnLine(Objective& o, const CheckpointLine& line, double t);

}  // namespace basin
