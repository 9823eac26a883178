#pragma once
// Checks on PyTorch zip archives (torch.save files and TorchScript models) that LibTorch 1.13
// does not make itself: its unpickler trusts each storage's element count from the pickle and
// each tensor's shape, strides and offset, so a record shorter than its tensor is read past the
// end of its buffer (a crash, or different numbers on every run). No torch header here, so the
// engine's tests (and fuzz harnesses) can call checkPyTorchArchive without compiling LibTorch's.
#include <string>

namespace at {
class Tensor;
}

namespace basin::detail {

/// Checks a PyTorch zip archive before LibTorch reads it (call it before torch::jit::load or
/// torch::pickle_load). Reads the archive's pickles (data.pkl, and constants.pkl in a TorchScript
/// file) without loading any weight, and holds every tensor they describe against the zip record
/// that holds its bytes: the record exists, holds at least the storage's bytes, and every element
/// of the tensor (offset, sizes, strides) lies inside that storage. A TorchScript file's code
/// records must be text (LibTorch 1.13 crashes reporting the syntax error of a binary one), and
/// a class body may not assign a value without a type (LibTorch 1.13 crashes on that too). Every
/// record's CRC-32 is checked first (checkPyTorchChecksums).
/// Throws basin::Error(path, one sentence) on a damaged, truncated or altered archive; returns
/// quietly for a sound one. `path` must be a regular file (readFileBytes checked it).
void checkPyTorchArchive(const std::string& path);

/// Every record of a PyTorch zip archive read once and held against its size and CRC-32 in the
/// zip directory: PyTorch stores records uncompressed and LibTorch 1.13 checks no CRC, so a
/// flipped bit in a weight is otherwise read as a different weight. Throws basin::Error(path, ...)
/// naming the record. checkPyTorchArchive calls it; call it before reading a torch.save file any
/// other way.
void checkPyTorchChecksums(const std::string& path);

/// Walks a pickle's opcodes (no value is built) and throws basin::Error(where, sentence) unless
/// LibTorch 1.13's unpickler can run it safely: known opcodes only, no value taken from an empty
/// stack or across a MARK, no MARK closed that was not opened, memo entries stored in order
/// (0, 1, 2, ...) and none read before it is stored, dict items in pairs, values nested at most 256 deep (LibTorch
/// frees them recursively).
void checkPickleStream(const std::string& where, const unsigned char* data, size_t size);

/// Throws basin::Error(path, ...) unless `t` is a dense, non-quantized tensor whose elements all
/// lie inside its storage; `name` says which entry of the file it is.
void checkUsableTensor(const std::string& path, const std::string& name, const at::Tensor& t);

}  // namespace basin::detail
