#include "dynamics_convert.h"

#include <QFileInfo>
#include <cmath>

#include "basin/widgets/spectrum_math.h"

namespace basin::gui {

namespace {

std::string fileName(const std::string& path) {
    return QFileInfo(QString::fromStdString(path)).fileName().toStdString();
}
// The axis labels: the file name without its extension ("ckpt_3_epoch2").
std::string shortName(const std::string& path) {
    return QFileInfo(QString::fromStdString(path)).completeBaseName().toStdString();
}
std::string num(double v) { return widgets::formatNumber(v); }

// "(2 + 2β)/η for heavy-ball momentum, η = ..." -> "(2 + 2β)/η".
std::string formula(const std::string& rule) { return rule.substr(0, rule.find(" for ")); }

}  // namespace

widgets::StabilityPlotData toPlotData(const StabilityResult& r, const std::string& title) {
    widgets::StabilityPlotData d;
    d.title = title.empty() ? std::string("Sharpness against the stability threshold")
                            : "Sharpness against the stability threshold: " + title;
    int preconditioned = 0;
    for (const StabilityRow& row : r.rows) {
        d.labels.push_back(shortName(row.checkpoint));
        d.sharpness.push_back(row.sharpness);
        d.threshold.push_back(row.threshold);
        d.lambda_max.push_back(row.preconditioned ? row.lambda_max : NAN);
        if (row.preconditioned) ++preconditioned;
        d.notes.push_back(fileName(row.checkpoint) + ": sharpness " + num(row.sharpness) + " against " +
                          num(row.threshold) + " (ratio " + num(row.ratio) + "), " + std::to_string(row.hvp_count) +
                          " H·v" + (row.converged ? "" : ", NOT converged") + "; " + row.rule);
    }
    if (r.rows.empty()) return d;
    d.sharpness_label = preconditioned == 0                    ? "λmax(H)"
                        : preconditioned == int(r.rows.size()) ? "λ1(P^-1/2 H P^-1/2), Adam's preconditioned sharpness"
                                                               : "λmax(H), or λ1(P^-1/2 H P^-1/2) for Adam rows";
    bool flat = true;
    for (const StabilityRow& row : r.rows)
        flat = flat && row.threshold == r.rows.front().threshold && row.rule == r.rows.front().rule;
    d.threshold_label =
        formula(r.rows.front().rule) + (flat ? " = " + num(r.rows.front().threshold) : std::string(" per checkpoint"));
    return d;
}

widgets::BatchScalingPlotData toPlotData(const BatchScalingResult& r, const std::string& title) {
    widgets::BatchScalingPlotData d;
    d.title = title.empty() ? std::string("λmax of mini-batch Hessians") : "λmax of mini-batch Hessians: " + title;
    double sx = 0, sy = 0;
    int used = 0;
    std::string steps;
    for (const BatchScalingRow& row : r.rows) {
        d.batch_sizes.push_back(double(row.batch_size));
        d.mean.push_back(row.mean);
        d.stddev.push_back(row.stddev);
        if (row.mean > 0) {
            sx += std::log(double(row.batch_size));
            sy += std::log(row.mean);
            ++used;
        }
        steps += (steps.empty() ? "" : ", ") + std::string("B = ") + std::to_string(row.batch_size) + ": " +
                 num(row.stable_lr_sgd);
    }
    d.full_lambda_max = r.full_lambda_max;
    d.samples = r.samples;
    d.slope = r.slope;
    if (used >= 2 && !d.batch_sizes.empty()) {
        const double c = sy / used - r.slope * sx / used;  // the least-squares line passes through the means
        for (double b : {d.batch_sizes.front(), d.batch_sizes.back()}) {
            d.fit_x.push_back(b);
            d.fit_y.push_back(std::exp(c + r.slope * std::log(b)));
        }
    }
    d.notes.push_back("Largest stable SGD step 2/λmax(H_B): " + steps);
    d.notes.push_back("Batch scaling: " + std::to_string(r.options.batches) + " disjoint batches per size, " +
                      std::to_string(r.hvp_count) + " H·v in " + num(r.seconds) + " s");
    return d;
}

}  // namespace basin::gui
