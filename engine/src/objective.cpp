#include "basin/objective.h"

#include <cmath>
#include <thread>

#include "arrays.h"
#include "basin/error.h"
#include "data_checks.h"
#include "objective_impl.h"

namespace basin {

void Objective::Impl::checkFinite(const torch::Tensor& loss, int64_t batch_index) {
    const double v = loss.item<double>();
    if (!std::isfinite(v))
        throw Error(model_path, std::string("the loss is ") + (std::isnan(v) ? "NaN" : "infinite") +
                                    " on the batch of samples starting at " +
                                    std::to_string(batch_index * spec.batch_size) + " of " + data.summary.inputs_path +
                                    " at these weights");
}

Evaluation Objective::Impl::pass(torch::Tensor* grad_out, const std::vector<torch::Tensor>* v, torch::Tensor* hv_out,
                                 JobContext* job) {
    if (bn_mode == BatchNormMode::Recompute && bn_stale && !bn_layers.empty()) recomputeBatchNorm(job);
    Evaluation e;
    e.samples = data.summary.samples;
    const bool need_grad = grad_out || v;
    std::vector<torch::Tensor> acc;
    if (need_grad)
        for (auto& p : params) acc.push_back(torch::zeros_like(p));
    double loss_sum = 0, correct_sum = 0;
    for (int64_t i = 0; i < batches(); ++i) {
        if (job) job->check();
        const Batch b = batch(i);
        const double w = b.weight;
        if (w == 0) continue;  // every target of the batch is ignore_index: nothing to add
        std::optional<torch::NoGradGuard> no_grad;
        if (!need_grad) no_grad.emplace();
        auto out = forward(b.inputs);
        auto loss = batchLoss(b, out);
        checkFinite(loss, i);
        loss_sum += loss.item<double>() * w;
        if (hasAccuracy()) correct_sum += correct(b, out.detach());
        if (!need_grad) continue;
        auto scaled = loss * w;
        auto g = torch::autograd::grad({scaled}, params, {}, /*retain_graph=*/v != nullptr,
                                       /*create_graph=*/v != nullptr, /*allow_unused=*/true);
        if (v) {
            torch::Tensor dot = torch::zeros({}, params.front().options());
            for (size_t k = 0; k < params.size(); ++k)
                if (g[k].defined()) dot = dot + (g[k] * (*v)[k]).sum();
            if (!dot.requires_grad()) continue;  // loss linear in every parameter: H = 0
            g = torch::autograd::grad({dot}, params, {}, false, false, true);
        }
        for (size_t k = 0; k < params.size(); ++k)
            if (g[k].defined()) acc[k].add_(g[k].detach());
    }
    e.loss = loss_sum;
    e.accuracy = hasAccuracy() ? correct_sum / double(data.summary.targets_counted) : -1;
    if (need_grad) {
        std::vector<torch::Tensor> flat;
        for (auto& a : acc) flat.push_back(a.reshape(-1));
        (v ? *hv_out : *grad_out) = torch::cat(flat);
    }
    return e;
}

std::vector<torch::Tensor> Objective::Impl::split(const Eigen::VectorXd& vec) const {
    auto t = torch::from_blob(const_cast<double*>(vec.data()), {P}, torch::kFloat64).to(dtype);
    std::vector<torch::Tensor> out;
    for (size_t k = 0; k < params.size(); ++k)
        out.push_back(t.slice(0, infos[k].offset, infos[k].offset + infos[k].size).view(params[k].sizes()));
    return out;
}

Eigen::VectorXd Objective::Impl::toEigen(const torch::Tensor& t) {
    auto d = t.to(torch::kFloat64).contiguous();
    return Eigen::Map<const Eigen::VectorXd>(d.data_ptr<double>(), d.numel());
}

Objective::Objective(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Objective::Objective(Objective&&) noexcept = default;
Objective& Objective::operator=(Objective&&) noexcept = default;
Objective::~Objective() = default;

Objective Objective::open(const StudySpec& spec, const std::string& model_path, Communicator* comm) {
    validateStudy(spec);
    auto impl = std::make_unique<Impl>();
    impl->spec = spec;
    impl->model_path = model_path.empty() ? spec.model : model_path;
    impl->dtype = detail::torchDtype(spec.dtype);
    if (spec.device != "cpu")
        throw Error("device '" + spec.device + "' is not available: this LibTorch " + torchVersion() +
                    " was built for the CPU only; use \"device\": \"cpu\"");
    torch::set_num_threads(spec.threads > 0 ? spec.threads : std::max(1u, std::thread::hardware_concurrency()));
    detail::useFastTransposedConvolution();
    detail::useAffineEvalBatchNorm();
    detail::useMaskedConvolutionDoubleBackward();
    detail::useEigenMatrixProducts();
    detail::reuseFreedMemory();
    detail::runTorchScriptAsWritten();
    impl->module = detail::loadCheckpoint(impl->model_path, spec.model, impl->dtype);
    // Shards: "{rank}" in a data path names this process's own file; otherwise a contiguous slice.
    DataSpec data_spec = spec.data;
    const bool sharded = comm && comm->size() > 1;
    const bool per_rank_files = data_spec.inputs.find("{rank}") != std::string::npos;
    if (per_rank_files) {
        const std::string r = std::to_string(comm ? comm->rank() : 0);
        for (auto* p : {&data_spec.inputs, &data_spec.targets})
            for (auto at = p->find("{rank}"); at != std::string::npos; at = p->find("{rank}")) p->replace(at, 6, r);
    }
    impl->comm = comm;
    impl->data = detail::loadDataset(spec, data_spec, detail::forwardArguments(impl->module), impl->dtype);
    for (size_t k = 0; k < impl->data.inputs.size(); ++k) {
        const auto& name = impl->data.summary.inputs[k].name;
        detail::checkFiniteSamples(impl->data.inputs[k], impl->data.summary.inputs_path,
                                   impl->data.inputs.size() == 1 || name.empty() ? "inputs" : "input '" + name + "'");
    }
    detail::checkFiniteSamples(impl->data.targets, impl->data.summary.targets_path, "targets");
    impl->local_n = impl->data.summary.samples;
    if (sharded) {
        auto& d = impl->data;
        if (!per_rank_files) {
            const int64_t N = d.summary.samples, r = comm->rank(), size = comm->size();
            const int64_t lo = N * r / size, hi = N * (r + 1) / size;
            for (auto& x : d.inputs) x = x.slice(0, lo, hi);
            d.targets = d.targets.slice(0, lo, hi);
            d.counted = d.counted.slice(0, lo, hi);
            impl->local_n = hi - lo;
        } else {  // every count is the sum of the files'
            double counts[4] = {double(impl->local_n), double(d.summary.available), double(d.summary.targets_counted),
                                double(d.summary.targets_ignored)};
            comm->sum(counts, 4);
            d.summary.samples = int64_t(counts[0]);
            d.summary.available = int64_t(counts[1]);
            d.summary.targets_counted = int64_t(counts[2]);
            d.summary.targets_ignored = int64_t(counts[3]);
        }
    }
    impl->data.summary.local_samples = impl->local_n;
    if (impl->data.summary.samples > 0 && impl->data.summary.targets_counted == 0)
        throw Error(impl->data.summary.targets_path, "every target equals ignore_index (" +
                                                         std::to_string(spec.ignore_index) +
                                                         "): there is nothing to compute a loss on");
    impl->weighBatches();
    impl->probeOutputs();

    int64_t offset = 0;
    for (const auto& p : impl->module.named_parameters(/*recurse=*/true)) {
        if (!p.value.requires_grad()) continue;
        ParameterInfo info;
        info.name = p.name;
        info.shape.assign(p.value.sizes().begin(), p.value.sizes().end());
        info.offset = offset;
        info.size = p.value.numel();
        const auto dot = p.name.rfind('.');
        info.group = dot == std::string::npos ? "(root)" : p.name.substr(0, dot);
        info.is_bias_or_norm = p.value.dim() <= 1;
        offset += info.size;
        if (impl->groups.empty() || impl->groups.back().name != info.group)
            impl->groups.push_back({info.group, info.offset, 0, {}});
        impl->groups.back().size += info.size;
        impl->groups.back().parameters.push_back(int(impl->infos.size()));
        impl->infos.push_back(info);
        impl->params.push_back(p.value);
    }
    impl->P = offset;
    impl->findBuffers();
    impl->findBatchNorm();
    impl->hvp_mode = spec.hvp_mode;
    impl->curvature = spec.curvature;
    if (impl->P == 0) throw Error(impl->model_path, "the model has no trainable parameters");
    if (impl->data.summary.samples == 0) throw Error(data_spec.inputs, "holds no samples");
    return Objective(std::move(impl));
}

int64_t Objective::parameterCount() const { return impl_->P; }
const std::vector<ParameterInfo>& Objective::parameters() const { return impl_->infos; }
const std::vector<ParameterGroup>& Objective::groups() const { return impl_->groups; }
const DataSummary& Objective::data() const { return impl_->data.summary; }
const StudySpec& Objective::spec() const { return impl_->spec; }
std::string Objective::modelPath() const { return impl_->model_path; }
int64_t Objective::hvpCount() const { return impl_->hvp_count; }

Eigen::VectorXd Objective::parametersFlat() const {
    std::vector<torch::Tensor> flat;
    for (auto& p : impl_->params) flat.push_back(p.detach().reshape(-1));
    return Impl::toEigen(torch::cat(flat));
}

void Objective::setParameters(const Eigen::VectorXd& theta) {
    if (theta.size() != impl_->P)
        throw Error("a parameter vector of length " + std::to_string(theta.size()) + " was given to a model with " +
                    std::to_string(impl_->P) + " parameters (" + impl_->model_path + ")");
    torch::NoGradGuard guard;
    auto parts = impl_->split(theta);
    for (size_t k = 0; k < parts.size(); ++k) impl_->params[k].copy_(parts[k]);
    impl_->invalidate();
}

void Objective::setBatchNormMode(BatchNormMode mode) {
    if (mode == impl_->bn_mode) return;
    impl_->bn_mode = mode;
    impl_->invalidate();
    if (mode == BatchNormMode::Eval) impl_->restoreBatchNorm();
}

BatchNormMode Objective::batchNormMode() const { return impl_->bn_mode; }
int Objective::batchNormLayers() const { return int(impl_->bn_layers.size()); }

Evaluation Objective::evaluate(JobContext* job) {
    auto e = impl_->pass(nullptr, nullptr, nullptr, job);
    double parts[2] = {e.loss, e.accuracy};
    impl_->reduce(parts, 2);
    e.loss = parts[0];
    e.accuracy = impl_->hasAccuracy() ? parts[1] : -1;
    return e;
}

Evaluation Objective::gradient(Eigen::VectorXd& grad, JobContext* job) {
    torch::Tensor g;
    auto e = impl_->pass(&g, nullptr, nullptr, job);
    grad = Impl::toEigen(g);
    // One message: the loss, the accuracy and the gradient.
    Eigen::VectorXd all(grad.size() + 2);
    all << e.loss, e.accuracy, grad;
    impl_->reduce(all.data(), size_t(all.size()));
    e.loss = all[0];
    e.accuracy = impl_->hasAccuracy() ? all[1] : -1;
    grad = all.tail(grad.size());
    return e;
}

void Objective::hvp(const Eigen::VectorXd& v, Eigen::VectorXd& out, JobContext* job) {
    if (v.size() != impl_->P)
        throw Error("H*v was asked for a vector of length " + std::to_string(v.size()) + ", the model has " +
                    std::to_string(impl_->P) + " parameters");
    out = Impl::toEigen(impl_->product(impl_->split(v), job));
    ++impl_->hvp_count;
    if (!out.allFinite())
        throw Error(impl_->model_path, "H·v product " + std::to_string(impl_->hvp_count) +
                                           " is not finite (NaN or infinity) although the loss is finite: the model is "
                                           "not twice differentiable at these weights (a sqrt or log at 0, say); "
                                           "the analysis was stopped");
}

void Objective::setHvpMode(HvpMode mode) {
    impl_->hvp_mode = mode;
    impl_->calibrated = false;
    impl_->auto_step = -1;
}

void Objective::setCurvature(CurvatureKind kind) {
    impl_->curvature = kind;
    impl_->calibrated = false;
    impl_->auto_step = -1;
}

const HvpReport& Objective::hvpReport() const { return impl_->hvp_report; }

std::string torchVersion() { return TORCH_VERSION; }

}  // namespace basin
