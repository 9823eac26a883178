// Per-batch spectra and sampling uncertainty (issue #17, items 4 and 5) against known answers: every
// batch's eigenvalues against PyTorch's exact batch Hessian (the mean of its samples' Hessians), and
// the resampling spread of a trace against its closed form on a model whose per-sample Hessians are
// known (tests/fixtures/sampling_fixtures.py).
#include <QtTest/QtTest>

#include <Eigen/Eigenvalues>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "arrays.h"
#include "basin/analysis_defaults.h"
#include "basin/error.h"
#include "basin/options.h"
#include "basin/results_store.h"
#include "basin/sampling.h"
#include "basin/stability.h"
#include "fixtures.h"

using namespace basin;
using nlohmann::json;

namespace {

StudySpec mlpSpec() { return fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy); }
StudySpec linregSpec() { return fx::spec("resample_linreg.pt", "resample_linreg.npz", Loss::MSE); }

// PyTorch's per-sample Hessians of the MLP: 64 x 99 x 99, float64.
std::vector<Eigen::MatrixXd> mlpSampleHessians() {
    const auto a = detail::readNpy(fx::path("mlp_sample_hessians.npy"));
    const int64_t N = a.shape[0], P = a.shape[1];
    std::vector<Eigen::MatrixXd> out;
    for (int64_t i = 0; i < N; ++i) {
        Eigen::MatrixXd h(P, P);
        std::memcpy(h.data(), a.bytes.data() + size_t(i * P * P) * sizeof(double), size_t(P * P) * sizeof(double));
        out.push_back(h.transpose());  // C order in the file; symmetric anyway up to rounding
    }
    return out;
}

// Ascending eigenvalues of the mean of the given samples' Hessians (symmetrised).
Eigen::VectorXd batchEigenvalues(const std::vector<Eigen::MatrixXd>& H, const std::vector<int64_t>& samples) {
    Eigen::MatrixXd m = Eigen::MatrixXd::Zero(H.front().rows(), H.front().cols());
    for (int64_t i : samples) m += H[size_t(i)];
    m /= double(samples.size());
    return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(0.5 * (m + m.transpose()), Eigen::EigenvaluesOnly)
        .eigenvalues();
}

BatchSpectraOptions exactSpectra() {
    BatchSpectraOptions o;
    o.batch_size = 8;
    o.batches = 8;  // all 64 samples
    o.top_k = 3;
    o.which = Which::Both;
    o.tol = 1e-10;
    o.max_hvp = 200;  // more than the 99 parameters: Lanczos reaches an invariant subspace, exact
    o.seed = 5;
    return o;
}

}  // namespace

class TestSampling : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyBatchsEigenvaluesAreItsExactHessians() {
        auto o = Objective::open(mlpSpec());
        const BatchSpectraOptions opt = exactSpectra();
        const BatchSpectraResult r = computeBatchSpectra(o, opt);
        const auto H = mlpSampleHessians();
        QCOMPARE(int(r.batches.size()), 8);
        for (const auto& b : r.batches) {
            const Eigen::VectorXd exact = batchEigenvalues(H, b.samples);
            const double scale = std::abs(exact[exact.size() - 1]);
            QCOMPARE(int(b.largest.size()), 3);
            QCOMPARE(int(b.smallest.size()), 3);
            for (int i = 0; i < 3; ++i) {
                // Largest: 1e-8 relative to λmax of the batch; smallest (near zero here): 1e-8 of λmax.
                QVERIFY2(std::abs(b.largest[size_t(i)] - exact[exact.size() - 1 - i]) <= 1e-8 * scale,
                         qPrintable(QString("largest %1: %2 vs %3")
                                        .arg(i)
                                        .arg(b.largest[size_t(i)], 0, 'g', 17)
                                        .arg(exact[exact.size() - 1 - i], 0, 'g', 17)));
                QVERIFY(std::abs(b.smallest[size_t(2 - i)] - exact[i]) <= 1e-8 * scale);
            }
            QVERIFY(b.converged);
        }
        // The histogram holds every batch's eigenvalues at its end; its density integrates to 1.
        int64_t counted = 0;
        double integral = 0;
        for (size_t i = 0; i < r.largest.counts.size(); ++i) {
            counted += r.largest.counts[i];
            integral += r.largest.density[i] * (r.largest.edges[i + 1] - r.largest.edges[i]);
        }
        QCOMPARE(counted, int64_t(24));
        QVERIFY(std::abs(integral - 1) < 1e-12);
        QCOMPARE(int(r.largest.edges.size()), opt.bins + 1);
        double lo = INFINITY, hi = -INFINITY, mean = 0;
        for (const auto& b : r.batches) {
            for (double l : b.largest) lo = std::min(lo, l), hi = std::max(hi, l);
            mean += b.largest.front() / 8;
        }
        QCOMPARE(r.largest.edges.front(), lo);
        QCOMPARE(r.largest.edges.back(), hi);
        QVERIFY(std::abs(r.lambda_max_mean - mean) < 1e-14 * mean);
        QVERIFY(o.data().samples == 64);  // back to all samples
    }

    void theBatchesAreDisjointAndFollowTheSeed() {
        auto o = Objective::open(mlpSpec());
        BatchSpectraOptions opt = exactSpectra();
        opt.batch_size = 16;
        opt.batches = 3;
        opt.which = Which::Largest;
        opt.top_k = 1;
        const BatchSpectraResult r = computeBatchSpectra(o, opt);
        std::set<int64_t> seen;
        for (const auto& b : r.batches) {
            QCOMPARE(int(b.samples.size()), 16);
            QVERIFY(std::is_sorted(b.samples.begin(), b.samples.end()));
            for (int64_t i : b.samples) QVERIFY2(seen.insert(i).second, "a sample is in two batches");
        }
        // The seed rule: batch-scaling's batches at this size, s + 3 + B; the same again; others for another seed.
        const auto drawn = disjointBatches(64, 16, 3, seedFor(5, SeedStream::Samples) + 16);
        for (size_t k = 0; k < 3; ++k) QCOMPARE(r.batches[k].samples, drawn[k]);
        const BatchSpectraResult again = computeBatchSpectra(o, opt);
        for (size_t k = 0; k < 3; ++k) {
            QCOMPARE(again.batches[k].samples, r.batches[k].samples);
            QCOMPARE(again.batches[k].largest, r.batches[k].largest);
        }
        opt.seed = 6;
        QVERIFY(computeBatchSpectra(o, opt).batches[0].samples != r.batches[0].samples);
        // λmax of each batch is batch-scaling's for the same batch.
        EigenOptions e;
        e.tol = 1e-10;
        e.max_hvp = 200;
        e.seed = seedFor(5, SeedStream::Eigen);
        const double l0 = batchLambdaMax(o, drawn[0], e);
        QVERIFY(std::abs(l0 - r.batches[0].largest[0]) < 1e-8 * l0);
    }

    void resultsRoundTripAndAreKeyedByTheirOptions() {
        auto o = Objective::open(mlpSpec());
        BatchSpectraOptions bo = exactSpectra();
        bo.batches = 2;
        bo.tol = 1e-6;
        const BatchSpectraResult b = computeBatchSpectra(o, bo);
        QCOMPARE(b.provenance.analysis, std::string("batch-spectra"));
        QCOMPARE(b.provenance.options, toJson(bo));
        QCOMPARE(b.provenance.key, resultKey(inputsKey(o.spec()), optionsKey("batch-spectra", toJson(bo))));
        QVERIFY(b.provenance.hvp_count > 0);
        const std::string text = batchSpectraJson(b);
        QCOMPARE(batchSpectraJson(batchSpectraFromJson(text, "test")), text);
        QVERIFY(batchSpectraCsv({b}).find(",0,largest,1,") != std::string::npos);
        bo.which = Which::Smallest;  // the smallest end alone: no λmax summary, and still a round trip
        const BatchSpectraResult low = computeBatchSpectra(o, bo);
        QVERIFY(json::parse(batchSpectraJson(low))["lambda_max"].is_null() && low.largest.edges.empty());
        QCOMPARE(batchSpectraJson(batchSpectraFromJson(batchSpectraJson(low), "test")), batchSpectraJson(low));

        ResampleOptions ro;
        ro.resamples = 3;
        ro.subsample = 16;
        ro.probes = 4;
        ro.seed = 2;
        const ResampleResult r = computeResample(o, ro);
        QCOMPARE(r.provenance.analysis, std::string("resample"));
        QCOMPARE(r.provenance.options, toJson(ro));
        const std::string rt = resampleJson(r);
        QCOMPARE(resampleJson(resampleFromJson(rt, "test")), rt);
        // The full-sample trace is the spectrum analysis's with as many probes and the same seed.
        SpectrumOptions so;
        so.eigen.top_k = 1;
        so.trace = true;
        so.trace_options.probes = 4;
        so.seed = 2;
        QCOMPARE(r.trace->full, computeSpectrum(o, so).trace->mean);
        QCOMPARE(r.trace->estimator_error, computeSpectrum(o, so).trace->stderr_);
        // A study's own options, read like every analysis's.
        StudySpec s = mlpSpec();
        s.seed = 2;
        s.options = R"({"batch-spectra": {"batch_size": 4, "bins": 7}, "resample": {"resamples": 5}})";
        checkStudyOptions(s);
        QCOMPARE(studyBatchSpectraOptions(s)->bins, 7);
        QCOMPARE(studyResampleOptions(s)->resamples, 5);
        s.options = R"({"resample": {"resamples": 1}})";
        BASIN_EXPECT_ERROR(checkStudyOptions(s), "options.resample", "resample option resamples (--resamples) is 1");
    }

    void badValuesAreRefusedInOneSentence() {
        BatchSpectraOptions b;
        b.batches = 0;
        BASIN_EXPECT_ERROR(validate(b), "batch-spectra option batches (--batches) is 0");
        b = {};
        b.bins = 0;
        BASIN_EXPECT_ERROR(validate(b), "batch-spectra option bins (--bins) is 0");
        b = {};
        b.max_hvp = 2;
        BASIN_EXPECT_ERROR(validate(b), "max_hvp (--max-hvp) is 2", "top = 5");
        BASIN_EXPECT_ERROR(batchSpectraOptionsFromJson(R"({"which": "middle"})", "s.json"), "s.json",
                           "largest, smallest or both");
        BASIN_EXPECT_ERROR(batchSpectraOptionsFromJson(R"({"bin": 3})", "s.json"),
                           "unknown batch-spectra option 'bin'");
        auto o = Objective::open(mlpSpec());
        b = {};
        b.batch_size = 16;
        b.batches = 5;
        BASIN_EXPECT_ERROR(computeBatchSpectra(o, b), "5 disjoint batches of 16 need 80 samples", "uses 64");
        ResampleOptions r;
        r.target = 0;
        BASIN_EXPECT_ERROR(validate(r), "resample option target (--target) is 0");
        r = {};
        r.lambda_max = r.trace = false;
        BASIN_EXPECT_ERROR(validate(r), "at least one quantity");
        r = {};
        r.subsample = 64;
        BASIN_EXPECT_ERROR(computeResample(o, r), "resample option subsample (--subsample) is 64", "from 2 to 63");
        BASIN_EXPECT_ERROR(resampleOptionsFromJson(R"({"probes": "many"})", "s.json"), "s.json", "probes",
                           "wrong type");
    }

    void aCancelLeavesTheObjectiveOnAllItsSamples() {
        auto o = Objective::open(mlpSpec());
        const double loss = o.evaluate().loss;
        int steps = 0;
        JobContext* self = nullptr;
        JobContext job([&](const Progress& p) {
            if (p.done > 0 && ++steps == 5) self->cancel();
        });
        self = &job;
        bool cancelled = false;
        try {
            computeBatchSpectra(o, exactSpectra(), &job);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QCOMPARE(o.data().samples, int64_t(64));
        QCOMPARE(o.evaluate().loss, loss);
    }

    void theResamplingSpreadOfTheTraceIsItsClosedForm() {
        const auto& want = fx::expected()["sampling"]["resample"];
        const int64_t N = want["samples"].get<int64_t>(), m = want["subsample"].get<int64_t>();
        const auto traces = want["sample_traces"].get<std::vector<double>>();
        std::vector<Eigen::MatrixXd> H;
        for (const auto& h : want["sample_hessians"]) H.push_back(fx::mat(h));
        auto o = Objective::open(linregSpec());
        QCOMPARE(o.data().samples, N);
        ResampleOptions opt;
        // R = 2000: the standard deviation of R near-Gaussian subsample means is known to a relative
        // 1/sqrt(2(R - 1)) = 1.6 % (the per-sample traces 2c^2, c in [0.5, 1.5], have no heavy tail);
        // 8 % is five of those, so a correct spread passes and a wrong rule (no finite-population
        // correction or a draw with replacement: +21 % here; 1/m instead of 1/sqrt(m): far off) fails.
        opt.resamples = 2000;
        opt.subsample = m;
        opt.probes = 2;  // Rademacher probes are exact on these diagonal Hessians
        opt.tol = 1e-10;
        opt.max_hvp = 20;
        opt.seed = 7;
        const ResampleResult r = computeResample(o, opt);
        const double full = want["full_trace"].get<double>();
        QVERIFY(std::abs(r.trace->full - full) < 1e-12 * full);
        QVERIFY(r.trace->estimator_error < 1e-12 * full);  // exact probes: no estimator error
        QVERIFY(r.second_moment->estimator_error < 1e-12 * r.second_moment->full);
        // Each subsample's numbers are the exact ones for its samples.
        const auto subsets = resampleSubsets(N, m, opt.resamples, opt.seed);
        for (size_t k = 0; k < subsets.size(); ++k) {
            double t = 0;
            for (int64_t i : subsets[k]) t += traces[size_t(i)] / double(m);
            QVERIFY(std::abs(r.trace->values[k] - t) < 1e-12 * t);
            if (k < 50) {
                const Eigen::VectorXd e = batchEigenvalues(H, subsets[k]);
                QVERIFY(std::abs(r.lambda_max->values[k] - e.maxCoeff()) < 1e-9 * e.maxCoeff());
                // The density's second moment (1/P) tr(H_S^2), exact too: ||D z||^2 = tr(D^2) for Rademacher z.
                const double m2 = e.squaredNorm() / double(e.size());
                QVERIFY(std::abs(r.second_moment->values[k] - m2) < 1e-12 * m2);
            }
        }
        // The spread against var = (sigma^2/m)(N - m)/(N - 1), sigma^2 the population variance.
        const double closed = want["closed_form_spread"].get<double>();
        QVERIFY2(std::abs(r.trace->spread / closed - 1) < 0.08,
                 qPrintable(QString("spread %1, closed form %2").arg(r.trace->spread).arg(closed)));
        // The rule recovers the per-sample spread, and the mean of subsample means is unbiased.
        const double sigma = std::sqrt(want["population_variance"].get<double>());
        QVERIFY(std::abs(r.trace->per_sample / sigma - 1) < 0.08);
        QVERIFY(std::abs(r.trace->mean - full) < 5 * closed / std::sqrt(double(opt.resamples)));
        QCOMPARE(r.trace->data_error, r.trace->per_sample / std::sqrt(double(N)));
        QCOMPARE(r.trace->suggested_samples,
                 int64_t(std::ceil(std::pow(r.trace->per_sample / (0.05 * r.trace->full), 2))));
        QVERIFY(r.lambda_max->converged);
        QVERIFY(r.lambda_max->mean > r.lambda_max->full);  // a subsample's λmax is biased upwards
    }

    void subsamplesAreSeededAndGrowWithR() {
        const auto twenty = resampleSubsets(60, 20, 20, 3), forty = resampleSubsets(60, 20, 40, 3);
        for (size_t k = 0; k < 20; ++k) QCOMPARE(forty[k], twenty[k]);
        for (const auto& s : forty) {
            QCOMPARE(int(s.size()), 20);
            QVERIFY(std::adjacent_find(s.begin(), s.end(), [](int64_t a, int64_t b) { return a >= b; }) == s.end());
        }
        QVERIFY(resampleSubsets(60, 20, 1, 4)[0] != twenty[0]);
        QCOMPARE(seedFor(3, SeedStream::Resamples), uint64_t(7));
        ResampleOptions o;
        o.resamples = 10;
        const ResampleCost c = resampleCost(o, 512);
        QCOMPARE(c.max_products, int64_t(11 * (200 + 32)));
        QVERIFY(std::abs(c.full_equivalent - 232 * (1 + 10 * 0.5)) < 1e-9);
        QVERIFY(c.text.find("10 subsamples of 256 of the 512 samples") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestSampling)
#include "test_sampling.moc"
