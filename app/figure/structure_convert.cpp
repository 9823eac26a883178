#include "structure_convert.h"

#include <algorithm>
#include <cstdio>

namespace basin::gui {

namespace {

std::string fmt(const char* f, double a, double b = 0, double c = 0, double d = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b, c, d);
    return buf;
}

}  // namespace

widgets::StructurePlotData toPlotData(const StructureResult& r, const std::string& title) {
    widgets::StructurePlotData d;
    d.title = title;
    if (r.diag) {
        const DiagonalPart& g = *r.diag;
        for (const StructureEntry& e : g.groups) {
            const double n = e.size > 0 ? double(e.size) : 1.0;
            d.groups.push_back({e.name, e.size, e.saliency, e.saliency_stderr, e.diag_sum / n, e.diag_sum_stderr / n});
        }
        d.prune_level = g.prune_level;
        for (const StructureEntry& e : g.least_salient)
            d.least_salient.push_back({e.name, e.size, e.saliency, e.saliency_stderr, e.weight_sq});
        d.base_loss = g.base.loss;
        for (size_t i = 0; i + 1 < g.removal.size(); i += 2) {
            const RemovalRow& s = g.removal[i];
            const RemovalRow& m = g.removal[i + 1];
            d.removal.push_back({s.k, s.eval.loss, m.eval.loss, s.predicted, m.predicted});
        }
        d.notes.push_back(
            "Diagonal (" + g.method + (g.method == "hutchinson" ? ", " + std::to_string(g.probes) + " probes" : "") +
            "): " + std::to_string(g.hvp_count) + " H·v; trace " + fmt("%.4g ± %.2g", g.trace, g.trace_stderr));
        for (const std::string& rule : g.head_rule) d.notes.push_back("Heads: " + rule);
    }
    if (r.eigen_hvp_count > 0)
        d.notes.push_back("Eigenvectors of H (one Lanczos run shared by localisation, blocks, classes): " +
                          std::to_string(r.eigen_hvp_count) + " H·v");
    if (r.localisation) {
        const LocalisationPart& l = *r.localisation;
        d.localisation.title = "Eigenvector localisation: share of ‖v‖² per layer";
        d.localisation.row_label = "eigenvector";
        d.localisation.col_label = "layer group";
        d.localisation.cols = l.groups;
        int top = 0, bottom = 0;
        for (const EigenvectorShares& v : l.vectors) {
            const bool t = v.end == "top";
            d.localisation.rows.push_back((t ? "top " + std::to_string(++top) : "bottom " + std::to_string(++bottom)) +
                                          fmt(" (λ %.3g)", v.eigenvalue));
            d.localisation.values.push_back(v.shares);
        }
    }
    if (r.classes) {
        const ClassPart& c = *r.classes;
        d.classes.title = "Outliers of G against class-mean gradients: cos²";
        d.classes.row_label = "eigenvector of G";
        d.classes.col_label = "class";
        for (int k = 0; k < c.classes; ++k) d.classes.cols.push_back(std::to_string(k));
        for (size_t k = 0; k < c.ggn_overlap.size(); ++k) {
            d.classes.rows.push_back(std::to_string(k + 1) + fmt(" (λ %.3g)", c.ggn_eigenvalues[k]));
            d.classes.values.push_back(c.ggn_overlap[k]);
        }
        double top = 0, cls = 0;
        for (size_t k = 0; k < c.ggn_split.size() && k < size_t(c.classes); ++k) {
            top += c.ggn_split[k].eigenvalue;
            cls += c.ggn_split[k].class_part;
        }
        d.notes.push_back("Classes: " + std::to_string(c.hvp_count) + " G·v and " + std::to_string(c.gradient_passes) +
                          " gradient passes; the class term carries " + fmt("%.0f%%", top > 0 ? 100 * cls / top : 0.0) +
                          " of the top " + std::to_string(std::min<size_t>(c.ggn_split.size(), size_t(c.classes))) +
                          " eigenvalues of G");
    }
    if (r.blocks) {
        const BlockPart& b = *r.blocks;
        const size_t n = std::max(b.full.size(), b.block.size());
        for (size_t i = 0; i < n; ++i) {
            widgets::BlockRow row;
            row.rank = int(i + 1);
            if (i < b.full.size()) row.full = b.full[i];
            if (i < b.block.size()) {
                row.block = b.block[i];
                row.block_name = b.block_of[i];
            }
            if (i < b.angles.size()) row.angle_deg = b.angles[i];
            d.blocks.push_back(row);
        }
        double js = 0;
        for (size_t i = 0; i < b.js.size(); ++i)
            for (size_t j = 0; j < b.js.size(); ++j) js = std::max(js, b.js[i][j]);
        d.notes.push_back("Blocks: " + std::to_string(b.hvp_count) +
                          " H·v; largest Jensen-Shannon distance between blocks " + fmt("%.2f", js));
    }
    if (r.align) {
        const AlignPart& a = *r.align;
        for (const AlignScope* s : {&a.model, &a.head})
            d.notes.push_back("Alignment (" + s->scope + "): ‖H_A − H_B‖₂ " + fmt("%.4g", s->norm) +
                              ", tr difference " + fmt("%.4g ± %.2g", s->trace_diff, s->trace_diff_stderr) +
                              ", gradient cosine " + fmt("%.3f", s->gradient_cosine));
        d.notes.push_back("Alignment: " + std::to_string(a.hvp_count) + " H·v against " + a.inputs);
    }
    d.notes.push_back("Total: " + std::to_string(r.hvp_count) + " H·v in " + fmt("%.1f s", r.seconds));
    return d;
}

}  // namespace basin::gui
