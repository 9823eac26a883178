#pragma once
// Torch-side loading: data files into tensors, TorchScript models with clear errors.
// Only engine .cpp files include this header (it includes torch).
#include <torch/library.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "basin/objective.h"
#include "basin/study.h"

namespace basin::detail {

// One argument of the model's forward() (after self), from its TorchScript schema.
struct ForwardArgument {
    std::string name;
    std::optional<c10::IValue> default_value;
};
std::vector<ForwardArgument> forwardArguments(const torch::jit::Module& module);

struct Dataset {
    // The arrays fed to forward(), N x ... each: floating point in the working dtype, integers as
    // int64 (uint8 is taken for pixels and becomes floating point), booleans as they are.
    std::vector<torch::Tensor> inputs;
    // forward()'s positional arguments: call[i] >= 0 is inputs[call[i]], -1 its default value
    // (an optional argument with no array before one that has an array). Empty: inputs in order.
    std::vector<int> call;
    std::vector<c10::IValue> call_defaults;  // parallel to call
    torch::Tensor targets;  // cross-entropy / NLL: int64 class indices N x ...; else N x ... (working dtype)
    torch::Tensor counted;  // int64 N: each sample's targets in the loss (not ignore_index); 1 for other losses
    DataSummary summary;
};

// Reads the study's data (`data` is spec.data with "{rank}" resolved), matches arrays to
// forward()'s arguments, keeps `samples` of them (the first, or a seeded random subset), checks
// counts and target types against the loss. Throws basin::Error naming the file and the problem.
Dataset loadDataset(const StudySpec& spec, const DataSpec& data, const std::vector<ForwardArgument>& args,
                    torch::Dtype dtype);

// Which samples a study takes out of `available`: empty for the first `samples` (0 = all),
// else the indices of a seeded random subset in the order used (Fisher-Yates over mt19937-64,
// the same on every platform for the same seed).
std::vector<int64_t> sampleIndices(SampleMode mode, int64_t available, int64_t samples, uint64_t seed);

// All named tensors in a data file of any supported format (.npy gives one named "").
std::vector<std::pair<std::string, torch::Tensor>> readTensors(const std::string& path);

// Loads a TorchScript file, in eval mode; errors name the file and say what it is instead
// (a torch.save pickle, a file from a newer PyTorch, not a zip archive at all), and for an
// operator LibTorch lacks, which one and how to export a model without it.
torch::jit::Module loadModel(const std::string& path);

// Whether `path` is a torch.save zip archive (a state dict, ...) rather than TorchScript. Throws
// basin::Error naming the file when it is not a zip archive, is damaged or is too new.
bool isTorchSaveFile(const std::string& path);

// A checkpoint of the study's architecture: TorchScript as it is, or a state dict loaded into a
// fresh copy of the TorchScript file `arch_path`. The module is in eval mode, in `dtype`.
torch::jit::Module loadCheckpoint(const std::string& path, const std::string& arch_path, torch::Dtype dtype);

torch::Dtype torchDtype(DType d);

// Registers `kernel` for aten::`op` at dispatch key `key` for the rest of the process, unless the
// environment sets `off_variable` (to anything but "" or "0"); returns whether it did. The
// dispatcher's warning that a kernel is overridden (the point) is kept from the terminal. Each
// caller keeps the answer in a function-local static, so it registers once.
bool overrideAtenKernel(const char* off_variable, c10::DispatchKey key, const char* op, torch::CppFunction kernel);

// Routes PyTorch's slow CPU transposed convolution (the second backward of every convolution)
// through the convolution's own backward-data kernel (fast_conv_transpose.cpp), unless the
// environment sets BASIN_SLOW_CONV_TRANSPOSE=1. Returns whether the fast path is in use.
bool useFastTransposedConvolution();

// Differentiates eval-mode BatchNorm as the per-channel affine map it is (fast_batch_norm.cpp),
// so H·v does not pay for batch_norm's general second backward, unless the environment sets
// BASIN_NATIVE_BATCH_NORM=1. Returns whether it is in use.
bool useAffineEvalBatchNorm();

// A convolution's second backward computes only the gradients autograd asks for
// (fast_conv_double_backward.cpp): PyTorch's computes the input's even when nothing needs it,
// as for the first layer, whose input is the data. Unless the environment sets
// BASIN_NATIVE_CONV_DOUBLE_BACKWARD=1. Returns whether it is in use.
bool useMaskedConvolutionDoubleBackward();

// Matrix products (aten::mm, addmm, bmm) in float32 and float64 by Eigen's GEMM instead of the
// system BLAS, which on Debian is by default the unblocked reference BLAS (fast_matmul.cpp),
// unless the environment sets BASIN_TORCH_MATMUL=1. Returns whether it is in use.
bool useEigenMatrixProducts();

// The one sentence worth showing from a LibTorch or TorchScript exception: TorchScript errors end
// with "RuntimeError: <what>" after a traceback; c10::Error starts with the message (after any
// empty lines), then a backtrace or the source it points at. Never empty.
std::string torchMessage(const std::exception& e);

}  // namespace basin::detail
