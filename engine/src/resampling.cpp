// Sampling uncertainty (issue #17 item 5): λmax and the trace on R subsamples of the data beside the
// estimators' own errors, the per-sample spread and the sample count for a target error (sampling.h).
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "basin/error.h"
#include "basin/options.h"
#include "basin/sampling.h"
#include "basin/stability.h"
#include "json_util.h"
#include "lanczos.h"
#include "result_file.h"
#include "sample_subsets.h"
#include "stats.h"

namespace basin {

namespace {

using nlohmann::json;

const char* kRule =
    "subsamples of m of the N samples without replacement; spread = standard deviation over them; per-sample "
    "spread sigma = spread * sqrt(m) * sqrt((N - 1)/(N - m)) (spread scales as 1/sqrt(m)); data error at n "
    "samples = sigma/sqrt(n); suggested samples = ceil((sigma/(target*|full|))^2)";

uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

struct Estimate {
    double value = 0, error = 0;
    bool converged = true;
};

// Hutchinson as estimateTrace draws it (the same probes, products and order, so the trace is the
// spectrum analysis's bit for bit), and from the same products the density's second moment
// (1/P) tr(H^2) = (1/P) E ||H z||^2: the spectral density's moments are (1/P) tr(H^k).
void hutchinson(const LinearOperator& H, int64_t P, const TraceOptions& o, JobContext* job, Estimate& trace,
                Estimate& m2) {
    std::mt19937_64 rng(o.seed);
    std::vector<double> t, q;
    Eigen::VectorXd Hz(P);
    if (job) job->stage("trace (Hutchinson)", o.probes);
    for (int i = 0; i < o.probes; ++i) {
        const Eigen::VectorXd z = detail::rademacherVector(P, rng);
        detail::finiteProduct(H, z, Hz, "Hutchinson", i + 1);
        t.push_back(z.dot(Hz));
        q.push_back(Hz.squaredNorm() / double(P));
        if (job) job->step(i + 1);
    }
    const auto mt = detail::meanAndStderr(t), mq = detail::meanAndStderr(q);
    trace = {mt.mean, mt.stderr_, true};
    m2 = {mq.mean, mq.stderr_, true};
}

// The statistics of sampling.h's rule, from the values on the subsamples.
void summarise(ResampledQuantity& q, const std::vector<double>& errors, int64_t n, int64_t m, double target) {
    const auto me = detail::meanAndStderr(q.values);
    const double R = double(q.values.size());
    q.mean = me.mean;
    q.spread = me.stderr_ * std::sqrt(R);
    double ms = 0;
    for (double e : errors) ms += e * e / double(errors.size());
    q.estimator_error_subsample = std::sqrt(ms);
    q.per_sample = q.spread * std::sqrt(double(m)) * std::sqrt(double(n - 1) / double(n - m));
    q.data_error = q.per_sample / std::sqrt(double(n));
    const double full = std::abs(q.full);
    q.relative_data_error = full > 0 ? q.data_error / full : INFINITY;
    q.suggested_samples =
        full > 0 ? std::max<int64_t>(1, int64_t(std::ceil(std::pow(q.per_sample / (target * full), 2)))) : 0;
}

json quantityJson(const ResampledQuantity& q) {
    return {{"full", q.full},
            {"estimator_error", q.estimator_error},
            {"values", q.values},
            {"estimator_error_subsample", q.estimator_error_subsample},
            {"mean", q.mean},
            {"spread", q.spread},
            {"per_sample", q.per_sample},
            {"data_error", q.data_error},
            {"relative_data_error", std::isfinite(q.relative_data_error) ? json(q.relative_data_error) : json(nullptr)},
            {"suggested_samples", q.suggested_samples},
            {"converged", q.converged},
            {"hvp_count", q.hvp_count}};
}

std::optional<ResampledQuantity> quantityFromJson(const json& j) {
    if (j.is_null()) return std::nullopt;
    ResampledQuantity q;
    q.full = j.at("full").get<double>();
    q.estimator_error = j.at("estimator_error").get<double>();
    q.values = j.at("values").get<std::vector<double>>();
    q.estimator_error_subsample = j.at("estimator_error_subsample").get<double>();
    q.mean = j.at("mean").get<double>();
    q.spread = j.at("spread").get<double>();
    q.per_sample = j.at("per_sample").get<double>();
    q.data_error = j.at("data_error").get<double>();
    q.relative_data_error = j.at("relative_data_error").is_null() ? INFINITY : j["relative_data_error"].get<double>();
    q.suggested_samples = j.at("suggested_samples").get<int64_t>();
    q.converged = j.at("converged").get<bool>();
    q.hvp_count = j.at("hvp_count").get<int64_t>();
    return q;
}

}  // namespace

std::vector<std::vector<int64_t>> resampleSubsets(int64_t n, int64_t m, int count, uint64_t study_seed) {
    std::vector<std::vector<int64_t>> out;
    for (int r = 0; r < count; ++r)
        out.push_back(
            disjointBatches(n, m, 1, splitmix64(seedFor(study_seed, SeedStream::Resamples) + uint64_t(r))).front());
    return out;
}

ResampleResult computeResample(Objective& o, const ResampleOptions& opt, JobContext* job) {
    validate(opt);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = o.hvpCount(), n = o.data().samples, P = o.parameterCount();
    const int64_t m = resampleSubsampleSize(opt, n);
    if (opt.lambda_max) checkMemory(P, opt.max_hvp, "Lanczos on each subsample");
    EigenOptions eigen;
    eigen.top_k = 1;
    eigen.tol = opt.tol;
    eigen.max_hvp = opt.max_hvp;
    eigen.seed = seedFor(opt.seed, SeedStream::Eigen);
    TraceOptions probes;
    probes.probes = opt.probes;
    probes.seed = seedFor(opt.seed, SeedStream::Trace);  // the same probes on every subsample: the spread is the data's

    ResampleResult r;
    r.samples = n;
    r.subsample = m;
    r.resamples = opt.resamples;
    r.parameters = P;
    r.options = opt;
    ResampledQuantity lq, tq, qq;
    std::vector<double> lerr, terr, qerr;
    int64_t lhvp = 0, thvp = 0;
    // Both estimates on the samples in use (all of them, or one subsample), with the estimators' own errors.
    auto run = [&](JobContext* sub, const std::vector<int64_t>* samples, bool full) {
        Estimate l, t, q;
        auto both = [&] {
            LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, sub); };
            const int64_t h0 = o.hvpCount();
            if (opt.lambda_max) {
                const EigenResult e = *topEigenpairs(H, P, eigen, sub).largest;
                l = {e.eigenvalues.front(), e.residuals.front(), e.converged};
            }
            const int64_t h1 = o.hvpCount();
            if (opt.trace) hutchinson(H, P, probes, sub, t, q);
            lhvp += h1 - h0;
            thvp += o.hvpCount() - h1;
            return 0;
        };
        if (samples) detail::onSamples(o, *samples, both);
        else both();
        lq.converged = lq.converged && l.converged;
        if (full) {
            lq.full = l.value, lq.estimator_error = l.error;
            tq.full = t.value, tq.estimator_error = t.error;
            qq.full = q.value, qq.estimator_error = q.error;
        } else {
            lq.values.push_back(l.value), lerr.push_back(l.error);
            tq.values.push_back(t.value), terr.push_back(t.error);
            qq.values.push_back(q.value), qerr.push_back(q.error);
        }
    };
    {
        detail::SubJob sub(job, "all " + std::to_string(n) + " samples");
        run(sub.get(), nullptr, true);
    }
    const auto subsets = resampleSubsets(n, m, opt.resamples, opt.seed);
    for (size_t k = 0; k < subsets.size(); ++k) {
        detail::SubJob sub(job, "subsample " + std::to_string(k + 1) + " of " + std::to_string(subsets.size()) +
                                    " (m = " + std::to_string(m) + ")");
        run(sub.get(), &subsets[k], false);
    }
    if (opt.lambda_max) {
        summarise(lq, lerr, n, m, opt.target);
        lq.hvp_count = lhvp;
        r.lambda_max = lq;
    }
    if (opt.trace) {
        summarise(tq, terr, n, m, opt.target);
        tq.hvp_count = thvp;
        r.trace = tq;
        summarise(qq, qerr, n, m, opt.target);
        qq.hvp_count = 0;  // the trace's products
        r.second_moment = qq;
    }
    r.provenance = makeProvenance(o, "resample", toJson(opt));
    r.provenance.seconds = detail::secondsSince(t0);
    r.provenance.hvp_count = o.hvpCount() - hvp0;
    return r;
}

std::string resampleJson(const ResampleResult& r) {
    return detail::dumpText({{"format", "basin-resample"},
                             {"samples", r.samples},
                             {"subsample", r.subsample},
                             {"resamples", r.resamples},
                             {"parameters", r.parameters},
                             {"rule", kRule},
                             {"lambda_max", r.lambda_max ? quantityJson(*r.lambda_max) : json(nullptr)},
                             {"trace", r.trace ? quantityJson(*r.trace) : json(nullptr)},
                             {"second_moment", r.second_moment ? quantityJson(*r.second_moment) : json(nullptr)},
                             {"hvp_count", r.provenance.hvp_count},
                             {"seconds", r.provenance.seconds},
                             {"options", json::parse(toJson(r.options))},
                             {"provenance", detail::provenanceObject(r.provenance)}});
}

ResampleResult resampleFromJson(const std::string& text, const std::string& origin) {
    ResampleResult r;
    try {
        json j = detail::parseResultFile(text, origin, "basin-resample", "does not hold a resampling result");
        r.samples = j.at("samples").get<int64_t>();
        r.subsample = j.at("subsample").get<int64_t>();
        r.resamples = j.at("resamples").get<int>();
        r.parameters = j.at("parameters").get<int64_t>();
        r.lambda_max = quantityFromJson(j.at("lambda_max"));
        r.trace = quantityFromJson(j.at("trace"));
        r.second_moment = quantityFromJson(j.at("second_moment"));
        r.options = resampleOptionsFromJson(j.at("options").dump(), origin);
        if (j.contains("provenance") && !j["provenance"].is_null())
            r.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds a resampling result that cannot be read (") + e.what() + ")");
    }
    return r;
}

}  // namespace basin
