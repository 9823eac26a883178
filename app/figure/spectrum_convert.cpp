#include "spectrum_convert.h"

#include <algorithm>
#include <cstdio>

namespace basin::gui {

widgets::SpectrumPlotData toPlotData(const SpectrumResult& r, const std::string& title) {
    widgets::SpectrumPlotData d;
    d.title = title;
    if (r.largest) d.top_eigenvalues = r.largest->eigenvalues;
    if (r.smallest)
        for (double x : r.smallest->eigenvalues)
            if (std::find(d.top_eigenvalues.begin(), d.top_eigenvalues.end(), x) == d.top_eigenvalues.end())
                d.top_eigenvalues.push_back(x);
    if (r.density) {
        d.density_grid = r.density->grid;
        d.density_values = r.density->values;
        d.log_density_grid = r.density->log_grid;
        d.log_density_values = r.density->log_values;
    }
    if (r.exact) d.exact_eigenvalues = r.exact->eigenvalues;
    // The split needs the top of the spectrum; without it the engine's report is empty.
    if (r.largest || r.exact) {
        d.bulk_edge = r.outliers.edge;
        d.outlier_count = r.outliers.count;
        d.edge_by_hand = r.outliers.manual;
    }
    if (r.trace) {
        d.trace = r.trace->mean;
        d.trace_stderr = r.trace->stderr_;
    }
    d.hvp_count = r.hvp_count;
    d.hvp_mode = r.hvp.chosen;
    if (r.hvp.requested == "auto" && !r.hvp.chosen.empty()) {
        d.hvp_mode += " (chosen by auto)";
        // What the choice buys, in the unit a reader knows: one product costs this many gradients.
        const auto it = r.hvp.seconds.find(r.hvp.chosen);
        if (it != r.hvp.seconds.end() && r.hvp.seconds_gradient > 0) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.2g gradients per product", it->second / r.hvp.seconds_gradient);
            d.hvp_detail = buf;
        }
    }
    d.parameters = r.parameters;
    return d;
}

}  // namespace basin::gui
