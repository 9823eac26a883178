#pragma once
/// What StructureView draws: where curvature lives, as plain numbers (the app converts the engine's
/// structure result into this struct). Every part may be empty (not computed).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace basin::widgets {

/// One layer group's bar: its OBD saliency and its mean Hessian diagonal, each with a standard error.
struct StructureGroupBar {
    std::string name;
    int64_t size = 0;
    double saliency = 0, saliency_err = 0;    ///< Σ diag(H) w² / 2 over the group
    double mean_diag = 0, mean_diag_err = 0;  ///< Σ diag(H) / size
};

/// One row of the ranked table of least salient structures.
struct SaliencyRow {
    std::string name;
    int64_t size = 0;
    double saliency = 0, saliency_err = 0;
    double weight_sq = 0;
};

/// Zeroing k structures: the measured loss by saliency and by magnitude, and OBD's predictions.
struct RemovalPoint {
    int k = 0;
    double loss_saliency = 0, loss_magnitude = 0;
    double predicted_saliency = 0, predicted_magnitude = 0;
};

/// A matrix of values in [0, 1] drawn as colours, one row per `rows` entry (top first).
struct Heatmap {
    std::string title, row_label, col_label;
    std::vector<std::string> rows, cols;
    std::vector<std::vector<double>> values;  ///< [row][col]
    bool empty() const { return rows.empty() || cols.empty(); }
};

/// The k-th largest eigenvalue of H beside that of block-diag(H), and the k-th principal angle.
struct BlockRow {
    int rank = 0;
    std::optional<double> full, block;
    std::string block_name;
    std::optional<double> angle_deg;
};

struct StructurePlotData {
    std::string title;
    std::vector<StructureGroupBar> groups;  ///< empty when the diagonal was not computed
    std::string prune_level;                ///< "channel", "weight" or "head"
    std::vector<SaliencyRow> least_salient;
    double base_loss = 0;
    std::vector<RemovalPoint> removal;
    Heatmap localisation;  ///< eigenvector × layer group: share of squared norm
    Heatmap classes;       ///< outlier eigenvector × class: cos² with the class-mean gradient
    std::vector<BlockRow> blocks;
    std::vector<std::string> notes;  ///< what each part cost, alignment numbers, the head rule
    bool empty() const {
        return groups.empty() && localisation.empty() && classes.empty() && blocks.empty() && notes.empty();
    }
};

}  // namespace basin::widgets
