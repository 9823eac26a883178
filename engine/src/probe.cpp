// The curvature probe: the spectrum at a point of a surface's plane, its options and its JSON.
#include "basin/probe.h"

#include <chrono>
#include <cmath>

#include "analysis_options.h"
#include "basin/error.h"
#include "basin/surface_job.h"
#include "json_util.h"
#include "option_checks.h"
#include "options_json.h"
#include "result_file.h"
#include "stats.h"

namespace basin {

namespace {

using nlohmann::json;

// The direction fields alone: the grid and the range do not move the point.
SurfaceJobOptions planeOf(const SurfaceJobOptions& d, uint64_t seed) {
    SurfaceJobOptions p = d;
    const SurfaceJobOptions defaults;
    p.nx = defaults.nx;
    p.ny = d.isLine() ? 1 : defaults.ny;
    p.range.reset();
    p.seed = seed;
    return p;
}

json probeOptionsObject(const ProbeOptions& o) {
    SpectrumOptions spectrum = o.spectrum;
    spectrum.seed = o.seed;
    return {{"spectrum", detail::spectrumOptionsObject(spectrum)},
            {"directions", detail::surfaceOptionsObject(planeOf(o.directions, o.seed))},
            {"at", {o.x, o.y}},
            {"seed", o.seed}};
}

ProbeOptions probeOptionsFromObject(const json& j, const std::string& origin) {
    detail::OptionsReader r(j, origin, "probe", {"spectrum", "directions", "at", "seed"});
    ProbeOptions o;
    r.get("seed", o.seed);
    if (r.has("spectrum")) o.spectrum = detail::spectrumOptionsFromObject(r.at("spectrum"), origin);
    if (r.has("directions")) o.directions = detail::surfaceOptionsFromObject(r.at("directions"), origin);
    std::vector<double> at;
    r.get("at", at);
    if (!at.empty()) {
        if (at.size() != 2) throw Error(origin, "probe option at must be [x, y]");
        o.x = at[0];
        o.y = at[1];
    }
    o.spectrum.seed = o.directions.seed = o.seed;
    return basin::detail::validatedFrom(o, origin);
}

}  // namespace

void validate(const ProbeOptions& o) {
    validate(o.spectrum);
    validate(o.directions);
    detail::requireFinite({"probe", "at", "--at"}, o.x);
    detail::requireFinite({"probe", "at", "--at"}, o.y);
    if (o.directions.isLine() && o.y != 0)
        detail::optionError({"probe", "at", "--at"}, detail::valueText(o.x) + "," + detail::valueText(o.y),
                            "x alone (or x,0) along a line, which has one direction");
}

std::string toJson(const ProbeOptions& o) { return probeOptionsObject(o).dump(); }

ProbeOptions probeOptionsFromJson(const std::string& text, const std::string& origin) {
    return probeOptionsFromObject(detail::parseOptions(text, origin, "probe"), origin);
}

std::vector<std::string> referencedFiles(const ProbeOptions& o, const StudySpec& spec) {
    return referencedFiles(o.directions, spec);
}

ProbeResult computeProbe(Objective& objective, const ProbeOptions& given, JobContext* job,
                         const SurfacePlan* given_plan) {
    validate(given);
    const auto t0 = std::chrono::steady_clock::now();
    ProbeOptions o = given;
    o.spectrum.seed = o.directions.seed = o.seed;
    const int64_t hvp0 = objective.hvpCount();
    const SurfacePlan plan = given_plan ? *given_plan : planSurfaceJob(objective, planeOf(o.directions, o.seed), job);
    if (!plan.dy && o.y != 0) throw Error("a probe along a line has no second coordinate; give --at x");
    ProbeResult r;
    r.x = o.x;
    r.y = o.y;
    r.options = given;
    r.directions_key = directionsKey(plan);
    r.x_label = plan.x_label;
    r.y_label = plan.dy ? plan.y_label : "";
    const Eigen::VectorXd saved = objective.parametersFlat();
    const Eigen::VectorXd saved_buffers = plan.line ? objective.buffersFlat() : Eigen::VectorXd();
    const BatchNormMode saved_bn = objective.batchNormMode();
    auto restore = [&] {
        objective.setParameters(saved);
        if (saved_buffers.size() > 0) objective.setBuffers(saved_buffers);
        objective.setBatchNormMode(saved_bn);
    };
    try {
        Eigen::VectorXd theta;
        objective.setBatchNormMode(o.directions.bn);
        placeOnPlan(objective, plan, o.x, o.y, theta);  // on a checkpoint line, as the surface and map are
        r.eval = objective.evaluate(job);
        r.spectrum = computeSpectrum(objective, o.spectrum, job);
    } catch (...) {
        restore();
        throw;
    }
    restore();
    r.provenance = makeProvenance(objective, "probe", toJson(o), referencedFiles(o, objective.spec()));
    r.provenance.seconds = detail::secondsSince(t0);
    r.provenance.hvp_count = objective.hvpCount() - hvp0;
    r.spectrum.provenance = r.provenance;
    return r;
}

std::string probeJson(const ProbeResult& r) {
    json j = {{"format", "basin-probe"},
              {"x", r.x},
              {"y", r.y},
              {"loss", r.eval.loss},
              {"accuracy", r.eval.accuracy < 0 ? json(nullptr) : json(r.eval.accuracy)},
              {"samples", r.eval.samples},
              {"directions_key", r.directions_key},
              {"x_label", r.x_label},
              {"y_label", r.y_label},
              {"spectrum", json::parse(spectrumJson(r.spectrum))},
              {"options", probeOptionsObject(r.options)},
              {"provenance", detail::provenanceObject(r.provenance)}};
    return detail::dumpText(j);
}

ProbeResult probeFromJson(const std::string& text, const std::string& origin) {
    ProbeResult r;
    try {
        json j = detail::parseResultFile(text, origin, "basin-probe", "does not hold a curvature probe");
        r.x = j.at("x").get<double>();
        r.y = j.at("y").get<double>();
        r.eval = detail::evaluationFromJson(j);
        r.directions_key = j.value("directions_key", "");
        r.x_label = j.value("x_label", "");
        r.y_label = j.value("y_label", "");
        r.spectrum = spectrumFromJson(j.at("spectrum").dump(), origin);
        r.options = probeOptionsFromObject(j.at("options"), origin);
        if (j.contains("provenance") && !j["provenance"].is_null())
            r.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds a probe that cannot be read (") + e.what() + ")");
    }
    return r;
}

}  // namespace basin
