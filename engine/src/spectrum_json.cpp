// Spectrum results as JSON (what basin-cli prints, exports write and the study file stores), and back.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "analysis_options.h"
#include "basin/curvature.h"
#include "basin/error.h"
#include "json_util.h"

namespace basin {

using nlohmann::json;

namespace {

json endJson(const EigenResult& e) {
    return {{"eigenvalues", e.eigenvalues},
            {"residuals", e.residuals},
            {"converged", e.converged},
            {"method", e.method},
            {"hvp_count", e.hvp_count},
            {"seconds", e.seconds},
            {"tol", e.tol}};
}

EigenResult endFromJson(const json& j, const std::string& which, const std::string& origin) {
    EigenResult e;
    e.which = which;
    e.eigenvalues = j.at("eigenvalues").get<std::vector<double>>();
    e.residuals = j.at("residuals").get<std::vector<double>>();
    e.converged = j.at("converged").get<bool>();
    e.method = j.value("method", "lanczos");
    e.hvp_count = j.value("hvp_count", int64_t(0));
    e.seconds = j.value("seconds", 0.0);
    e.tol = j.value("tol", 0.0);
    if (e.residuals.size() != e.eigenvalues.size())
        throw Error(origin, "the " + which + " eigenvalues and their residuals differ in length");
    return e;
}

}  // namespace

std::string spectrumJson(const SpectrumResult& r) {
    json j;
    const EigenResult* main = r.largest ? &*r.largest : r.smallest ? &*r.smallest : nullptr;
    std::vector<double> eig, res;
    bool converged = true;
    if (r.largest) {
        eig = r.largest->eigenvalues;
        res = r.largest->residuals;
        converged = r.largest->converged;
        j["largest"] = endJson(*r.largest);
    }
    if (r.smallest) {
        // Both ends: one descending list, the most negative values last, without duplicates.
        for (size_t i = 0; i < r.smallest->eigenvalues.size(); ++i) {
            const double x = r.smallest->eigenvalues[i];
            if (std::find(eig.begin(), eig.end(), x) == eig.end()) {
                eig.push_back(x);
                res.push_back(r.smallest->residuals[i]);
            }
        }
        converged = converged && r.smallest->converged;
        j["smallest"] = endJson(*r.smallest);
    }
    j["eigenvalues"] = eig;
    j["residuals"] = res;
    j["converged"] = converged;
    j["method"] = main ? main->method : "";
    j["hvp_count"] = r.hvp_count;
    j["seconds"] = r.seconds;
    j["parameters"] = r.parameters;
    j["dtype"] = r.dtype;
    j["hvp"] = detail::toJson(r.hvp);
    if (r.trace)
        j["trace"] = {{"mean", r.trace->mean},     {"stderr", r.trace->stderr_},      {"probes", r.trace->probes},
                      {"method", r.trace->method}, {"hvp_count", r.trace->hvp_count}, {"seconds", r.trace->seconds}};
    if (r.density)
        j["density"] = {{"grid", r.density->grid},
                        {"values", r.density->values},
                        {"nodes", r.density->nodes},
                        {"weights", r.density->weights},
                        {"sigma", r.density->sigma},
                        {"log10_abs_grid", r.density->log_grid},
                        {"log10_abs_values", r.density->log_values},
                        {"probes", r.density->probes},
                        {"steps", r.density->steps},
                        {"hvp_count", r.density->hvp_count},
                        {"seconds", r.density->seconds}};
    if (r.exact) {
        j["exact_eigenvalues"] = r.exact->eigenvalues;
        j["exact_asymmetry"] = r.exact->asymmetry;
    }
    j["outliers"] = {{"count", r.outliers.count},
                     {"edge", r.outliers.edge},
                     {"eigenvalues", r.outliers.eigenvalues},
                     {"trace_share", r.outliers.trace_share},
                     {"rule", r.outliers.rule},
                     {"classes", r.outliers.classes},
                     {"manual", r.outliers.manual}};
    j["options"] = detail::spectrumOptionsObject(r.options);
    j["provenance"] = detail::provenanceObject(r.provenance);
    return detail::dumpText(j);
}

SpectrumResult spectrumFromJson(const std::string& text, const std::string& origin) {
    SpectrumResult r;
    try {
        const json j = json::parse(text);
        if (!j.is_object() || !j.contains("eigenvalues")) throw Error(origin, "does not hold a spectrum result");
        if (j.contains("largest")) r.largest = endFromJson(j["largest"], "largest", origin);
        if (j.contains("smallest")) r.smallest = endFromJson(j["smallest"], "smallest", origin);
        r.hvp_count = j.value("hvp_count", int64_t(0));
        r.seconds = j.value("seconds", 0.0);
        r.parameters = j.value("parameters", int64_t(0));
        r.dtype = j.value("dtype", "");
        if (j.contains("hvp")) r.hvp = detail::hvpReportFromJson(j["hvp"]);
        if (j.contains("trace")) {
            const auto& t = j["trace"];
            TraceResult tr;
            tr.mean = t.at("mean").get<double>();
            tr.stderr_ = t.at("stderr").get<double>();
            tr.probes = t.at("probes").get<int>();
            tr.method = t.value("method", "hutchinson");
            tr.hvp_count = t.value("hvp_count", int64_t(tr.probes));
            tr.seconds = t.value("seconds", 0.0);
            r.trace = tr;
        }
        if (j.contains("density")) {
            const auto& d = j["density"];
            DensityResult dr;
            dr.grid = d.at("grid").get<std::vector<double>>();
            dr.values = d.at("values").get<std::vector<double>>();
            dr.nodes = d.value("nodes", std::vector<double>{});
            dr.weights = d.value("weights", std::vector<double>{});
            dr.sigma = d.value("sigma", 0.0);
            dr.log_grid = d.value("log10_abs_grid", std::vector<double>{});
            dr.log_values = d.value("log10_abs_values", std::vector<double>{});
            dr.probes = d.value("probes", 0);
            dr.steps = d.value("steps", 0);
            dr.hvp_count = d.value("hvp_count", int64_t(0));
            dr.seconds = d.value("seconds", 0.0);
            if (dr.grid.size() != dr.values.size())
                throw Error(origin, "the density's grid and values differ in length");
            r.density = dr;
        }
        if (j.contains("exact_eigenvalues")) {
            ExactSpectrum e;
            e.eigenvalues = j["exact_eigenvalues"].get<std::vector<double>>();
            e.asymmetry = j.value("exact_asymmetry", 0.0);
            e.hvp_count = int64_t(e.eigenvalues.size());
            r.exact = e;
        }
        const auto& o = j.at("outliers");
        r.outliers.count = o.at("count").get<int>();
        r.outliers.edge = o.at("edge").get<double>();
        r.outliers.eigenvalues = o.at("eigenvalues").get<std::vector<double>>();
        r.outliers.trace_share = o.value("trace_share", 0.0);
        r.outliers.rule = o.value("rule", "");
        r.outliers.classes = o.value("classes", 0);
        r.outliers.manual = o.value("manual", false);
        if (j.contains("options")) r.options = detail::spectrumOptionsFromObject(j["options"], origin);
        if (j.contains("provenance") && !j["provenance"].is_null())
            r.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds a spectrum result that cannot be read (") + e.what() + ")");
    }
    return r;
}

}  // namespace basin
