// The options of the per-batch spectra and of the sampling uncertainty (see options.h), and the
// histogram both report with.
#include <algorithm>
#include <cmath>

#include "basin/sampling.h"
#include "option_checks.h"
#include "options_json.h"

namespace basin {

namespace {

using detail::OptionName;
using nlohmann::json;

OptionName spectraName(const char* key, const char* flag) { return {"batch-spectra", key, flag}; }
OptionName resampleName(const char* key, const char* flag) { return {"resample", key, flag}; }

const char* whichName(Which w) { return w == Which::Both ? "both" : w == Which::Smallest ? "smallest" : "largest"; }

}  // namespace

Histogram histogram(const std::vector<double>& values, int bins) { return commonHistograms({values}, bins).front(); }

std::vector<Histogram> commonHistograms(const std::vector<std::vector<double>>& sets, int bins) {
    if (bins < 1) throw Error("a histogram needs at least one bin, not " + std::to_string(bins));
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& s : sets)
        for (double v : s) lo = std::min(lo, v), hi = std::max(hi, v);
    std::vector<Histogram> out(sets.size());
    if (!(lo <= hi)) return out;  // no values at all
    if (hi - lo <= 0) {
        const double half = 0.5e-6 * std::max(1.0, std::abs(lo));
        lo -= half;
        hi += half;
    }
    const double width = (hi - lo) / bins;
    for (size_t k = 0; k < sets.size(); ++k) {
        Histogram& h = out[k];
        for (int i = 0; i <= bins; ++i) h.edges.push_back(i == bins ? hi : lo + width * i);
        h.counts.assign(size_t(bins), 0);
        for (double v : sets[k]) ++h.counts[size_t(std::clamp(int(std::floor((v - lo) / width)), 0, bins - 1))];
        const double n = double(sets[k].size());
        for (int64_t c : h.counts) h.density.push_back(n > 0 ? double(c) / (n * width) : 0.0);
    }
    return out;
}

void validate(const BatchSpectraOptions& o) {
    using namespace detail;
    requireAtLeast(spectraName("batch_size", "--size"), o.batch_size, 1);
    requireRange(spectraName("batches", "--batches"), o.batches, 1, 100000);
    requireRange(spectraName("top", "--top-k"), o.top_k, 1, 1000);
    requirePositive(spectraName("tol", "--tol"), o.tol);
    if (o.max_hvp < o.top_k)
        optionError(
            spectraName("max_hvp", "--max-hvp"), std::to_string(o.max_hvp),
            "a whole number of at least the eigenvalues asked for at each end (top = " + std::to_string(o.top_k) + ")");
    requireRange(spectraName("bins", "--bins"), o.bins, 1, 10000);
}

std::string toJson(const BatchSpectraOptions& o) {
    return json{{"batch_size", o.batch_size},
                {"batches", o.batches},
                {"top", o.top_k},
                {"which", whichName(o.which)},
                {"tol", o.tol},
                {"max_hvp", o.max_hvp},
                {"bins", o.bins},
                {"seed", o.seed}}
        .dump();
}

BatchSpectraOptions batchSpectraOptionsFromJson(const std::string& text, const std::string& origin) {
    const json j = detail::parseOptions(text, origin, "batch-spectra");
    detail::OptionsReader r(j, origin, "batch-spectra",
                            {"batch_size", "batches", "top", "which", "tol", "max_hvp", "bins", "seed"});
    BatchSpectraOptions o;
    r.get("batch_size", o.batch_size);
    r.get("batches", o.batches);
    r.get("top", o.top_k);
    std::string which;
    r.get("which", which);
    if (which == "largest") o.which = Which::Largest;
    else if (which == "smallest") o.which = Which::Smallest;
    else if (which == "both") o.which = Which::Both;
    else if (!which.empty())
        throw Error(origin, "batch-spectra option which is '" + which + "'; it must be largest, smallest or both");
    r.get("tol", o.tol);
    r.get("max_hvp", o.max_hvp);
    r.get("bins", o.bins);
    r.get("seed", o.seed);
    return detail::validatedFrom(o, origin);
}

void validate(const ResampleOptions& o) {
    using namespace detail;
    requireRange(resampleName("resamples", "--resamples"), o.resamples, 2, 100000);
    if (o.subsample != 0) requireAtLeast(resampleName("subsample", "--subsample"), o.subsample, 2);
    if (!o.lambda_max && !o.trace)
        throw Error("resample options lambda_max and trace are both off; at least one quantity must be resampled");
    requirePositive(resampleName("tol", "--tol"), o.tol);
    requireRange(resampleName("max_hvp", "--max-hvp"), o.max_hvp, 2, 100000);
    requireRange(resampleName("probes", "--probes"), o.probes, 2, 100000);
    if (!(o.target > 0 && o.target < 1))
        optionError(resampleName("target", "--target"), valueText(o.target), "a relative error above 0 and below 1");
}

std::string toJson(const ResampleOptions& o) {
    return json{{"resamples", o.resamples},
                {"subsample", o.subsample},
                {"lambda_max", o.lambda_max},
                {"trace", o.trace},
                {"tol", o.tol},
                {"max_hvp", o.max_hvp},
                {"probes", o.probes},
                {"target", o.target},
                {"seed", o.seed}}
        .dump();
}

ResampleOptions resampleOptionsFromJson(const std::string& text, const std::string& origin) {
    const json j = detail::parseOptions(text, origin, "resample");
    detail::OptionsReader r(
        j, origin, "resample",
        {"resamples", "subsample", "lambda_max", "trace", "tol", "max_hvp", "probes", "target", "seed"});
    ResampleOptions o;
    r.get("resamples", o.resamples);
    r.get("subsample", o.subsample);
    r.get("lambda_max", o.lambda_max);
    r.get("trace", o.trace);
    r.get("tol", o.tol);
    r.get("max_hvp", o.max_hvp);
    r.get("probes", o.probes);
    r.get("target", o.target);
    r.get("seed", o.seed);
    return detail::validatedFrom(o, origin);
}

int64_t resampleSubsampleSize(const ResampleOptions& o, int64_t n) {
    const int64_t m = o.subsample ? o.subsample : n / 2;
    if (m < 2 || m >= n)
        detail::optionError(resampleName("subsample", "--subsample"), std::to_string(m),
                            "from 2 to " + std::to_string(n - 1) + ", below the study's " + std::to_string(n) +
                                " samples (a subsample of all of them does not vary)");
    return m;
}

ResampleCost resampleCost(const ResampleOptions& o, int64_t n) {
    const int64_t m = resampleSubsampleSize(o, n);
    ResampleCost c;
    c.estimates = int64_t(o.resamples) + 1;
    const int64_t each = (o.lambda_max ? o.max_hvp : 0) + (o.trace ? o.probes : 0);
    c.max_products = c.estimates * each;
    c.full_equivalent = double(each) * (1.0 + double(o.resamples) * double(m) / double(n));
    c.text = "resample: " + std::to_string(o.resamples) + " subsamples of " + std::to_string(m) + " of the " +
             std::to_string(n) + " samples (without replacement) and the full sample: at most " +
             std::to_string(c.estimates) + " x " + std::to_string(each) + " = " + std::to_string(c.max_products) +
             " H*v, about " + std::to_string(int64_t(std::ceil(c.full_equivalent))) +
             " full-sample H*v (a product over m samples costs about m/N of one)";
    return c;
}

}  // namespace basin
