#include "torch_io.h"

#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/versions.h>
#include <torch/csrc/jit/serialization/import_read.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "arrays.h"
#include "basin/error.h"
#include "torch_archive.h"

namespace basin::detail {

namespace {

std::string firstLine(const std::string& s) {
    auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool hasZipMagic(const std::vector<unsigned char>& b) {
    return b.size() >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
}

torch::Tensor fromRaw(const RawArray& a) {
    torch::ScalarType t = torch::kFloat32;
    switch (a.type) {
        case ElemType::UInt8: t = torch::kUInt8; break;
        case ElemType::Int8: t = torch::kInt8; break;
        case ElemType::Int16: t = torch::kInt16; break;
        case ElemType::Int32: t = torch::kInt32; break;
        case ElemType::Int64: t = torch::kInt64; break;
        case ElemType::Float32: t = torch::kFloat32; break;
        case ElemType::Float64: t = torch::kFloat64; break;
        case ElemType::Bool: t = torch::kBool; break;
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
            if (!elems[i].isTensor()) throw Error(path, "element " + std::to_string(i) + " of the saved sequence is not a tensor");
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
        throw Error(path, "not a PyTorch zip file (was it written by torch.save with "
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
            auto m = torch::jit::load(path, torch::kCPU);
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

const std::vector<std::string> kInputNames = {"x", "inputs", "input", "images", "data", "X", "features"};
const std::vector<std::string> kTargetNames = {"y", "targets", "target", "labels", "label", "Y"};

using Named = std::vector<std::pair<std::string, torch::Tensor>>;

const torch::Tensor* findNamed(const Named& arrays, const std::string& name) {
    for (const auto& [n, t] : arrays)
        if (n == name) return &t;
    return nullptr;
}

std::string namesOf(const Named& arrays) {
    std::string s;
    for (const auto& [n, t] : arrays) s += (s.empty() ? "'" : ", '") + n + "'";
    return s;
}

torch::Tensor pick(const std::string& path, const Named& arrays, const std::string& key,
                   const std::vector<std::string>& conventional, const char* what) {
    if (!key.empty()) {
        if (auto* t = findNamed(arrays, key)) return *t;
        throw Error(path, std::string("has no array named '") + key + "' for the " + what + " (it has " + namesOf(arrays) + ")");
    }
    for (const auto& n : conventional)
        if (auto* t = findNamed(arrays, n)) return *t;
    return {};
}

}  // namespace

std::string torchMessage(const std::exception& e) {
    const std::string text = e.what();
    if (text.find("Traceback of TorchScript") != std::string::npos) {
        auto end = text.find_last_not_of("\n ");
        auto start = text.rfind('\n', end);
        return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
    }
    return firstLine(text);
}

torch::Dtype torchDtype(DType d) { return d == DType::Float64 ? torch::kFloat64 : torch::kFloat32; }

std::vector<std::pair<std::string, torch::Tensor>> readTensors(const std::string& path) {
    const std::string ext = lower(std::filesystem::path(path).extension().string());
    const std::string name = lower(std::filesystem::path(path).filename().string());
    Named out;
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

Dataset loadDataset(const DataSpec& spec, Loss loss, int64_t samples, torch::Dtype dtype) {
    if (spec.inputs.empty()) throw Error("the study names no data file");
    const Named first = readTensors(spec.inputs);
    const bool csv = lower(std::filesystem::path(spec.inputs).extension().string()) == ".csv";
    torch::Tensor x, y;
    std::string targets_path = spec.targets.empty() ? spec.inputs : spec.targets;
    if (!spec.targets.empty()) {
        x = first.size() == 1 && spec.input_key.empty() ? first.front().second
                                                         : pick(spec.inputs, first, spec.input_key, kInputNames, "inputs");
        const Named second = readTensors(spec.targets);
        y = second.size() == 1 && spec.target_key.empty()
                ? second.front().second
                : pick(spec.targets, second, spec.target_key, kTargetNames, "targets");
        if (!y.defined()) throw Error(spec.targets, "has no array for the targets (it has " + namesOf(second) + ")");
    } else if (csv) {
        // Targets: the named or conventional column; inputs: the named column, or all the others.
        std::string tname = spec.target_key;
        if (tname.empty())
            for (const auto& n : kTargetNames)
                if (findNamed(first, n)) { tname = n; break; }
        if (tname.empty() || !findNamed(first, tname))
            throw Error(spec.inputs, "no target column (name it y, target or label, or give target_key); columns: " + namesOf(first));
        y = *findNamed(first, tname);
        std::vector<torch::Tensor> cols;
        for (const auto& [n, t] : first)
            if (n != tname && (spec.input_key.empty() || n == spec.input_key)) cols.push_back(t);
        if (cols.empty()) throw Error(spec.inputs, "no input columns besides the target '" + tname + "'");
        x = torch::stack(cols, 1);
    } else {
        x = pick(spec.inputs, first, spec.input_key, kInputNames, "inputs");
        y = pick(spec.inputs, first, spec.target_key, kTargetNames, "targets");
        if (!x.defined() || !y.defined())
            throw Error(spec.inputs, "cannot tell inputs from targets (arrays: " + namesOf(first) +
                                         "); name them x and y, or give input_key and target_key, or name a separate targets file");
    }
    if (x.dim() == 0) throw Error(spec.inputs, "the inputs are a single number, not an array of samples");
    if (y.dim() == 0) throw Error(targets_path, "the targets are a single number, not an array of samples");
    if (x.size(0) != y.size(0))
        throw Error(targets_path, "has " + std::to_string(y.size(0)) + " targets but " + spec.inputs + " has " +
                                      std::to_string(x.size(0)) + " inputs; the counts must match");
    if (x.is_complex() || y.is_complex()) throw Error(spec.inputs, "complex numbers are not supported");

    Dataset d;
    d.summary.available = x.size(0);
    const int64_t n = samples > 0 ? std::min(samples, x.size(0)) : x.size(0);
    x = x.slice(0, 0, n);
    y = y.slice(0, 0, n);
    d.inputs = x.to(dtype).contiguous();

    const bool classification = loss == Loss::CrossEntropy || loss == Loss::NLL;
    if (classification) {
        if (y.is_floating_point()) {
            if (!torch::equal(y, y.round()))
                throw Error(targets_path, "the targets are not whole numbers, but " + lossName(loss) +
                                              " needs class indices (use mse or bce_with_logits for real-valued targets)");
        } else if (y.scalar_type() == torch::kBool) {
            throw Error(targets_path, "the targets are booleans, but " + lossName(loss) + " needs class indices");
        }
        if (y.dim() != 1) throw Error(targets_path, lossName(loss) + " needs one class index per sample, the targets have shape " + c10::str(y.sizes()));
        y = y.to(torch::kInt64);
        if (y.min().item<int64_t>() < 0) throw Error(targets_path, "has a negative class index");
        d.summary.classes = y.max().item<int64_t>() + 1;
    } else {
        y = y.to(dtype);
        if (loss == Loss::BCEWithLogits) d.summary.classes = 2;
    }
    d.targets = y.contiguous();
    d.summary.samples = n;
    d.summary.input_shape.assign(x.sizes().begin() + 1, x.sizes().end());
    d.summary.target_shape.assign(y.sizes().begin() + 1, y.sizes().end());
    d.summary.inputs_path = spec.inputs;
    d.summary.targets_path = targets_path;
    return d;
}

torch::jit::Module loadModel(const std::string& path) {
    const auto bytes = readFileBytes(path);
    if (!hasZipMagic(bytes))
        throw Error(path, "not a TorchScript file (not a zip archive). Export the model with "
                          "torch.jit.script(model).save(path) or torch.jit.trace(model, example).save(path)");
    try {
        checkArchiveVersion(path);
        caffe2::serialize::PyTorchStreamReader reader(path);
        if (!isTorchScriptArchive(zipRecords(reader)))
            throw Error(path, "is a torch.save file (a state dict or a pickled object), not TorchScript. Export the "
                              "model with torch.jit.script(model).save(path)");
    } catch (const basin::Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(path, "damaged or truncated model file (" + torchMessage(e) + ")");
    }
    try {
        auto m = torch::jit::load(path, torch::kCPU);
        m.eval();
        return m;
    } catch (const std::bad_alloc&) {
        throw Error(path, "the model does not fit in memory");
    } catch (const std::exception& e) {
        const std::string msg = torchMessage(e);
        if (msg.find("can't allocate memory") != std::string::npos)
            throw Error(path, "the model does not fit in memory (" + msg + ")");
        throw Error(path, "cannot be loaded as TorchScript (" + msg + ")");
    }
}

}  // namespace basin::detail
