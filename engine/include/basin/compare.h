#pragma once
/// Checkpoints side by side: the same analyses on each (a table), and the path between two of
/// them (linear interpolation: loss, accuracy and top eigenvalue along it, and the barrier).
#include <string>
#include <vector>

#include "basin/curvature.h"
#include "basin/objective.h"

namespace basin {

struct CheckpointRow {
    std::string model;
    Evaluation eval;
    SpectrumResult spectrum;  ///< with the options given (same seed for every checkpoint)
};

/// Each checkpoint opened with the study's data and settings, evaluated, and its spectrum computed.
/// `on_row` (if given) sees each row as it is finished.
std::vector<CheckpointRow> compareCheckpoints(const StudySpec& spec, const std::vector<std::string>& checkpoints,
                                              const SpectrumOptions& options, JobContext* job = nullptr,
                                              const std::function<void(const CheckpointRow&)>& on_row = {});

struct PathPoint {
    double t = 0;  ///< 0 at the first checkpoint, 1 at the second
    Evaluation eval;
    double top_eigenvalue = 0;
};

struct PathResult {
    std::string from, to;
    std::vector<PathPoint> points;
    /// max_t L(t) - max(L(0), L(1)): how far the path climbs above the higher end.
    double barrier_over_ends = 0;
    /// max_t [L(t) - ((1 - t) L(0) + t L(1))]: the height above the straight line (Frankle et al. 2020).
    double barrier_over_line = 0;
    double t_max = 0;  ///< where the loss is highest
};

/// `points` values of t evenly from 0 to 1 (at least 2). The top eigenvalue at each point comes
/// from Lanczos with `eigen` (top_k is forced to 1); set eigen.max_hvp = 0 to skip it.
PathResult interpolationPath(const StudySpec& spec, const std::string& from, const std::string& to, int points,
                             EigenOptions eigen, JobContext* job = nullptr);

/// One table row as JSON: model, loss, accuracy, lambda_max, lambda_min, top_eigenvalues, trace,
/// trace_stderr, outliers, bulk_edge, hvp_count (and the density when computed). Rows are kept as
/// JSON so that rows stored in a study file and new ones make one table.
std::string checkpointRowJson(const CheckpointRow& row);
/// {"checkpoints": [rows], "path": {...}} and the table as CSV.
std::string compareJson(const std::vector<std::string>& row_jsons, const PathResult* path);
std::string compareCsv(const std::vector<std::string>& row_jsons);

}  // namespace basin
