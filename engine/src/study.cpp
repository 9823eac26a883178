#include "basin/study.h"

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "arrays.h"
#include "basin/analysis_defaults.h"
#include "basin/error.h"
#include "basin/study_numbers.h"
#include "json_util.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace basin {

namespace {

const std::pair<Loss, const char*> kLosses[] = {{Loss::CrossEntropy, "cross_entropy"},
                                                {Loss::MSE, "mse"},
                                                {Loss::NLL, "nll"},
                                                {Loss::BCEWithLogits, "bce_with_logits"},
                                                {Loss::ModelMethod, "model"}};

std::string resolve(const std::string& p, const std::string& base) {
    if (p.empty() || base.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(base) / p).lexically_normal().string();
}

}  // namespace

Loss parseLoss(const std::string& name) {
    for (auto [l, n] : kLosses)
        if (name == n) return l;
    if (name == "ce" || name == "crossentropy" || name == "cross-entropy") return Loss::CrossEntropy;
    if (name == "bce") return Loss::BCEWithLogits;
    throw Error("unknown loss '" + name + "' (choose cross_entropy, mse, nll, bce_with_logits or model)");
}

std::string lossName(Loss loss) {
    for (auto [l, n] : kLosses)
        if (l == loss) return n;
    return "?";
}

DType parseDType(const std::string& name) {
    if (name == "float32" || name == "float") return DType::Float32;
    if (name == "float64" || name == "double") return DType::Float64;
    throw Error("unknown dtype '" + name + "' (choose float32 or float64)");
}

HvpMode parseHvpMode(const std::string& n) {
    if (n == "exact") return HvpMode::Exact;
    if (n == "exact-reuse") return HvpMode::ExactReuse;
    if (n == "fd") return HvpMode::FiniteDifference;
    if (n == "auto") return HvpMode::Auto;
    throw Error("unknown H*v mode '" + n + "' (choose exact, exact-reuse, fd or auto)");
}

std::string hvpModeName(HvpMode m) {
    switch (m) {
        case HvpMode::Exact:
            return "exact";
        case HvpMode::ExactReuse:
            return "exact-reuse";
        case HvpMode::FiniteDifference:
            return "fd";
        case HvpMode::Auto:
            return "auto";
    }
    return "?";
}

CurvatureKind parseCurvature(const std::string& n) {
    if (n == "hessian") return CurvatureKind::Hessian;
    if (n == "ggn" || n == "gauss-newton") return CurvatureKind::GaussNewton;
    if (n == "h-ggn") return CurvatureKind::HessianMinusGaussNewton;
    throw Error("unknown curvature '" + n + "' (choose hessian, ggn or h-ggn)");
}

std::string curvatureName(CurvatureKind k) {
    switch (k) {
        case CurvatureKind::Hessian:
            return "hessian";
        case CurvatureKind::GaussNewton:
            return "ggn";
        case CurvatureKind::HessianMinusGaussNewton:
            return "h-ggn";
    }
    return "?";
}

SampleMode parseSampleMode(const std::string& n) {
    if (n == "first") return SampleMode::First;
    if (n == "random") return SampleMode::Random;
    throw Error("unknown sample choice '" + n + "' (choose first or random)");
}

std::string sampleModeName(SampleMode m) { return m == SampleMode::Random ? "random" : "first"; }

std::string dtypeName(DType d) { return d == DType::Float64 ? "float64" : "float32"; }

namespace {

std::string describe(const json& v) {
    if (v.is_string()) return "the text \"" + v.get_ref<const std::string&>().substr(0, 40) + "\"";
    if (v.is_null()) return "null";
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number()) return v.dump();
    return std::string("a JSON ") + v.type_name();
}

// A whole number (42, or 42.0) that fits in [lo, hi]; `fallback` when the key is absent.
int64_t wholeNumber(const json& j, const char* key, int64_t fallback, const std::string& origin,
                    int64_t lo = std::numeric_limits<int64_t>::min(),
                    int64_t hi = std::numeric_limits<int64_t>::max()) {
    const auto it = j.find(key);
    if (it == j.end()) return fallback;
    std::optional<int64_t> v;
    if (it->is_number_unsigned()) {
        if (it->get<uint64_t>() <= uint64_t(std::numeric_limits<int64_t>::max())) v = int64_t(it->get<uint64_t>());
    } else if (it->is_number_integer()) {
        v = it->get<int64_t>();
    } else if (it->is_number_float()) {
        const double d = it->get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e18) v = int64_t(d);
    }
    if (!v) throw Error(origin, std::string(key) + " must be a whole number, not " + describe(*it));
    if (*v < lo || *v > hi) throw Error(origin, std::string(key) + " is out of range (" + std::to_string(*v) + ")");
    return *v;
}

void checkNumber(StudyNumber which, double value, const char* key, const std::string& origin) {
    const std::string problem = studyNumberProblem(which, value, key);
    if (!problem.empty()) throw Error(origin, problem);
}

}  // namespace

std::string studyNumberProblem(StudyNumber which, double value, const std::string& name) {
    std::ostringstream shown;
    shown << value;
    const std::string not_v = ", not " + shown.str();
    switch (which) {
        case StudyNumber::Samples:
            return value >= 0 ? "" : name + " must be 0 (all) or positive" + not_v;
        case StudyNumber::BatchSize:
            return value >= 1 ? "" : name + " must be positive" + not_v;
        case StudyNumber::Threads:
            return value >= 0 ? "" : name + " must be 0 (all cores) or positive" + not_v;
        case StudyNumber::Seed:
            return value >= 0 ? "" : name + " must be 0 or positive" + not_v;
        case StudyNumber::HvpTolerance:
            return value >= 0 && value < 1 ? "" : name + " must be at least 0 and below 1 (0 = the default)" + not_v;
    }
    return {};
}

StudySpec parseStudy(const std::string& text, const std::string& base_dir, const std::string& origin) {
    json j;
    try {
        j = detail::parseBoundedJson(text);
    } catch (const Error& e) {
        throw Error(origin, e.what());
    } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999999
        throw Error(origin, std::string("is not valid JSON (") + e.what() + ")");
    }
    const auto format = j.is_object() ? j.find("format") : j.end();
    if (!j.is_object() || format == j.end() || !format->is_string() || *format != "basin-study")
        throw Error(origin, "is not a Basin study (expected a JSON object with \"format\": \"basin-study\")");
    const auto version_it = j.find("version");
    if (version_it != j.end() && !version_it->is_number_integer())
        throw Error(origin, "its \"version\" must be a whole number (this Basin reads version 1), not " +
                                describe(*version_it));
    const int64_t version = version_it == j.end() ? 0 : version_it->get<int64_t>();
    if (version != 1)
        throw Error(origin, "is a Basin study of version " + std::to_string(version) +
                                "; this Basin reads version 1. Update Basin to open it.");
    if (const auto r = j.find("results"); r != j.end() && !r->is_object())
        throw Error(origin, "its \"results\" must be a JSON object of stored results, not " + describe(*r) +
                                "; remove it to start afresh");
    StudySpec s;
    s.study_path = origin;
    try {
        s.name = j.value("name", "");
        s.model = resolve(j.value("model", ""), base_dir);
        for (const auto& c : j.value("checkpoints", json::array()))
            s.checkpoints.push_back(resolve(c.get<std::string>(), base_dir));
        for (const auto& c : j.value("optimizers", json::array()))
            s.optimizers.push_back(resolve(c.get<std::string>(), base_dir));
        const size_t models = s.checkpoints.empty() ? 1 : s.checkpoints.size();
        if (!s.optimizers.empty() && s.optimizers.size() != models)
            throw Error(origin, "its \"optimizers\" lists " + std::to_string(s.optimizers.size()) + " files for " +
                                    std::to_string(models) + (s.checkpoints.empty() ? " model" : " checkpoints") +
                                    "; give one optimizer state per checkpoint, in the same order");
        if (j.contains("data")) {
            const auto& d = j["data"];
            if (d.is_string()) {
                s.data.inputs = resolve(d.get<std::string>(), base_dir);
            } else {
                s.data.inputs = resolve(d.value("inputs", ""), base_dir);
                s.data.targets = resolve(d.value("targets", ""), base_dir);
                s.data.input_key = d.value("input_key", "");
                s.data.target_key = d.value("target_key", "");
                s.data.inputs_keys = d.value("inputs_keys", std::vector<std::string>{});
            }
        }
        s.loss = parseLoss(j.value("loss", "cross_entropy"));
        s.samples = wholeNumber(j, "samples", 0, origin);
        s.sample = parseSampleMode(j.value("sample", "first"));
        s.class_axis = int(
            wholeNumber(j, "class_axis", 0, origin, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
        s.ignore_index = wholeNumber(j, "ignore_index", -100, origin);
        s.batch_size = wholeNumber(j, "batch_size", 256, origin);
        if (const auto seed_it = j.find("seed"); seed_it != j.end() && seed_it->is_number_unsigned()) {
            s.seed = seed_it->get<uint64_t>();  // every 64-bit seed, with no trip through a double
        } else {
            const int64_t seed = wholeNumber(j, "seed", 0, origin);
            checkNumber(StudyNumber::Seed, double(seed), "seed", origin);
            s.seed = uint64_t(seed);
        }
        s.threads =
            int(wholeNumber(j, "threads", 0, origin, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
        s.device = j.value("device", "cpu");
        s.dtype = parseDType(j.value("dtype", "float32"));
        s.hvp_mode = parseHvpMode(j.value("hvp", "auto"));
        s.curvature = parseCurvature(j.value("operator", "hessian"));
        s.hvp_tolerance = j.value("hvp_tolerance", 0.0);
        if (j.contains("options") && !j["options"].is_null()) {
            if (!j["options"].is_object()) throw Error(origin, "its \"options\" section is not a JSON object");
            s.options = j["options"].dump();
        }
    } catch (const json::exception& e) {
        throw Error(origin, std::string("has a field of the wrong type (") + e.what() + ")");
    } catch (const Error& e) {
        if (!e.path().empty()) throw;
        throw Error(origin, e.what());
    }
    return s;
}

StudySpec loadStudy(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path, "study file not found");
    const auto bytes = detail::readFileBytes(path);  // refuses FIFOs and devices, never blocks
    StudySpec spec =
        parseStudy(std::string(bytes.begin(), bytes.end()), fs::absolute(path).parent_path().string(), path);
    checkStudyOptions(spec);
    return spec;
}

std::string studyToJson(const StudySpec& s) {
    json j = {{"format", "basin-study"},
              {"version", 1},
              {"name", s.name},
              {"model", s.model},
              {"checkpoints", s.checkpoints},
              {"data",
               {{"inputs", s.data.inputs},
                {"targets", s.data.targets},
                {"input_key", s.data.input_key},
                {"target_key", s.data.target_key},
                {"inputs_keys", s.data.inputs_keys}}},
              {"loss", lossName(s.loss)},
              {"samples", s.samples},
              {"sample", sampleModeName(s.sample)},
              {"class_axis", s.class_axis},
              {"ignore_index", s.ignore_index},
              {"batch_size", s.batch_size},
              {"seed", s.seed},
              {"threads", s.threads},
              {"device", s.device},
              {"dtype", dtypeName(s.dtype)},
              {"hvp", hvpModeName(s.hvp_mode)},
              {"operator", curvatureName(s.curvature)},
              {"hvp_tolerance", s.hvp_tolerance}};
    if (!s.optimizers.empty()) j["optimizers"] = s.optimizers;
    if (!s.options.empty()) j["options"] = json::parse(s.options);
    return detail::dumpText(j, 2);
}

void validateStudy(const StudySpec& s) {
    const std::string where = s.study_path.empty() ? "study" : s.study_path;
    if (s.model.empty()) throw Error(where, "names no model file");
    if (s.data.inputs.empty()) throw Error(where, "names no data file");
    checkNumber(StudyNumber::Samples, double(s.samples), "samples", where);
    checkNumber(StudyNumber::BatchSize, double(s.batch_size), "batch_size", where);
    checkNumber(StudyNumber::Threads, s.threads, "threads", where);
    checkNumber(StudyNumber::HvpTolerance, s.hvp_tolerance, "hvp_tolerance", where);
    if (s.class_axis != 0 && s.class_axis != 1 && s.class_axis != -1)
        throw Error(where,
                    "class_axis must be 1 (classes on axis 1, as PyTorch) or -1 (classes last, as sequence "
                    "models), not " +
                        std::to_string(s.class_axis));
    if (!s.data.input_key.empty() && !s.data.inputs_keys.empty())
        throw Error(where, "give the inputs by input_key or by inputs_keys, not both");
    for (size_t i = 0; i < s.data.inputs_keys.size(); ++i) {
        if (s.data.inputs_keys[i].empty()) throw Error(where, "inputs_keys has an empty name");
        for (size_t k = 0; k < i; ++k)
            if (s.data.inputs_keys[k] == s.data.inputs_keys[i])
                throw Error(where, "inputs_keys names '" + s.data.inputs_keys[i] + "' twice");
    }
}

}  // namespace basin
