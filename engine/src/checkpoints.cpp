// Other checkpoints of the study's architecture (TorchScript files or state dicts) as flat
// vectors of parameters and buffers, and the buffers of this objective's model.
#include <map>

#include "basin/error.h"
#include "objective_impl.h"
#include "state_dict.h"

namespace basin {

namespace {

Eigen::VectorXd flatten(const std::vector<torch::Tensor>& parts) {
    if (parts.empty()) return {};
    std::vector<torch::Tensor> flat;
    for (const auto& p : parts) flat.push_back(p.detach().reshape(-1).to(torch::kFloat64));
    auto d = torch::cat(flat).contiguous();
    return Eigen::Map<const Eigen::VectorXd>(d.data_ptr<double>(), d.numel());
}

// A state dict checked against this model, by name.
std::map<std::string, torch::Tensor> stateDictTensors(const torch::jit::Module& module, const std::string& path,
                                                      const std::string& arch_path) {
    const auto sd = detail::readStateDict(path);
    detail::checkStateDict(module, sd, path, arch_path);
    return {sd.tensors.begin(), sd.tensors.end()};
}

bool isStateDict(const std::string& path, const StudySpec& spec) {
    return path != spec.model && detail::isTorchSaveFile(path);
}

}  // namespace

void Objective::Impl::findBuffers() {
    int64_t offset = 0;
    for (const auto& b : module.named_buffers(/*recurse=*/true)) {
        // Counters (num_batches_tracked) are no statistics to interpolate.
        if (!b.value.is_floating_point() || b.name.ends_with("num_batches_tracked")) continue;
        ParameterInfo info;
        info.name = b.name;
        info.shape.assign(b.value.sizes().begin(), b.value.sizes().end());
        info.offset = offset;
        info.size = b.value.numel();
        const auto dot = b.name.rfind('.');
        info.group = dot == std::string::npos ? "(root)" : b.name.substr(0, dot);
        info.is_bias_or_norm = true;
        offset += info.size;
        buffer_infos.push_back(info);
        buffers.push_back(b.value);
    }
}

Eigen::VectorXd Objective::parametersOfModel(const std::string& path) const {
    if (isStateDict(path, impl_->spec)) {
        const auto tensors = stateDictTensors(impl_->module, path, impl_->spec.model);
        std::vector<torch::Tensor> parts;
        for (const auto& info : impl_->infos) parts.push_back(tensors.at(info.name));
        return flatten(parts);
    }
    auto other = detail::loadModel(path);
    std::vector<torch::Tensor> flat;
    size_t k = 0;
    for (const auto& p : other.named_parameters(/*recurse=*/true)) {
        if (!p.value.requires_grad()) continue;
        if (k >= impl_->infos.size() || impl_->infos[k].name != p.name)
            throw Error(path, "is not the same architecture as " + impl_->model_path + " (parameter '" + p.name +
                                  "' where '" +
                                  (k < impl_->infos.size() ? impl_->infos[k].name : std::string("nothing")) +
                                  "' was expected)");
        if (p.value.numel() != impl_->infos[k].size)
            throw Error(path, "parameter '" + p.name + "' has " + std::to_string(p.value.numel()) + " entries, " +
                                  impl_->model_path + " has " + std::to_string(impl_->infos[k].size));
        flat.push_back(p.value);
        ++k;
    }
    if (k != impl_->infos.size())
        throw Error(path, "has " + std::to_string(k) + " parameter tensors, " + impl_->model_path + " has " +
                              std::to_string(impl_->infos.size()));
    return flatten(flat);
}

Eigen::VectorXd Objective::buffersFlat() const { return flatten(impl_->buffers); }

std::vector<ParameterInfo> Objective::bufferInfos() const { return impl_->buffer_infos; }

Eigen::VectorXd Objective::buffersOfModel(const std::string& path) const {
    std::map<std::string, torch::Tensor> tensors;
    if (isStateDict(path, impl_->spec)) {
        tensors = stateDictTensors(impl_->module, path, impl_->spec.model);
    } else {
        auto other = detail::loadModel(path);
        for (const auto& b : other.named_buffers(/*recurse=*/true)) tensors.emplace(b.name, b.value);
    }
    std::vector<torch::Tensor> parts;
    for (size_t k = 0; k < impl_->buffer_infos.size(); ++k) {
        const auto& info = impl_->buffer_infos[k];
        auto it = tensors.find(info.name);
        if (it == tensors.end()) {
            if (!isStateDict(path, impl_->spec))
                throw Error(path, "is not the same architecture as " + impl_->model_path + " (it has no buffer '" +
                                      info.name + "')");
            parts.push_back(impl_->buffers[k]);  // not in the state dict: a non-persistent buffer, as here
            continue;
        }
        if (it->second.numel() != info.size)
            throw Error(path, "buffer '" + info.name + "' has " + std::to_string(it->second.numel()) + " entries, " +
                                  impl_->model_path + " has " + std::to_string(info.size));
        parts.push_back(it->second);
    }
    return flatten(parts);
}

void Objective::setBuffers(const Eigen::VectorXd& values) {
    int64_t total = 0;
    for (const auto& info : impl_->buffer_infos) total += info.size;
    if (values.size() != total)
        throw Error("a buffer vector of length " + std::to_string(values.size()) + " was given to a model with " +
                    std::to_string(total) + " buffer entries (" + impl_->model_path + ")");
    torch::NoGradGuard guard;
    auto all = torch::from_blob(const_cast<double*>(values.data()), {total}, torch::kFloat64);
    for (size_t k = 0; k < impl_->buffers.size(); ++k) {
        const auto& info = impl_->buffer_infos[k];
        impl_->buffers[k].copy_(all.slice(0, info.offset, info.offset + info.size).view(impl_->buffers[k].sizes()));
    }
    for (auto& l : impl_->bn_layers) {  // the statistics BatchNormMode::Eval restores
        l.saved_mean = l.module.attr("running_mean").toTensor().clone();
        l.saved_var = l.module.attr("running_var").toTensor().clone();
    }
    impl_->invalidate();
}

}  // namespace basin
