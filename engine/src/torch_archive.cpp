#include "torch_archive.h"

#include <torch/torch.h>

#include <caffe2/serialize/versions.h>
#include <torch/csrc/jit/api/compilation_unit.h>
#include <torch/csrc/jit/serialization/unpickler.h>
#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "arrays.h"
#include "basin/error.h"

namespace basin::detail {

namespace {

std::string firstLine(const std::string& s) {
    const auto nl = s.find('\n');
    std::string line = nl == std::string::npos ? s : s.substr(0, nl);
    return line.empty() ? "no reason given" : line;
}

// How far into its storage a strided tensor reaches, in bytes from the storage's start; nullopt
// when a size, stride or the offset is negative or the arithmetic overflows.
std::optional<uint64_t> reachBytes(const at::Tensor& t) {
    if (t.storage_offset() < 0) return std::nullopt;
    uint64_t last = uint64_t(t.storage_offset());
    bool empty = false;
    for (int64_t d = 0; d < t.dim(); ++d) {
        const int64_t size = t.sizes()[d], stride = t.strides()[d];
        if (size < 0 || stride < 0) return std::nullopt;
        if (size == 0) empty = true;
        uint64_t step = 0;
        if (size > 0 && (__builtin_mul_overflow(uint64_t(size - 1), uint64_t(stride), &step) ||
                         __builtin_add_overflow(last, step, &last)))
            return std::nullopt;
    }
    if (empty) return 0;
    uint64_t bytes = 0;
    if (__builtin_add_overflow(last, uint64_t(1), &last) ||
        __builtin_mul_overflow(last, uint64_t(t.element_size()), &bytes))
        return std::nullopt;
    return bytes;
}

std::string what(const std::string& name) { return name.empty() ? "the tensor" : "entry '" + name + "'"; }

void checkExtent(const std::string& path, const std::string& name, const at::Tensor& t, uint64_t storage_bytes) {
    const auto reach = reachBytes(t);
    if (!reach)
        throw Error(path, what(name) +
                              " has a negative or impossibly large size, stride or offset (a damaged or altered file)");
    if (*reach > storage_bytes)
        throw Error(path, what(name) + "'s shape, strides and offset reach " + std::to_string(*reach) +
                              " bytes into a storage of " + std::to_string(storage_bytes) +
                              " (a damaged or altered file)");
}

// Type tags that need the model's own classes (e.g. List[__torch__.Block]) cannot be parsed
// without its code; the scan only needs the tensors, so such tags become Any.
c10::TypePtr lenientTypeParser(const std::string& s) {
    try {
        return torch::jit::Unpickler::defaultTypeParser(s);
    } catch (const std::exception&) {
        return c10::AnyType::get();
    }
}

// Every tensor reachable from `root` (containers are visited once: a pickle can share and nest them).
void collectTensors(const c10::IValue& root, std::vector<at::Tensor>& out) {
    std::vector<c10::IValue> todo{root};
    std::unordered_set<const void*> seen;
    while (!todo.empty()) {
        const c10::IValue v = std::move(todo.back());
        todo.pop_back();
        if (v.isTensor()) {
            out.push_back(v.toTensor());
        } else if (v.isPtrType()) {
            if (!seen.insert(v.internalToPointer()).second) continue;
            if (v.isGenericDict()) {
                for (const auto& kv : v.toGenericDict()) {
                    todo.push_back(kv.key());
                    todo.push_back(kv.value());
                }
            } else if (v.isList()) {
                for (const auto& e : v.toListRef()) todo.push_back(e);
            } else if (v.isTuple()) {
                for (const auto& e : v.toTupleRef().elements()) todo.push_back(e);
            } else if (v.isObject()) {
                for (const auto& e : v.toObjectRef().slots()) todo.push_back(e);
            }
        }
    }
}

struct Archive {
    std::unique_ptr<zip_t, void (*)(zip_t*)> zip{nullptr, zip_discard};
    std::string prefix;                     // "archive/", the folder PyTorch puts every record in
    std::map<std::string, uint64_t> sizes;  // record name (without prefix) -> bytes
};

Archive openArchive(const std::string& path) {
    Archive a;
    int code = 0;
    a.zip.reset(zip_open(path.c_str(), ZIP_RDONLY, &code));
    if (!a.zip) throw Error(path, "not a readable zip archive (a damaged or truncated PyTorch file)");
    const zip_int64_t n = zip_get_num_entries(a.zip.get(), 0);
    std::vector<std::pair<std::string, uint64_t>> entries;
    for (zip_int64_t i = 0; i < n; ++i) {
        zip_stat_t st;
        if (zip_stat_index(a.zip.get(), zip_uint64_t(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
            !(st.valid & ZIP_STAT_SIZE))
            throw Error(path, "entry " + std::to_string(i) + " of the archive cannot be read (a damaged PyTorch file)");
        entries.emplace_back(st.name, st.size);
    }
    // PyTorch reads every record from the folder of the first entry.
    if (entries.empty() || entries.front().first.find('/') == std::string::npos)
        throw Error(path, "is a zip archive but not a PyTorch file (its records are not in one folder)");
    a.prefix = entries.front().first.substr(0, entries.front().first.find('/') + 1);
    for (const auto& [name, size] : entries)
        if (name.starts_with(a.prefix)) a.sizes[name.substr(a.prefix.size())] = size;
    if (!a.sizes.count("data.pkl")) throw Error(path, "is a zip archive without the data.pkl record of a PyTorch file");
    return a;
}

// PyTorch stores its records uncompressed and LibTorch is built without miniz's CRC-32 checks
// (MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS); libzip checks a record's CRC only when it is read to
// its end, which Basin's other reads of a record never do. Without this a flipped bit in a
// weight is read as a different weight. Streams each record once, to its end.
void checkRecordChecksums(const std::string& path, zip_t* z) {
    std::vector<unsigned char> buf(size_t(1) << 20);
    const zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        zip_stat_t st;
        if (zip_stat_index(z, zip_uint64_t(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
            !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_CRC))
            throw Error(path, "entry " + std::to_string(i) +
                                  " of the archive has no readable size or checksum (a damaged "
                                  "PyTorch file)");
        const std::string name = st.name;
        if (name.ends_with("/")) continue;  // a folder entry holds nothing
        std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen_index(z, zip_uint64_t(i), 0), zip_fclose);
        if (!f) throw Error(path, "its record '" + name + "' cannot be read (a damaged or truncated PyTorch file)");
        uLong crc = crc32_z(0L, Z_NULL, 0);
        uint64_t got = 0;
        bool crc_error = false;
        while (true) {
            const zip_int64_t k = zip_fread(f.get(), buf.data(), buf.size());
            if (k < 0 && zip_error_code_zip(zip_file_get_error(f.get())) == ZIP_ER_CRC) {
                crc_error = true;  // libzip's own check, at the record's end
                break;
            }
            if (k < 0)
                throw Error(path, "its record '" + name + "' is damaged (" +
                                      zip_error_strerror(zip_file_get_error(f.get())) + ")");
            if (k == 0) break;
            crc = crc32_z(crc, buf.data(), size_t(k));
            got += uint64_t(k);
        }
        if (crc_error || (got == st.size && (crc & 0xffffffffUL) != st.crc))
            throw Error(
                path, "its record '" + name + "' fails its CRC-32 check: the file is damaged (copy or save it again)");
        if (got != st.size)
            throw Error(path, "its record '" + name + "' holds " + std::to_string(got) +
                                  " bytes where the archive says " + std::to_string(st.size) +
                                  " (a truncated or damaged PyTorch file)");
    }
}

std::vector<char> readRecord(const std::string& path, Archive& a, const std::string& record) {
    const uint64_t size = a.sizes.at(record);
    requireMemory(path, size, "its " + record + " record");
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen(a.zip.get(), (a.prefix + record).c_str(), 0),
                                                        zip_fclose);
    if (!f) throw Error(path, "its " + record + " record cannot be read (a damaged or truncated PyTorch file)");
    std::vector<unsigned char> bytes;
    const size_t got = readGrowing(bytes, size, [&](unsigned char* dst, size_t n) {
        const zip_int64_t k = zip_fread(f.get(), dst, n);
        if (k < 0)
            throw Error(
                path, "its " + record + " record is damaged (" + zip_error_strerror(zip_file_get_error(f.get())) + ")");
        return size_t(k);
    });
    if (got != size) throw Error(path, "its " + record + " record is truncated (a damaged PyTorch file)");
    return std::vector<char>(bytes.begin(), bytes.end());
}

// Unpickles `pickle` (whose tensors live in records under `dir`/) with placeholder storages,
// then holds each tensor against the record it names.
void checkPickle(const std::string& path, Archive& a, const std::string& pickle, const std::string& dir,
                 uint64_t version) {
    const std::vector<char> bytes = readRecord(path, a, pickle);
    checkPickleStream(path, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    size_t pos = 0;
    auto reader = [&](char* out, size_t n) {
        n = std::min(n, bytes.size() - pos);
        std::memcpy(out, bytes.data() + pos, n);
        pos += n;
        return n;
    };
    // Each storage gets a distinct placeholder address, never dereferenced: the unpickler only
    // records the pointer, and nothing here reads a weight.
    std::vector<std::unique_ptr<char>> placeholders;
    std::unordered_map<const void*, std::string> record_of;
    auto read_record = [&](const std::string& key) {
        placeholders.push_back(std::make_unique<char>());
        record_of[placeholders.back().get()] = dir + "/" + key;
        return at::DataPtr(placeholders.back().get(), c10::Device(c10::kCPU));
    };
    auto cu = std::make_shared<torch::jit::CompilationUnit>();
    auto resolve = [&](const c10::QualifiedName& qn) { return c10::StrongTypePtr(cu, c10::ClassType::create(qn, cu)); };
    std::vector<at::Tensor> tensors;
    auto load_object = [&](const at::StrongTypePtr& type, c10::IValue state) {
        collectTensors(state, tensors);
        return c10::ivalue::Object::create(type, 0);
    };
    c10::IValue root;
    {
        torch::jit::Unpickler unpickler(reader, resolve, load_object, read_record, c10::Device(c10::kCPU), false,
                                        lenientTypeParser);
        unpickler.set_version(version);
        root = unpickler.parse_ivalue();
    }
    collectTensors(root, tensors);
    for (size_t i = 0; i < tensors.size(); ++i) {
        const at::Tensor& t = tensors[i];
        if (t.is_sparse()) {
            tensors.push_back(t._indices());
            tensors.push_back(t._values());
            continue;
        }
        if (!t.has_storage())
            throw Error(path, "holds a tensor of a kind Basin cannot read (" + c10::str(t.layout()) + ")");
        const auto it = record_of.find(t.storage().data());
        if (it == record_of.end())
            continue;  // made by the unpickler itself (e.g. an empty tensor), not read from a record
        const auto rec = a.sizes.find(it->second);
        if (rec == a.sizes.end())
            throw Error(path, "refers to a weight record '" + it->second +
                                  "' that the archive does not hold (a damaged or altered file)");
        const uint64_t declared = t.storage().nbytes();
        if (declared > rec->second)
            throw Error(path, "its weight record '" + it->second + "' holds " + std::to_string(rec->second) +
                                  " bytes, but the tensor stored there needs " + std::to_string(declared) +
                                  " (a truncated or altered file)");
        checkExtent(path, "", t, declared);
    }
}

bool validUtf8(const std::vector<char>& s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += n;
    }
    return true;
}

// LibTorch 1.13 dereferences a missing type when a class body assigns a value without one
// (`x = 3`; TorchScript writes a class constant as `x : Final[int] = 3`). Only the assignments
// LibTorch reads as metadata may go without a type; an Enum's members never have one.
void checkClassBodies(const std::string& path, const std::string& record, const std::vector<char>& code) {
    static const std::unordered_set<std::string> metadata = {"__parameters__", "__buffers__", "__annotations__",
                                                             "__forward_pre_hooks__", "__forward_hooks__"};
    auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    bool in_class = false;
    const std::string text(code.begin(), code.end());
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(at, end - at);
        at = end + 1;
        if (line.empty()) continue;
        if (line[0] != ' ') {
            in_class = line.starts_with("class ") && line.find("Enum)") == std::string::npos;
            continue;
        }
        if (!in_class || line.size() < 3 || line[1] != ' ' || !ident(line[2])) continue;  // not the class's own level
        size_t i = 2;
        while (i < line.size() && ident(line[i])) ++i;
        const std::string name = line.substr(2, i - 2);
        while (i < line.size() && line[i] == ' ') ++i;
        if (i + 1 < line.size() && line[i] == '=' && line[i + 1] != '=' && !metadata.count(name))
            throw Error(path, "its TorchScript code record '" + record + "' assigns '" + name +
                                  "' in a class body without a type, which LibTorch " TORCH_VERSION
                                  " cannot load (a damaged or altered file)");
    }
}

}  // namespace

void checkPyTorchArchive(const std::string& path) {
    Archive a = openArchive(path);
    checkRecordChecksums(path, a.zip.get());
    uint64_t version = caffe2::serialize::kProducedFileFormatVersion;
    if (a.sizes.count("version") && a.sizes.at("version") < 64) {
        const auto text = readRecord(path, a, "version");
        version = std::strtoull(std::string(text.begin(), text.end()).c_str(), nullptr, 10);
    }
    // Source code is text: no NUL, and valid UTF-8 (what LibTorch's lexer assumes); the source
    // ranges LibTorch unpickles beside it must be sound pickles.
    for (const auto& [name, size] : a.sizes) {
        if (!name.starts_with("code/")) continue;
        const auto bytes = readRecord(path, a, name);
        if (name.ends_with(".py") && (std::find(bytes.begin(), bytes.end(), '\0') != bytes.end() || !validUtf8(bytes)))
            throw Error(path, "its TorchScript code record '" + name + "' is not text (a damaged or altered file)");
        if (name.ends_with(".py")) checkClassBodies(path, name, bytes);
        if (name.ends_with(".debug_pkl"))
            checkPickleStream(path, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    }
    try {
        checkPickle(path, a, "data.pkl", "data", version);
        if (a.sizes.count("constants.pkl")) checkPickle(path, a, "constants.pkl", "constants", version);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        // LibTorch's own unpickler (the one torch::pickle_load and torch::jit::load use) refused it.
        throw Error(path,
                    "its pickled contents cannot be read by LibTorch " TORCH_VERSION " (" + firstLine(e.what()) + ")");
    }
}

void checkPyTorchChecksums(const std::string& path) {
    int code = 0;
    std::unique_ptr<zip_t, void (*)(zip_t*)> z(zip_open(path.c_str(), ZIP_RDONLY, &code), zip_discard);
    if (!z) throw Error(path, "not a readable zip archive (a damaged or truncated PyTorch file)");
    checkRecordChecksums(path, z.get());
}

void checkUsableTensor(const std::string& path, const std::string& name, const at::Tensor& t) {
    if (t.is_sparse() || t.layout() != torch::kStrided)
        throw Error(path, what(name) + " is a sparse tensor; Basin reads dense tensors (save it with t.to_dense())");
    if (t.is_quantized())
        throw Error(path, what(name) + " is a quantized tensor; Basin reads plain ones (save it with t.dequantize())");
    if (!t.has_storage()) throw Error(path, what(name) + " is a tensor without storage, which Basin cannot read");
    checkExtent(path, name, t, t.storage().nbytes());
}

}  // namespace basin::detail
