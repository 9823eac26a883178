#pragma once
// Torch-side loading: data files into tensors, TorchScript models with clear errors.
// Only engine .cpp files include this header (it includes torch).
#include <torch/script.h>
#include <torch/torch.h>

#include <string>

#include "basin/objective.h"
#include "basin/study.h"

namespace basin::detail {

struct Dataset {
    torch::Tensor inputs;   // N x ..., in the working dtype
    torch::Tensor targets;  // N (int64 class indices) or N x ... (working dtype)
    DataSummary summary;
};

// Reads the study's data, keeps the first `samples` (0 = all), checks counts and target types
// against the loss. Throws basin::Error naming the file and the problem.
Dataset loadDataset(const DataSpec& spec, Loss loss, int64_t samples, torch::Dtype dtype);

// All named tensors in a data file of any supported format (.npy gives one named "").
std::vector<std::pair<std::string, torch::Tensor>> readTensors(const std::string& path);

// Loads a TorchScript file, in eval mode; errors name the file and say what it is instead
// (a torch.save pickle, a file from a newer PyTorch, not a zip archive at all).
torch::jit::Module loadModel(const std::string& path);

torch::Dtype torchDtype(DType d);

// Routes PyTorch's slow CPU transposed convolution (the second backward of every convolution)
// through the convolution's own backward-data kernel; once per process, unless the environment
// sets BASIN_SLOW_CONV_TRANSPOSE=1. Returns whether the fast path is in use.
bool useFastTransposedConvolution();

// The one sentence worth showing from a LibTorch or TorchScript exception: TorchScript errors end
// with "RuntimeError: <what>" after a traceback; c10::Error starts with the message, then a backtrace.
std::string torchMessage(const std::exception& e);

}  // namespace basin::detail
