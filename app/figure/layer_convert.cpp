#include "layer_convert.h"

#include <algorithm>

namespace basin::gui {

namespace {

widgets::PrecisionRow row(const QuantisedEvaluation& q, bool proposal = false) {
    return {q.label, q.bits, q.size_bytes, q.eval.loss, q.eval.accuracy, q.omega, proposal};
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
    d.quantised = r.quantisable;
    if (!r.quantisable.empty()) {
        d.precision.push_back(
            {"float32", {}, r.float32_bytes, r.full_precision.loss, r.full_precision.accuracy, {}, false});
        // Largest first, so the table reads from the safest storage to the smallest; the proposal
        // among its measured frontier neighbours and the uniform widths of about its size.
        std::vector<widgets::PrecisionRow> rows;
        for (const QuantisedEvaluation& q : r.uniform) rows.push_back(row(q));
        for (const QuantisedEvaluation& q : r.frontier_measured) rows.push_back(row(q));
        if (r.proposal) rows.push_back(row(*r.proposal, true));
        std::stable_sort(rows.begin(), rows.end(),
                         [](const auto& a, const auto& b) { return a.size_bytes > b.size_bytes; });
        d.precision.insert(d.precision.end(), rows.begin(), rows.end());
    }
    d.budget_bytes = r.budget_bytes;
    d.proposal_beaten_by = r.proposal_dominated_by;
    return d;
}

}  // namespace basin::gui
