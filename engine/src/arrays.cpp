#include "arrays.h"

#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <fstream>
#include <sstream>

#include "basin/error.h"

namespace basin::detail {

int RawArray::elemSize(ElemType t) {
    switch (t) {
        case ElemType::UInt8:
        case ElemType::Int8:
        case ElemType::Bool: return 1;
        case ElemType::Int16: return 2;
        case ElemType::Int32:
        case ElemType::Float32: return 4;
        case ElemType::Int64:
        case ElemType::Float64: return 8;
    }
    return 1;
}

int64_t RawArray::count() const {
    int64_t n = 1;
    for (auto d : shape) n *= d;
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

bool fileExists(const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

std::vector<unsigned char> readFileBytes(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(path, "file not found");
    if (std::filesystem::is_directory(path, ec)) throw Error(path, "is a folder, not a file");
    // Refuse before reading what cannot fit, rather than be killed half-way.
    const auto size = std::filesystem::file_size(path, ec);
    const int64_t free_bytes = availableMemoryBytes();
    if (!ec && int64_t(size) > free_bytes)
        throw Error(path, "is " + std::to_string(size >> 20) + " MB, more than the " + std::to_string(free_bytes >> 20) +
                              " MB of free memory; use a smaller model or a subset of the data");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "cannot be opened for reading");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---- NumPy .npy -------------------------------------------------------------------------------

namespace {

ElemType npyType(const std::string& path, const std::string& descr) {
    if (descr.size() < 3) throw Error(path, "unsupported NumPy dtype '" + descr + "'");
    const char order = descr[0];
    if (order == '>') throw Error(path, "big-endian NumPy arrays are not supported; save with '<' byte order");
    const std::string kind = descr.substr(1);
    if (kind == "f4") return ElemType::Float32;
    if (kind == "f8") return ElemType::Float64;
    if (kind == "u1") return ElemType::UInt8;
    if (kind == "i1") return ElemType::Int8;
    if (kind == "i2") return ElemType::Int16;
    if (kind == "i4") return ElemType::Int32;
    if (kind == "i8") return ElemType::Int64;
    if (kind == "b1") return ElemType::Bool;
    throw Error(path, "unsupported NumPy dtype '" + descr +
                          "' (Basin reads float32/64, int8/16/32/64, uint8 and bool arrays)");
}

// Value of 'key' in the header dict, e.g. 'descr': '<f4'.
std::string headerField(const std::string& header, const std::string& key) {
    auto k = header.find("'" + key + "'");
    if (k == std::string::npos) return {};
    auto colon = header.find(':', k);
    if (colon == std::string::npos) return {};
    auto start = header.find_first_not_of(' ', colon + 1);
    if (start == std::string::npos) return {};
    if (header[start] == '\'') {
        auto end = header.find('\'', start + 1);
        return header.substr(start + 1, end - start - 1);
    }
    if (header[start] == '(') {
        auto end = header.find(')', start);
        return header.substr(start, end - start + 1);
    }
    auto end = header.find_first_of(",}", start);
    return header.substr(start, end - start);
}

}  // namespace

RawArray parseNpy(const std::string& path, const unsigned char* data, size_t size) {
    static const unsigned char magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (size < 10 || std::memcmp(data, magic, 6) != 0) throw Error(path, "not a NumPy .npy file (bad magic bytes)");
    const int major = data[6];
    size_t header_len = 0, offset = 0;
    if (major == 1) {
        header_len = data[8] | (data[9] << 8);
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12) throw Error(path, "truncated NumPy header");
        header_len = data[8] | (data[9] << 8) | (data[10] << 16) | (size_t(data[11]) << 24);
        offset = 12;
    } else {
        throw Error(path, "unsupported NumPy format version " + std::to_string(major));
    }
    if (offset + header_len > size) throw Error(path, "truncated NumPy header");
    const std::string header(reinterpret_cast<const char*>(data + offset), header_len);
    RawArray a;
    const std::string descr = headerField(header, "descr");
    if (descr.empty()) throw Error(path, "NumPy header has no dtype");
    a.type = npyType(path, descr);
    if (headerField(header, "fortran_order") == "True")
        throw Error(path, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
    std::string shape = headerField(header, "shape");
    if (shape.empty() || shape.front() != '(') throw Error(path, "NumPy header has no shape");
    std::stringstream ss(shape.substr(1, shape.size() - 2));
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (item.find_first_not_of(" ") == std::string::npos) continue;
        a.shape.push_back(std::stoll(item));
    }
    const size_t body = offset + header_len;
    const size_t need = size_t(a.count()) * RawArray::elemSize(a.type);
    if (size - body < need)
        throw Error(path, "truncated: the header promises " + std::to_string(need) + " bytes of data, the file has " +
                              std::to_string(size - body));
    a.bytes.assign(data + body, data + body + need);
    return a;
}

RawArray readNpy(const std::string& path) {
    auto bytes = readFileBytes(path);
    return parseNpy(path, bytes.data(), bytes.size());
}

// ---- NumPy .npz (a zip of .npy files), read with libzip -----------------------------------------

NamedArrays readNpz(const std::string& path) {
    if (!fileExists(path)) readFileBytes(path);  // throws the right message
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (!z) throw Error(path, "not a NumPy .npz file (not a readable zip archive)");
    NamedArrays out;
    try {
        const zip_int64_t n = zip_get_num_entries(z, 0);
        for (zip_int64_t i = 0; i < n; ++i) {
            std::string name = zip_get_name(z, i, 0);
            zip_stat_t st;
            zip_stat_index(z, i, 0, &st);
            zip_file_t* f = zip_fopen_index(z, i, 0);
            if (!f) throw Error(path, "entry '" + name + "' cannot be read (damaged archive)");
            std::vector<unsigned char> buf(st.size);
            const zip_int64_t got = zip_fread(f, buf.data(), st.size);
            zip_fclose(f);
            if (got != zip_int64_t(st.size)) throw Error(path, "entry '" + name + "' is truncated");
            if (name.size() > 4 && name.ends_with(".npy")) name.resize(name.size() - 4);
            out.emplace_back(name, parseNpy(path + ":" + name, buf.data(), buf.size()));
        }
    } catch (...) {
        zip_close(z);
        throw;
    }
    zip_close(z);
    if (out.empty()) throw Error(path, "the .npz archive holds no arrays");
    return out;
}

std::string zipEntryText(const std::string& path, const std::string& suffix) {
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
    if (!z) return {};
    std::string text;
    const zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        const std::string name = zip_get_name(z, i, 0);
        if (!name.ends_with(suffix)) continue;
        zip_stat_t st;
        zip_file_t* f = zip_stat_index(z, i, 0, &st) == 0 ? zip_fopen_index(z, i, 0) : nullptr;
        if (f && st.size < 4096) {
            text.resize(st.size);
            if (zip_fread(f, text.data(), st.size) != zip_int64_t(st.size)) text.clear();
        }
        if (f) zip_fclose(f);
        break;
    }
    zip_close(z);
    return text;
}

// ---- IDX (MNIST), gzipped or not: zlib's gzread reads both ---------------------------------------

RawArray readIdx(const std::string& path) {
    if (!fileExists(path)) readFileBytes(path);
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw Error(path, "cannot be opened for reading");
    std::vector<unsigned char> bytes;
    unsigned char buf[1 << 16];
    int got = 0;
    while ((got = gzread(f, buf, sizeof buf)) > 0) bytes.insert(bytes.end(), buf, buf + got);
    int zerr = 0;
    const char* msg = gzerror(f, &zerr);
    const bool failed = got < 0 || (zerr != Z_OK && zerr != Z_STREAM_END);
    const std::string zmsg = msg ? msg : "";
    gzclose(f);
    if (failed) throw Error(path, "truncated or damaged gzip stream (" + zmsg + ")");
    if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
        throw Error(path, "not an IDX file (bad magic number)");
    RawArray a;
    switch (bytes[2]) {
        case 0x08: a.type = ElemType::UInt8; break;
        case 0x09: a.type = ElemType::Int8; break;
        case 0x0B: a.type = ElemType::Int16; break;
        case 0x0C: a.type = ElemType::Int32; break;
        case 0x0D: a.type = ElemType::Float32; break;
        case 0x0E: a.type = ElemType::Float64; break;
        default: throw Error(path, "not an IDX file (unknown element type code " + std::to_string(bytes[2]) + ")");
    }
    const int ndim = bytes[3];
    if (ndim == 0 || bytes.size() < size_t(4 + 4 * ndim)) throw Error(path, "truncated IDX header");
    for (int d = 0; d < ndim; ++d) {
        const unsigned char* p = bytes.data() + 4 + 4 * d;
        a.shape.push_back((int64_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3]);
    }
    const size_t body = 4 + 4 * ndim;
    const int es = RawArray::elemSize(a.type);
    const size_t need = size_t(a.count()) * es;
    if (bytes.size() - body < need)
        throw Error(path, "truncated: the IDX header promises " + std::to_string(a.count()) + " values, the file holds " +
                              std::to_string((bytes.size() - body) / es));
    a.bytes.assign(bytes.begin() + body, bytes.begin() + body + need);
    if (es > 1) {  // IDX is big-endian
        for (size_t i = 0; i < a.bytes.size(); i += es) std::reverse(a.bytes.begin() + i, a.bytes.begin() + i + es);
    }
    return a;
}

// ---- CSV with a header ----------------------------------------------------------------------------

NamedArrays readCsv(const std::string& path) {
    auto bytes = readFileBytes(path);
    std::string text(bytes.begin(), bytes.end());
    std::istringstream in(text);
    std::string line;
    auto split = [](const std::string& s) {
        std::vector<std::string> cells;
        std::string cell;
        std::istringstream ls(s);
        while (std::getline(ls, cell, ',')) {
            auto b = cell.find_first_not_of(" \t\r\"");
            auto e = cell.find_last_not_of(" \t\r\"");
            cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
        }
        if (!s.empty() && s.back() == ',') cells.emplace_back();
        return cells;
    };
    if (!std::getline(in, line) || line.find_first_not_of(" \t\r") == std::string::npos)
        throw Error(path, "empty CSV file (a header line naming the columns is needed)");
    const auto names = split(line);
    for (const auto& n : names) {
        if (n.empty()) throw Error(path, "the CSV header has an empty column name");
        char* end = nullptr;
        std::strtod(n.c_str(), &end);
        if (end && *end == '\0')
            throw Error(path, "the first line must be a header naming the columns, found the number '" + n + "'");
    }
    std::vector<std::vector<double>> cols(names.size());
    int64_t row = 1;
    while (std::getline(in, line)) {
        ++row;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const auto cells = split(line);
        if (cells.size() != names.size())
            throw Error(path, "line " + std::to_string(row) + " has " + std::to_string(cells.size()) +
                                  " columns, the header has " + std::to_string(names.size()));
        for (size_t c = 0; c < cells.size(); ++c) {
            char* end = nullptr;
            const double v = std::strtod(cells[c].c_str(), &end);
            if (cells[c].empty() || (end && *end != '\0'))
                throw Error(path, "line " + std::to_string(row) + ", column '" + names[c] + "': '" + cells[c] +
                                      "' is not a number");
            cols[c].push_back(v);
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

}  // namespace basin::detail
