#pragma once
// The flags that choose a plane (directions, grid, range, BatchNorm, layer group), shared by
// basin-cli surface, curvature-map and probe: each overrides one field of the study's options.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "basin/surface.h"

namespace basin::cli {

struct SurfaceFlags {
    std::optional<std::string> dirs, norm, ignore, grid, range, bn, group;
    std::string checkpoints;
    bool orthogonal = false;

    /// --dirs, --norm, --ignore, --orthogonal, --bn, --checkpoints, --group; with `grid`, also
    /// --grid and --range.
    void add(CLI::App& cmd, bool grid = true);
    /// `base` with the given flags applied (not validated: the caller validates the whole).
    SurfaceJobOptions apply(SurfaceJobOptions base) const;
};

}  // namespace basin::cli
