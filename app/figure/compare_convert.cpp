#include "compare_convert.h"

#include <algorithm>
#include <cstdio>

#include "basin/widgets/spectrum_math.h"
#include "spectrum_convert.h"

namespace basin::gui {

namespace {

std::string fileName(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

std::string number(std::optional<double> v) { return v ? widgets::formatNumber(*v) : std::string("—"); }

}  // namespace

widgets::SpectrumPlotData rowToSpectrum(const CheckpointRow& row) {
    const SpectrumResult& s = row.spectrum;
    widgets::SpectrumPlotData d;
    d.title = fileName(row.model);
    if (s.largest) d.top_eigenvalues = s.largest->eigenvalues;
    if (s.smallest) {
        const double lo = s.smallest->eigenvalues.back();
        if (std::find(d.top_eigenvalues.begin(), d.top_eigenvalues.end(), lo) == d.top_eigenvalues.end())
            d.top_eigenvalues.push_back(lo);
    }
    if (s.density) {
        d.density_grid = s.density->grid;
        d.density_values = s.density->values;
    }
    d.bulk_edge = s.outliers.edge;
    d.outlier_count = s.outliers.count;
    if (s.trace) {
        d.trace = s.trace->mean;
        d.trace_stderr = s.trace->stderr_;
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

std::vector<std::vector<std::string>> compareTable(const std::vector<CheckpointRow>& rows) {
    std::vector<std::vector<std::string>> table;
    for (const CheckpointRow& r : rows) {
        const SpectrumResult& s = r.spectrum;
        char acc[32] = "—";
        if (r.eval.accuracy >= 0) std::snprintf(acc, sizeof acc, "%.2f", 100 * r.eval.accuracy);
        std::string trace = s.trace
                                ? widgets::formatNumber(s.trace->mean) + " ± " + widgets::formatNumber(s.trace->stderr_)
                                : std::string("—");
        table.push_back({fileName(r.model), widgets::formatNumber(r.eval.loss), acc,
                         number(s.largest ? std::optional(s.largest->eigenvalues.front()) : std::nullopt),
                         number(s.smallest ? std::optional(s.smallest->eigenvalues.back()) : std::nullopt), trace,
                         std::to_string(s.outliers.count), number(s.outliers.edge)});
    }
    return table;
}

}  // namespace basin::gui
