#pragma once
/// Results as JSON text: one home for the keys that basin-cli prints, the study file stores and
/// the GUI exports, so they never drift apart.
#include <string>

#include "basin/objective.h"

namespace basin {

/// {"model", "parameters", "groups": [{"name","parameters"}], "samples", "classes", "input_shape",
///  "inputs": [{"name", "argument", "shape", "dtype"}], "output" (which part of forward()'s result),
///  "output_shape", "sample" ("first" | "random"), "sample_indices" (random only),
///  "loss_function", "loss", "accuracy" (null when the loss has none), "dtype", "seed"; for
///  cross-entropy and NLL also "class_axis", "class_axis_rule", "ignore_index", "targets_counted",
///  "targets_ignored"}
std::string infoJson(const Objective& objective, const Evaluation& eval);

}  // namespace basin
