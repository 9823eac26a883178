#pragma once
// Reading a result file Basin wrote (surface, probe, per-batch spectra, resampling, stability): one home for
// the bounded parse and the format check, so each reader starts from a JSON object of its kind.
#include <nlohmann/json.hpp>
#include <string>

#include "basin/error.h"
#include "json_util.h"

namespace basin::detail {

/// A result file's JSON (bounded: parseBoundedJson) that must be an object with "format": `format`; else
/// basin::Error naming `origin`: "`origin` `refusal`" (e.g. "does not hold a curvature probe").
inline nlohmann::json parseResultFile(const std::string& text, const std::string& origin, const std::string& format,
                                      const std::string& refusal) {
    nlohmann::json j;
    try {
        j = parseBoundedJson(text);
    } catch (const Error& e) {
        throw Error(origin, e.what());
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number like 1e999999
        throw Error(origin, std::string("is not valid JSON (") + e.what() + ")");
    }
    if (!j.is_object() || j.value("format", "") != format) throw Error(origin, refusal);
    return j;
}

}  // namespace basin::detail
