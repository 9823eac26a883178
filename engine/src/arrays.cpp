// Reading files safely (regular files only, within free memory), IDX (gzipped or not) and CSV.
// NumPy's .npy and .npz are in numpy_arrays.cpp.
#include "arrays.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string_view>

#include "basin/error.h"

namespace basin::detail {

int RawArray::elemSize(ElemType t) {
    switch (t) {
        case ElemType::UInt8:
        case ElemType::Int8:
        case ElemType::Bool:
            return 1;
        case ElemType::Int16:
            return 2;
        case ElemType::Int32:
        case ElemType::Float32:
            return 4;
        case ElemType::Int64:
        case ElemType::Float64:
            return 8;
    }
    return 1;
}

int64_t RawArray::count() const {
    int64_t n = 1;
    for (auto d : shape) n *= d;  // validated by the readers: no overflow
    return n;
}

const RawArray* findArray(const NamedArrays& arrays, const std::string& name) {
    for (const auto& [n, a] : arrays)
        if (n == name) return &a;
    return nullptr;
}

int64_t availableMemoryBytes() {
    std::ifstream in("/proc/meminfo");
    std::string key, unit;
    int64_t kb = 0;
    while (in >> key >> kb >> unit)
        if (key == "MemAvailable:") return kb * 1024;
    return std::numeric_limits<int64_t>::max();
}

int64_t allocatedBytes() {
#ifdef __GLIBC__
    const struct mallinfo2 m = ::mallinfo2();
    return int64_t(m.uordblks + m.hblkhd);
#else
    std::ifstream in("/proc/self/statm");
    int64_t pages = 0, resident = 0;
    in >> pages >> resident;
    return resident * int64_t(::sysconf(_SC_PAGESIZE));
#endif
}

void reuseFreedMemory() {
#ifdef __GLIBC__
    static const bool once = [] {
        if (const char* t = std::getenv("GLIBC_TUNABLES"); t && std::strstr(t, "glibc.malloc.")) return false;
        ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
        ::mallopt(M_TRIM_THRESHOLD, 512 << 20);
        return true;
    }();
    (void)once;
#endif
}

void requireMemory(const std::string& path, uint64_t bytes, const std::string& what) {
    const int64_t free_bytes = availableMemoryBytes();
    if (bytes > uint64_t(free_bytes))
        throw Error(path, what + " is " + std::to_string(bytes >> 20) + " MB, more than the " +
                              std::to_string(free_bytes >> 20) +
                              " MB of free memory; use a smaller model or a subset of the data");
}

uint64_t checkedByteCount(const std::string& path, const std::vector<int64_t>& shape, int elem_size) {
    uint64_t n = uint64_t(elem_size);
    for (const int64_t d : shape) {
        if (d < 0) throw Error(path, "has a negative dimension (" + std::to_string(d) + ") in its header");
        if (__builtin_mul_overflow(n, uint64_t(d), &n) || n > uint64_t(std::numeric_limits<int64_t>::max()))
            throw Error(path, "declares an array too large to exist (its dimensions multiply past 2^63 bytes)");
    }
    return n;
}

bool fileExists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

namespace {

// What a stat() result is, for the message that refuses it.
std::string notRegular(mode_t mode) {
    if (S_ISDIR(mode)) return "is a folder, not a file";
    if (S_ISFIFO(mode)) return "is a FIFO (named pipe), not a regular file; copy its contents to a file first";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device, not a regular file";
    if (S_ISSOCK(mode)) return "is a socket, not a regular file";
    return "is not a regular file";
}

}  // namespace

void requireRegularFile(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) throw Error(path, "file not found");
        throw Error(path, std::string("cannot be read (") + std::strerror(errno) + ")");
    }
    if (!S_ISREG(st.st_mode)) throw Error(path, notRegular(st.st_mode));
}

std::vector<unsigned char> readFileBytes(const std::string& path) {
    requireRegularFile(path);
    // O_NONBLOCK: should the path have become a FIFO since the check, open() must not wait for a writer.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) throw Error(path, std::string("cannot be opened for reading (") + std::strerror(errno) + ")");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw Error(path, notRegular(st.st_mode));
    // Refuse before reading what cannot fit, rather than be killed half-way.
    requireMemory(path, uint64_t(st.st_size), "the file");
    std::vector<unsigned char> bytes(size_t(st.st_size));
    size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(path, std::string("could not be read (") + std::strerror(errno) + ")");
        if (n == 0) throw Error(path, "became shorter while it was being read; try again once it is written");
        got += size_t(n);
    }
    char extra = 0;
    if (::read(fd, &extra, 1) > 0) throw Error(path, "grew while it was being read; try again once it is written");
    return bytes;
}

// ---- gzip, from memory: every member's CRC-32 and length verified, output bounded by the caller --

namespace {

class GunzipReader {
public:
    GunzipReader(const std::string& path, const unsigned char* data, size_t size)
        : path_(path), in_(data), left_(size) {
        if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK)
            throw Error(path, "cannot start gzip decompression (out of memory?)");
    }
    ~GunzipReader() { inflateEnd(&zs_); }
    GunzipReader(const GunzipReader&) = delete;
    GunzipReader& operator=(const GunzipReader&) = delete;

    // Up to `n` decompressed bytes; fewer only at the end of the stream.
    size_t read(unsigned char* out, size_t n) {
        size_t got = 0;
        while (got < n && !done_) {
            feed();
            zs_.next_out = out + got;
            zs_.avail_out = uInt(std::min<size_t>(n - got, 1u << 30));
            const uInt before = zs_.avail_out;
            const int rc = inflate(&zs_, Z_NO_FLUSH);
            got += before - zs_.avail_out;
            if (rc == Z_STREAM_END) {
                nextMember();
            } else if (rc == Z_BUF_ERROR && zs_.avail_in == 0 && left_ == 0) {
                throw Error(path_, "truncated gzip stream (the file ends inside the compressed data)");
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                throw Error(path_, std::string("damaged gzip stream (") +
                                       (zs_.msg ? zs_.msg : "zlib error " + std::to_string(rc)) + ")");
            }
        }
        return got;
    }

private:
    void feed() {
        if (zs_.avail_in > 0 || left_ == 0) return;
        const size_t n = std::min<size_t>(left_, 1u << 30);
        zs_.next_in = const_cast<Bytef*>(in_);
        zs_.avail_in = uInt(n);
        in_ += n;
        left_ -= n;
    }
    // After a member's trailer: another member (gzip allows several), zero padding, or the end.
    void nextMember() {
        feed();
        const unsigned char* rest = zs_.next_in;
        const size_t rest_n = zs_.avail_in;
        if (rest_n == 0 && left_ == 0) {
            done_ = true;
        } else if (rest_n >= 2 && rest[0] == 0x1f && rest[1] == 0x8b) {
            inflateReset(&zs_);
        } else if (std::all_of(rest, rest + rest_n, [](unsigned char c) { return c == 0; }) &&
                   std::all_of(in_, in_ + left_, [](unsigned char c) { return c == 0; })) {
            done_ = true;
        } else {
            throw Error(path_, "has data after the end of its gzip stream (a damaged or altered file)");
        }
    }

    std::string path_;
    z_stream zs_{};
    const unsigned char* in_;
    size_t left_;
    bool done_ = false;
};

constexpr int kMaxIdxDims = 16;

}  // namespace

// ---- IDX (MNIST), gzipped or not ------------------------------------------------------------------

RawArray parseIdx(const std::string& path, const unsigned char* data, size_t size) {
    std::optional<GunzipReader> gz;
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) gz.emplace(path, data, size);
    size_t pos = 0;
    auto read = [&](unsigned char* out, size_t n) -> size_t {
        if (gz) return gz->read(out, n);
        const size_t k = std::min(n, size - pos);
        if (k) std::memcpy(out, data + pos, k);
        pos += k;
        return k;
    };
    unsigned char head[4];
    if (read(head, 4) < 4 || head[0] != 0 || head[1] != 0) throw Error(path, "not an IDX file (bad magic number)");
    RawArray a;
    switch (head[2]) {
        case 0x08:
            a.type = ElemType::UInt8;
            break;
        case 0x09:
            a.type = ElemType::Int8;
            break;
        case 0x0B:
            a.type = ElemType::Int16;
            break;
        case 0x0C:
            a.type = ElemType::Int32;
            break;
        case 0x0D:
            a.type = ElemType::Float32;
            break;
        case 0x0E:
            a.type = ElemType::Float64;
            break;
        default:
            throw Error(path, "not an IDX file (unknown element type code " + std::to_string(head[2]) + ")");
    }
    const int ndim = head[3];
    if (ndim == 0 || ndim > kMaxIdxDims)
        throw Error(path, "its IDX header declares " + std::to_string(ndim) + " dimensions; Basin reads 1 to " +
                              std::to_string(kMaxIdxDims) + " (a damaged or non-IDX file)");
    unsigned char dims[4 * kMaxIdxDims];
    if (read(dims, size_t(4 * ndim)) < size_t(4 * ndim)) throw Error(path, "truncated IDX header");
    for (int d = 0; d < ndim; ++d) {
        const unsigned char* p = dims + 4 * d;
        a.shape.push_back((int64_t(p[0]) << 24) | (int64_t(p[1]) << 16) | (int64_t(p[2]) << 8) | int64_t(p[3]));
    }
    const int es = RawArray::elemSize(a.type);
    const uint64_t need = checkedByteCount(path, a.shape, es);
    if (need == 0) throw Error(path, "holds an empty array (a dimension is 0); Basin needs at least one sample");
    requireMemory(path, need, "the array its IDX header declares");
    if (!gz && size - pos != need) {  // the whole file is at hand: compare before allocating
        if (size - pos < need)
            throw Error(path, "truncated: the IDX header promises " + std::to_string(need / es) +
                                  " values, the file holds " + std::to_string((size - pos) / es));
        throw Error(path, "holds more data than its IDX header describes (" + std::to_string(need / es) +
                              " values); a damaged file, or the wrong header");
    }
    const size_t got = readGrowing(a.bytes, need, read);
    if (got < need)
        throw Error(path, "truncated: the IDX header promises " + std::to_string(need / es) +
                              " values, the file holds " + std::to_string(got / es));
    unsigned char extra = 0;
    if (read(&extra, 1) > 0)
        throw Error(path, "holds more data than its IDX header describes (" + std::to_string(need / es) +
                              " values); a damaged file, or the wrong header");
    if (es > 1) {  // IDX is big-endian
        for (size_t i = 0; i < a.bytes.size(); i += size_t(es))
            std::reverse(a.bytes.begin() + std::ptrdiff_t(i), a.bytes.begin() + std::ptrdiff_t(i) + es);
    }
    return a;
}

RawArray readIdx(const std::string& path) {
    const auto bytes = readFileBytes(path);
    return parseIdx(path, bytes.data(), bytes.size());
}

// ---- CSV with a header ----------------------------------------------------------------------------

namespace {

std::string_view trimCell(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\"");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\"");
    return s.substr(b, e - b + 1);
}

std::vector<std::string_view> splitCells(std::string_view line) {
    std::vector<std::string_view> cells;
    size_t start = 0;
    while (true) {
        const size_t comma = line.find(',', start);
        cells.push_back(
            trimCell(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return cells;
}

bool blank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

// The whole cell as a number, in the C locale whatever the GUI's locale is ("1.5", "-2e-3", "+4", "nan").
std::optional<double> number(std::string_view cell) {
    if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
    if (cell.empty()) return std::nullopt;
    double v = 0;
    const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    if (ec != std::errc() || end != cell.data() + cell.size()) return std::nullopt;
    return v;
}

}  // namespace

NamedArrays parseCsv(const std::string& path, const unsigned char* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (const auto nul = text.find('\0'); nul != std::string_view::npos)
        throw Error(path, "line " +
                              std::to_string(1 + std::count(text.begin(), text.begin() + std::ptrdiff_t(nul), '\n')) +
                              " holds a NUL byte; a CSV file is text (is this a binary file?)");
    size_t pos = 0;
    int64_t row = 0;
    auto nextLine = [&](std::string_view& line) {
        if (pos >= text.size()) return false;
        const size_t nl = text.find('\n', pos);
        line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++row;
        return true;
    };
    std::string_view line;
    if (!nextLine(line) || blank(line))
        throw Error(path, "empty CSV file (a header line naming the columns is needed)");
    std::vector<std::string> names;
    for (const auto cell : splitCells(line)) {
        if (cell.empty()) throw Error(path, "the CSV header has an empty column name");
        if (number(cell))
            throw Error(path, "the first line must be a header naming the columns, found the number '" +
                                  std::string(cell) + "'");
        names.emplace_back(cell);
    }
    std::vector<std::vector<double>> cols(names.size());
    while (nextLine(line)) {
        if (blank(line)) continue;
        const auto cells = splitCells(line);
        if (cells.size() != names.size())
            throw Error(path, "line " + std::to_string(row) + " has " + std::to_string(cells.size()) +
                                  " columns, the header has " + std::to_string(names.size()));
        for (size_t c = 0; c < cells.size(); ++c) {
            const auto v = number(cells[c]);
            if (!v)
                throw Error(path, "line " + std::to_string(row) + ", column '" + names[c] + "': '" +
                                      std::string(cells[c]) + "' is not a number");
            cols[c].push_back(*v);
        }
    }
    if (cols.front().empty()) throw Error(path, "the CSV file has a header but no rows");
    NamedArrays out;
    for (size_t c = 0; c < names.size(); ++c) {
        RawArray a;
        a.type = ElemType::Float64;
        a.shape = {int64_t(cols[c].size())};
        a.bytes.resize(cols[c].size() * sizeof(double));
        std::memcpy(a.bytes.data(), cols[c].data(), a.bytes.size());
        out.emplace_back(names[c], std::move(a));
    }
    return out;
}

NamedArrays readCsv(const std::string& path) {
    const auto bytes = readFileBytes(path);
    return parseCsv(path, bytes.data(), bytes.size());
}

}  // namespace basin::detail
