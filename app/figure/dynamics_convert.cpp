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
    std::string traces;
    for (const BatchScalingRow& row : r.rows)
        if (!row.trace.empty())
            traces += (traces.empty() ? "" : ", ") + std::string("B = ") + std::to_string(row.batch_size) + ": " +
                      num(row.trace_mean) + " ± " + num(row.trace_stddev);
    std::string adam;
    for (const BatchScalingRow& row : r.rows)
        if (!row.preconditioned.empty())
            adam += (adam.empty() ? "" : ", ") + std::string("B = ") + std::to_string(row.batch_size) + ": " +
                    num(row.stable_lr_adam);
    if (!adam.empty())
        d.notes.push_back("Largest stable Adam step (2 + 2β₁)/((1 − β₁) λ1(P^-1/2 H_B P^-1/2)), β₁ = " + num(r.beta1) +
                          ": " + adam);
    if (!traces.empty())
        d.notes.push_back("Trace of H_B (Hutchinson, " + std::to_string(r.options.trace_probes) +
                          " probes): " + traces + (r.full_trace ? "; all samples: " + num(*r.full_trace) : ""));
    d.notes.push_back("Batch scaling: " + std::to_string(r.options.batches) + " disjoint batches per size, " +
                      std::to_string(r.hvp_count) + " H·v in " + num(r.seconds) + " s");
    return d;
}

widgets::BatchSpectraPlotData toPlotData(const std::vector<BatchSpectraResult>& results, const std::string& title) {
    widgets::BatchSpectraPlotData d;
    if (results.empty()) return d;
    const BatchSpectraResult& first = results.front();
    const bool largest = first.options.which != Which::Smallest;
    d.end = largest ? "largest" : "smallest";
    d.batch_size = first.options.batch_size;
    d.batches = first.options.batches;
    d.top_k = first.options.top_k;
    d.title = "Top " + std::to_string(d.top_k) + " eigenvalues of " + std::to_string(d.batches) + " batches of " +
              std::to_string(d.batch_size) + (title.empty() ? std::string() : ": " + title);
    std::vector<std::vector<double>> sets;
    for (const BatchSpectraResult& r : results) sets.push_back(batchEigenvalues(r, largest));
    const std::vector<Histogram> common = commonHistograms(sets, first.options.bins);
    if (common.empty() || common.front().edges.empty()) return d;
    d.edges = common.front().edges;
    for (size_t i = 0; i < results.size(); ++i) {
        const BatchSpectraResult& r = results[i];
        d.sets.push_back({shortName(r.provenance.model), common[i].density, r.lambda_max_mean, r.lambda_max_stddev});
        int converged = 0;
        for (const BatchEigenvalues& b : r.batches) converged += b.converged ? 1 : 0;
        d.notes.push_back("Per-batch spectra of " + fileName(r.provenance.model) + ": " +
                          std::to_string(r.batches.size()) + " disjoint batches of " +
                          std::to_string(r.options.batch_size) + " of the " + std::to_string(r.samples) + " samples, " +
                          std::to_string(converged) + " converged, " + std::to_string(r.provenance.hvp_count) +
                          " H·v in " + num(r.provenance.seconds) + " s");
    }
    return d;
}

widgets::ResamplePlotData toPlotData(const ResampleResult& r, const std::string& title) {
    widgets::ResamplePlotData d;
    d.title = "Sampling uncertainty: " + std::to_string(r.resamples) + " subsamples of " + std::to_string(r.subsample) +
              (title.empty() ? std::string() : ", " + title);
    d.samples = r.samples;
    d.subsample = r.subsample;
    d.resamples = r.resamples;
    d.target = 100 * r.options.target;
    const auto add = [&](const char* name, const std::optional<ResampledQuantity>& q, const std::string& estimator) {
        if (!q) return;
        if (!(q->full != 0) || !std::isfinite(q->full)) {
            // In % of a full value of 0 every error would be drawn as 0 %: not drawn, said instead.
            d.notes.push_back(std::string(name) + " " + num(q->full) +
                              ": not drawn, its errors have no relative size against a full value of 0");
            return;
        }
        widgets::ResamplePlotData::Quantity out;
        out.name = name;
        out.full = q->full;
        const double scale = 100 / std::abs(q->full);
        for (double v : q->values) out.deviation.push_back((v / q->full - 1) * 100);
        out.data_error = q->data_error * scale;
        out.estimator_error = q->estimator_error * scale;
        out.suggested_samples = q->suggested_samples;
        d.quantities.push_back(out);
        d.notes.push_back(std::string(name) + " " + num(q->full) + ": data error " + num(out.data_error) +
                          " %, estimator error " + num(out.estimator_error) + " % (" + estimator + "); about " +
                          std::to_string(q->suggested_samples) + " samples for " + num(d.target) + " %" +
                          (q->converged ? "" : "; a Lanczos run did NOT converge"));
    };
    add("λmax", r.lambda_max, "the Lanczos residual");
    add("trace", r.trace, "the probe standard error");
    add("moment 2", r.second_moment, "the probes' standard error");
    d.notes.push_back("Sampling uncertainty of " + fileName(r.provenance.model) + ": " +
                      std::to_string(r.provenance.hvp_count) + " H·v in " + num(r.provenance.seconds) + " s");
    return d;
}

}  // namespace basin::gui
