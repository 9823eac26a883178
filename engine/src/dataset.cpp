// The study's data as the model's inputs and the loss's targets: arrays matched to forward()'s
// arguments, each kept in its kind, the samples chosen, the targets checked against the loss.
#include <algorithm>
#include <filesystem>
#include <random>

#include "basin/error.h"
#include "basin/options.h"
#include "torch_io.h"

namespace basin::detail {

namespace {

using Named = std::vector<std::pair<std::string, torch::Tensor>>;

const std::vector<std::string> kInputNames = {"x", "inputs", "input", "images", "data", "X", "features"};
const std::vector<std::string> kTargetNames = {"y", "targets", "target", "labels", "label", "Y"};

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

// The name of the array picked by `key`, else the first conventional name present, else "".
std::string pickName(const std::string& path, const Named& arrays, const std::string& key,
                     const std::vector<std::string>& conventional, const char* what) {
    if (!key.empty()) {
        if (findNamed(arrays, key)) return key;
        throw Error(path, std::string("has no array named '") + key + "' for the " + what + " (it has " +
                              namesOf(arrays) + ")");
    }
    for (const auto& n : conventional)
        if (findNamed(arrays, n)) return n;
    return {};
}

std::string signature(const std::vector<ForwardArgument>& args) {
    std::string s = "forward(";
    for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i].name;
    return s + ")";
}

size_t requiredCount(const std::vector<ForwardArgument>& args) {
    size_t n = 0;
    for (size_t i = 0; i < args.size(); ++i)
        if (!args[i].default_value) n = i + 1;
    return n;
}

std::string lowerExt(const std::string& path) {
    std::string e = std::filesystem::path(path).extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
    return e;
}

struct Chosen {
    std::vector<std::string> names;  // arrays, in the order they are stored in Dataset::inputs
    std::vector<torch::Tensor> tensors;
    std::vector<std::string> arguments;  // forward()'s argument each is passed as ("" when unknown)
    std::vector<int> call;
    std::vector<c10::IValue> call_defaults;
};

// Which arrays of the inputs file feed forward(): the study's inputs_keys in order; else the one
// named by input_key; else the arrays named after forward()'s arguments; else the one input
// found by its conventional name (x, inputs, images, ...).
Chosen chooseInputs(const std::string& path, const Named& arrays, const std::string& target_name, const DataSpec& spec,
                    const std::vector<ForwardArgument>& args) {
    Chosen c;
    auto add = [&](const std::string& name, const std::string& argument) {
        c.names.push_back(name);
        c.tensors.push_back(*findNamed(arrays, name));
        c.arguments.push_back(argument);
    };
    const size_t required = requiredCount(args);
    if (!spec.inputs_keys.empty()) {
        if (!args.empty() && spec.inputs_keys.size() > args.size())
            throw Error(path, "the study's inputs_keys lists " + std::to_string(spec.inputs_keys.size()) +
                                  " arrays, but " + signature(args) + " takes " + std::to_string(args.size()));
        for (size_t i = 0; i < spec.inputs_keys.size(); ++i) {
            if (!findNamed(arrays, spec.inputs_keys[i]))
                throw Error(path, "has no array named '" + spec.inputs_keys[i] + "' (listed in inputs_keys); it has " +
                                      namesOf(arrays));
            add(spec.inputs_keys[i], i < args.size() ? args[i].name : std::string());
        }
        if (spec.inputs_keys.size() < required)
            throw Error(path, signature(args) + " needs an array for argument '" + args[spec.inputs_keys.size()].name +
                                  "', but the study's inputs_keys lists only " +
                                  std::to_string(spec.inputs_keys.size()));
        return c;
    }
    if (spec.input_key.empty() && !args.empty()) {
        bool any = false;
        for (const auto& a : args) any = any || (a.name != target_name && findNamed(arrays, a.name));
        if (any) {
            for (size_t i = 0; i < args.size(); ++i) {
                if (args[i].name != target_name && findNamed(arrays, args[i].name)) {
                    c.call.push_back(int(c.names.size()));
                    c.call_defaults.emplace_back();
                    add(args[i].name, args[i].name);
                } else if (args[i].default_value) {
                    c.call.push_back(-1);
                    c.call_defaults.push_back(*args[i].default_value);
                } else {
                    throw Error(path, signature(args) + " needs an array for argument '" + args[i].name +
                                          "', and the file has none of that name (it has " + namesOf(arrays) +
                                          "). Name the array after the argument, or list the arrays in the study's "
                                          "\"inputs_keys\"");
                }
            }
            while (!c.call.empty() && c.call.back() < 0) {  // trailing defaults need not be passed
                c.call.pop_back();
                c.call_defaults.pop_back();
            }
            return c;
        }
    }
    if (required > 1)
        throw Error(path, signature(args) + " takes " + std::to_string(required) +
                              " inputs, but the file has no arrays of "
                              "those names (it has " +
                              namesOf(arrays) +
                              "). Name the arrays after the arguments, or "
                              "list them in the study's \"inputs_keys\"");
    const bool lone =
        arrays.size() == 1 && spec.input_key.empty() && (target_name.empty() || arrays.front().first != target_name);
    std::string name = lone ? arrays.front().first : pickName(path, arrays, spec.input_key, kInputNames, "inputs");
    if (!lone && name.empty() && arrays.size() == 2 && !target_name.empty())  // the one array that is not the target
        name = arrays.front().first == target_name ? arrays.back().first : arrays.front().first;
    if ((!lone && name.empty()) || !findNamed(arrays, name))
        throw Error(path,
                    "cannot tell inputs from targets (arrays: " + namesOf(arrays) +
                        "); name them x and y, or give input_key and target_key, or name a separate targets file");
    add(name, args.empty() ? std::string() : args.front().name);
    return c;
}

// Floating point -> the study's dtype; uint8 (pixels) too; other integers -> int64 (token ids,
// indices); booleans (masks) stay boolean.
torch::Tensor inKind(const torch::Tensor& t, torch::Dtype dtype) {
    if (t.scalar_type() == torch::kBool) return t.contiguous();
    if (t.is_floating_point() || t.scalar_type() == torch::kUInt8) return t.to(dtype).contiguous();
    return t.to(torch::kInt64).contiguous();
}

std::string kindName(const torch::Tensor& t) {
    switch (t.scalar_type()) {
        case torch::kFloat64:
            return "float64";
        case torch::kFloat32:
            return "float32";
        case torch::kInt64:
            return "int64";
        case torch::kBool:
            return "bool";
        default:
            return c10::toString(t.scalar_type());
    }
}

}  // namespace

std::vector<ForwardArgument> forwardArguments(const torch::jit::Module& module) {
    std::vector<ForwardArgument> out;
    auto method = module.find_method("forward");
    if (!method) return out;
    const auto& arguments = method->function().getSchema().arguments();
    for (size_t i = 1; i < arguments.size(); ++i) {  // 0 is the module itself
        ForwardArgument a{arguments[i].name(), std::nullopt};
        // c10::optional, not std::optional: converting it directly would wrap it in an IValue.
        if (arguments[i].default_value().has_value()) a.default_value = *arguments[i].default_value();
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<int64_t> sampleIndices(SampleMode mode, int64_t available, int64_t samples, uint64_t seed) {
    if (mode == SampleMode::First) return {};
    const int64_t n = samples > 0 ? std::min(samples, available) : available;
    std::vector<int64_t> all(size_t(std::max<int64_t>(available, 0)));
    for (int64_t i = 0; i < available; ++i) all[size_t(i)] = i;
    // A partial Fisher-Yates shuffle; the bounded draw is done by rejection rather than by
    // std::uniform_int_distribution, whose output differs between standard libraries.
    std::mt19937_64 rng(seed);
    for (int64_t i = 0; i < n; ++i) {
        const uint64_t range = uint64_t(available - i);
        const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
        uint64_t r;
        do r = rng();
        while (r >= limit);
        std::swap(all[size_t(i)], all[size_t(i + int64_t(r % range))]);
    }
    all.resize(size_t(n));
    return all;
}

Dataset loadDataset(const StudySpec& study, const DataSpec& spec, const std::vector<ForwardArgument>& args,
                    torch::Dtype dtype) {
    if (spec.inputs.empty()) throw Error("the study names no data file");
    const Loss loss = study.loss;
    const Named first = readTensors(spec.inputs);
    const bool csv = lowerExt(spec.inputs) == ".csv";
    Chosen chosen;
    torch::Tensor y;
    std::string targets_path = spec.targets.empty() ? spec.inputs : spec.targets;
    if (!spec.targets.empty()) {
        chosen = chooseInputs(spec.inputs, first, "", spec, args);
        const Named second = readTensors(spec.targets);
        if (second.size() == 1 && spec.target_key.empty()) {
            y = second.front().second;
        } else {
            const std::string tname = pickName(spec.targets, second, spec.target_key, kTargetNames, "targets");
            if (tname.empty())
                throw Error(spec.targets, "has no array for the targets (it has " + namesOf(second) + ")");
            y = *findNamed(second, tname);
        }
    } else if (csv) {
        // Targets: the named or conventional column; inputs: the named column, or all the others.
        std::string tname = spec.target_key;
        if (tname.empty())
            for (const auto& n : kTargetNames)
                if (findNamed(first, n)) {
                    tname = n;
                    break;
                }
        if (tname.empty() || !findNamed(first, tname))
            throw Error(spec.inputs, "no target column (name it y, target or label, or give target_key); columns: " +
                                         namesOf(first));
        y = *findNamed(first, tname);
        std::vector<torch::Tensor> cols;
        for (const auto& [n, t] : first)
            if (n != tname && (spec.input_key.empty() || n == spec.input_key)) cols.push_back(t);
        if (cols.empty()) throw Error(spec.inputs, "no input columns besides the target '" + tname + "'");
        chosen.names = {spec.input_key.empty() ? "columns" : spec.input_key};
        chosen.tensors = {torch::stack(cols, 1)};
        chosen.arguments = {args.empty() ? std::string() : args.front().name};
    } else {
        const std::string tname = pickName(spec.inputs, first, spec.target_key, kTargetNames, "targets");
        if (tname.empty())
            throw Error(spec.inputs,
                        "cannot tell inputs from targets (arrays: " + namesOf(first) +
                            "); name them x and y, or give input_key and target_key, or name a separate targets file");
        chosen = chooseInputs(spec.inputs, first, tname, spec, args);
        y = *findNamed(first, tname);
    }
    if (y.dim() == 0) throw Error(targets_path, "the targets are a single number, not an array of samples");
    if (y.is_complex()) throw Error(targets_path, "complex numbers are not supported");
    for (size_t k = 0; k < chosen.tensors.size(); ++k) {
        const auto& x = chosen.tensors[k];
        const std::string what = chosen.tensors.size() == 1 ? "the inputs" : "array '" + chosen.names[k] + "'";
        if (x.dim() == 0) throw Error(spec.inputs, what + " is a single number, not an array of samples");
        if (x.is_complex()) throw Error(spec.inputs, "complex numbers are not supported (" + what + ")");
        if (k > 0 && x.size(0) != chosen.tensors[0].size(0))
            throw Error(spec.inputs, "its inputs hold different numbers of samples: '" + chosen.names[0] +
                                         "' has shape " + c10::str(chosen.tensors[0].sizes()) + ", '" +
                                         chosen.names[k] + "' has shape " + c10::str(x.sizes()) +
                                         "; every input needs one entry per sample");
    }
    const int64_t available = chosen.tensors[0].size(0);
    if (available != y.size(0))
        throw Error(targets_path, "has " + std::to_string(y.size(0)) + " targets but " + spec.inputs + " has " +
                                      std::to_string(available) + " inputs; the counts must match");

    Dataset d;
    d.summary.available = available;
    d.summary.sample = sampleModeName(study.sample);
    // The one seed rule (basin/options.h): a random subset is drawn from s + 3.
    d.summary.sample_indices =
        sampleIndices(study.sample, available, study.samples, seedFor(study.seed, SeedStream::Samples));
    auto choose = [&](const torch::Tensor& t) {
        if (study.sample == SampleMode::Random)
            return t.index_select(0, torch::tensor(d.summary.sample_indices, torch::kInt64));
        return t.slice(0, 0, study.samples > 0 ? std::min(study.samples, available) : available);
    };
    for (size_t k = 0; k < chosen.tensors.size(); ++k) {
        d.inputs.push_back(inKind(choose(chosen.tensors[k]), dtype));
        d.summary.inputs.push_back(
            {chosen.names[k], chosen.arguments[k],
             std::vector<int64_t>(d.inputs.back().sizes().begin() + 1, d.inputs.back().sizes().end()),
             kindName(d.inputs.back())});
    }
    d.call = chosen.call;
    d.call_defaults = chosen.call_defaults;
    y = choose(y);
    const int64_t n = y.size(0);

    const bool classification = loss == Loss::CrossEntropy || loss == Loss::NLL;
    d.summary.ignore_index = study.ignore_index;
    if (classification) {
        if (y.is_floating_point()) {
            if (!torch::equal(y, y.round()))
                throw Error(targets_path,
                            "the targets are not whole numbers, but " + lossName(loss) +
                                " needs class indices (use mse or bce_with_logits for real-valued targets)");
        } else if (y.scalar_type() == torch::kBool) {
            throw Error(targets_path, "the targets are booleans, but " + lossName(loss) + " needs class indices");
        }
        y = y.to(torch::kInt64);
        const auto keep = y.ne(study.ignore_index);
        d.counted = keep.reshape({n, -1}).sum(1).to(torch::kInt64);
        if (n > 0 && keep.any().item<bool>()) {
            const auto kept = y.masked_select(keep);
            const int64_t lowest = kept.min().item<int64_t>();
            if (lowest < 0)
                throw Error(targets_path, "has the negative class index " + std::to_string(lowest) +
                                              "; only targets equal to ignore_index (" +
                                              std::to_string(study.ignore_index) + ") are left out of the loss");
            d.summary.classes = kept.max().item<int64_t>() + 1;
        }
    } else {
        y = y.to(dtype);
        d.counted = torch::ones({n}, torch::kInt64);
        if (loss == Loss::BCEWithLogits) d.summary.classes = 2;
    }
    d.targets = y.contiguous();
    d.summary.samples = n;
    d.summary.targets_counted = d.counted.sum().item<int64_t>();
    d.summary.targets_ignored = classification ? y.numel() - d.summary.targets_counted : 0;
    d.summary.input_shape = d.summary.inputs.front().shape;
    d.summary.target_shape.assign(y.sizes().begin() + 1, y.sizes().end());
    d.summary.inputs_path = spec.inputs;
    d.summary.targets_path = targets_path;
    return d;
}

}  // namespace basin::detail
