#pragma once
/// The rules for the study's numbers that a user sets, in the study file or as basin-cli flags,
/// in one place so both refuse a value with the same sentence.
#include <string>

namespace basin {

enum class StudyNumber { Samples, BatchSize, Threads, Seed, HvpTolerance };

/// Empty when `value` is allowed, else "<name> must be ..., not <value>", with <name> as given
/// (the study's key, e.g. "samples", or the flag, e.g. "--samples"). The rules: samples >= 0
/// (0 = all), batch_size >= 1, threads >= 0 (0 = all cores), seed >= 0, 0 <= hvp_tolerance < 1
/// (0 = the default). NaN breaks every rule.
std::string studyNumberProblem(StudyNumber which, double value, const std::string& name);

}  // namespace basin
