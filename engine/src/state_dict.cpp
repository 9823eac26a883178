#include "state_dict.h"

#include <algorithm>
#include <map>
#include <set>

#include "basin/error.h"
#include "pickle_reader.h"

namespace basin::detail {

namespace {

using Kind = PyValue::Kind;

const char* const kUsualKeys[] = {"state_dict", "model_state_dict", "model", "net"};

// Entries a state dict may hold that are not weights: the OrderedDict's _metadata when a dict
// was copied with it, and modules' _extra_state (which TorchScript cannot take anyway).
bool skippable(const std::string& key) {
    return key == "_metadata" || key == "_extra_state" || key.ends_with("._extra_state");
}

bool isTensorDict(const PyValue& v) {
    if (v.kind != Kind::Dict) return false;
    bool any = false;
    for (const auto& [k, t] : v.dict) {
        if (k->kind != Kind::Str) return false;
        if (skippable(k->s)) continue;
        if (t->kind != Kind::Tensor) return false;
        any = true;
    }
    return any;
}

std::string quotedKeys(const PyValue& d) {
    std::string s;
    size_t n = 0;
    for (const auto& [k, v] : d.dict) {
        if (n++ == 8) {
            s += ", ...";
            break;
        }
        s += (s.empty() ? "'" : ", '") + (k->kind == Kind::Str ? k->s : describe(*k)) + "'";
    }
    return s.empty() ? "none" : s;
}

std::string shapeText(const torch::Tensor& t) { return c10::str(t.sizes()); }

// "fc2.weight, fc2.bias and 3 more"
std::string listed(const std::vector<std::string>& names) {
    std::string s;
    const size_t shown = std::min<size_t>(names.size(), 4);
    for (size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > shown) s += " and " + std::to_string(names.size() - shown) + " more";
    return s;
}

std::string counted(size_t n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

}  // namespace

StateDict readStateDict(const std::string& path) {
    const PyRef root = readTorchSavePickle(path);
    const PyValue* sd = nullptr;
    StateDict out;
    if (isTensorDict(*root)) {
        sd = root.get();
    } else if (root->kind == Kind::Dict) {
        for (const char* key : kUsualKeys) {
            for (const auto& [k, v] : root->dict)
                if (k->kind == Kind::Str && k->s == key && isTensorDict(*v)) {
                    sd = v.get();
                    out.found_under = key;
                    break;
                }
            if (sd) break;
        }
        if (!sd) {
            std::string hint;
            for (const auto& [k, v] : root->dict)
                if (k->kind == Kind::Str &&
                    std::find(std::begin(kUsualKeys), std::end(kUsualKeys), k->s) != std::end(kUsualKeys))
                    hint += "; its '" + k->s + "' is " + describe(*v) + ", not a dict of tensors";
            throw Error(path, "holds a dict with no state dict in it (keys " + quotedKeys(*root) + hint +
                                  "). Basin looks for a dict of tensors, as the file's content or under 'state_dict', "
                                  "'model_state_dict', 'model' or 'net'");
        }
    } else if (root->kind == Kind::Object) {
        throw Error(path,
                    "holds " + describe(*root) +
                        " (torch.save(model)), not a state dict: save "
                        "model.state_dict() instead, or export the model with torch.jit.script(model).save(path)");
    } else {
        throw Error(path, "holds " + describe(*root) +
                              ", not a state dict (a dict of tensors saved with "
                              "torch.save(model.state_dict(), path))");
    }
    for (const auto& [k, v] : sd->dict)
        if (!skippable(k->s)) out.tensors.emplace_back(k->s, v->tensor);
    // Wrappers prefix every key: DataParallel/DDP with "module.", torch.compile with "_orig_mod.".
    for (bool stripped = true; stripped;) {
        stripped = false;
        for (const std::string prefix : {"module.", "_orig_mod."}) {
            const bool all = std::all_of(out.tensors.begin(), out.tensors.end(), [&](const auto& e) {
                return e.first.starts_with(prefix) && e.first.size() > prefix.size();
            });
            if (!all) continue;
            for (auto& e : out.tensors) e.first.erase(0, prefix.size());
            out.stripped_prefix += prefix;
            stripped = true;
        }
    }
    return out;
}

void checkStateDict(const torch::jit::Module& module, const StateDict& sd, const std::string& path,
                    const std::string& arch_path) {
    struct Slot {
        torch::Tensor tensor;
        bool buffer;
    };
    std::map<std::string, Slot> slots;
    std::vector<std::string> order;
    for (const auto& p : module.named_parameters(/*recurse=*/true)) {
        slots.emplace(p.name, Slot{p.value, false});
        order.push_back(p.name);
    }
    for (const auto& b : module.named_buffers(/*recurse=*/true)) {
        slots.emplace(b.name, Slot{b.value, true});
        order.push_back(b.name);
    }
    std::vector<std::string> missing, unexpected, misshaped;
    std::set<std::string> seen;
    for (const auto& [name, t] : sd.tensors) {
        auto it = slots.find(name);
        if (it == slots.end()) {
            unexpected.push_back(name);
            continue;
        }
        seen.insert(name);
        if (t.sizes() != it->second.tensor.sizes())
            misshaped.push_back(name + " " + shapeText(t) + " in the file, " + shapeText(it->second.tensor) +
                                " in the model");
    }
    for (const auto& name : order) {
        if (seen.count(name)) continue;
        const bool statistic = name.ends_with("running_mean") || name.ends_with("running_var");
        if (!slots.at(name).buffer || statistic) missing.push_back(name);
    }
    if (missing.empty() && unexpected.empty() && misshaped.empty()) return;
    std::string what;
    auto add = [&](const std::vector<std::string>& names, const char* label) {
        if (names.empty()) return;
        what += (what.empty() ? "" : "; ") + counted(names.size(), label) + ": " + listed(names);
    };
    add(missing, "missing key");
    add(unexpected, "unexpected key");
    add(misshaped, "key of the wrong shape");
    const std::string where =
        sd.found_under.empty() ? "its state dict" : "the state dict under '" + sd.found_under + "'";
    throw Error(path, where + " does not fit the architecture of " + arch_path + " (matched by name): " + what);
}

void loadStateDict(torch::jit::Module& module, const StateDict& sd, const std::string& path,
                   const std::string& arch_path) {
    checkStateDict(module, sd, path, arch_path);
    std::map<std::string, torch::Tensor> slots;
    for (const auto& p : module.named_parameters(true)) slots.emplace(p.name, p.value);
    for (const auto& b : module.named_buffers(true)) slots.emplace(b.name, b.value);
    torch::NoGradGuard guard;
    for (const auto& [name, t] : sd.tensors) slots.at(name).copy_(t);
}

}  // namespace basin::detail
