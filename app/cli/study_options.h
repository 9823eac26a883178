#pragma once
// The options every basin-cli command shares: a study file, or a model and data given directly.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "basin/study.h"

namespace basin::cli {

struct StudyOptions {
    std::string study, model, data, targets, input_key, target_key, loss, dtype, hvp, curvature;
    // Empty when the flag is not given, so every value given, -1 included, is checked like the study's.
    std::optional<double> hvp_tol;
    std::optional<int64_t> samples, batch, threads, seed;

    void add(CLI::App& cmd);
    /// The spec from --study, with any flag given on the command line overriding it;
    /// throws basin::Error when neither a study nor --model and --data are given, or when a number
    /// breaks the study's rule for it (studyNumberProblem: the same sentence as in a study file).
    StudySpec resolve() const;
};

/// "a,b,,c" -> {"a", "b", "c"}: the comma-separated lists of file names the commands take.
std::vector<std::string> splitList(const std::string& s);

}  // namespace basin::cli
