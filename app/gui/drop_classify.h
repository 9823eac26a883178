#pragma once
// What a file dropped on the main window is for, judged by its name alone (no file is read), so
// the rule has a unit test and the window only acts on the answer.
#include <QString>

namespace basin::gui {

enum class DropKind {
    Study,    ///< a Basin study (.basin.json, .json): opened
    Model,    ///< a TorchScript model (.pt, .ptl): becomes the study's model
    Data,     ///< a data file: becomes the study's data (inputs)
    Targets,  ///< a single-array labels file (IDX labels, *labels*.npy): becomes the study's targets
    Refused,  ///< none of these; `reason` says why
};

struct DropClass {
    DropKind kind = DropKind::Refused;
    QString reason;  ///< for Refused: why, naming the file
};

/// Classifies a dropped local path. `is_dir` is whether it is a folder (refused). A .pt file is a
/// model unless its name says it holds data (data, dataset, inputs, targets, labels, images,
/// features), since both are saved with the same extension.
DropClass classifyDroppedPath(const QString& path, bool is_dir = false);

}  // namespace basin::gui
