// The spectrum analysis's options: validation, canonical JSON and back (see options.h).
#include <cmath>

#include "analysis_options.h"
#include "basin/curvature.h"
#include "option_checks.h"
#include "options_json.h"

namespace basin {

namespace {

using detail::OptionName;
using nlohmann::json;

OptionName name(const char* key, const char* flag) { return {"spectrum", key, flag}; }

const char* whichName(Which w) { return w == Which::Both ? "both" : w == Which::Smallest ? "smallest" : "largest"; }

Which parseWhich(const std::string& s, const std::string& origin) {
    if (s == "largest") return Which::Largest;
    if (s == "smallest") return Which::Smallest;
    if (s == "both") return Which::Both;
    throw Error(origin, "spectrum option which is '" + s + "'; it must be largest, smallest or both");
}

EigenMethod parseMethod(const std::string& s, const std::string& origin) {
    if (s == "lanczos") return EigenMethod::Lanczos;
    if (s == "power") return EigenMethod::Power;
    throw Error(origin, "spectrum option method is '" + s + "'; it must be lanczos or power");
}

}  // namespace

void validate(const SpectrumOptions& o) {
    using namespace detail;
    requireRange(name("top", "--top"), o.eigen.top_k, 1, 10000);
    requirePositive(name("tol", "--tol"), o.eigen.tol);
    if (o.eigen.max_hvp < o.eigen.top_k)
        optionError(name("max_hvp", "--max-hvp"), std::to_string(o.eigen.max_hvp),
                    "a whole number of at least the eigenvalues asked for at each end (top = " +
                        std::to_string(o.eigen.top_k) + ")");
    if (o.trace) {
        requireAtLeast(name("trace_probes", "--probes"), o.trace_options.probes,
                       o.trace_options.method == TraceMethod::HutchPP ? 3 : 2);
    }
    if (o.density) {
        requireAtLeast(name("density_probes", "--probes"), o.density_options.probes, 1);
        requireAtLeast(name("density_steps", "--steps"), o.density_options.steps, 2);
        // A negative sigma means "1% of the spectral range"; zero or NaN mean nothing.
        if (!(o.density_options.sigma < 0)) requirePositive(name("density_sigma", nullptr), o.density_options.sigma);
        requireRange(name("density_grid", nullptr), o.density_options.grid_points, 10, 100000);
    }
    if (o.exact) requireAtLeast(name("exact_max", "--exact-max"), o.exact_max, 1);
}

namespace detail {

json spectrumOptionsObject(const SpectrumOptions& o) {
    return {{"top", o.eigen.top_k},
            {"which", whichName(o.eigen.which)},
            {"method", o.eigen.method == EigenMethod::Power ? "power" : "lanczos"},
            {"tol", o.eigen.tol},
            {"max_hvp", o.eigen.max_hvp},
            {"trace",
             o.trace ? json(o.trace_options.method == TraceMethod::HutchPP ? "hutchpp" : "hutchinson") : json(nullptr)},
            {"trace_probes", o.trace_options.probes},
            {"density", o.density},
            {"density_probes", o.density_options.probes},
            {"density_steps", o.density_options.steps},
            {"density_sigma", o.density_options.sigma < 0 ? json(nullptr) : json(o.density_options.sigma)},
            {"density_grid", o.density_options.grid_points},
            {"exact", o.exact},
            {"exact_max", o.exact_max},
            {"seed", o.seed}};
}

SpectrumOptions spectrumOptionsFromObject(const json& j, const std::string& origin) {
    OptionsReader r(j, origin, "spectrum",
                    {"top", "which", "method", "tol", "max_hvp", "trace", "trace_probes", "density", "density_probes",
                     "density_steps", "density_sigma", "density_grid", "exact", "exact_max", "seed"});
    SpectrumOptions o;
    r.get("top", o.eigen.top_k);
    std::string which, method;
    r.get("which", which);
    if (!which.empty()) o.eigen.which = parseWhich(which, origin);
    r.get("method", method);
    if (!method.empty()) o.eigen.method = parseMethod(method, origin);
    r.get("tol", o.eigen.tol);
    r.get("max_hvp", o.eigen.max_hvp);
    if (r.has("trace")) {
        std::string t;
        r.get("trace", t);
        if (t != "hutchinson" && t != "hutchpp")
            throw Error(origin, "spectrum option trace is '" + t + "'; it must be hutchinson, hutchpp or null");
        o.trace = true;
        o.trace_options.method = t == "hutchpp" ? TraceMethod::HutchPP : TraceMethod::Hutchinson;
    }
    r.get("trace_probes", o.trace_options.probes);
    r.get("density", o.density);
    r.get("density_probes", o.density_options.probes);
    r.get("density_steps", o.density_options.steps);
    if (r.has("density_sigma")) {  // absent or null: 1% of the spectral range
        r.get("density_sigma", o.density_options.sigma);
        detail::requirePositive(name("density_sigma", nullptr), o.density_options.sigma);
    }
    r.get("density_grid", o.density_options.grid_points);
    r.get("exact", o.exact);
    r.get("exact_max", o.exact_max);
    r.get("seed", o.seed);
    return basin::detail::validatedFrom(o, origin);
}

}  // namespace detail

std::string toJson(const SpectrumOptions& o) { return detail::spectrumOptionsObject(o).dump(); }

SpectrumOptions spectrumOptionsFromJson(const std::string& text, const std::string& origin) {
    return detail::spectrumOptionsFromObject(detail::parseOptions(text, origin, "spectrum"), origin);
}

}  // namespace basin
