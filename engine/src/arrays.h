#pragma once
// Plain n-dimensional arrays read from NumPy, IDX and CSV files, before they become tensors.
// These readers know nothing of torch, so they compile fast and are tested (and fuzzed) on their own.
//
// Files come from strangers, so every reader validates before it allocates: dimensions are
// non-negative, element and byte counts are computed with overflow checks and must equal what the
// file holds, checksums are verified (zip CRC-32, gzip CRC-32 and length), what a file declares
// is checked against free memory before it is allocated, and FIFOs, devices and folders are
// refused before they are opened.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace basin::detail {

enum class ElemType { UInt8, Int8, Int16, Int32, Int64, Float32, Float64, Bool };

struct RawArray {
    ElemType type = ElemType::Float32;
    std::vector<int64_t> shape;        // every entry >= 0; their product fits in int64
    std::vector<unsigned char> bytes;  // little-endian, C order; exactly count() * elemSize(type)

    int64_t count() const;
    static int elemSize(ElemType t);
};

// Arrays in file order (CSV column order matters: it is the order of the model's inputs).
using NamedArrays = std::vector<std::pair<std::string, RawArray>>;
const RawArray* findArray(const NamedArrays& arrays, const std::string& name);

// Each reader throws basin::Error("<path>", "<what is wrong>") on a missing, truncated, damaged
// or malformed file, or on an element type Basin cannot use (complex, object, strings).
RawArray readNpy(const std::string& path);
NamedArrays readNpz(const std::string& path);
RawArray readIdx(const std::string& path);  // gzipped or not
// CSV with a header line; every column numeric. Returns one column vector per header name.
NamedArrays readCsv(const std::string& path);

// The same readers on bytes already in memory (the fuzz harnesses call these); `path` is only
// used to name the origin in messages.
RawArray parseNpy(const std::string& path, const unsigned char* data, size_t size);
NamedArrays parseNpz(const std::string& path, const unsigned char* data, size_t size);
RawArray parseIdx(const std::string& path, const unsigned char* data, size_t size);
NamedArrays parseCsv(const std::string& path, const unsigned char* data, size_t size);

// The text of the first zip entry whose name ends with `suffix` (e.g. "/version" in a PyTorch
// archive); empty if the file is no regular file, no zip, has no such entry or it is over 4 KiB.
std::string zipEntryText(const std::string& path, const std::string& suffix);

// Whole file into memory; throws basin::Error if it is missing, not a regular file, larger than
// free memory, or cannot be read completely.
std::vector<unsigned char> readFileBytes(const std::string& path);
bool fileExists(const std::string& path);
// Throws basin::Error unless `path` is a regular file (or a link to one): a FIFO, a device such as
// /dev/zero, a socket or a folder is refused without being opened, so nothing blocks or runs forever.
void requireRegularFile(const std::string& path);
// Throws basin::Error("<path>", "... more than the N MB of free memory ...") when `bytes` will not fit.
void requireMemory(const std::string& path, uint64_t bytes, const std::string& what);
// MemAvailable from /proc/meminfo, in bytes (the largest int64 when unknown).
int64_t availableMemoryBytes();
// Bytes the process has allocated and not freed (glibc's count; the resident set elsewhere): what
// a computation keeps, whether or not the allocator reused memory freed before.
int64_t allocatedBytes();
// Keeps freed memory for reuse instead of returning it to the system (glibc: allocations up to
// 32 MB from the heap, and the heap trimmed only above 512 MB free). H·v allocates and frees the
// same tensors every product; handing their pages back made every product fault them in again,
// zeroed (120,000 page faults in a top-5 spectrum of a small CNN, a quarter of its time). Once per
// process; the environment's glibc tunables still win if set.
void reuseFreedMemory();

// Reads up to `need` bytes with `read(dst, n) -> bytes read (fewer only at the end)` into `out`,
// which grows as data arrives (doubling, from 1 MiB): a size a file declares but does not hold
// costs no memory. Returns the bytes read; `out` holds exactly those.
template <class Read>
size_t readGrowing(std::vector<unsigned char>& out, uint64_t need, Read&& read) {
    out.clear();
    size_t got = 0;
    while (got < need) {
        const size_t chunk = size_t(std::min<uint64_t>(need - got, std::max<size_t>(got, size_t(1) << 20)));
        out.resize(got + chunk);
        const size_t k = read(out.data() + got, chunk);
        got += k;
        if (k < chunk) break;
    }
    out.resize(got);
    return got;
}
// Product of `shape` times `elem_size`, in bytes; throws basin::Error naming `path` when a
// dimension is negative or the product overflows 64 bits.
uint64_t checkedByteCount(const std::string& path, const std::vector<int64_t>& shape, int elem_size);

}  // namespace basin::detail
