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
    std::vector<torch::Tensor> buffers;  // floating-point buffers, in module order
    std::vector<ParameterInfo> buffer_infos;
    std::vector<ParameterInfo> infos;
    std::vector<ParameterGroup> groups;
    Dataset data;
    // restrictSamples: the study's samples while a subset is in use (undefined otherwise).
    std::vector<torch::Tensor> all_inputs;
    torch::Tensor all_targets, all_counted;
    int64_t all_samples = -1, all_targets_counted = 0;
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
    int64_t local_n = 0;           // samples held here (data.summary.samples is the global count)
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

    void findBuffers();  // checkpoints.cpp
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
    // One batch of every input, its targets, and its share of the mean loss: the targets it counts
    // (cross-entropy / NLL: those not equal to ignore_index; else its samples) over all counted.
    struct Batch {
        std::vector<torch::Tensor> inputs;
        torch::Tensor targets;
        double weight = 0;
        int64_t counted = 0;
    };
    std::vector<double> batch_weight;
    std::vector<int64_t> batch_counted;
    void weighBatches();  // fills the two above from data.counted and data.summary.targets_counted
    Batch batch(int64_t i) const {
        const int64_t b = std::max<int64_t>(1, spec.batch_size);
        const int64_t lo = i * b, hi = std::min(lo + b, local_n);
        Batch out;
        for (const auto& x : data.inputs) out.inputs.push_back(x.slice(0, lo, hi));
        out.targets = data.targets.slice(0, lo, hi);
        out.weight = batch_weight[size_t(i)];
        out.counted = batch_counted[size_t(i)];
        return out;
    }
    // forward() on the inputs, and the tensor Basin uses from what it returns (model_io.cpp).
    torch::Tensor forward(const std::vector<torch::Tensor>& inputs);
    torch::Tensor selectOutput(const c10::IValue& out);
    // One forward pass on the first samples: which output, its shape, the class axis.
    void probeOutputs();
    // Mean loss over one batch (of the batch alone, over its counted targets).
    torch::Tensor batchLoss(const Batch& b, const torch::Tensor& out);
    torch::Tensor shapedTargets(const torch::Tensor& y, const torch::Tensor& out);
    // Cross-entropy / NLL: the axis of `out` holding the classes (decided once, see DataSummary).
    int classAxis(const torch::Tensor& out, const torch::Tensor& y);
    double correct(const Batch& b, const torch::Tensor& out);
    bool hasAccuracy() const;
    bool classification() const { return spec.loss == Loss::CrossEntropy || spec.loss == Loss::NLL; }
    void checkFinite(const torch::Tensor& loss, int64_t batch_index);
    // One pass over the data. grad_out (if given) receives the gradient of the mean loss;
    // v (if given) makes the pass compute H v into hv_out instead.
    Evaluation pass(torch::Tensor* grad_out, const std::vector<torch::Tensor>* v, torch::Tensor* hv_out,
                    JobContext* job);
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
    torch::Tensor outputHessianTimes(const Batch& b, const torch::Tensor& out, const torch::Tensor& u);
    // auto: chooses with the analysis's first products (hvp_modes.cpp); auto_step < 0 before the first.
    int auto_step = -1;
    bool fd_eligible = false;
    void beginCalibration();
    torch::Tensor autoProduct(const std::vector<torch::Tensor>& v, JobContext* job);
    std::string calibrationOptions() const;
    torch::Tensor product(const std::vector<torch::Tensor>& v, JobContext* job);
};

}  // namespace basin
