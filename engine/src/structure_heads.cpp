// The structures the diagonal is summed over: tensors, output channels, layer groups and attention
// heads. Heads are found by one stated rule (see headStructures); where it does not apply the
// result says why.
#include <map>

#include "basin/error.h"
#include "structure_impl.h"

namespace basin::detail {

std::vector<Structure> tensorStructures(const Objective& o) {
    std::vector<Structure> out;
    for (const auto& p : o.parameters()) {
        Structure s{p.name, "tensor", {}, 0};
        s.add(p.offset, p.size);
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<Structure> channelStructures(const Objective& o) {
    std::vector<Structure> out;
    for (const auto& p : o.parameters()) {
        if (p.shape.size() < 2 || p.shape[0] < 1) continue;
        const int64_t per = p.size / p.shape[0];
        for (int64_t c = 0; c < p.shape[0]; ++c) {
            Structure s{p.name + "[" + std::to_string(c) + "]", "channel", {}, 0};
            s.add(p.offset + c * per, per);
            out.push_back(std::move(s));
        }
    }
    return out;
}

std::vector<Structure> groupStructures(const Objective& o, const std::vector<std::string>& merge) {
    std::vector<Structure> out;
    for (const auto& g : sensitivityGroups(o, merge)) {
        Structure s{g.name, "group", {}, 0};
        for (int k : g.parameters) s.add(o.parameters()[size_t(k)].offset, o.parameters()[size_t(k)].size);
        out.push_back(std::move(s));
    }
    return out;
}

namespace {

std::string prefixOf(const std::string& name, const std::string& suffix) {
    if (name == suffix) return "";
    return name.substr(0, name.size() - suffix.size() - 1);
}

bool endsWith(const std::string& s, const std::string& suffix) {
    return s == suffix ||
           (s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0 &&
            s[s.size() - suffix.size() - 1] == '.');
}

std::string join(const std::string& prefix, const std::string& name) {
    return prefix.empty() ? name : prefix + "." + name;
}

// Rows [row, row + rows) of a tensor stored row-major with `cols` entries per row.
void addRows(Structure& s, const ParameterInfo& p, int64_t row, int64_t rows) {
    const int64_t cols = p.shape.size() > 1 ? p.size / p.shape[0] : 1;
    s.add(p.offset + row * cols, rows * cols);
}

// Columns [col, col + cols) of every row of a 2-D tensor.
void addColumns(Structure& s, const ParameterInfo& p, int64_t col, int64_t cols) {
    for (int64_t r = 0; r < p.shape[0]; ++r) s.add(p.offset + r * p.shape[1] + col, cols);
}

}  // namespace

// The rule. A module M is attention when it holds either
//   M.in_proj_weight of shape [3E, E'] (PyTorch's nn.MultiheadAttention, q, k and v packed), or
//   M.q_proj.weight, M.k_proj.weight and M.v_proj.weight, each with E rows (separate projections);
// its number of heads H is the `heads` option, else M's integer attribute num_heads (or
// num_attention_heads, n_heads, n_head, nhead). Head h (of width d = E / H) is rows h·d to
// (h+1)·d − 1 of each of q, k and v (and those entries of their biases) and columns h·d to
// (h+1)·d − 1 of M.out_proj.weight (or M.o_proj.weight), the head's part of the output. Not applied
// (and said so) when H is not known or does not divide E, or shapes disagree.
std::vector<Structure> headStructures(const Objective& o, int heads, std::vector<std::string>& rule) {
    std::map<std::string, const ParameterInfo*> byName;
    for (const auto& p : o.parameters()) byName[p.name] = &p;
    auto find = [&](const std::string& n) -> const ParameterInfo* {
        const auto it = byName.find(n);
        return it == byName.end() ? nullptr : it->second;
    };
    auto headCount = [&](const std::string& m, std::string& source) -> int64_t {
        if (heads > 0) {
            source = "given";
            return heads;
        }
        for (const char* a : {"num_heads", "num_attention_heads", "n_heads", "n_head", "nhead"})
            if (auto v = o.moduleIntAttribute(m, a)) {
                source = std::string("read from ") + (m.empty() ? "the model" : m) + "." + a;
                return *v;
            }
        return 0;
    };
    std::vector<Structure> out;
    auto build = [&](const std::string& m, const std::vector<const ParameterInfo*>& qkv, int64_t E, bool packed) {
        const std::string where = packed ? join(m, "in_proj_weight") : join(m, "q_proj/k_proj/v_proj.weight");
        std::string source;
        const int64_t H = headCount(m, source);
        if (H <= 0) {
            rule.push_back(where + ": heads not applied: the number of heads is not known (no num_heads attribute on " +
                           (m.empty() ? std::string("the model") : m) + "); give --heads");
            return;
        }
        if (E % H != 0) {
            rule.push_back(where + ": heads not applied: " + std::to_string(E) + " rows are not divisible by " +
                           std::to_string(H) + " heads");
            return;
        }
        const int64_t d = E / H;
        const ParameterInfo* outp = find(join(m, "out_proj.weight"));
        if (!outp) outp = find(join(m, "o_proj.weight"));
        if (outp && (outp->shape.size() != 2 || outp->shape[1] != E)) outp = nullptr;
        for (int64_t h = 0; h < H; ++h) {
            Structure s{join(m, "head" + std::to_string(h)), "head", {}, 0};
            if (packed) {
                const ParameterInfo& w = *qkv[0];
                for (int64_t part = 0; part < 3; ++part) addRows(s, w, part * E + h * d, d);
                if (const ParameterInfo* b = find(join(m, "in_proj_bias")); b && b->size == 3 * E)
                    for (int64_t part = 0; part < 3; ++part) s.add(b->offset + part * E + h * d, d);
            } else {
                for (const char* proj : {"q_proj", "k_proj", "v_proj"}) {
                    const ParameterInfo& w = *find(join(m, std::string(proj) + ".weight"));
                    addRows(s, w, h * d, d);
                    if (const ParameterInfo* b = find(join(m, std::string(proj) + ".bias")); b && b->size == E)
                        s.add(b->offset + h * d, d);
                }
            }
            if (outp) addColumns(s, *outp, h * d, d);
            out.push_back(std::move(s));
        }
        rule.push_back(where + ": " + std::to_string(H) + " heads of " + std::to_string(d) +
                       " rows of q, k and v (with their biases)" +
                       (outp ? " and " + std::to_string(d) + " columns of " + outp->name : std::string()) + "; heads " +
                       source);
        (void)qkv;
    };
    for (const auto& p : o.parameters()) {
        if (endsWith(p.name, "in_proj_weight")) {
            const std::string m = prefixOf(p.name, "in_proj_weight");
            if (p.shape.size() != 2 || p.shape[0] % 3 != 0) {
                rule.push_back(p.name + ": heads not applied: shape is not [3E, E']");
                continue;
            }
            build(m, {&p}, p.shape[0] / 3, true);
        } else if (endsWith(p.name, "q_proj.weight")) {
            const std::string m = prefixOf(p.name, "q_proj.weight");
            const ParameterInfo* k = find(join(m, "k_proj.weight"));
            const ParameterInfo* v = find(join(m, "v_proj.weight"));
            if (!k || !v || p.shape.size() != 2 || k->shape != p.shape || v->shape != p.shape) {
                rule.push_back(p.name +
                               ": heads not applied: k_proj and v_proj weights of the same shape were not found");
                continue;
            }
            build(m, {&p, k, v}, p.shape[0], false);
        }
    }
    if (rule.empty())
        rule.push_back(
            "no attention heads: no parameter is named in_proj_weight (nn.MultiheadAttention) or "
            "q_proj/k_proj/v_proj.weight");
    return out;
}

}  // namespace basin::detail
