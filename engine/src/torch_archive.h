#pragma once
// Checks on PyTorch zip archives (torch.save files and TorchScript models) that LibTorch 1.13
// does not make itself: its unpickler trusts each storage's element count from the pickle and
// each tensor's shape, strides and offset, so a record shorter than its tensor is read past the
// end of its buffer (a crash, or different numbers on every run). No torch header here, so the
// engine's tests (and fuzz harnesses) can call checkArchiveStorages without compiling LibTorch's.
#include <string>

namespace at {
class Tensor;
}

namespace basin::detail {

/// Reads the archive's pickles (data.pkl, and constants.pkl in a TorchScript file) without loading
/// any weight, and checks every tensor they describe against the zip record that holds its bytes:
/// the record exists, holds at least the storage's bytes, and every element of the tensor (offset,
/// sizes, strides) lies inside that storage. Call it before torch::jit::load or torch::pickle_load.
/// Throws basin::Error(path, one sentence) on a damaged, truncated or altered archive; returns
/// quietly for a sound one. `path` must be a regular file (readFileBytes checked it).
void checkArchiveStorages(const std::string& path);

/// Throws basin::Error(path, ...) unless `t` is a dense, non-quantized tensor whose elements all
/// lie inside its storage; `name` says which entry of the file it is.
void checkUsableTensor(const std::string& path, const std::string& name, const at::Tensor& t);

}  // namespace basin::detail
