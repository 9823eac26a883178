#pragma once
// The coarse-to-fine walk over a grid, shared by loss surfaces and curvature maps: one order, one
// deal of points to processes, one rule for when a partial grid is reported.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "basin/progress.h"
#include "basin/surface.h"

namespace basin::detail {

// The coarse-to-fine order of an nx x ny grid and, for each position in it, the stride of its level.
std::pair<std::vector<int64_t>, std::vector<int>> orderWithLevels(int nx, int ny);

// Visits, in coarse-to-fine order, every point of `grid` not yet done and dealt to this process;
// `visit(k)` computes point k (index j * nx + i) and marks it done. Progress is one step per point
// under `stage`. `on_partial` is called after each level (on every process alike, so it may
// gather) and, working alone, every `partial_every` points.
void walkGrid(SurfaceGrid& grid, const SurfaceDeal& deal, JobContext* job, const std::string& stage,
              const std::function<void(int64_t)>& visit, const std::function<void(const SurfaceGrid&)>& on_partial,
              int partial_every);

}  // namespace basin::detail
