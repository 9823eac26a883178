#include "basin/study.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

#include "basin/analysis_defaults.h"
#include "basin/error.h"

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
        case HvpMode::Exact: return "exact";
        case HvpMode::ExactReuse: return "exact-reuse";
        case HvpMode::FiniteDifference: return "fd";
        case HvpMode::Auto: return "auto";
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
        case CurvatureKind::Hessian: return "hessian";
        case CurvatureKind::GaussNewton: return "ggn";
        case CurvatureKind::HessianMinusGaussNewton: return "h-ggn";
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

StudySpec parseStudy(const std::string& text, const std::string& base_dir, const std::string& origin) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(origin, std::string("is not valid JSON (") + e.what() + ")");
    }
    if (!j.is_object() || j.value("format", "") != "basin-study")
        throw Error(origin, "is not a Basin study (expected a JSON object with \"format\": \"basin-study\")");
    const int version = j.value("version", 0);
    if (version < 1 || version > 1)
        throw Error(origin, "is a Basin study of version " + std::to_string(version) +
                                "; this Basin reads version 1. Update Basin to open it.");
    StudySpec s;
    s.study_path = origin;
    try {
        s.name = j.value("name", "");
        s.model = resolve(j.value("model", ""), base_dir);
        for (const auto& c : j.value("checkpoints", json::array())) s.checkpoints.push_back(resolve(c.get<std::string>(), base_dir));
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
        s.samples = j.value("samples", int64_t(0));
        s.sample = parseSampleMode(j.value("sample", "first"));
        s.class_axis = j.value("class_axis", 0);
        s.ignore_index = j.value("ignore_index", int64_t(-100));
        s.batch_size = j.value("batch_size", int64_t(256));
        s.seed = j.value("seed", uint64_t(0));
        s.threads = j.value("threads", 0);
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
        throw Error(origin, e.what());
    }
    return s;
}

StudySpec loadStudy(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path, "study file not found");
    std::ifstream in(path);
    if (!in) throw Error(path, "cannot be opened for reading");
    std::stringstream ss;
    ss << in.rdbuf();
    StudySpec spec = parseStudy(ss.str(), fs::absolute(path).parent_path().string(), path);
    checkStudyOptions(spec);
    return spec;
}

std::string studyToJson(const StudySpec& s) {
    json j = {{"format", "basin-study"},
              {"version", 1},
              {"name", s.name},
              {"model", s.model},
              {"checkpoints", s.checkpoints},
              {"data", {{"inputs", s.data.inputs}, {"targets", s.data.targets},
                        {"input_key", s.data.input_key}, {"target_key", s.data.target_key},
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
    if (!s.options.empty()) j["options"] = json::parse(s.options);
    return j.dump(2);
}

void validateStudy(const StudySpec& s) {
    const std::string where = s.study_path.empty() ? "study" : s.study_path;
    if (s.model.empty()) throw Error(where, "names no model file");
    if (s.data.inputs.empty()) throw Error(where, "names no data file");
    if (s.samples < 0) throw Error(where, "samples must be 0 (all) or positive, not " + std::to_string(s.samples));
    if (s.batch_size <= 0) throw Error(where, "batch_size must be positive, not " + std::to_string(s.batch_size));
    if (s.threads < 0) throw Error(where, "threads must be 0 (all cores) or positive");
    if (s.class_axis != 0 && s.class_axis != 1 && s.class_axis != -1)
        throw Error(where, "class_axis must be 1 (classes on axis 1, as PyTorch) or -1 (classes last, as sequence "
                           "models), not " + std::to_string(s.class_axis));
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
