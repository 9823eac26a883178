// Per-batch spectra (issue #17 item 4): the top eigenvalues of K disjoint mini-batch Hessians, their
// histogram, the result's JSON and CSV.
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "basin/error.h"
#include "basin/options.h"
#include "basin/sampling.h"
#include "basin/stability.h"
#include "json_util.h"
#include "result_file.h"
#include "sample_subsets.h"
#include "stats.h"

namespace basin {

namespace {

using nlohmann::json;

json histogramJson(const Histogram& h) { return {{"edges", h.edges}, {"counts", h.counts}, {"density", h.density}}; }

// A CSV field: quoted when it holds a comma, a quote or a line break (a model path may).
std::string csvField(const std::string& t) {
    if (t.find_first_of(",\"\n\r") == std::string::npos) return t;
    std::string q = "\"";
    for (char c : t) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

Histogram histogramFromJson(const json& j) {
    Histogram h;
    if (j.is_null()) return h;
    h.edges = j.at("edges").get<std::vector<double>>();
    h.counts = j.at("counts").get<std::vector<int64_t>>();
    h.density = j.at("density").get<std::vector<double>>();
    return h;
}

}  // namespace

BatchSpectraResult computeBatchSpectra(Objective& o, const BatchSpectraOptions& opt, JobContext* job) {
    validate(opt);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = o.hvpCount(), n = o.data().samples, P = o.parameterCount();
    const auto drawn = disjointBatches(n, opt.batch_size, opt.batches,
                                       seedFor(opt.seed, SeedStream::Samples) + uint64_t(opt.batch_size));
    checkMemory(P, opt.max_hvp, "Lanczos on each batch");
    EigenOptions eigen;
    eigen.top_k = opt.top_k;
    eigen.which = opt.which;
    eigen.tol = opt.tol;
    eigen.max_hvp = opt.max_hvp;
    eigen.seed = seedFor(opt.seed, SeedStream::Eigen);
    BatchSpectraResult r;
    r.samples = n;
    r.parameters = P;
    r.options = opt;
    std::vector<double> all_largest, all_smallest, top;
    for (size_t k = 0; k < drawn.size(); ++k) {
        detail::SubJob sub(job, "batch " + std::to_string(k + 1) + " of " + std::to_string(drawn.size()) +
                                    " (B = " + std::to_string(opt.batch_size) + ")");
        BatchEigenvalues b;
        b.samples = drawn[k];
        const int64_t before = o.hvpCount();
        const EigenEnds ends = detail::onSamples(o, drawn[k], [&] {
            LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, sub.get()); };
            return topEigenpairs(H, P, eigen, sub.get());
        });
        b.converged = true;
        for (const auto* e : {&ends.largest, &ends.smallest}) {
            if (!*e) continue;
            b.converged = b.converged && (*e)->converged;
            for (double res : (*e)->residuals) b.residual = std::max(b.residual, res);
        }
        if (ends.largest) {
            b.largest = ends.largest->eigenvalues;
            all_largest.insert(all_largest.end(), b.largest.begin(), b.largest.end());
            top.push_back(b.largest.front());
        }
        if (ends.smallest) {
            b.smallest = ends.smallest->eigenvalues;
            all_smallest.insert(all_smallest.end(), b.smallest.begin(), b.smallest.end());
        }
        b.hvp_count = o.hvpCount() - before;
        r.batches.push_back(std::move(b));
    }
    if (!all_largest.empty()) r.largest = histogram(all_largest, opt.bins);
    if (!all_smallest.empty()) r.smallest = histogram(all_smallest, opt.bins);
    const detail::MeanSpread ms = detail::meanAndSpread(top);  // 0, 0 without the largest end
    r.lambda_max_mean = ms.mean;
    r.lambda_max_stddev = ms.spread;
    r.provenance = makeProvenance(o, "batch-spectra", toJson(opt));
    r.provenance.seconds = detail::secondsSince(t0);
    r.provenance.hvp_count = o.hvpCount() - hvp0;
    return r;
}

std::vector<double> batchEigenvalues(const BatchSpectraResult& r, bool largest) {
    std::vector<double> all;
    for (const BatchEigenvalues& b : r.batches) {
        const std::vector<double>& v = largest ? b.largest : b.smallest;
        all.insert(all.end(), v.begin(), v.end());
    }
    return all;
}

std::string batchSpectraJson(const BatchSpectraResult& r) {
    json batches = json::array();
    for (const auto& b : r.batches)
        batches.push_back({{"samples", b.samples},
                           {"largest", b.largest},
                           {"smallest", b.smallest},
                           {"residual", b.residual},
                           {"converged", b.converged},
                           {"hvp_count", b.hvp_count}});
    return detail::dumpText(
        {{"format", "basin-batch-spectra"},
         {"samples", r.samples},
         {"parameters", r.parameters},
         {"batch_size", r.options.batch_size},
         {"bins", r.options.bins},
         {"batches", batches},
         {"largest", r.largest.edges.empty() ? json(nullptr) : histogramJson(r.largest)},
         {"smallest", r.smallest.edges.empty() ? json(nullptr) : histogramJson(r.smallest)},
         {"lambda_max",
          r.largest.edges.empty() ? json(nullptr) : json{{"mean", r.lambda_max_mean}, {"stddev", r.lambda_max_stddev}}},
         {"hvp_count", r.provenance.hvp_count},
         {"seconds", r.provenance.seconds},
         {"options", json::parse(toJson(r.options))},
         {"provenance", detail::provenanceObject(r.provenance)}});
}

BatchSpectraResult batchSpectraFromJson(const std::string& text, const std::string& origin) {
    BatchSpectraResult r;
    try {
        json j = detail::parseResultFile(text, origin, "basin-batch-spectra", "does not hold per-batch spectra");
        r.samples = j.at("samples").get<int64_t>();
        r.parameters = j.at("parameters").get<int64_t>();
        for (const auto& b : j.at("batches")) {
            BatchEigenvalues e;
            e.samples = b.at("samples").get<std::vector<int64_t>>();
            e.largest = b.at("largest").get<std::vector<double>>();
            e.smallest = b.at("smallest").get<std::vector<double>>();
            e.residual = b.at("residual").get<double>();
            e.converged = b.at("converged").get<bool>();
            e.hvp_count = b.at("hvp_count").get<int64_t>();
            r.batches.push_back(std::move(e));
        }
        r.largest = histogramFromJson(j.at("largest"));
        r.smallest = histogramFromJson(j.at("smallest"));
        if (!j.at("lambda_max").is_null()) {
            r.lambda_max_mean = j["lambda_max"].at("mean").get<double>();
            r.lambda_max_stddev = j["lambda_max"].at("stddev").get<double>();
        }
        r.options = batchSpectraOptionsFromJson(j.at("options").dump(), origin);
        if (j.contains("provenance") && !j["provenance"].is_null())
            r.provenance = provenanceFromJson(j["provenance"].dump(), origin);
    } catch (const json::exception& e) {
        throw Error(origin, std::string("holds per-batch spectra that cannot be read (") + e.what() + ")");
    }
    return r;
}

std::string batchSpectraCsv(const std::vector<BatchSpectraResult>& results) {
    std::ostringstream s;
    s.precision(17);
    s << "model,batch,end,rank,eigenvalue\n";
    for (const auto& r : results) {
        const std::string model = csvField(r.provenance.model);
        for (size_t k = 0; k < r.batches.size(); ++k) {
            const auto& b = r.batches[k];
            for (size_t i = 0; i < b.largest.size(); ++i)
                s << model << ',' << k << ",largest," << i + 1 << ',' << b.largest[i] << '\n';
            // Smallest ranked from the most negative: rank 1 is the last of the descending list.
            for (size_t i = 0; i < b.smallest.size(); ++i)
                s << model << ',' << k << ",smallest," << i + 1 << ',' << b.smallest[b.smallest.size() - 1 - i] << '\n';
        }
    }
    return s.str();
}

}  // namespace basin
