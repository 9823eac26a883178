#include "study_options.h"

#include <sstream>

#include "basin/error.h"
#include "basin/study_numbers.h"

namespace basin::cli {

void StudyOptions::add(CLI::App& cmd) {
    cmd.add_option("--study", study, "Basin study file (.json)");
    cmd.add_option("--model", model, "TorchScript model file");
    cmd.add_option("--data", data, "data file (.pt, .npy, .npz, IDX[.gz], .csv)");
    cmd.add_option("--targets", targets, "separate targets file (e.g. IDX labels)");
    cmd.add_option("--input-key", input_key, "name of the inputs inside the data file");
    cmd.add_option("--target-key", target_key, "name of the targets inside the data file");
    cmd.add_option("--loss", loss, "cross_entropy | mse | nll | bce_with_logits | model");
    // As before they became optional: a flag given twice takes its last value.
    const auto last = CLI::MultiOptionPolicy::TakeLast;
    cmd.add_option("--samples", samples, "use the first N samples (0 = all)")->multi_option_policy(last);
    cmd.add_option("--batch", batch, "samples per batch")->multi_option_policy(last);
    cmd.add_option("--threads", threads, "threads (0 = all cores)")->multi_option_policy(last);
    cmd.add_option("--seed", seed, "random seed")->multi_option_policy(last);
    cmd.add_option("--dtype", dtype, "float32 | float64");
    cmd.add_option("--hvp", hvp, "H*v mode: exact | exact-reuse | fd | auto (default)");
    cmd.add_option("--operator", curvature, "curvature matrix: hessian (default) | ggn | h-ggn");
    cmd.add_option("--hvp-tol", hvp_tol, "auto's relative error bound (default 1e-4 float32, 1e-8 float64)")
        ->multi_option_policy(last);
}

StudySpec StudyOptions::resolve() const {
    StudySpec s;
    if (!study.empty()) {
        s = loadStudy(study);
    } else if (model.empty() || data.empty()) {
        throw Error("give a study with --study FILE, or a model and data with --model M --data D");
    }
    if (!model.empty()) s.model = model;
    if (!data.empty()) s.data = DataSpec{data, targets, input_key, target_key};
    else if (!targets.empty()) s.data.targets = targets;
    if (!input_key.empty()) s.data.input_key = input_key;
    if (!target_key.empty()) s.data.target_key = target_key;
    if (!loss.empty()) s.loss = parseLoss(loss);
    if (!dtype.empty()) s.dtype = parseDType(dtype);
    if (!hvp.empty()) s.hvp_mode = parseHvpMode(hvp);
    if (!curvature.empty()) s.curvature = parseCurvature(curvature);
    auto check = [](StudyNumber which, double value, const char* flag) {
        const std::string problem = studyNumberProblem(which, value, flag);
        if (!problem.empty()) throw Error(problem);
    };
    if (hvp_tol) {
        check(StudyNumber::HvpTolerance, *hvp_tol, "--hvp-tol");
        s.hvp_tolerance = *hvp_tol;
    }
    if (samples) {
        check(StudyNumber::Samples, double(*samples), "--samples");
        s.samples = *samples;
    }
    if (batch) {
        check(StudyNumber::BatchSize, double(*batch), "--batch");
        s.batch_size = *batch;
    }
    if (threads) {
        check(StudyNumber::Threads, double(*threads), "--threads");
        if (*threads > 4096)
            throw Error("--threads " + std::to_string(*threads) + " is more threads than any machine has");
        s.threads = int(*threads);
    }
    if (seed) {
        check(StudyNumber::Seed, double(*seed), "--seed");
        s.seed = uint64_t(*seed);
    }
    validateStudy(s);
    return s;
}

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

}  // namespace basin::cli
