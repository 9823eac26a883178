#include "torch_io.h"

#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/versions.h>
#include <torch/csrc/jit/serialization/import_read.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "arrays.h"
#include "basin/error.h"
#include "state_dict.h"
#include "torch_archive.h"

namespace basin::detail {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// LibTorch 1.13's TorchScript importer is not safe to run on two threads at once (two windows'
// engines opening studies together crashed inside its type parser): every load takes this lock.
torch::jit::Module loadScript(const std::string& path) {
    static std::mutex lock;
    std::lock_guard<std::mutex> hold(lock);
    return torch::jit::load(path, torch::kCPU);
}

bool hasZipMagic(const std::vector<unsigned char>& b) {
    return b.size() >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
}

torch::Tensor fromRaw(const RawArray& a) {
    torch::ScalarType t = torch::kFloat32;
    switch (a.type) {
        case ElemType::UInt8:
            t = torch::kUInt8;
            break;
        case ElemType::Int8:
            t = torch::kInt8;
            break;
        case ElemType::Int16:
            t = torch::kInt16;
            break;
        case ElemType::Int32:
            t = torch::kInt32;
            break;
        case ElemType::Int64:
            t = torch::kInt64;
            break;
        case ElemType::Float32:
            t = torch::kFloat32;
            break;
        case ElemType::Float64:
            t = torch::kFloat64;
            break;
        case ElemType::Bool:
            t = torch::kBool;
            break;
    }
    auto out = torch::empty(a.shape, torch::TensorOptions().dtype(t));
    std::memcpy(out.data_ptr(), a.bytes.data(), a.bytes.size());
    return out;
}

// Records inside a PyTorch zip archive, e.g. "archive/code/__torch__.py" -> "code/__torch__.py".
std::set<std::string> zipRecords(caffe2::serialize::PyTorchStreamReader& reader) {
    std::set<std::string> out;
    for (auto& r : reader.getAllRecords()) out.insert(r);
    return out;
}

bool isTorchScriptArchive(const std::set<std::string>& records) {
    return std::any_of(records.begin(), records.end(), [](const std::string& r) { return r.starts_with("code/"); });
}

// Read with libzip before LibTorch opens the file, so a newer format gets a message naming both
// versions rather than LibTorch's enforce failure.
void checkArchiveVersion(const std::string& path) {
    const std::string text = zipEntryText(path, "/version");
    if (text.empty()) return;
    const uint64_t v = std::strtoull(text.c_str(), nullptr, 10);
    if (v > caffe2::serialize::kMaxSupportedFileFormatVersion)
        throw Error(path, "was written by a newer PyTorch (file format version " + std::to_string(v) +
                              "); this Basin uses LibTorch " + torchVersion() + ", which reads up to version " +
                              std::to_string(caffe2::serialize::kMaxSupportedFileFormatVersion) +
                              ". Re-export the model with PyTorch " + torchVersion() + " or older.");
}

// Dense, not quantized, inside its storage, and not empty (like the array readers: no data set has no samples).
void checkDataTensor(const std::string& path, const std::string& name, const torch::Tensor& t) {
    checkUsableTensor(path, name, t);
    if (t.numel() == 0)
        throw Error(path, (name.empty() ? std::string("the tensor") : "entry '" + name + "'") + " is empty (shape " +
                              c10::str(t.sizes()) + "); Basin needs at least one sample");
}

// The tensors of a torch.save file: one tensor, a dict of them (string keys), or a sequence;
// each must be dense, not quantized and inside its storage before anything reads it.
std::vector<std::pair<std::string, torch::Tensor>> tensorsFromIValue(const std::string& path, const c10::IValue& v) {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    if (v.isTensor()) {
        out.emplace_back("", v.toTensor());
    } else if (v.isGenericDict()) {
        for (const auto& item : v.toGenericDict()) {
            if (!item.key().isString()) throw Error(path, "the saved dict has a key that is not a string");
            if (!item.value().isTensor())
                throw Error(path, "entry '" + item.key().toStringRef() + "' of the saved dict is not a tensor");
            out.emplace_back(item.key().toStringRef(), item.value().toTensor());
        }
    } else if (v.isTuple() || v.isList()) {
        auto elems = v.isTuple() ? v.toTupleRef().elements().vec() : v.toListRef().vec();
        for (size_t i = 0; i < elems.size(); ++i) {
            if (!elems[i].isTensor())
                throw Error(path, "element " + std::to_string(i) + " of the saved sequence is not a tensor");
            out.emplace_back(i == 0 ? "x" : i == 1 ? "y" : std::to_string(i), elems[i].toTensor());
        }
    } else {
        throw Error(path, "holds a " + v.tagKind() + ", not a tensor or a dict of tensors");
    }
    if (out.empty()) throw Error(path, "holds no tensors");
    for (const auto& [name, t] : out) checkDataTensor(path, name, t);
    return out;
}

std::vector<std::pair<std::string, torch::Tensor>> readTorchFile(const std::string& path,
                                                                 const std::vector<unsigned char>& bytes) {
    if (!hasZipMagic(bytes))
        throw Error(path,
                    "not a PyTorch zip file (was it written by torch.save with "
                    "_use_new_zipfile_serialization=False? Save it again with a current torch.save)");
    // LibTorch trusts the sizes the pickle states, and its zip reader leaks what it read of a
    // damaged archive: check the archive (with libzip) before LibTorch opens it.
    checkArchiveVersion(path);
    checkPyTorchArchive(path);
    std::set<std::string> records;
    try {
        caffe2::serialize::PyTorchStreamReader reader(path);
        records = zipRecords(reader);
    } catch (const std::exception& e) {
        throw Error(path, "damaged or truncated PyTorch archive (" + torchMessage(e) + ")");
    }
    std::vector<std::pair<std::string, torch::Tensor>> out;
    try {
        if (isTorchScriptArchive(records)) {
            auto m = loadScript(path);
            for (const auto& a : m.named_attributes(/*recurse=*/false))
                if (a.value.isTensor()) out.emplace_back(a.name, a.value.toTensor());
            for (const auto& p : m.named_parameters(false)) out.emplace_back(p.name, p.value);
            if (out.empty()) throw Error(path, "the TorchScript module has no tensor attributes to use as data");
            for (const auto& [name, t] : out) checkDataTensor(path, name, t);
        } else {
            // What torch::pickle_load does, but reading the file: pickle_load's in-memory reader
            // copies past the end of its buffer when a damaged zip header points there.
            caffe2::serialize::PyTorchStreamReader reader(path);
            out = tensorsFromIValue(path, torch::jit::readArchiveAndTensors("data", "", "", c10::nullopt, c10::nullopt,
                                                                            c10::nullopt, reader));
        }
    } catch (const basin::Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(path, "cannot be read as PyTorch data (" + torchMessage(e) + ")");
    }
    return out;
}

}  // namespace

std::string torchMessage(const std::exception& e) {
    const std::string text = e.what();
    if (text.find("Traceback of TorchScript") != std::string::npos) {
        auto end = text.find_last_not_of("\n ");
        auto start = text.rfind('\n', end);
        return text.substr(start == std::string::npos ? 0 : start + 1,
                           end - (start == std::string::npos ? 0 : start + 1) + 1);
    }
    // Errors from the TorchScript compiler start with an empty line.
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const auto a = line.find_first_not_of(" \t\r"), b = line.find_last_not_of(" \t\r");
        if (a != std::string::npos) return line.substr(a, b - a + 1);
    }
    return "LibTorch gave no message";
}

torch::Dtype torchDtype(DType d) { return d == DType::Float64 ? torch::kFloat64 : torch::kFloat32; }

std::vector<std::pair<std::string, torch::Tensor>> readTensors(const std::string& path) {
    const std::string ext = lower(std::filesystem::path(path).extension().string());
    const std::string name = lower(std::filesystem::path(path).filename().string());
    std::vector<std::pair<std::string, torch::Tensor>> out;
    auto fromArrays = [&](const NamedArrays& arrays) {
        for (const auto& [n, a] : arrays) out.emplace_back(n, fromRaw(a));
    };
    if (ext == ".npy") {
        out.emplace_back("", fromRaw(readNpy(path)));
    } else if (ext == ".npz") {
        fromArrays(readNpz(path));
    } else if (ext == ".csv") {
        // CSV: one column per name, kept apart here; loadDataset stacks the input columns.
        fromArrays(readCsv(path));
    } else if (ext == ".idx" || name.find("-ubyte") != std::string::npos || name.find(".idx") != std::string::npos) {
        out.emplace_back("", fromRaw(readIdx(path)));
    } else if (ext == ".pt" || ext == ".pth" || ext == ".zip" || ext == ".ts") {
        out = readTorchFile(path, readFileBytes(path));
    } else {
        const auto bytes = readFileBytes(path);
        if (hasZipMagic(bytes)) return readTorchFile(path, bytes);
        throw Error(path, "unknown data format '" + ext +
                              "' (Basin reads .pt/.pth TorchScript or torch.save, .npy, .npz, IDX [.gz] and .csv)");
    }
    return out;
}

namespace {

enum class ArchiveKind { TorchScript, TorchSave };

// Reads only the zip directory, so a large checkpoint is not read twice.
ArchiveKind archiveKind(const std::string& path, const char* not_zip) {
    {
        requireRegularFile(path);  // a FIFO, a device or a folder is refused without being opened
        std::error_code ec;
        // Refuse before LibTorch reads what cannot fit, rather than be killed half-way.
        const auto size = std::filesystem::file_size(path, ec);
        if (!ec) requireMemory(path, uint64_t(size), "the model file");
        std::ifstream in(path, std::ios::binary);
        if (!in) throw Error(path, "cannot be opened for reading");
        char magic[4] = {};
        in.read(magic, 4);
        if (in.gcount() < 4 || !hasZipMagic(std::vector<unsigned char>(magic, magic + 4))) throw Error(path, not_zip);
    }
    try {
        checkArchiveVersion(path);
        caffe2::serialize::PyTorchStreamReader reader(path);
        return isTorchScriptArchive(zipRecords(reader)) ? ArchiveKind::TorchScript : ArchiveKind::TorchSave;
    } catch (const basin::Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(path, "damaged or truncated model file (" + torchMessage(e) + ")");
    }
}

const char* const kNotZip =
    "not a TorchScript file (not a zip archive). Export the model with torch.jit.script(model).save(path) or "
    "torch.jit.trace(model, example).save(path)";

// What LibTorch says when TorchScript code uses something it does not have, as one sentence that
// names it and says how to export a model without it.
std::string newerPyTorchMessage(const std::string& msg) {
    const std::string unknown_op = "Unknown builtin op: ";
    if (auto at = msg.find(unknown_op); at != std::string::npos) {
        std::string op = msg.substr(at + unknown_op.size());
        op = op.substr(0, op.find_first_of(". \n"));
        std::string how = "export it with PyTorch " + torchVersion() + ", or rewrite that step with older operators";
        if (op.find("scaled_dot_product_attention") != std::string::npos)
            how =
                "write attention in its explicit form, softmax(Q K^T / sqrt(d)) V (for a HuggingFace model, "
                "attn_implementation=\"eager\"), or torch.jit.trace the model's math path, then save it again "
                "(resources/python/basin_export.py does the export)";
        return "uses the operator " + op + ", which LibTorch " + torchVersion() +
               " does not have: the file was written by a newer PyTorch. To export a compatible model, " + how;
    }
    for (const char* marker : {"has no attribute or method", "Unknown type name", "Unknown type constructor"})
        if (msg.find(marker) != std::string::npos)
            return "uses something LibTorch " + torchVersion() + " does not know (" + msg +
                   "): the file was written by a newer PyTorch. Export it with PyTorch " + torchVersion() +
                   ", or script a version of the model without that feature";
    return {};
}

}  // namespace

torch::jit::Module loadModel(const std::string& path) {
    if (archiveKind(path, kNotZip) == ArchiveKind::TorchSave)
        throw Error(path,
                    "is a torch.save file (a state dict or a pickled object), not TorchScript. The study's model "
                    "must be TorchScript, the architecture its state-dict checkpoints are loaded into: export it "
                    "with torch.jit.script(model).save(path)");
    checkPyTorchArchive(path);  // LibTorch trusts the sizes its pickles state
    try {
        auto m = loadScript(path);
        m.eval();
        return m;
    } catch (const std::bad_alloc&) {
        throw Error(path, "the model does not fit in memory");
    } catch (const std::exception& e) {
        const std::string msg = torchMessage(e);
        if (msg.find("can't allocate memory") != std::string::npos)
            throw Error(path, "the model does not fit in memory (" + msg + ")");
        if (auto newer = newerPyTorchMessage(msg); !newer.empty()) throw Error(path, newer);
        throw Error(path, "cannot be loaded as TorchScript (" + msg + ")");
    }
}

bool isTorchSaveFile(const std::string& path) {
    return archiveKind(path, "not a model file: neither TorchScript nor a torch.save state dict (not a zip archive)") ==
           ArchiveKind::TorchSave;
}

torch::jit::Module loadCheckpoint(const std::string& path, const std::string& arch_path, torch::Dtype dtype) {
    const bool state_dict = path != arch_path && isTorchSaveFile(path);
    auto m = loadModel(state_dict ? arch_path : path);
    try {
        // Module::to(dtype) would turn integer buffers (position ids, counters) into floats too.
        torch::NoGradGuard guard;
        for (auto t : m.parameters(/*recurse=*/true))
            if (t.is_floating_point()) t.set_data(t.to(dtype));
        for (auto t : m.buffers(/*recurse=*/true))
            if (t.is_floating_point()) t.set_data(t.to(dtype));
    } catch (const std::exception& e) {
        throw Error(state_dict ? arch_path : path, std::string("cannot be converted to ") +
                                                       (dtype == torch::kFloat64 ? "float64" : "float32") + " (" +
                                                       torchMessage(e) + ")");
    }
    if (state_dict) loadStateDict(m, readStateDict(path), path, arch_path);
    return m;
}

namespace {

// Keeps c10's warnings from the terminal while it lives.
struct QuietTorchWarnings : c10::WarningHandler {
    void process(const c10::SourceLocation&, const std::string&, const bool) override {}
};

}  // namespace

bool overrideAtenKernel(const char* off_variable, c10::DispatchKey key, const char* op, torch::CppFunction kernel) {
    if (const char* off = std::getenv(off_variable); off && *off && std::string(off) != "0") return false;
    QuietTorchWarnings quiet;
    c10::Warning::WarningHandlerGuard guard(&quiet);
    // Kept for the process (a registration lasts as long as its Library), and reachable from this
    // static, so that leak checkers do not count them.
    static std::mutex mutex;
    static auto* kept = new std::vector<torch::Library*>();
    std::lock_guard lock(mutex);
    kept->push_back(new torch::Library(torch::Library::IMPL, "aten", key, __FILE__, __LINE__));
    kept->back()->impl(op, std::move(kernel));
    return true;
}

}  // namespace basin::detail
