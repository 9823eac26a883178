#pragma once
/// The study: which model(s), which data, which loss and how to evaluate it.
/// A study file is JSON, self-describing and versioned:
///   {"format": "basin-study", "version": 1, "model": ..., "data": {...}, "loss": ..., "results": {...}}
/// Relative paths in a study file are resolved against the folder of the study file.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "basin/atomic_file.h"

namespace basin {

enum class Loss { CrossEntropy, MSE, NLL, BCEWithLogits, ModelMethod };
enum class DType { Float32, Float64 };

/// How H*v is computed (see objective.h): exact double backward; the same with each batch's
/// gradient graph built once and reused; central finite differences of the gradient; or auto,
/// which measures them on the study and picks the fastest within the tolerance.
enum class HvpMode { Exact, ExactReuse, FiniteDifference, Auto };
/// Which curvature matrix the analyses use: the Hessian, the generalised Gauss-Newton matrix
/// J^T H_out J (positive semi-definite), or their difference.
enum class CurvatureKind { Hessian, GaussNewton, HessianMinusGaussNewton };

HvpMode parseHvpMode(const std::string& name);  ///< exact | exact-reuse | fd | auto
std::string hvpModeName(HvpMode mode);
CurvatureKind parseCurvature(const std::string& name);  ///< hessian | ggn | h-ggn
std::string curvatureName(CurvatureKind kind);

/// "cross_entropy", "mse", "nll", "bce_with_logits", "model"; throws basin::Error for others.
Loss parseLoss(const std::string& name);
std::string lossName(Loss loss);
DType parseDType(const std::string& name);
std::string dtypeName(DType dtype);

/// Which samples of the data a study uses.
enum class SampleMode {
    First,   ///< the first `samples` (default)
    Random,  ///< `samples` drawn without replacement, seeded by the study's seed (see DataSummary)
};
SampleMode parseSampleMode(const std::string& name);  ///< first | random
std::string sampleModeName(SampleMode mode);

struct DataSpec {
    std::string inputs;      ///< file with inputs (or with both inputs and targets)
    std::string targets;     ///< separate targets file (IDX labels, .npy); empty when in `inputs`
    std::string input_key;   ///< name of the inputs inside a multi-array file; empty: by convention
    std::string target_key;  ///< name of the targets; empty: by convention (y, targets, labels)
    /// Arrays passed to forward() in this order ("inputs_keys" in the study's "data"); empty:
    /// matched to forward()'s argument names, else the one input found by input_key or convention.
    std::vector<std::string> inputs_keys = {};  // (= {}: aggregate initialisers may leave it out)
};

struct StudySpec {
    std::string name;
    std::string model;                     ///< TorchScript file evaluated by default
    std::vector<std::string> checkpoints;  ///< further TorchScript files of the same architecture
    /// Each checkpoint's optimizer state (torch.save(optimizer.state_dict()), "optimizers" in the
    /// file), parallel to `checkpoints` (or, in a study without checkpoints, one for `model`);
    /// empty when not given. The stability analysis reads them (stability.h).
    std::vector<std::string> optimizers = {};
    DataSpec data;
    Loss loss = Loss::CrossEntropy;
    int64_t samples = 0;  ///< N samples of the data (the first N, or per `sample`); 0 = all
    SampleMode sample = SampleMode::First;
    /// Cross-entropy and NLL: the axis of the outputs that holds the classes when the shapes fit
    /// both conventions (1: PyTorch's (N, C, d1, ...); -1: sequence models' (N, T, ..., C)).
    /// 0 = decided by the shapes, and 1 when both fit.
    int class_axis = 0;
    int64_t ignore_index = -100;  ///< cross-entropy / NLL targets left out of loss and accuracy
    int64_t batch_size = 256;     ///< samples per forward/backward pass; bounds memory
    uint64_t seed = 0;            ///< seed of every random choice an analysis makes
    int threads = 0;              ///< intra-op threads; 0 = as many as cores
    std::string device = "cpu";
    DType dtype = DType::Float32;
    HvpMode hvp_mode = HvpMode::Auto;
    CurvatureKind curvature = CurvatureKind::Hessian;
    double hvp_tolerance = 0;  ///< auto's relative error bound; 0 = 1e-4 (float32) or 1e-8 (float64)
    /// The study's own analysis options, the JSON text of its "options" object
    /// ({"spectrum": {...}, "surface": {...}, "sensitivity": {...}, "compare": {...}}; empty when
    /// it has none): the defaults of the window and basin-cli for this study (analysis_defaults.h).
    std::string options;
    std::string study_path;  ///< where the spec was read from, if from a file
};

/// Reads a study file; throws basin::Error naming the file and the problem.
StudySpec loadStudy(const std::string& path);
/// Parses study JSON text; relative paths are resolved against `base_dir`.
StudySpec parseStudy(const std::string& json_text, const std::string& base_dir, const std::string& origin);
/// The spec as JSON text (the "results" section is kept by saveStudy, not produced here).
std::string studyToJson(const StudySpec& spec);
/// Checks the spec is complete and consistent (files named, sizes positive); throws basin::Error.
void validateStudy(const StudySpec& spec);

}  // namespace basin
