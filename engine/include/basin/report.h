#pragma once
/// Results as JSON text: one home for the keys that basin-cli prints, the study file stores and
/// the GUI exports, so they never drift apart.
#include <string>

#include "basin/objective.h"

namespace basin {

/// {"model", "parameters", "groups": [{"name","parameters"}], "samples", "classes", "input_shape",
///  "loss_function", "loss", "accuracy" (null when the loss has none), "dtype", "seed"}
std::string infoJson(const Objective& objective, const Evaluation& eval);

}  // namespace basin
