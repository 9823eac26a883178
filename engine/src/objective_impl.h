#pragma once
// The private state of an Objective, shared by objective.cpp (loading, loss, gradient, H*v),
// batchnorm.cpp (recomputed BatchNorm statistics) and hvp_modes.cpp (faster H*v, Gauss-Newton).
#include <map>

#include "basin/objective.h"
#include "torch_io.h"

namespace basin {

using detail::Dataset;

struct Objective::Impl {
    StudySpec spec;
    std::string model_path;
    torch::jit::Module module;
    std::vector<torch::Tensor> params;
    std::vector<ParameterInfo> infos;
    std::vector<ParameterGroup> groups;
    Dataset data;
    // restrictSamples: the study's samples while a subset is in use (undefined otherwise).
    torch::Tensor all_inputs, all_targets;
    int64_t all_samples = -1;
    torch::Dtype dtype = torch::kFloat32;
    int64_t P = 0;
    int64_t hvp_count = 0;

    struct BatchNormLayer {
        torch::jit::Module module;
        torch::Tensor saved_mean, saved_var;
        double momentum = -1;  // found on first use; 1 when the layer averages (momentum=None)
    };
    std::vector<BatchNormLayer> bn_layers;
    BatchNormMode bn_mode = BatchNormMode::Eval;
    bool bn_stale = true;  // parameters changed since the statistics were last recomputed

    Communicator* comm = nullptr;  // null or size 1: everything is local
    int64_t local_n = 0;            // samples held here (data.summary.samples is the global count)
    // Sums across processes in place (a no-op without a communicator).
    void reduce(double* data, size_t n) const {
        if (comm && comm->size() > 1) comm->sum(data, n);
    }
    torch::Tensor reduced(const torch::Tensor& t) const;

    // H*v modes (hvp_modes.cpp).
    HvpMode hvp_mode = HvpMode::Auto;
    CurvatureKind curvature = CurvatureKind::Hessian;
    HvpReport hvp_report;
    bool calibrated = false;
    std::vector<std::vector<torch::Tensor>> reuse_graph;  // per batch: gradient with its graph
    bool reuse_failed = false;

    void findBatchNorm();
    void setStats(BatchNormLayer& l, double mean, double var);
    // Each batch runs in train mode from zeroed statistics, so a layer with momentum m ends at
    // m * (batch statistic) exactly (m = 1 for momentum=None, which averages); m itself is found
    // once from a second pass that starts at running_mean = 1: it ends at (1 - m) + m * batch.
    void recomputeBatchNorm(JobContext* job);
    void restoreBatchNorm();
    int64_t batches() const {
        const int64_t n = local_n, b = std::max<int64_t>(1, spec.batch_size);
        return (n + b - 1) / b;
    }
    std::pair<torch::Tensor, torch::Tensor> batch(int64_t i) const {
        const int64_t b = std::max<int64_t>(1, spec.batch_size);
        const int64_t lo = i * b, hi = std::min(lo + b, local_n);
        return {data.inputs.slice(0, lo, hi), data.targets.slice(0, lo, hi)};
    }
    torch::Tensor forward(const torch::Tensor& x);
    // Mean loss over one batch (of the batch alone), and the count of correct predictions.
    torch::Tensor batchLoss(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& out);
    torch::Tensor shapedTargets(const torch::Tensor& y, const torch::Tensor& out);
    double correct(const torch::Tensor& y, const torch::Tensor& out);
    bool hasAccuracy() const;
    void checkFinite(const torch::Tensor& loss, int64_t batch_index);
    // One pass over the data. grad_out (if given) receives the gradient of the mean loss;
    // v (if given) makes the pass compute H v into hv_out instead.
    Evaluation pass(torch::Tensor* grad_out, const std::vector<torch::Tensor>* v, torch::Tensor* hv_out, JobContext* job);
    std::vector<torch::Tensor> split(const Eigen::VectorXd& vec) const;
    static Eigen::VectorXd toEigen(const torch::Tensor& t);

    void invalidate() {
        bn_stale = true;
        reuse_graph.clear();
    }
    void setFromFlat(const torch::Tensor& flat);
    torch::Tensor flatParameters() const;
    torch::Tensor hvpWith(HvpMode mode, const std::vector<torch::Tensor>& v, JobContext* job);
    torch::Tensor hvpReuse(const std::vector<torch::Tensor>& v, JobContext* job);
    torch::Tensor hvpFiniteDifference(const std::vector<torch::Tensor>& v, JobContext* job, double* eps_used = nullptr);
    torch::Tensor ggnProduct(const std::vector<torch::Tensor>& v, JobContext* job);
    torch::Tensor outputHessianTimes(const torch::Tensor& out, const torch::Tensor& y, const torch::Tensor& u, double weight);
    // auto: chooses with the analysis's first products (hvp_modes.cpp); auto_step < 0 before the first.
    int auto_step = -1;
    bool fd_eligible = false;
    std::vector<torch::Tensor> first_v;
    torch::Tensor first_exact;
    void beginCalibration();
    torch::Tensor autoProduct(const std::vector<torch::Tensor>& v, JobContext* job);
    std::string calibrationOptions() const;
    torch::Tensor product(const std::vector<torch::Tensor>& v, JobContext* job);
};

}  // namespace basin
