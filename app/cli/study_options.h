#pragma once
// The options every basin-cli command shares: a study file, or a model and data given directly.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "basin/study.h"

namespace basin::cli {

struct StudyOptions {
    std::string study, model, data, targets, input_key, target_key, loss, dtype, hvp, curvature;
    double hvp_tol = -1;
    int64_t samples = -1, batch = -1, threads = -1;
    long long seed = -1;

    void add(CLI::App& cmd);
    /// The spec from --study, with any flag given on the command line overriding it;
    /// throws basin::Error when neither a study nor --model and --data are given.
    StudySpec resolve() const;
};

/// "a,b,,c" -> {"a", "b", "c"}: the comma-separated lists of file names the commands take.
std::vector<std::string> splitList(const std::string& s);

}  // namespace basin::cli
