// The stability readout (issue #17) against PyTorch: optimizer states it wrote for the tiny MLP,
// and the exact eigenvalues of H and of P^{-1/2} H P^{-1/2} from the MLP's exact Hessian.
#include <QtTest/QtTest>

#include <set>

#include "basin/error.h"
#include "basin/stability.h"
#include "fixtures.h"

using namespace basin;

namespace {

StudySpec mlpSpec() { return fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy); }

EigenOptions tight() {
    EigenOptions e;
    e.tol = 1e-10;
    e.max_hvp = 200;  // more than the 99 parameters: Lanczos is exact here
    e.seed = 1;
    return e;
}

double rel(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

}  // namespace

class TestStability : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void adamStatesAreReadWithPyTorchsValues() {
        auto o = Objective::open(mlpSpec());
        for (const char* name : {"adam", "adamw"}) {
            const auto& want = fx::expected()["stability"][name];
            const OptimizerState s = readOptimizerState(fx::path(std::string("opt_") + name + ".pt"), o);
            QCOMPARE(QString::fromStdString(s.kind), QString(name));
            QCOMPARE(s.lr, want["lr"].get<double>());
            QCOMPARE(s.beta1, want["beta1"].get<double>());
            QCOMPARE(s.beta2, want["beta2"].get<double>());
            QCOMPARE(s.eps, want["eps"].get<double>());
            QCOMPARE(s.step, want["step"].get<double>());
            QCOMPARE(s.weight_decay, want["weight_decay"].get<double>());
            QVERIFY(s.exp_avg_sq == fx::vec(want["exp_avg_sq"]));  // float64 parameters: bit for bit
        }
        const OptimizerState sgd = readOptimizerState(fx::path("opt_sgd.pt"), o);
        QCOMPARE(QString::fromStdString(sgd.kind), QString("sgd"));
        QCOMPARE(sgd.lr, 0.05);
        QCOMPARE(sgd.momentum, 0.9);
        QVERIFY(!sgd.nesterov);
        // The same Adam state inside a training checkpoint, under 'optimizer'.
        QVERIFY(readOptimizerState(fx::path("opt_in_checkpoint.pt"), o).exp_avg_sq ==
                fx::vec(fx::expected()["stability"]["adam"]["exp_avg_sq"]));
    }

    void anotherModelsStateIsRefused() {
        auto o = Objective::open(mlpSpec());
        BASIN_EXPECT_ERROR(readOptimizerState(fx::path("opt_other_model.pt"), o), "opt_other_model.pt",
                           "2 parameters", "has 6", "another model's optimizer");
        BASIN_EXPECT_ERROR(readOptimizerState(fx::path("sd_plain.pt"), o), "sd_plain.pt", "no optimizer state");
        // A setting out of range or a non-finite moment never becomes a threshold or a λ1.
        BASIN_EXPECT_ERROR(readOptimizerState(fx::path("opt_bad_beta.pt"), o), "opt_bad_beta.pt", "beta1 1.5", "below 1");
        BASIN_EXPECT_ERROR(readOptimizerState(fx::path("opt_nan_moment.pt"), o), "opt_nan_moment.pt", "exp_avg_sq for bn.weight",
                           "not finite");
    }

    void thresholdsAreTheirFormulas() {
        OptimizerState s;
        s.lr = 0.1;
        QCOMPARE(stabilityThreshold(s), 2 / 0.1);
        s.momentum = 0.9;
        QCOMPARE(stabilityThreshold(s), (2 + 2 * 0.9) / 0.1);
        s.nesterov = true;
        QCOMPARE(stabilityThreshold(s), (2 + 2 * 0.9) / ((1 + 2 * 0.9) * 0.1));
        s = {};
        s.kind = "adam";
        s.lr = 1e-3;
        s.beta1 = 0.9;
        std::string rule;
        QCOMPARE(stabilityThreshold(s, &rule), (2 + 2 * 0.9) / ((1 - 0.9) * 1e-3));
        QVERIFY(rule.find("Adam") != std::string::npos && rule.find("0.001") != std::string::npos);
        s.lr = 0;
        BASIN_EXPECT_ERROR(stabilityThreshold(s), "learning rate must be positive");
    }

    void sharpnessEqualsTheExactEigenvalues() {
        auto o = Objective::open(mlpSpec());
        const auto& want = fx::expected()["stability"];
        for (const char* name : {"adam", "adamw"}) {
            const OptimizerState s = readOptimizerState(fx::path(std::string("opt_") + name + ".pt"), o);
            const StabilityRow r = computeStability(o, s, tight());
            QVERIFY2(rel(r.lambda_max, want["lambda_max"].get<double>()) < 1e-8, qPrintable(QString::number(r.lambda_max, 'g', 17)));
            QVERIFY(r.preconditioned);
            const double exact = want[name]["preconditioned_lambda_max"].get<double>();
            QVERIFY2(rel(*r.preconditioned, exact) < 1e-8, qPrintable(QString("%1 vs %2").arg(*r.preconditioned, 0, 'g', 17).arg(exact, 0, 'g', 17)));
            QCOMPARE(r.threshold, want[name]["threshold"].get<double>());
            QCOMPARE(r.ratio, *r.preconditioned / r.threshold);
            QVERIFY(r.hvp_count > 0);
            QCOMPARE(QString::fromStdString(r.provenance.analysis), QString("stability"));
        }
        const StabilityRow g = computeStability(o, readOptimizerState(fx::path("opt_sgd.pt"), o), tight());
        QVERIFY(!g.preconditioned);
        QCOMPARE(g.sharpness, g.lambda_max);
        QVERIFY(rel(g.threshold, want["sgd"]["threshold"].get<double>()) < 1e-15);
    }
    void perBatchLambdaMaxIsTheExactBatchHessians() {
        auto o = Objective::open(mlpSpec());
        const double full = batchLambdaMax(o, {}, tight());
        for (const auto& b : fx::expected()["batch_hessians"]) {
            const auto samples = b["samples"].get<std::vector<int64_t>>();
            const double want = b["lambda_max"].get<double>();
            const double got = batchLambdaMax(o, samples, tight());
            QVERIFY2(rel(got, want) < 1e-8, qPrintable(QString("%1 samples: %2 vs %3").arg(samples.size()).arg(got, 0, 'g', 17).arg(want, 0, 'g', 17)));
        }
        // The objective is back on all its samples afterwards.
        QVERIFY(rel(batchLambdaMax(o, {}, tight()), full) < 1e-12);
    }

    void batchesAreDisjointAndReproducible() {
        const auto a = disjointBatches(64, 8, 5, 11), b = disjointBatches(64, 8, 5, 11), c = disjointBatches(64, 8, 5, 12);
        QCOMPARE(a, b);
        QVERIFY(a != c);
        std::set<int64_t> seen;
        for (const auto& batch : a) {
            QCOMPARE(int(batch.size()), 8);
            for (int64_t i : batch) {
                QVERIFY(i >= 0 && i < 64);
                QVERIFY(seen.insert(i).second);  // no sample in two batches
            }
        }
        BASIN_EXPECT_ERROR(disjointBatches(64, 16, 5, 0), "5 disjoint batches of 16 need 80 samples", "uses 64");
    }

    void batchScalingSummarisesTheBatches() {
        auto o = Objective::open(mlpSpec());
        BatchScalingOptions opt;
        opt.sizes = {8, 16, 32};
        opt.batches = 2;
        opt.eigen = tight();
        opt.seed = 5;
        const BatchScalingResult r = computeBatchScaling(o, opt);
        QCOMPARE(int(r.rows.size()), 3);
        std::vector<double> lx, ly;
        for (const auto& row : r.rows) {
            const auto batches = disjointBatches(64, row.batch_size, 2, 5 + uint64_t(row.batch_size));
            QCOMPARE(int(row.lambda_max.size()), 2);
            for (int k = 0; k < 2; ++k) QVERIFY(rel(row.lambda_max[size_t(k)], batchLambdaMax(o, batches[size_t(k)], tight())) < 1e-12);
            const double mean = 0.5 * (row.lambda_max[0] + row.lambda_max[1]);
            QVERIFY(rel(row.mean, mean) < 1e-14);
            QVERIFY(rel(row.stddev, std::abs(row.lambda_max[0] - row.lambda_max[1]) / std::sqrt(2.0)) < 1e-12);
            QCOMPARE(row.stable_lr_sgd, 2 / row.mean);
            lx.push_back(std::log(double(row.batch_size)));
            ly.push_back(std::log(row.mean));
        }
        // The slope by hand: least squares through three points.
        const double mx = (lx[0] + lx[1] + lx[2]) / 3, my = (ly[0] + ly[1] + ly[2]) / 3;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < 3; ++i) sxy += (lx[size_t(i)] - mx) * (ly[size_t(i)] - my), sxx += (lx[size_t(i)] - mx) * (lx[size_t(i)] - mx);
        QVERIFY(std::abs(r.slope - sxy / sxx) < 1e-12);
        QVERIFY(rel(r.full_lambda_max, fx::expected()["stability"]["lambda_max"].get<double>()) < 1e-8);
    }
};

QTEST_GUILESS_MAIN(TestStability)
#include "test_stability.moc"
