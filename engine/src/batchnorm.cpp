// BatchNorm statistics recomputed over the study's samples at new parameters.
#include <algorithm>

#include "basin/error.h"
#include "objective_impl.h"

namespace basin {

void Objective::Impl::findBatchNorm() {
    for (const auto& m : module.named_modules()) {
        if (!m.value.hasattr("running_mean") || !m.value.hasattr("running_var")) continue;
        auto mean = m.value.attr("running_mean"), var = m.value.attr("running_var");
        if (!mean.isTensor() || !var.isTensor()) continue;
        bn_layers.push_back({m.value, mean.toTensor().clone(), var.toTensor().clone(), -1});
    }
}

void Objective::Impl::setStats(BatchNormLayer& l, double mean, double var) {
    l.module.attr("running_mean").toTensor().fill_(mean);
    l.module.attr("running_var").toTensor().fill_(var);
    if (l.module.hasattr("num_batches_tracked")) {
        auto n = l.module.attr("num_batches_tracked");
        if (n.isTensor()) n.toTensor().zero_();
    }
}

void Objective::Impl::recomputeBatchNorm(JobContext* job) {
    torch::NoGradGuard guard;
    module.train(true);
    std::vector<torch::Tensor> sum_mean, sum_var;
    for (auto& l : bn_layers) {
        sum_mean.push_back(torch::zeros_like(l.saved_mean));
        sum_var.push_back(torch::zeros_like(l.saved_var));
    }
    try {
        for (int64_t b = 0; b < batches(); ++b) {
            if (job) job->check();
            const auto x = batch(b).inputs;
            for (auto& l : bn_layers) setStats(l, 0, 0);
            forward(x);
            if (b == 0 && std::any_of(bn_layers.begin(), bn_layers.end(), [](auto& l) { return l.momentum < 0; })) {
                std::vector<torch::Tensor> first;
                for (auto& l : bn_layers) {
                    first.push_back(l.module.attr("running_mean").toTensor().clone());
                    setStats(l, 1, 0);
                }
                forward(x);
                for (size_t i = 0; i < bn_layers.size(); ++i) {
                    auto& l = bn_layers[i];
                    l.momentum =
                        1.0 -
                        (l.module.attr("running_mean").toTensor() - first[i]).to(torch::kFloat64).mean().item<double>();
                    if (!(l.momentum > 0))
                        throw Error(model_path,
                                    "a BatchNorm layer does not update its running statistics; cannot recompute them");
                    l.module.attr("running_mean").toTensor().copy_(first[i]);
                }
            }
            for (size_t i = 0; i < bn_layers.size(); ++i) {
                auto& l = bn_layers[i];
                sum_mean[i] += l.module.attr("running_mean").toTensor() / l.momentum;
                sum_var[i] += l.module.attr("running_var").toTensor() / l.momentum;
            }
        }
    } catch (...) {
        module.eval();
        throw;
    }
    // Across processes: the average over every process's batches.
    double total_batches = double(batches());
    reduce(&total_batches, 1);
    for (size_t i = 0; i < bn_layers.size(); ++i) {
        bn_layers[i].module.attr("running_mean").toTensor().copy_(reduced(sum_mean[i]) / total_batches);
        bn_layers[i].module.attr("running_var").toTensor().copy_(reduced(sum_var[i]) / total_batches);
    }
    module.eval();
    bn_stale = false;
}

void Objective::Impl::restoreBatchNorm() {
    torch::NoGradGuard guard;
    for (auto& l : bn_layers) {
        l.module.attr("running_mean").toTensor().copy_(l.saved_mean);
        l.module.attr("running_var").toTensor().copy_(l.saved_var);
    }
}

}  // namespace basin
