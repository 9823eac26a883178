#include "basin/checkpoint_line.h"

#include "basin/objective.h"

namespace basin {

CheckpointLine checkpointLine(const Objective& o, const std::string& from, const std::string& to) {
    CheckpointLine line;
    line.from_weights = o.parametersOfModel(from);
    line.to_weights = o.parametersOfModel(to);
    line.from_buffers = o.buffersOfModel(from);
    line.to_buffers = o.buffersOfModel(to);
    return line;
}

Eigen::VectorXd lerp(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double t) {
    // a + t (b - a) misses b at t = 1 by rounding; (1 - t) a + t b is exact at both ends, and the
    // branches make that so whatever the compiler does with it.
    if (t == 0) return a;
    if (t == 1) return b;
    return (1 - t) * a + t * b;
}

void placeOnLine(Objective& o, const CheckpointLine& line, double t) {
    o.setParameters(lerp(line.from_weights, line.to_weights, t));
    if (line.from_buffers.size() > 0) o.setBuffers(lerp(line.from_buffers, line.to_buffers, t));
}

}  // namespace basin
