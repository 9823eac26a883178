#pragma once
/// The objective: mean loss over the chosen samples as a function of the flat parameter vector
/// theta, its gradient and its Hessian-vector product (Pearlmutter's double backward).
/// All vectors cross this API as Eigen double vectors of length parameterCount(), whatever the
/// working dtype; inside, the model runs in the study's dtype (float32 by default). The model is
/// in eval mode, so BatchNorm uses its running statistics and dropout is off: every call is a
/// deterministic function of theta.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "basin/communicator.h"
#include "basin/progress.h"
#include "basin/study.h"

namespace basin {

/// One named parameter tensor and where it lives in the flat vector.
struct ParameterInfo {
    std::string name;              ///< e.g. "conv1.weight"
    std::vector<int64_t> shape;    ///< tensor shape
    int64_t offset = 0;            ///< first index in the flat vector
    int64_t size = 0;              ///< number of entries
    std::string group;             ///< owning module, e.g. "conv1"
    bool is_bias_or_norm = false;  ///< a bias, or a parameter of a normalisation layer
};

/// A module that owns parameters; its parameters are contiguous in the flat vector.
struct ParameterGroup {
    std::string name;
    int64_t offset = 0;
    int64_t size = 0;
    std::vector<int> parameters;  ///< indices into Objective::parameters()
};

/// One array fed to forward(), in the order the arrays are stored (the call order unless an
/// optional argument between two of them takes its default).
struct InputSummary {
    std::string name;            ///< the array's name in the data file ("" for a lone .npy or IDX file)
    std::string argument;        ///< forward()'s argument it is passed as ("" when not known)
    std::vector<int64_t> shape;  ///< shape of one sample
    std::string dtype;           ///< as fed: "float32"/"float64" (the study's), "int64" or "bool"
};

struct DataSummary {
    int64_t samples = 0;                ///< samples used (after the study's `samples` limit; all shards)
    int64_t local_samples = 0;          ///< samples held by this process
    int64_t available = 0;              ///< samples in the file(s)
    std::vector<int64_t> input_shape;   ///< shape of one sample of the first input
    std::vector<int64_t> target_shape;  ///< shape of one target (empty for a class index)
    int64_t classes = 0;                ///< largest class index + 1 among the counted targets; 0 for regression
    std::string inputs_path, targets_path;
    std::vector<InputSummary> inputs;  ///< every input, see InputSummary

    std::string sample = "first";  ///< "first" or "random" (the study's `sample`)
    /// For "random": the indices into the data file of the samples used, in the order used (a
    /// shard takes a contiguous slice of them); empty for "first", which uses 0 .. samples - 1.
    std::vector<int64_t> sample_indices;

    /// Which part of forward()'s result is the output: "tensor", "tuple[0]" (the first tensor of a
    /// tuple or "list[0]"), "dict['logits']" (else the dict's only tensor). Set when the objective opens.
    std::string output;
    std::vector<int64_t> output_shape;  ///< shape of one sample's output
    /// Cross-entropy and NLL: the axis of the outputs holding the classes, 1 or -1, and the rule
    /// that chose it, in words (0 and "" for other losses).
    int class_axis = 0;
    std::string class_axis_rule;
    int64_t ignore_index = -100;  ///< targets equal to it are left out (cross-entropy, NLL)
    int64_t targets_counted = 0;  ///< targets in the mean loss and the accuracy (all shards)
    int64_t targets_ignored = 0;  ///< targets equal to ignore_index (all shards)
};

struct Evaluation {
    double loss = 0;       ///< mean loss over the samples
    double accuracy = -1;  ///< fraction correct, -1 when the loss has no notion of accuracy
    int64_t samples = 0;
};

/// What the H*v of a study is made of: the mode asked for and the one used, and for auto what was
/// measured on this study to choose it (seconds per product of each mode and finite differences'
/// relative error against exact double backward, on a few random vectors).
struct HvpReport {
    std::string requested, chosen, curvature;
    double tolerance = 0;
    double seconds_gradient = 0;                   ///< one loss + gradient
    std::map<std::string, double> seconds;         ///< per product, by mode
    std::map<std::string, double> relative_error;  ///< against exact, by mode
    double fd_epsilon = 0;                         ///< the step used by fd (relative to ||v|| = 1)
    int64_t calibration_products = 0;              ///< products spent measuring (not in hvpCount)
    std::string note;                              ///< e.g. why exact-reuse was not used
};

/// How BatchNorm layers behave when the parameters move (loss surfaces, mode connectivity).
enum class BatchNormMode {
    Eval,       ///< the model's stored running statistics, as saved (default)
    Recompute,  ///< statistics recomputed over the study's samples at every new parameter vector:
                ///< a train-mode pass, averaged over batches as PyTorch does with momentum=None
};

class Objective {
public:
    /// Loads the model file and the study's data; throws basin::Error naming the file and the
    /// problem (missing, not TorchScript, written by a newer PyTorch, shapes that do not match).
    /// `model_path` empty means the study's `model`; another path is a checkpoint, TorchScript or
    /// a state dict loaded (weights and buffers) into the study's model by name. One forward pass
    /// on the first two samples finds the output and the class axis (DataSummary). With a communicator of size > 1 this
    /// process keeps its shard of the samples: a data path containing "{rank}" names one file per process, otherwise
    /// each takes a contiguous slice of the samples. The communicator must outlive the objective; every process must
    /// then make the same calls in the same order.
    static Objective open(const StudySpec& spec, const std::string& model_path = {}, Communicator* comm = nullptr);

    Objective(Objective&&) noexcept;
    Objective& operator=(Objective&&) noexcept;
    ~Objective();

    int64_t parameterCount() const;
    const std::vector<ParameterInfo>& parameters() const;
    const std::vector<ParameterGroup>& groups() const;
    const DataSummary& data() const;
    const StudySpec& spec() const;
    std::string modelPath() const;

    /// The current parameters theta, flattened in the order of parameters().
    Eigen::VectorXd parametersFlat() const;
    /// The parameters of a checkpoint of the same architecture, flattened in this objective's
    /// order: a TorchScript file, or a torch.save state dict (or a dict holding one, see the
    /// README) matched by name. Throws basin::Error naming the file if names or shapes differ.
    Eigen::VectorXd parametersOfModel(const std::string& model_path) const;

    /// The model's floating-point buffers (BatchNorm's running_mean and running_var, ...),
    /// flattened in module order; with buffersOfModel() and setBuffers() a path between two
    /// checkpoints can move the BatchNorm statistics with the weights.
    Eigen::VectorXd buffersFlat() const;
    /// Names and shapes of those buffers, with their offsets into buffersFlat().
    std::vector<ParameterInfo> bufferInfos() const;
    /// A checkpoint's buffers in this objective's order (TorchScript or state dict, as
    /// parametersOfModel); a buffer the state dict lacks (a non-persistent mask) keeps this
    /// model's value. Throws basin::Error naming the file if names or shapes differ.
    Eigen::VectorXd buffersOfModel(const std::string& model_path) const;
    /// Replaces the buffers; they are then the statistics that BatchNormMode::Eval uses and
    /// restores. Throws basin::Error if the size is wrong.
    void setBuffers(const Eigen::VectorXd& buffers);
    /// Replaces the model's parameters; throws basin::Error if the size is wrong.
    void setParameters(const Eigen::VectorXd& theta);

    /// Mean loss and accuracy at the current parameters.
    Evaluation evaluate(JobContext* job = nullptr);
    /// Mean loss and its gradient at the current parameters.
    Evaluation gradient(Eigen::VectorXd& grad, JobContext* job = nullptr);
    /// out = H v at the current parameters, H the Hessian of the mean loss (or the Gauss-Newton
    /// matrix, per setCurvature). Batches are accumulated, so memory is bounded by one batch's
    /// graph (exact-reuse keeps every batch's graph when it fits). Throws basin::Error on NaN loss.
    void hvp(const Eigen::VectorXd& v, Eigen::VectorXd& out, JobContext* job = nullptr);
    /// BatchNorm behaviour for the evaluations that follow; switching back to Eval restores the
    /// statistics stored in the model file.
    void setBatchNormMode(BatchNormMode mode);
    BatchNormMode batchNormMode() const;
    /// Number of BatchNorm layers (modules with running_mean and running_var).
    int batchNormLayers() const;

    /// H*v mode and curvature matrix for the products that follow (defaults from the study).
    void setHvpMode(HvpMode mode);
    void setCurvature(CurvatureKind kind);
    /// What the products use; for auto, filled by the measurement made at the first product.
    const HvpReport& hvpReport() const;

    /// Number of hvp() calls since open().
    int64_t hvpCount() const;
    /// The curvature matrix the products use now (the study's, or the last setCurvature()).
    CurvatureKind curvature() const;

    /// Restricts every evaluation that follows (loss, gradient, H·v, outputs) to `samples`, indices
    /// into the study's samples (0-based, each below data().samples), as if the study held only
    /// those: the loss is then their mean. An empty list goes back to all samples. Throws
    /// basin::Error for an index out of range, a repeated index, or under a communicator of more
    /// than one process (each holds only its shard).
    void restrictSamples(const std::vector<int64_t>& samples);
    /// The class index of each sample in use (after restrictSamples), for losses whose targets are
    /// class indices (cross_entropy, nll); throws basin::Error naming the targets file otherwise.
    std::vector<int64_t> classLabels() const;
    /// The model's outputs on the samples in use, one row per sample (N x K, float64). Throws
    /// basin::Error when the outputs are not one vector per sample (N x K).
    Eigen::MatrixXd outputs(JobContext* job = nullptr);
    /// Vector-Jacobian products with the outputs: column m is sum_i J_i^T r_i, where J_i is the
    /// Jacobian of sample i's outputs with respect to theta and r_i is row i of cotangents[m]
    /// (each N x K, N the samples in use). One forward pass per batch serves every cotangent.
    Eigen::MatrixXd outputVjps(const std::vector<Eigen::MatrixXd>& cotangents, JobContext* job = nullptr);
    /// An integer attribute of a submodule of the TorchScript model ("" is the model itself), e.g.
    /// the num_heads of an nn.MultiheadAttention named "attn"; nullopt when there is none.
    std::optional<int64_t> moduleIntAttribute(const std::string& module, const std::string& name) const;

private:
    struct Impl;
    explicit Objective(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// LibTorch's version string, e.g. "1.13.1".
std::string torchVersion();

}  // namespace basin
