#include "layer_convert.h"

#include <algorithm>

namespace basin::gui {

namespace {

std::string bitsText(const std::vector<int>& bits) {
    std::string s;
    for (int b : bits) s += (s.empty() ? "" : " ") + std::to_string(b);
    return s;
}

widgets::PrecisionRow row(const QuantisedEvaluation& q) {
    return {q.label, bitsText(q.bits), q.size_bytes, q.eval.loss, q.eval.accuracy};
}

}  // namespace

widgets::LayerPlotData toPlotData(const SensitivityResult& r, const std::string& title) {
    widgets::LayerPlotData d;
    d.title = title;
    for (const GroupSensitivity& g : r.groups) {
        widgets::LayerRow layer;
        layer.name = g.name;
        layer.parameters = g.parameters;
        layer.top_eigenvalue = g.top_eigenvalue;
        layer.mean_trace = g.mean_trace;
        layer.mean_trace_err = g.parameters > 0 ? g.trace_stderr / double(g.parameters) : 0;
        const auto q = std::find(r.quantisable.begin(), r.quantisable.end(), g.name);
        if (q != r.quantisable.end()) {
            if (auto it = g.omega.find(4); it != g.omega.end()) layer.omega4 = it->second;
            if (r.proposal) layer.proposed_bits = r.proposal->bits.at(std::size_t(q - r.quantisable.begin()));
        }
        d.layers.push_back(layer);
    }
    if (!r.quantisable.empty()) {
        d.precision.push_back({"float32", "", r.float32_bytes, r.full_precision.loss, r.full_precision.accuracy});
        // Widest first, so the table reads from the safest storage to the smallest.
        std::vector<QuantisedEvaluation> uniform = r.uniform;
        std::sort(uniform.begin(), uniform.end(), [](const auto& a, const auto& b) { return a.size_bytes > b.size_bytes; });
        for (const QuantisedEvaluation& q : uniform) d.precision.push_back(row(q));
        if (r.proposal) d.precision.push_back(row(*r.proposal));
    }
    d.budget_bytes = r.budget_bytes;
    return d;
}

}  // namespace basin::gui
