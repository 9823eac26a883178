#pragma once
// Plain n-dimensional arrays read from NumPy, IDX and CSV files, before they become tensors.
// These readers know nothing of torch, so they compile fast and are tested on their own.
#include <cstdint>
#include <utility>
#include <string>
#include <vector>

namespace basin::detail {

enum class ElemType { UInt8, Int8, Int16, Int32, Int64, Float32, Float64, Bool };

struct RawArray {
    ElemType type = ElemType::Float32;
    std::vector<int64_t> shape;
    std::vector<unsigned char> bytes;  // little-endian, C order

    int64_t count() const;
    static int elemSize(ElemType t);
};

// Arrays in file order (CSV column order matters: it is the order of the model's inputs).
using NamedArrays = std::vector<std::pair<std::string, RawArray>>;
const RawArray* findArray(const NamedArrays& arrays, const std::string& name);

// Each reader throws basin::Error("<path>", "<what is wrong>") on a missing, truncated or
// malformed file, or on an element type Basin cannot use (complex, object, strings).
RawArray readNpy(const std::string& path);
RawArray parseNpy(const std::string& path, const unsigned char* data, size_t size);
NamedArrays readNpz(const std::string& path);
RawArray readIdx(const std::string& path);  // gzipped or not
// CSV with a header line; every column numeric. Returns one column vector per header name.
NamedArrays readCsv(const std::string& path);

// The text of the first zip entry whose name ends with `suffix` (e.g. "/version" in a PyTorch
// archive); empty if the file is no zip or has no such entry.
std::string zipEntryText(const std::string& path, const std::string& suffix);

// Whole file into memory; throws basin::Error if it cannot be read.
std::vector<unsigned char> readFileBytes(const std::string& path);
bool fileExists(const std::string& path);
// MemAvailable from /proc/meminfo, in bytes (the largest int64 when unknown).
int64_t availableMemoryBytes();

}  // namespace basin::detail
