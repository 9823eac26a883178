// The objective over a subset of its samples, the model's outputs and products with their Jacobian:
// what the class structure of the Gauss-Newton matrix needs (structure_classes.cpp), kept here so
// torch stays behind the objective's pimpl.
#include <set>

#include "basin/error.h"
#include "objective_impl.h"

namespace basin {

CurvatureKind Objective::curvature() const { return impl_->curvature; }

void Objective::restrictSamples(const std::vector<int64_t>& samples) {
    Impl& m = *impl_;
    if (m.comm && m.comm->size() > 1)
        throw Error("an analysis over a subset of the samples runs on one process (each process holds only its shard)");
    if (m.all_samples < 0) {
        if (samples.empty()) return;
        m.all_inputs = m.data.inputs;
        m.all_targets = m.data.targets;
        m.all_counted = m.data.counted;
        m.all_samples = m.data.summary.samples;
        m.all_targets_counted = m.data.summary.targets_counted;
    }
    if (samples.empty()) {
        m.data.inputs = m.all_inputs;
        m.data.targets = m.all_targets;
        m.data.counted = m.all_counted;
        m.data.summary.samples = m.local_n = m.all_samples;
        m.data.summary.targets_counted = m.all_targets_counted;
        m.all_inputs.clear();
        m.all_targets = m.all_counted = torch::Tensor();
        m.all_samples = -1;
    } else {
        std::set<int64_t> seen;
        for (int64_t i : samples) {
            if (i < 0 || i >= m.all_samples)
                throw Error("sample " + std::to_string(i) + " was asked for, but the study uses samples 0 to " +
                            std::to_string(m.all_samples - 1));
            if (!seen.insert(i).second) throw Error("sample " + std::to_string(i) + " was asked for twice");
        }
        const auto index = torch::tensor(samples, torch::kLong);
        m.data.inputs.clear();
        for (const auto& x : m.all_inputs) m.data.inputs.push_back(x.index_select(0, index));
        m.data.targets = m.all_targets.index_select(0, index);
        m.data.counted = m.all_counted.index_select(0, index);
        m.data.summary.samples = m.local_n = int64_t(samples.size());
        m.data.summary.targets_counted = m.data.counted.sum().item<int64_t>();
    }
    m.weighBatches();  // each batch's share of the mean loss, over the targets now counted
    m.invalidate();
}

std::vector<int64_t> Objective::classLabels() const {
    const auto& t = impl_->data.targets;
    if (t.scalar_type() != torch::kLong || t.dim() != 1)
        throw Error(impl_->data.summary.targets_path, "holds targets of shape " + c10::str(t.sizes()) +
                                                          "; class structure needs one class index per sample");
    const auto c = t.contiguous();
    return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

Eigen::MatrixXd Objective::outputs(JobContext* job) {
    Impl& m = *impl_;
    torch::NoGradGuard guard;
    std::vector<torch::Tensor> parts;
    for (int64_t b = 0; b < m.batches(); ++b) {
        if (job) job->check();
        auto out = m.forward(m.batch(b).inputs);
        if (out.dim() != 2)
            throw Error(m.model_path, "returns outputs of shape " + c10::str(out.sizes()) +
                                          "; this analysis needs one vector of outputs per sample (N x K)");
        parts.push_back(out.to(torch::kFloat64));
    }
    const auto all = torch::cat(parts).contiguous();
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    return Eigen::Map<const RowMajor>(all.data_ptr<double>(), all.size(0), all.size(1));
}

Eigen::MatrixXd Objective::outputVjps(const std::vector<Eigen::MatrixXd>& cotangents, JobContext* job) {
    Impl& m = *impl_;
    const int64_t N = m.local_n, M = int64_t(cotangents.size());
    for (const auto& r : cotangents)
        if (r.rows() != N)
            throw Error("a cotangent of " + std::to_string(r.rows()) + " rows was given for " + std::to_string(N) +
                        " samples");
    Eigen::MatrixXd result = Eigen::MatrixXd::Zero(m.P, M);
    if (M == 0) return result;
    const int64_t bsize = std::max<int64_t>(1, m.spec.batch_size);
    for (int64_t b = 0; b < m.batches(); ++b) {
        if (job) job->check();
        auto out = m.forward(m.batch(b).inputs);
        if (out.dim() != 2 || out.size(1) != cotangents.front().cols())
            throw Error(m.model_path, "returns outputs of shape " + c10::str(out.sizes()) + "; cotangents of " +
                                          std::to_string(cotangents.front().cols()) + " outputs per sample were given");
        const int64_t lo = b * bsize, n = out.size(0);
        for (int64_t k = 0; k < M; ++k) {
            using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
            RowMajor rows = cotangents[size_t(k)].middleRows(lo, n);
            const auto r = torch::from_blob(rows.data(), {n, rows.cols()}, torch::kFloat64).to(out.scalar_type());
            const auto g =
                torch::autograd::grad(std::vector<torch::Tensor>{out}, m.params, std::vector<torch::Tensor>{r},
                                      /*retain_graph=*/k + 1 < M, false, true);
            std::vector<torch::Tensor> flat;
            for (size_t p = 0; p < m.params.size(); ++p)
                flat.push_back(g[p].defined() ? g[p].reshape(-1) : torch::zeros({m.infos[p].size}, out.options()));
            result.col(k) += Impl::toEigen(torch::cat(flat));
        }
    }
    return result;
}

std::optional<int64_t> Objective::moduleIntAttribute(const std::string& module, const std::string& name) const {
    for (const auto& sub : impl_->module.named_modules()) {
        if (sub.name != module) continue;
        if (!sub.value.hasattr(name)) return std::nullopt;
        const auto v = sub.value.attr(name);
        if (!v.isInt()) return std::nullopt;
        return v.toInt();
    }
    return std::nullopt;
}

}  // namespace basin
