// The curvature-map analysis's options: validation, canonical JSON and back (see options.h).
#include "analysis_options.h"
#include "basin/curvature_map.h"
#include "option_checks.h"
#include "options_json.h"

namespace basin {

namespace {

using detail::OptionName;
using nlohmann::json;

OptionName name(const char* key, const char* flag) { return {"curvature-map", key, flag}; }

}  // namespace

namespace detail {

json curvatureSettingsObject(const CurvatureSettings& c) {
    return {{"ends", c.lambda_min ? "both" : "largest"},
            {"tol", c.tol},
            {"max_hvp", c.max_hvp},
            {"trace_probes", c.trace_probes},
            {"warm_start", c.warm_start}};
}

void readCurvatureSettings(const OptionsReader& r, CurvatureSettings& c) {
    if (r.has("ends")) {
        std::string ends;
        r.get("ends", ends);
        if (ends != "both" && ends != "largest")
            throw Error(r.origin(), "curvature-map option ends is '" + ends + "'; it must be both or largest");
        c.lambda_min = ends == "both";
    }
    r.get("tol", c.tol);
    r.get("max_hvp", c.max_hvp);
    r.get("trace_probes", c.trace_probes);
    r.get("warm_start", c.warm_start);
}

void validateCurvatureSettings(const CurvatureSettings& c) {
    requirePositive(name("tol", "--tol"), c.tol);
    // Two steps at least: the residual rule can only be read once the Krylov space has two vectors.
    requireRange(name("max_hvp", "--max-hvp"), c.max_hvp, 2, 100000);
    if (c.trace_probes != 0 && (c.trace_probes < 2 || c.trace_probes > 100000))
        optionError(name("trace_probes", "--probes"), std::to_string(c.trace_probes),
                    "0 (no trace) or a whole number from 2 to 100000");
}

CurvatureSettings curvatureSettingsFromObject(const json& j, const std::string& origin) {
    OptionsReader r(j, origin, "curvature-map", {"ends", "tol", "max_hvp", "trace_probes", "warm_start"});
    CurvatureSettings c;
    readCurvatureSettings(r, c);
    try {
        validateCurvatureSettings(c);
    } catch (const Error& e) {
        throw Error(origin, e.what());
    }
    return c;
}

json curvatureMapOptionsObject(const CurvatureMapOptions& o) {
    SurfaceJobOptions surface = o.surface;
    surface.seed = o.seed;  // one seed: the study's
    json j = curvatureSettingsObject(o.curvature);
    j["surface"] = surfaceOptionsObject(surface);
    j["seed"] = o.seed;
    return j;
}

CurvatureMapOptions curvatureMapOptionsFromObject(const json& j, const std::string& origin) {
    OptionsReader r(j, origin, "curvature-map",
                    {"surface", "ends", "tol", "max_hvp", "trace_probes", "warm_start", "seed"});
    CurvatureMapOptions o;
    r.get("seed", o.seed);
    if (r.has("surface")) o.surface = surfaceOptionsFromObject(r.at("surface"), origin);
    o.surface.seed = o.seed;
    readCurvatureSettings(r, o.curvature);
    return basin::detail::validatedFrom(o, origin);
}

}  // namespace detail

void validate(const CurvatureMapOptions& o) {
    validate(o.surface);
    detail::validateCurvatureSettings(o.curvature);
}

std::string toJson(const CurvatureMapOptions& o) { return detail::curvatureMapOptionsObject(o).dump(); }

CurvatureMapOptions curvatureMapOptionsFromJson(const std::string& text, const std::string& origin) {
    return detail::curvatureMapOptionsFromObject(detail::parseOptions(text, origin, "curvature-map"), origin);
}

CurvatureMapOptions curvatureMapOptions(const SurfaceGrid& map) {
    CurvatureMapOptions o;
    o.surface = map.options;
    o.seed = map.options.seed;
    if (map.curvature) o.curvature = map.curvature->settings;
    return o;
}

std::vector<std::string> referencedFiles(const CurvatureMapOptions& o, const StudySpec& spec) {
    return referencedFiles(o.surface, spec);
}

}  // namespace basin
