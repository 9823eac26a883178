// What goes into the model and what comes out: forward() with every input, the output tensor
// picked from a tuple or dict, the class axis of cross-entropy and NLL, ignore_index, accuracy.
#include <algorithm>

#include "basin/error.h"
#include "objective_impl.h"

namespace basin {

namespace {

std::string shape(c10::IntArrayRef s) { return c10::str(s); }

// "(N, 3, 4, 5)": a shape whose first axis is the batch, however large the batch.
std::string perSample(c10::IntArrayRef s) {
    std::string out = "(N";
    for (size_t k = 1; k < s.size(); ++k) out += ", " + std::to_string(s[k]);
    return out + ")";
}

std::string inputsText(const std::vector<torch::Tensor>& xs, const DataSummary& d) {
    if (xs.size() == 1) return "inputs of shape " + shape(xs[0].sizes()) + " (" + d.inputs[0].dtype + ")";
    std::string s = "inputs ";
    for (size_t k = 0; k < xs.size(); ++k)
        s += (k ? ", " : "") + (d.inputs[k].name.empty() ? std::string("#") + std::to_string(k) : d.inputs[k].name) +
             " " + shape(xs[k].sizes()) + " " + d.inputs[k].dtype;
    return s;
}

bool sameDims(c10::IntArrayRef a, c10::IntArrayRef b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

torch::Tensor Objective::Impl::forward(const std::vector<torch::Tensor>& xs) {
    std::vector<c10::IValue> args;
    if (data.call.empty()) {
        args.assign(xs.begin(), xs.end());
    } else {
        for (size_t k = 0; k < data.call.size(); ++k)
            args.push_back(data.call[k] >= 0 ? c10::IValue(xs[size_t(data.call[k])]) : data.call_defaults[k]);
    }
    c10::IValue out;
    try {
        out = module.forward(args);
    } catch (const std::exception& e) {
        const std::string msg = detail::torchMessage(e);
        std::string hint;
        if (msg.find("'indices'") != std::string::npos && msg.find("Float") != std::string::npos)
            hint =
                " (an embedding got floating-point ids: store token ids as integers; uint8 arrays are taken for "
                "pixels and become floating point)";
        throw Error(model_path, "the model failed on " + inputsText(xs, data.summary) + " from " +
                                    data.summary.inputs_path + ": " + msg + hint);
    }
    return selectOutput(out);
}

// A tensor as it is; of a tuple or list the first tensor; of a dict the "logits" entry, else
// its only tensor (HuggingFace models return logits in a dict or first in a tuple).
torch::Tensor Objective::Impl::selectOutput(const c10::IValue& out) {
    std::string used;
    torch::Tensor t;
    if (out.isTensor()) {
        t = out.toTensor();
        used = "tensor";
    } else if (out.isTuple() || out.isList()) {
        const auto elems = out.isTuple() ? out.toTupleRef().elements().vec() : out.toListRef().vec();
        for (size_t k = 0; k < elems.size() && !t.defined(); ++k)
            if (elems[k].isTensor()) {
                t = elems[k].toTensor();
                used = std::string(out.isTuple() ? "tuple[" : "list[") + std::to_string(k) + "]";
            }
        if (!t.defined())
            throw Error(model_path, "forward() returns a " + out.tagKind() +
                                        " with no tensor in it; Basin needs the outputs as a tensor");
    } else if (out.isGenericDict()) {
        std::vector<std::string> tensors, keys;
        for (const auto& item : out.toGenericDict()) {
            const std::string key = item.key().isString() ? item.key().toStringRef() : item.key().tagKind();
            keys.push_back("'" + key + "'");
            if (item.value().isTensor()) tensors.push_back(key);
            if (key == "logits" && item.value().isTensor()) t = item.value().toTensor();
        }
        if (t.defined()) {
            used = "dict['logits']";
        } else if (tensors.size() == 1) {
            for (const auto& item : out.toGenericDict())
                if (item.value().isTensor()) t = item.value().toTensor();
            used = "dict['" + tensors.front() + "']";
        } else {
            std::string list;
            for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
            throw Error(model_path, "forward() returns a dict (keys " + list + ") with no 'logits' entry and " +
                                        std::to_string(tensors.size()) +
                                        " tensors; Basin cannot tell which is the output. "
                                        "Return the logits under 'logits', or return a tensor");
        }
    } else {
        throw Error(model_path, "forward() returns a " + out.tagKind() +
                                    "; Basin needs a tensor of outputs (or a tuple or "
                                    "dict holding one)");
    }
    if (data.summary.output.empty()) data.summary.output = used;
    return t;
}

// A model that cannot run on the data (or a loss that cannot use its outputs) still opens, so
// its files can be inspected; the same error then comes from the first evaluation.
void Objective::Impl::probeOutputs() {
    if (local_n == 0) return;
    torch::NoGradGuard guard;
    const int64_t n = std::min<int64_t>(2, local_n);
    std::vector<torch::Tensor> xs;
    for (const auto& x : data.inputs) xs.push_back(x.slice(0, 0, n));
    try {
        const auto out = forward(xs);
        if (out.dim() > 0) data.summary.output_shape.assign(out.sizes().begin() + 1, out.sizes().end());
        if (classification()) classAxis(out, data.targets.slice(0, 0, n));
    } catch (const basin::Error&) {
        data.summary.output.clear();
    }
}

int Objective::Impl::classAxis(const torch::Tensor& out, const torch::Tensor& y) {
    auto& d = data.summary;
    if (d.class_axis != 0) return d.class_axis;
    const std::string loss = lossName(spec.loss);
    const auto o = out.sizes(), t = y.sizes();
    const std::string shapes = "outputs of shape " + perSample(o) + " and targets of shape " + perSample(t);
    if (o.size() < 2)
        throw Error(model_path, loss + " needs outputs with a class axis, (N, C) or more; the model gives " +
                                    shapes.substr(0, shapes.find(" and")));
    if (o.size() == 2 && t.size() == 1 && o[0] == t[0]) {
        d.class_axis = 1;
        d.class_axis_rule = "outputs (N, C) and targets (N): the classes on axis 1";
        return 1;
    }
    const bool pair = o.size() >= 3 && t.size() == o.size() - 1 && o[0] == t[0];
    const bool fits_one = pair && sameDims(o.slice(2), t.slice(1));
    const bool fits_last = pair && sameDims(o.slice(1, o.size() - 2), t.slice(1));
    if (spec.class_axis != 0) {
        if (!(spec.class_axis == 1 ? fits_one : fits_last))
            throw Error(spec.study_path.empty() ? model_path : spec.study_path,
                        "class_axis " + std::to_string(spec.class_axis) + " does not fit the " + shapes +
                            " (classes on axis 1 need "
                            "targets (N, d1, ...) for outputs (N, C, d1, ...); classes last need targets (N, T, ...) "
                            "for outputs (N, T, ..., C))");
        d.class_axis = spec.class_axis;
        d.class_axis_rule = std::string("the classes on ") + (spec.class_axis == 1 ? "axis 1" : "the last axis") +
                            ", as the study's class_axis says";
    } else if (fits_one && fits_last) {
        d.class_axis = 1;
        d.class_axis_rule = "the " + shapes +
                            " fit both conventions; the classes on axis 1 (PyTorch's), the default "
                            "(\"class_axis\": -1 puts them last)";
    } else if (fits_one) {
        d.class_axis = 1;
        d.class_axis_rule =
            "outputs (N, C, d1, ...) and targets (N, d1, ...): the classes on axis 1, as PyTorch's cross_entropy";
    } else if (fits_last) {
        d.class_axis = -1;
        d.class_axis_rule =
            "outputs (N, T, ..., C) and targets (N, T, ...): the classes on the last axis, as sequence models";
    } else {
        throw Error(data.summary.targets_path, loss + " cannot pair the model's " + shapes +
                                                   ": the targets must be (N) for outputs (N, C), "
                                                   "(N, d1, ...) for outputs (N, C, d1, ...) (classes on axis 1), or "
                                                   "(N, T, ...) for outputs (N, T, ..., C) "
                                                   "(classes last)");
    }
    return d.class_axis;
}

torch::Tensor Objective::Impl::batchLoss(const Batch& b, const torch::Tensor& out) {
    const auto& y = b.targets;
    try {
        switch (spec.loss) {
            case Loss::CrossEntropy:
            case Loss::NLL: {
                const bool last = classAxis(out, y) == -1 && out.dim() > 2;
                const auto scores = last ? out.reshape({-1, out.size(-1)}) : out;
                const auto target = last ? y.reshape({-1}) : y;
                if (spec.loss == Loss::NLL)
                    return torch::nn::functional::nll_loss(
                        scores, target, torch::nn::functional::NLLLossFuncOptions().ignore_index(spec.ignore_index));
                return torch::nn::functional::cross_entropy(
                    scores, target, torch::nn::functional::CrossEntropyFuncOptions().ignore_index(spec.ignore_index));
            }
            case Loss::MSE:
                return torch::mse_loss(out, shapedTargets(y, out));
            case Loss::BCEWithLogits:
                return torch::binary_cross_entropy_with_logits(out, shapedTargets(y, out));
            case Loss::ModelMethod: {
                auto m = module.find_method("loss");
                if (!m)
                    throw Error(model_path,
                                "the study asks for the model's own loss, but the model has no loss() method");
                std::vector<c10::IValue> args(b.inputs.begin(), b.inputs.end());
                args.emplace_back(y);
                auto v = (*m)(args);
                if (!v.isTensor() || v.toTensor().numel() != 1)
                    throw Error(model_path, "loss(inputs, targets) must return a scalar tensor");
                return v.toTensor().reshape({});
            }
        }
    } catch (const basin::Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(model_path, "the " + lossName(spec.loss) + " loss cannot use the model's outputs of shape " +
                                    shape(out.sizes()) + " with targets of shape " + shape(y.sizes()) + " from " +
                                    data.summary.targets_path + ": " + detail::torchMessage(e));
    }
    return {};
}

torch::Tensor Objective::Impl::shapedTargets(const torch::Tensor& y, const torch::Tensor& out) {
    if (y.sizes() == out.sizes()) return y;
    if (y.numel() == out.numel() && y.size(0) == out.size(0)) return y.reshape(out.sizes());
    throw Error(data.summary.targets_path, "targets of shape " + shape(y.sizes()) +
                                               " do not match the model's outputs of shape " + shape(out.sizes()));
}

// Correct predictions among the batch's counted targets (BCE: per sample, as a fraction of its outputs).
double Objective::Impl::correct(const Batch& b, const torch::Tensor& out) {
    const auto& y = b.targets;
    if (classification()) {
        const auto predicted = out.argmax(classAxis(out, y) == -1 ? -1 : 1);
        return predicted.eq(y).logical_and(y.ne(spec.ignore_index)).sum().item<double>();
    }
    if (spec.loss == Loss::BCEWithLogits)
        return out.gt(0).eq(shapedTargets(y, out).gt(0.5)).to(torch::kFloat64).mean().item<double>() *
               double(out.size(0));
    return 0;
}

bool Objective::Impl::hasAccuracy() const { return classification() || spec.loss == Loss::BCEWithLogits; }

void Objective::Impl::weighBatches() {
    batch_weight.clear();
    batch_counted.clear();
    const double total = double(data.summary.targets_counted);
    const int64_t b = std::max<int64_t>(1, spec.batch_size);
    for (int64_t i = 0; i < batches(); ++i) {
        const int64_t lo = i * b, hi = std::min(lo + b, local_n);
        const int64_t counted = data.counted.slice(0, lo, hi).sum().item<int64_t>();
        batch_counted.push_back(counted);
        batch_weight.push_back(total > 0 ? double(counted) / total : 0.0);
    }
}

}  // namespace basin
