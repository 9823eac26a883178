// torch.save(optimizer.state_dict()) read with Basin's own pickle reader (nothing executed) and
// mapped onto the model's parameters: what the stability readout needs of SGD, Adam and AdamW.
#include <cmath>
#include <map>

#include "basin/error.h"
#include "basin/stability.h"
#include "pickle_reader.h"

namespace basin {

namespace {

using detail::PyRef;
using detail::PyValue;
using Kind = PyValue::Kind;

const PyValue* entry(const PyValue& dict, const std::string& key) {
    if (dict.kind != Kind::Dict) return nullptr;
    for (const auto& [k, v] : dict.dict)
        if (k->kind == Kind::Str && k->s == key) return v.get();
    return nullptr;
}

bool isOptimizerDict(const PyValue& v) { return entry(v, "state") && entry(v, "param_groups"); }

double number(const PyValue* v, const std::string& path, const std::string& what) {
    if (v && (v->kind == Kind::Float)) return v->f;
    if (v && (v->kind == Kind::Int || v->kind == Kind::Bool)) return double(v->i);
    if (v && v->kind == Kind::Tensor && v->tensor.numel() == 1) return v->tensor.to(torch::kFloat64).item<double>();
    throw Error(
        path, "its optimizer state has no number for '" + what + "' (" + (v ? detail::describe(*v) : "missing") + ")");
}

}  // namespace

OptimizerState readOptimizerState(const std::string& path, const Objective& o) {
    const PyRef root = detail::readTorchSavePickle(path);
    const PyValue* sd = isOptimizerDict(*root) ? root.get() : nullptr;
    for (const char* key : {"optimizer", "optimizer_state_dict", "optim"})
        if (!sd)
            if (const PyValue* v = entry(*root, key); v && isOptimizerDict(*v)) sd = v;
    if (!sd)
        throw Error(path, "holds " + detail::describe(*root) +
                              " with no optimizer state in it: Basin reads "
                              "torch.save(optimizer.state_dict()), or a checkpoint dict holding it under 'optimizer'");
    const PyValue* groups = entry(*sd, "param_groups");
    if (groups->kind != Kind::List || groups->items.empty())
        throw Error(path, "its optimizer state has no parameter groups");

    OptimizerState s;
    s.path = path;
    const PyValue& g0 = *groups->items.front();
    const bool adam = entry(g0, "betas") != nullptr;
    s.lr = number(entry(g0, "lr"), path, "lr");
    s.weight_decay = entry(g0, "weight_decay") ? number(entry(g0, "weight_decay"), path, "weight_decay") : 0;
    if (adam) {
        const PyValue* betas = entry(g0, "betas");
        if ((betas->kind != Kind::Tuple && betas->kind != Kind::List) || betas->items.size() != 2)
            throw Error(path, "its optimizer state's betas are not a pair");
        s.beta1 = number(betas->items[0].get(), path, "betas[0]");
        s.beta2 = number(betas->items[1].get(), path, "betas[1]");
        s.eps = number(entry(g0, "eps"), path, "eps");
        if (const PyValue* ams = entry(g0, "amsgrad"); ams && ams->kind == Kind::Bool && ams->i)
            throw Error(path, "is an AMSGrad state (amsgrad=True); Basin's Adam rule uses v, not its running maximum");
        // AdamW's default decay is 1e-2 and Adam's 0, but the state does not name its class: a decay
        // in the group is reported; the rule is the same.
        s.kind = s.weight_decay > 0 ? "adamw" : "adam";
    } else if (entry(g0, "momentum")) {
        s.kind = "sgd";
        s.momentum = number(entry(g0, "momentum"), path, "momentum");
        s.dampening = entry(g0, "dampening") ? number(entry(g0, "dampening"), path, "dampening") : 0;
        if (const PyValue* n = entry(g0, "nesterov"); n && n->kind == Kind::Bool) s.nesterov = n->i != 0;
    } else {
        throw Error(path, "holds the state of an optimizer Basin does not read (not SGD, Adam or AdamW)");
    }
    // Every parameter, in the order of model.parameters(): the groups' "params" lists number them.
    std::vector<int64_t> order;
    for (const auto& g : groups->items) {
        for (const char* key : {"lr", "momentum", "eps", "weight_decay"})
            if (entry(*g, key) && entry(g0, key) &&
                number(entry(*g, key), path, key) != number(entry(g0, key), path, key))
                throw Error(path, std::string("has parameter groups with different ") + key +
                                      "; the stability rule takes one setting for the whole model");
        const PyValue* params = entry(*g, "params");
        if (!params || params->kind != Kind::List) throw Error(path, "has a parameter group without its 'params' list");
        for (const auto& p : params->items) order.push_back(p->kind == Kind::Int ? p->i : -1);
    }
    const auto& infos = o.parameters();
    if (order.size() != infos.size())
        throw Error(path, "holds the state of " + std::to_string(order.size()) + " parameters, but " + o.modelPath() +
                              " has " + std::to_string(infos.size()) + ": it is another model's optimizer");
    // Out-of-range or non-finite settings would give a threshold that looks like a number.
    auto inUnit = [&](double v, const char* what) {
        if (!(v >= 0 && v < 1))
            throw Error(path,
                        std::string("has ") + what + " " + std::to_string(v) + "; it must be at least 0 and below 1");
    };
    if (!(s.lr > 0 && std::isfinite(s.lr)))
        throw Error(path, "has a learning rate of " + std::to_string(s.lr) + "; it must be positive and finite");
    inUnit(s.momentum, "momentum");
    inUnit(s.beta1, "beta1");
    inUnit(s.beta2, "beta2");
    if (!(s.eps >= 0 && std::isfinite(s.eps)))
        throw Error(path, "has eps " + std::to_string(s.eps) + "; it must be 0 or positive and finite");
    if (!adam) return s;

    const PyValue* state = entry(*sd, "state");
    std::map<int64_t, const PyValue*> per_param;
    if (state->kind == Kind::Dict)
        for (const auto& [k, v] : state->dict)
            if (k->kind == Kind::Int) per_param[k->i] = v.get();
    s.exp_avg_sq = Eigen::VectorXd::Zero(o.parameterCount());
    for (size_t i = 0; i < order.size(); ++i) {
        const auto it = per_param.find(order[i]);
        if (it == per_param.end())
            throw Error(path, "has no Adam state for parameter " + std::to_string(i) + " (" + infos[i].name +
                                  "): save the optimizer after at least one step");
        const PyValue* v = entry(*it->second, "exp_avg_sq");
        if (!v || v->kind != Kind::Tensor) throw Error(path, "has no exp_avg_sq for parameter " + infos[i].name);
        const std::vector<int64_t> shape(v->tensor.sizes().begin(), v->tensor.sizes().end());
        if (shape != infos[i].shape)
            throw Error(path, "holds an exp_avg_sq of shape " + c10::str(v->tensor.sizes()) + " for " + infos[i].name +
                                  ", which has shape " + c10::str(c10::IntArrayRef(infos[i].shape)) +
                                  ": another model's optimizer");
        const auto flat = v->tensor.reshape(-1).to(torch::kFloat64).contiguous();
        if (!torch::isfinite(flat).all().item<bool>() || (flat < 0).any().item<bool>())
            throw Error(
                path, "holds an exp_avg_sq for " + infos[i].name + " that is negative or not finite (a damaged state)");
        s.exp_avg_sq.segment(infos[i].offset, infos[i].size) =
            Eigen::Map<const Eigen::VectorXd>(flat.data_ptr<double>(), infos[i].size);
        const double step = number(entry(*it->second, "step"), path, "step");
        if (i == 0) s.step = step;
        else if (step != s.step)
            throw Error(path, "has parameters at different Adam steps; the bias correction needs one");
    }
    if (!(s.step >= 1)) throw Error(path, "has an Adam step of " + std::to_string(s.step) + "; save it after a step");
    return s;
}

}  // namespace basin
