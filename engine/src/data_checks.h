#pragma once
// Checks of loaded data that keep a non-finite number from ever reaching a result.
#include <torch/torch.h>

#include <string>

namespace basin::detail {

// Throws basin::Error naming `path`, the array and the first sample holding a NaN or an infinity
// when `values` (samples along dim 0) is floating point; integer and boolean arrays pass.
void checkFiniteSamples(const torch::Tensor& values, const std::string& path, const std::string& what);

// TorchScript's profiling executor runs a method's first calls as they are written and then swaps in
// an optimised graph (with its own autodiff formulas), so the first products of a process differ from
// later ones in their last bits, and a number would depend on what ran before it. Basin runs every
// graph unoptimised, the same from the first call on: the same study and seed give the same bits in
// the window, basin-cli and a test. Once per process.
void runTorchScriptAsWritten();

}  // namespace basin::detail
