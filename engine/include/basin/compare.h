#pragma once
/// Checkpoints side by side: the same analyses on each (a table), and the path between two of
/// them (linear interpolation: loss, accuracy and top eigenvalue along it, and the barrier).
#include <string>
#include <vector>

#include "basin/curvature.h"
#include "basin/objective.h"
#include "basin/surface.h"

namespace basin {

/// The compare analysis's options (the contract of options.h). Every checkpoint gets the same
/// spectrum options (and surface options, when surfaces are asked for), seeded by `seed`.
struct CompareOptions {
    std::vector<std::string> checkpoints;  ///< model files; empty: the study's
    SpectrumOptions spectrum;              ///< each checkpoint's spectrum (its seed is `seed`)
    bool surfaces = false;                 ///< a loss surface around each checkpoint
    SurfaceJobOptions surface;             ///< their options (their own grid, not the Surface tab's)
    /// Every surface along the directions planned at the first checkpoint (literally the same
    /// vectors), instead of directions normalised at each checkpoint's own weights.
    bool same_directions = false;
    int path_points = 0;     ///< points on the line between the first and the last checkpoint (0: none)
    int path_max_hvp = 100;  ///< Lanczos cap for the top eigenvalue at each path point (0: none)
    /// BatchNorm along the path: Eval interpolates the running statistics with the weights (so
    /// both ends are their checkpoints exactly); Recompute recomputes them at every point.
    BatchNormMode path_bn = BatchNormMode::Eval;
    uint64_t seed = 0;  ///< the study's seed
};

void validate(const CompareOptions& options);
std::string toJson(const CompareOptions& options);
CompareOptions compareOptionsFromJson(const std::string& json_text, const std::string& origin);

struct CheckpointRow {
    std::string model;
    Evaluation eval;
    SpectrumResult spectrum;  ///< with the options given (same seed for every checkpoint)
    Provenance provenance;    ///< analysis "compare-row": this checkpoint's bytes and the spectrum options
};

/// One checkpoint opened with the study's data and settings, evaluated, and its spectrum computed.
CheckpointRow checkpointRow(const StudySpec& spec, const std::string& checkpoint, const SpectrumOptions& options,
                            JobContext* job = nullptr);

/// The provenance a row of `checkpoint` with these spectrum options would have, without computing
/// it (reads the checkpoint's and data's bytes): its key finds a stored row.
Provenance checkpointRowProvenance(const StudySpec& spec, const std::string& checkpoint,
                                   const SpectrumOptions& options);

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
    std::string bn;    ///< how BatchNorm was treated along the path, in words
    Provenance provenance;
};

/// `points` values of t evenly from 0 to 1 (at least 2), t = 0 and t = 1 exactly the two
/// checkpoints (weights and BatchNorm statistics). The top eigenvalue at each point comes from
/// Lanczos with `eigen` (top_k is forced to 1); set eigen.max_hvp = 0 to skip it.
PathResult interpolationPath(const StudySpec& spec, const std::string& from, const std::string& to, int points,
                             EigenOptions eigen, JobContext* job = nullptr, BatchNormMode bn = BatchNormMode::Eval);

/// The options of a path as canonical JSON (its result key's options; the path's bytes are `from`'s
/// as the model and `to`'s as a referenced file).
std::string pathOptionsJson(const std::string& from, const std::string& to, int points, const EigenOptions& eigen,
                            BatchNormMode bn);

/// One table row as JSON: model, loss, accuracy, lambda_max, lambda_min, top_eigenvalues, trace,
/// trace_stderr, outliers, bulk_edge, hvp_count, the whole spectrum and the provenance; and back.
std::string checkpointRowJson(const CheckpointRow& row);
CheckpointRow checkpointRowFromJson(const std::string& json_text, const std::string& origin);
/// The path as JSON, and back.
std::string pathJson(const PathResult& path);
PathResult pathFromJson(const std::string& json_text, const std::string& origin);
/// {"checkpoints": [rows], "path": {...}, "options": {...}} and the table as CSV.
std::string compareJson(const std::vector<CheckpointRow>& rows, const PathResult* path,
                        const CompareOptions* options = nullptr);
std::string compareCsv(const std::vector<CheckpointRow>& rows);

}  // namespace basin
