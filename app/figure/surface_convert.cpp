#include "surface_convert.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "basin/widgets/surface_math.h"

namespace basin::gui {

std::vector<double> fillFromComputed(const std::vector<double>& values, const std::vector<uint8_t>& done, int nx,
                                     int ny) {
    std::vector<int64_t> known;
    for (int64_t k = 0; k < int64_t(done.size()); ++k)
        if (done[k]) known.push_back(k);
    if (known.empty()) return {};
    std::vector<double> out = values;
    if (int64_t(known.size()) == int64_t(nx) * ny) return out;
    for (int64_t k = 0; k < int64_t(out.size()); ++k) {
        if (done[k]) continue;
        const int64_t i = k % nx, j = k / nx;
        int64_t best = known.front(), best_d = std::numeric_limits<int64_t>::max();
        for (int64_t q : known) {
            const int64_t di = q % nx - i, dj = q / nx - j, d = di * di + dj * dj;
            if (d < best_d) {
                best_d = d;
                best = q;
            }
        }
        out[k] = values[best];
    }
    return out;
}

widgets::SurfacePlotData toPlotData(const SurfaceGrid& grid, const std::string& title) {
    widgets::SurfacePlotData d;
    d.title = title;
    d.x = grid.xs;
    d.y = grid.ys;
    d.x_label = grid.x_label;
    d.y_label = grid.y_label;
    d.value_label = "loss";
    d.values = fillFromComputed(grid.loss, grid.done, grid.nx(), grid.ny());
    // Losses without a notion of accuracy report -1 at every computed point.
    const auto first = std::find(grid.done.begin(), grid.done.end(), uint8_t(1)) - grid.done.begin();
    if (std::size_t(first) < grid.accuracy.size() && grid.accuracy[std::size_t(first)] >= 0)
        d.accuracy = fillFromComputed(grid.accuracy, grid.done, grid.nx(), grid.ny());
    // The minimum among computed points only: a filled-in copy is not a place the loss was measured.
    d.minimum = widgets::argminDone(grid.loss, grid.done);
    d.trajectory = grid.trajectory;
    d.trajectory_labels = grid.trajectory_labels;
    if (grid.curvature && !d.values.empty()) {
        const GridCurvature& c = *grid.curvature;
        const int nx = grid.nx(), ny = grid.ny();
        auto field = [&](const char* name, const char* label, std::vector<double> values, bool signed_values) {
            // A field not asked for (λmin of a map of λmax alone, the trace without probes) is not offered.
            bool any = false;
            for (size_t k = 0; k < values.size(); ++k) any = any || (grid.done[k] && std::isfinite(values[k]));
            if (!any) return;
            d.fields.push_back({name, label, fillFromComputed(values, grid.done, nx, ny), signed_values});
        };
        std::vector<double> ratio(grid.loss.size());
        for (size_t k = 0; k < ratio.size(); ++k) ratio[k] = c.ratio(k);
        field("lambda_max", "λmax", c.lambda_max, true);
        field("lambda_min", "λmin", c.lambda_min, true);
        field("ratio", "|λmin/λmax|", ratio, false);
        field("trace", "trace", c.trace, true);
    }
    return d;
}

std::vector<std::string> curvatureFieldNames() { return {"lambda_max", "lambda_min", "ratio", "trace"}; }

}  // namespace basin::gui
