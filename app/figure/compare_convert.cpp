#include "compare_convert.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "basin/error.h"
#include "basin/widgets/spectrum_math.h"
#include "spectrum_convert.h"

namespace basin::gui {

namespace {

std::string fileName(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

nlohmann::json parseRow(const std::string& text) {
    nlohmann::json row;
    try {
        row = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw Error(std::string("a compare row is not JSON: ") + e.what());
    }
    if (!row.is_object() || !row.contains("model") || !row.contains("loss")) throw Error("a compare row lacks model or loss");
    return row;
}

std::string number(const nlohmann::json& v) {
    return v.is_number() ? widgets::formatNumber(v.get<double>()) : std::string("—");
}

}  // namespace

widgets::SpectrumPlotData rowToSpectrum(const std::string& row_json) {
    const nlohmann::json row = parseRow(row_json);
    widgets::SpectrumPlotData d;
    d.title = fileName(row["model"].get<std::string>());
    if (row.contains("top_eigenvalues")) d.top_eigenvalues = row["top_eigenvalues"].get<std::vector<double>>();
    if (row.contains("lambda_min") && row["lambda_min"].is_number()) {
        const double lo = row["lambda_min"].get<double>();
        if (std::find(d.top_eigenvalues.begin(), d.top_eigenvalues.end(), lo) == d.top_eigenvalues.end())
            d.top_eigenvalues.push_back(lo);
    }
    if (row.contains("density")) {
        d.density_grid = row["density"]["grid"].get<std::vector<double>>();
        d.density_values = row["density"]["values"].get<std::vector<double>>();
    }
    if (row.contains("bulk_edge") && row["bulk_edge"].is_number()) d.bulk_edge = row["bulk_edge"].get<double>();
    if (row.contains("outliers")) d.outlier_count = row["outliers"].get<int>();
    if (row.contains("trace") && row["trace"].is_number()) {
        d.trace = row["trace"].get<double>();
        d.trace_stderr = row["trace_stderr"].is_number() ? row["trace_stderr"].get<double>() : 0.0;
    }
    return d;
}

widgets::PathPlotData toPlotData(const PathResult& path) {
    widgets::PathPlotData d;
    d.title = fileName(path.from) + " → " + fileName(path.to);
    bool accuracy = !path.points.empty();
    for (const PathPoint& p : path.points) accuracy = accuracy && p.eval.accuracy >= 0;
    for (const PathPoint& p : path.points) {
        d.t.push_back(p.t);
        d.loss.push_back(p.eval.loss);
        if (accuracy) d.accuracy.push_back(p.eval.accuracy);
        d.top_eigenvalue.push_back(p.top_eigenvalue);
    }
    d.barrier_over_ends = path.barrier_over_ends;
    d.barrier_over_line = path.barrier_over_line;
    d.t_max = path.t_max;
    return d;
}

std::vector<std::string> compareTableHeader() {
    return {"checkpoint", "loss", "accuracy (%)", "λmax", "λmin", "trace ± error", "outliers", "bulk edge"};
}

std::vector<std::vector<std::string>> compareTable(const std::vector<std::string>& row_jsons) {
    std::vector<std::vector<std::string>> table;
    for (const std::string& text : row_jsons) {
        const nlohmann::json r = parseRow(text);
        char acc[32] = "—";
        if (r["accuracy"].is_number()) std::snprintf(acc, sizeof acc, "%.2f", 100 * r["accuracy"].get<double>());
        std::string trace = number(r.value("trace", nlohmann::json()));
        if (r.value("trace_stderr", nlohmann::json()).is_number())
            trace += " ± " + widgets::formatNumber(r["trace_stderr"].get<double>());
        table.push_back({fileName(r["model"].get<std::string>()), number(r["loss"]), acc,
                         number(r.value("lambda_max", nlohmann::json())), number(r.value("lambda_min", nlohmann::json())),
                         trace, std::to_string(r.value("outliers", 0)), number(r.value("bulk_edge", nlohmann::json()))});
    }
    return table;
}

SpectrumOptions compareSpectrumOptions(uint64_t seed) {
    SpectrumOptions o = defaultSpectrumOptions(seed);
    o.eigen.top_k = 3;  // a table row needs λmax and λmin; the density shows the rest
    return o;
}

}  // namespace basin::gui
