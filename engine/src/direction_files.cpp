// Directions read from files: a flat .npy vector, or named tensors matched to the parameters.
#include "basin/directions.h"
#include "basin/error.h"
#include "torch_io.h"

namespace basin {

Eigen::VectorXd loadDirection(const std::string& path, const std::vector<ParameterInfo>& params) {
    int64_t total = 0;
    for (const auto& p : params) total += p.size;
    const auto tensors = detail::readTensors(path);
    Eigen::VectorXd d(total);
    auto copy = [&](const torch::Tensor& t, int64_t offset) {
        auto c = t.to(torch::kFloat64).contiguous().reshape(-1);
        std::memcpy(d.data() + offset, c.data_ptr<double>(), size_t(c.numel()) * sizeof(double));
    };
    if (tensors.size() == 1 && (tensors.front().first.empty() || tensors.front().first == "direction")) {
        const auto& t = tensors.front().second;
        if (t.numel() != total)
            throw Error(path, "holds a direction of " + std::to_string(t.numel()) + " numbers, the model has " +
                                  std::to_string(total) + " parameters");
        copy(t, 0);
        return d;
    }
    for (const auto& p : params) {
        const torch::Tensor* found = nullptr;
        for (const auto& [name, t] : tensors)
            if (name == p.name) found = &t;
        if (!found) throw Error(path, "has no tensor named '" + p.name + "' (a direction needs one per parameter)");
        if (found->numel() != p.size)
            throw Error(path, "tensor '" + p.name + "' has " + std::to_string(found->numel()) +
                                  " numbers, the parameter has " + std::to_string(p.size));
        copy(*found, p.offset);
    }
    return d;
}

}  // namespace basin
