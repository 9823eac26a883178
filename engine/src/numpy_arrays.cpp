// NumPy .npy and .npz (a zip of .npy files, read with libzip), and zip entries as text.
#include <zip.h>
#include <zlib.h>

#include <charconv>
#include <cstring>
#include <memory>

#include "arrays.h"
#include "basin/error.h"

namespace basin::detail {

namespace {

// NumPy itself stops at 32 dimensions; a real header is well under a kilobyte.
constexpr size_t kMaxNpyDims = 32;
constexpr size_t kMaxNpyHeader = 1 << 16;

ElemType npyType(const std::string& path, const std::string& descr) {
    if (descr.size() < 3) throw Error(path, "unsupported NumPy dtype '" + descr + "'");
    const char order = descr[0];
    if (order == '>') throw Error(path, "big-endian NumPy arrays are not supported; save with '<' byte order");
    const std::string kind = descr.substr(1);
    if (order == '<' || order == '|' || order == '=') {
        if (kind == "f4") return ElemType::Float32;
        if (kind == "f8") return ElemType::Float64;
        if (kind == "u1") return ElemType::UInt8;
        if (kind == "i1") return ElemType::Int8;
        if (kind == "i2") return ElemType::Int16;
        if (kind == "i4") return ElemType::Int32;
        if (kind == "i8") return ElemType::Int64;
        if (kind == "b1") return ElemType::Bool;
    }
    throw Error(
        path, "unsupported NumPy dtype '" + descr + "' (Basin reads float32/64, int8/16/32/64, uint8 and bool arrays)");
}

// Value of 'key' in the header dict, e.g. 'descr': '<f4'; empty when absent or unterminated.
std::string headerField(const std::string& header, const std::string& key) {
    const auto k = header.find("'" + key + "'");
    if (k == std::string::npos) return {};
    const auto colon = header.find(':', k);
    if (colon == std::string::npos) return {};
    const auto start = header.find_first_not_of(' ', colon + 1);
    if (start == std::string::npos) return {};
    if (header[start] == '\'') {
        const auto end = header.find('\'', start + 1);
        return end == std::string::npos ? std::string() : header.substr(start + 1, end - start - 1);
    }
    if (header[start] == '(') {
        const auto end = header.find(')', start);
        return end == std::string::npos ? std::string() : header.substr(start, end - start + 1);
    }
    const auto end = header.find_first_of(",}", start);
    return header.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::vector<int64_t> parseShape(const std::string& path, const std::string& tuple) {
    std::vector<int64_t> shape;
    const std::string inner = tuple.substr(1, tuple.size() - 2);
    size_t start = 0;
    while (start <= inner.size()) {
        size_t comma = inner.find(',', start);
        if (comma == std::string::npos) comma = inner.size();
        const auto b = inner.find_first_not_of(' ', start);
        if (b != std::string::npos && b < comma) {
            const auto e = inner.find_last_not_of(' ', comma - 1);
            int64_t d = 0;
            const char* first = inner.data() + b;
            const char* last = inner.data() + e + 1;
            const auto [end, ec] = std::from_chars(first, last, d);
            if (ec == std::errc::result_out_of_range)
                throw Error(path, "declares an array too large to exist (a dimension past 2^63)");
            if (ec != std::errc() || end != last)
                throw Error(path, "its NumPy header has a shape that is not a tuple of whole numbers: " + tuple);
            shape.push_back(d);
            if (shape.size() > kMaxNpyDims)
                throw Error(path, "its NumPy header declares more than " + std::to_string(kMaxNpyDims) + " dimensions");
        }
        start = comma + 1;
    }
    return shape;
}

// The part of a .npy before the data: element type, shape, where the data starts, its size.
struct NpyHeader {
    ElemType type = ElemType::Float32;
    std::vector<int64_t> shape;
    size_t data_offset = 0;
    uint64_t data_bytes = 0;
};

// Bytes needed before the header can be parsed: the preamble, then the whole header.
size_t npyHeaderSize(const std::string& path, const unsigned char* data, size_t size) {
    static const unsigned char magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (size < 10 || std::memcmp(data, magic, 6) != 0) throw Error(path, "not a NumPy .npy file (bad magic bytes)");
    const int major = data[6];
    if (major == 1) return 10 + size_t(data[8] | (data[9] << 8));
    if (major != 2 && major != 3) throw Error(path, "unsupported NumPy format version " + std::to_string(major));
    if (size < 12) throw Error(path, "truncated NumPy header");
    const size_t len = size_t(data[8]) | (size_t(data[9]) << 8) | (size_t(data[10]) << 16) | (size_t(data[11]) << 24);
    if (len > kMaxNpyHeader)
        throw Error(path, "its NumPy header claims " + std::to_string(len) +
                              " bytes; real headers are far shorter (a damaged file)");
    return 12 + len;
}

NpyHeader parseNpyHeader(const std::string& path, const unsigned char* data, size_t size) {
    const size_t end = npyHeaderSize(path, data, size);
    if (end > size) throw Error(path, "truncated NumPy header");
    const size_t offset = data[6] == 1 ? 10 : 12;
    const std::string header(reinterpret_cast<const char*>(data + offset), end - offset);
    NpyHeader h;
    const std::string descr = headerField(header, "descr");
    if (descr.empty()) throw Error(path, "NumPy header has no dtype");
    h.type = npyType(path, descr);
    if (headerField(header, "fortran_order") == "True")
        throw Error(path, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
    const std::string shape = headerField(header, "shape");
    if (shape.size() < 2 || shape.front() != '(') throw Error(path, "NumPy header has no shape");
    h.shape = parseShape(path, shape);
    h.data_offset = end;
    h.data_bytes = checkedByteCount(path, h.shape, RawArray::elemSize(h.type));
    if (h.data_bytes == 0)
        throw Error(path, "holds an empty array (a dimension is 0); Basin needs at least one sample");
    return h;
}

std::string zipMessage(zip_error_t* e) { return zip_error_strerror(e); }

// Every entry of an open archive, each checked against its declared size and its CRC-32.
NamedArrays readArchive(const std::string& path, zip_t* z) {
    NamedArrays out;
    uint64_t total = 0;
    const zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        const char* raw_name = zip_get_name(z, zip_uint64_t(i), 0);
        if (!raw_name)
            throw Error(path, "entry " + std::to_string(i) + " of the archive has no readable name (damaged archive)");
        std::string name = raw_name;
        if (name.ends_with("/")) continue;  // a folder entry holds no array
        zip_stat_t st;
        if (zip_stat_index(z, zip_uint64_t(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
            !(st.valid & ZIP_STAT_CRC))
            throw Error(path, "entry '" + name + "' has no readable size or checksum (damaged archive)");
        const std::string where = path + ":" + name;
        // The declared size is only a claim: check it against free memory before allocating anything.
        if (__builtin_add_overflow(total, st.size, &total)) throw Error(where, "declares an impossible size");
        requireMemory(where, total, "the archive's arrays");
        std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen_index(z, zip_uint64_t(i), 0), zip_fclose);
        if (!f) throw Error(path, "entry '" + name + "' cannot be read (" + zipMessage(zip_get_error(z)) + ")");
        auto readSome = [&](unsigned char* dst, size_t want) {
            size_t got = 0;
            while (got < want) {
                const zip_int64_t k = zip_fread(f.get(), dst + got, want - got);
                if (k < 0 && zip_error_code_zip(zip_file_get_error(f.get())) == ZIP_ER_CRC)
                    throw Error(where, "fails its CRC-32 check: the archive is damaged (NumPy refuses it too)");
                if (k < 0) throw Error(where, "is damaged (" + zipMessage(zip_file_get_error(f.get())) + ")");
                if (k == 0) break;
                got += size_t(k);
            }
            return got;
        };
        // The .npy header first, so the array's size is known (and must match the entry's) before it is allocated.
        std::vector<unsigned char> head(12);
        head.resize(readSome(head.data(), head.size()));
        const size_t head_size = npyHeaderSize(where, head.data(), head.size());
        const size_t had = head.size();
        if (head_size > had) {
            head.resize(head_size);
            head.resize(had + readSome(head.data() + had, head_size - had));
        }
        const NpyHeader h = parseNpyHeader(where, head.data(), head.size());
        if (uint64_t(h.data_offset) + h.data_bytes != st.size)
            throw Error(where, "the archive says the entry holds " + std::to_string(st.size) +
                                   " bytes, its NumPy header describes " +
                                   std::to_string(uint64_t(h.data_offset) + h.data_bytes) + " (a damaged archive)");
        RawArray a;
        a.type = h.type;
        a.shape = h.shape;
        const size_t got = readGrowing(a.bytes, h.data_bytes, readSome);
        if (got < h.data_bytes)
            throw Error(where, "truncated: the header promises " + std::to_string(h.data_bytes) +
                                   " bytes of data, the entry has " + std::to_string(got));
        unsigned char extra = 0;
        if (readSome(&extra, 1) > 0)
            throw Error(where, "holds more bytes than the archive declares (a damaged archive)");
        // libzip verifies compressed entries itself, but not stored ones; NumPy refuses both.
        uLong crc = crc32_z(0L, head.data(), head.size());
        crc = crc32_z(crc, a.bytes.data(), a.bytes.size());
        if ((crc & 0xffffffffUL) != st.crc)
            throw Error(where, "fails its CRC-32 check: the archive is damaged (NumPy refuses it too)");
        if (name.size() > 4 && name.ends_with(".npy")) name.resize(name.size() - 4);
        out.emplace_back(name, std::move(a));
    }
    if (out.empty()) throw Error(path, "the .npz archive holds no arrays");
    return out;
}

using ZipPtr = std::unique_ptr<zip_t, void (*)(zip_t*)>;

// `strict`: also check that each entry's local header agrees with the central directory (Python's
// zipfile, which NumPy uses, writes them alike; PyTorch's writer pads local headers, so not for those).
ZipPtr openZip(const std::string& path, const unsigned char* data, size_t size, bool strict) {
    const int flags = ZIP_RDONLY | (strict ? ZIP_CHECKCONS : 0);
    zip_error_t err;
    zip_error_init(&err);
    zip_t* z = nullptr;
    if (data) {
        zip_source_t* src = zip_source_buffer_create(data, size, 0, &err);
        if (src && !(z = zip_open_from_source(src, flags, &err))) zip_source_free(src);
    } else {
        int code = 0;
        z = zip_open(path.c_str(), flags, &code);
    }
    zip_error_fini(&err);
    return ZipPtr(z, zip_discard);
}

}  // namespace

RawArray parseNpy(const std::string& path, const unsigned char* data, size_t size) {
    const NpyHeader h = parseNpyHeader(path, data, size);
    const size_t body = size - h.data_offset;
    if (body < h.data_bytes)
        throw Error(path, "truncated: the header promises " + std::to_string(h.data_bytes) +
                              " bytes of data, the file has " + std::to_string(body));
    if (body > h.data_bytes)
        throw Error(path, "has " + std::to_string(body - h.data_bytes) +
                              " bytes after the array its NumPy header describes (a damaged file)");
    RawArray a;
    a.type = h.type;
    a.shape = h.shape;
    a.bytes.assign(data + h.data_offset, data + size);
    return a;
}

RawArray readNpy(const std::string& path) {
    const auto bytes = readFileBytes(path);
    return parseNpy(path, bytes.data(), bytes.size());
}

NamedArrays parseNpz(const std::string& path, const unsigned char* data, size_t size) {
    ZipPtr z = openZip(path, data, size, true);
    if (!z) throw Error(path, "not a NumPy .npz file (not a readable zip archive)");
    return readArchive(path, z.get());
}

NamedArrays readNpz(const std::string& path) {
    requireRegularFile(path);
    ZipPtr z = openZip(path, nullptr, 0, true);
    if (!z) throw Error(path, "not a NumPy .npz file (not a readable zip archive)");
    return readArchive(path, z.get());
}

std::string zipEntryText(const std::string& path, const std::string& suffix) {
    try {
        requireRegularFile(path);
    } catch (const Error&) {
        return {};
    }
    ZipPtr z = openZip(path, nullptr, 0, false);
    if (!z) return {};
    std::string text;
    const zip_int64_t n = zip_get_num_entries(z.get(), 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        const char* name = zip_get_name(z.get(), zip_uint64_t(i), 0);
        if (!name || !std::string_view(name).ends_with(suffix)) continue;
        zip_stat_t st;
        zip_file_t* f =
            zip_stat_index(z.get(), zip_uint64_t(i), 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && st.size < 4096
                ? zip_fopen_index(z.get(), zip_uint64_t(i), 0)
                : nullptr;
        if (f) {
            text.resize(size_t(st.size));
            if (zip_fread(f, text.data(), st.size) != zip_int64_t(st.size)) text.clear();
            zip_fclose(f);
        }
        break;
    }
    return text;
}

}  // namespace basin::detail
