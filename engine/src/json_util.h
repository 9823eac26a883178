#pragma once
// JSON pieces shared by the result writers and readers (spectrum, sensitivity, compare).
#include <nlohmann/json.hpp>
#include <string>

#include "basin/error.h"

#include "basin/objective.h"
#include "basin/provenance.h"

namespace basin::detail {

// Files from strangers may nest values thousands deep, and writing such a value back (dump) recurses
// once per level: refuse them while parsing. No Basin file nests deeper than a dozen levels.
constexpr int kMaxJsonDepth = 128;

template <class Json = nlohmann::json>
Json parseBoundedJson(const std::string& text) {
    typename Json::parser_callback_t depth_check = [](int depth, typename Json::parse_event_t, Json&) {
        if (depth > kMaxJsonDepth)
            throw basin::Error("nests values more than " + std::to_string(kMaxJsonDepth) + " levels deep");
        return true;
    };
    return Json::parse(text, depth_check);
}

inline nlohmann::json toJson(const HvpReport& r) {
    return {{"requested", r.requested},
            {"chosen", r.chosen},
            {"curvature", r.curvature},
            {"tolerance", r.tolerance},
            {"seconds_gradient", r.seconds_gradient},
            {"seconds_per_product", r.seconds},
            {"relative_error", r.relative_error},
            {"fd_epsilon", r.fd_epsilon},
            {"calibration_products", r.calibration_products},
            {"note", r.note}};
}

inline HvpReport hvpReportFromJson(const nlohmann::json& j) {
    HvpReport r;
    if (!j.is_object()) return r;
    r.requested = j.value("requested", "");
    r.chosen = j.value("chosen", "");
    r.curvature = j.value("curvature", "");
    r.tolerance = j.value("tolerance", 0.0);
    r.seconds_gradient = j.value("seconds_gradient", 0.0);
    r.seconds = j.value("seconds_per_product", std::map<std::string, double>{});
    r.relative_error = j.value("relative_error", std::map<std::string, double>{});
    r.fd_epsilon = j.value("fd_epsilon", 0.0);
    r.calibration_products = j.value("calibration_products", int64_t(0));
    r.note = j.value("note", "");
    return r;
}

inline nlohmann::json toJson(const Evaluation& e) {
    return {{"loss", e.loss},
            {"accuracy", e.accuracy < 0 ? nlohmann::json(nullptr) : nlohmann::json(e.accuracy)},
            {"samples", e.samples}};
}

inline Evaluation evaluationFromJson(const nlohmann::json& j) {
    Evaluation e;
    e.loss = j.at("loss").get<double>();
    e.accuracy = j.contains("accuracy") && !j["accuracy"].is_null() ? j["accuracy"].get<double>() : -1.0;
    e.samples = j.value("samples", int64_t(0));
    return e;
}

// Text of a JSON value for files: paths that are not UTF-8 are written with U+FFFD, not refused.
inline std::string dumpText(const nlohmann::json& j, int indent = 2) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A result's "provenance" member as a Provenance (the text round trip keeps one home for its fields).
inline nlohmann::json provenanceObject(const Provenance& p) {
    return p.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(provenanceJson(p));
}

}  // namespace basin::detail
