// The stability readout (issue #17) against PyTorch: optimizer states it wrote for the tiny MLP,
// and the exact eigenvalues of H and of P^{-1/2} H P^{-1/2} from the MLP's exact Hessian.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "basin/error.h"
#include "basin/provenance.h"
#include "basin/results_store.h"
#include "basin/stability.h"
#include "fixtures.h"

using namespace basin;

namespace {

StudySpec mlpSpec() { return fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy); }

EigenOptions tight(uint64_t seed = 1) {
    EigenOptions e;
    e.tol = 1e-10;
    e.max_hvp = 200;  // more than the 99 parameters: Lanczos is exact here
    e.seed = seed;
    return e;
}

StabilityOptions tightStability() {
    StabilityOptions o;
    o.tol = 1e-10;
    o.max_hvp = 200;
    o.seed = 1;
    return o;
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
        BASIN_EXPECT_ERROR(readOptimizerState(fx::path("opt_other_model.pt"), o), "opt_other_model.pt", "2 parameters",
                           "has 6", "another model's optimizer");
        BASIN_EXPECT_ERROR(readOptimizerState(fx::path("sd_plain.pt"), o), "sd_plain.pt", "no optimizer state");
        // A setting out of range or a non-finite moment never becomes a threshold or a λ1.
        BASIN_EXPECT_ERROR(readOptimizerState(fx::path("opt_bad_beta.pt"), o), "opt_bad_beta.pt", "beta1 1.5",
                           "below 1");
        BASIN_EXPECT_ERROR(readOptimizerState(fx::path("opt_nan_moment.pt"), o), "opt_nan_moment.pt",
                           "exp_avg_sq for bn.weight", "not finite");
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
            const StabilityRow r = computeStability(o, s, tightStability());
            QVERIFY2(rel(r.lambda_max, want["lambda_max"].get<double>()) < 1e-8,
                     qPrintable(QString::number(r.lambda_max, 'g', 17)));
            QVERIFY(r.preconditioned);
            const double exact = want[name]["preconditioned_lambda_max"].get<double>();
            QVERIFY2(rel(*r.preconditioned, exact) < 1e-8,
                     qPrintable(QString("%1 vs %2").arg(*r.preconditioned, 0, 'g', 17).arg(exact, 0, 'g', 17)));
            QCOMPARE(r.threshold, want[name]["threshold"].get<double>());
            QCOMPARE(r.ratio, *r.preconditioned / r.threshold);
            QVERIFY(r.hvp_count > 0);
            QCOMPARE(QString::fromStdString(r.provenance.analysis), QString("stability"));
        }
        const StabilityRow g = computeStability(o, readOptimizerState(fx::path("opt_sgd.pt"), o), tightStability());
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
            QVERIFY2(
                rel(got, want) < 1e-8,
                qPrintable(
                    QString("%1 samples: %2 vs %3").arg(samples.size()).arg(got, 0, 'g', 17).arg(want, 0, 'g', 17)));
        }
        // The objective is back on all its samples afterwards.
        QVERIFY(rel(batchLambdaMax(o, {}, tight()), full) < 1e-12);
    }

    void batchesAreDisjointAndReproducible() {
        const auto a = disjointBatches(64, 8, 5, 11), b = disjointBatches(64, 8, 5, 11),
                   c = disjointBatches(64, 8, 5, 12);
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
        opt.tol = 1e-10;
        opt.max_hvp = 200;
        opt.seed = 2;  // batches of size B from 2 + 3 + B, Lanczos from 2
        const BatchScalingResult r = computeBatchScaling(o, opt);
        QCOMPARE(r.samples, int64_t(64));
        QCOMPARE(int(r.rows.size()), 3);
        std::vector<double> lx, ly;
        for (const auto& row : r.rows) {
            const auto batches = disjointBatches(64, row.batch_size, 2, 5 + uint64_t(row.batch_size));
            QCOMPARE(int(row.lambda_max.size()), 2);
            for (int k = 0; k < 2; ++k)
                QVERIFY(rel(row.lambda_max[size_t(k)], batchLambdaMax(o, batches[size_t(k)], tight(2))) < 1e-12);
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
        for (int i = 0; i < 3; ++i)
            sxy += (lx[size_t(i)] - mx) * (ly[size_t(i)] - my), sxx += (lx[size_t(i)] - mx) * (lx[size_t(i)] - mx);
        QVERIFY(std::abs(r.slope - sxy / sxx) < 1e-12);
        QVERIFY(rel(r.full_lambda_max, fx::expected()["stability"]["lambda_max"].get<double>()) < 1e-8);
    }

    void theTraceOfEachBatchHessianIsHutchinsonsOnThatBatch() {
        // The exact trace of H_B from P products with the unit vectors, checked against PyTorch's
        // trace of the exact Hessian on the fixture's batch of all 64 samples.
        auto o = Objective::open(mlpSpec());
        const int64_t p = o.parameterCount();
        const auto exactTrace = [&](const std::vector<int64_t>& samples) {
            o.restrictSamples(samples);
            double t = 0;
            Eigen::VectorXd e = Eigen::VectorXd::Zero(p), he(p);
            for (int64_t i = 0; i < p; ++i) {
                e[i] = 1;
                o.hvp(e, he);
                t += he[i];
                e[i] = 0;
            }
            o.restrictSamples({});
            return t;
        };
        for (const auto& b : fx::expected()["batch_hessians"]) {
            const auto samples = b["samples"].get<std::vector<int64_t>>();
            QVERIFY(rel(exactTrace(samples), b["trace"].get<double>()) < 1e-8);
        }
        BatchScalingOptions opt;
        opt.sizes = {8, 32};
        opt.batches = 2;
        opt.tol = 1e-6;
        opt.trace_probes = 400;
        opt.seed = 2;  // the probes from 2 + 1
        const BatchScalingResult r = computeBatchScaling(o, opt);
        TraceOptions trace;
        trace.probes = 400;
        trace.seed = 3;
        for (const auto& row : r.rows) {
            const auto batches = disjointBatches(64, row.batch_size, 2, 5 + uint64_t(row.batch_size));
            QCOMPARE(int(row.trace.size()), 2);
            for (int k = 0; k < 2; ++k) {
                // The estimator itself on that batch, with the same probes: the same number.
                o.restrictSamples(batches[size_t(k)]);
                LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out); };
                const TraceResult direct = estimateTrace(H, p, trace);
                o.restrictSamples({});
                QVERIFY(rel(row.trace[size_t(k)], direct.mean) < 1e-12);
                // And within four of its standard errors of the exact trace of that batch's Hessian.
                const double exact = exactTrace(batches[size_t(k)]);
                QVERIFY2(std::abs(row.trace[size_t(k)] - exact) < 4 * direct.stderr_,
                         qPrintable(QString("B = %1: %2 against %3 ± %4")
                                        .arg(row.batch_size)
                                        .arg(row.trace[size_t(k)])
                                        .arg(exact)
                                        .arg(direct.stderr_)));
            }
            QVERIFY(rel(row.trace_mean, 0.5 * (row.trace[0] + row.trace[1])) < 1e-14);
            QVERIFY(rel(row.trace_stddev, std::abs(row.trace[0] - row.trace[1]) / std::sqrt(2.0)) < 1e-12);
        }
        QVERIFY(r.full_trace);
        LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out); };
        const TraceResult direct = estimateTrace(H, p, trace);
        QVERIFY(rel(*r.full_trace, direct.mean) < 1e-12);
        const double full = fx::expected()["batch_hessians"][3]["trace"].get<double>();  // all 64 samples
        QVERIFY2(std::abs(*r.full_trace - full) < 4 * direct.stderr_,
                 qPrintable(QString("%1 against %2 ± %3").arg(*r.full_trace).arg(full).arg(direct.stderr_)));
        // Stored and read back with the trace; without trace_probes the options' JSON is as before.
        const BatchScalingResult back = batchScalingFromJson(batchScalingJson(r), "t");
        QCOMPARE(back.rows[1].trace, r.rows[1].trace);
        QCOMPARE(*back.full_trace, *r.full_trace);
        QVERIFY(toJson(opt).find("\"trace_probes\":400") != std::string::npos);
        opt.trace_probes = 0;
        QVERIFY(toJson(opt).find("trace_probes") == std::string::npos);
        opt.trace_probes = -1;
        BASIN_EXPECT_ERROR(validate(opt), "batch-scaling option trace_probes (--trace-probes) is -1");
    }

    void adamsViewOfEachBatchIsTheExactPreconditionedEigenvalue() {
        auto o = Objective::open(mlpSpec());
        const OptimizerState adam = readOptimizerState(fx::path("opt_adam.pt"), o);
        const Eigen::VectorXd d = adamPreconditionerInvSqrt(adam);
        for (const auto& b : fx::expected()["batch_hessians"]) {
            const auto samples = b["samples"].get<std::vector<int64_t>>();
            const double want = b["adam_preconditioned"].get<double>();
            const double got = batchLambdaMax(o, samples, tight(), nullptr, &d);
            QVERIFY2(rel(got, want) < 1e-8,
                     qPrintable(QString("%1 samples: %2 vs %3").arg(samples.size()).arg(got, 0, 'g', 17).arg(want)));
        }
        BatchScalingOptions opt;
        opt.sizes = {8, 16};
        opt.batches = 2;
        opt.tol = 1e-10;
        opt.seed = 2;
        const BatchScalingResult r = computeBatchScaling(o, opt, nullptr, fx::path("opt_adam.pt"));
        const double b1 = fx::expected()["stability"]["adam"]["beta1"].get<double>();
        for (const auto& row : r.rows) {
            const auto batches = disjointBatches(64, row.batch_size, 2, 5 + uint64_t(row.batch_size));
            QCOMPARE(int(row.preconditioned.size()), 2);
            for (int k = 0; k < 2; ++k)
                QVERIFY(rel(row.preconditioned[size_t(k)],
                            batchLambdaMax(o, batches[size_t(k)], tight(2), nullptr, &d)) < 1e-8);
            QVERIFY(rel(row.preconditioned_mean, 0.5 * (row.preconditioned[0] + row.preconditioned[1])) < 1e-14);
            // Cohen et al. 2022's threshold (2 + 2β₁)/((1 − β₁)η) = λ1, solved for η.
            QVERIFY(rel(row.stable_lr_adam, (2 + 2 * b1) / ((1 - b1) * row.preconditioned_mean)) < 1e-14);
        }
        QVERIFY(r.full_preconditioned);
        QVERIFY(rel(*r.full_preconditioned,
                    fx::expected()["stability"]["adam"]["preconditioned_lambda_max"].get<double>()) < 1e-8);
        QCOMPARE(r.beta1, b1);
        // The optimizer file's bytes are part of the key: the one a lookup with it referenced makes.
        QCOMPARE(r.provenance.key,
                 lookUpResult(mlpSpec(), "batch-scaling", toJson(opt), {fx::path("opt_adam.pt")}).keys.key);
        QVERIFY(r.provenance.key != lookUpResult(mlpSpec(), "batch-scaling", toJson(opt)).keys.key);
        const BatchScalingResult back = batchScalingFromJson(batchScalingJson(r), "t");
        QCOMPARE(back.rows[0].preconditioned, r.rows[0].preconditioned);
        QCOMPARE(back.rows[1].stable_lr_adam, r.rows[1].stable_lr_adam);
        QCOMPARE(*back.full_preconditioned, *r.full_preconditioned);
        QVERIFY(batchScalingCsv(r).find("\nstable_lr_adam,16,") != std::string::npos);
        // SGD's stable step is the 2/λmax column: no Adam columns. Another model's state is refused.
        const BatchScalingResult sgd = computeBatchScaling(o, opt, nullptr, fx::path("opt_sgd.pt"));
        QVERIFY(sgd.rows[0].preconditioned.empty() && !sgd.full_preconditioned);
        BASIN_EXPECT_ERROR(computeBatchScaling(o, opt, nullptr, fx::path("opt_other_model.pt")), "opt_other_model.pt");
        // The study's optimizer for its model is the one used by default.
        StudySpec spec = mlpSpec();
        QCOMPARE(batchScalingOptimizer(spec), std::string());
        spec.optimizers = {fx::path("opt_adam.pt")};
        QCOMPARE(batchScalingOptimizer(spec), fx::path("opt_adam.pt"));
    }

    void theOptimizerOfEachCheckpointComesFromTheStudy() {
        StudySpec spec = mlpSpec();
        spec.checkpoints = {fx::path("mlp.pt"), fx::path("state_dict.pt")};
        spec.optimizers = {fx::path("opt_adam.pt"), fx::path("opt_sgd.pt")};
        StabilityOptions opt = tightStability();
        auto inputs = stabilityInputs(spec, opt);
        QCOMPARE(int(inputs.size()), 2);
        QCOMPARE(inputs[1].checkpoint, fx::path("state_dict.pt"));
        QCOMPARE(inputs[1].optimizer, fx::path("opt_sgd.pt"));
        QCOMPARE(referencedFiles(inputs[0]), std::vector<std::string>{fx::path("opt_adam.pt")});
        // Given files win; a count that does not fit is refused.
        inputs = stabilityInputs(spec, opt, {}, {fx::path("opt_adamw.pt"), fx::path("opt_adam.pt")});
        QCOMPARE(inputs[0].optimizer, fx::path("opt_adamw.pt"));
        BASIN_EXPECT_ERROR(stabilityInputs(spec, opt, {}, {fx::path("opt_adam.pt")}),
                           "names 1 files for 2 checkpoints");
        // Without a list: the checkpoint's own entry, or, with a typed learning rate, none.
        spec.optimizers.clear();
        QCOMPARE(stabilityInputs(spec, opt)[0].optimizer, fx::path("mlp.pt"));
        opt.lr = 0.1;
        QVERIFY(stabilityInputs(spec, opt)[0].optimizer.empty());
        QVERIFY(referencedFiles(stabilityInputs(spec, opt)[0]).empty());
        // A study file whose list does not fit its checkpoints is refused naming it.
        const std::string text = nlohmann::json{{"format", "basin-study"},         {"version", 1},
                                                {"model", fx::path("mlp.pt")},     {"data", fx::path("mlp_data.pt")},
                                                {"checkpoints", {"a.pt", "b.pt"}}, {"optimizers", {"opt_a.pt"}}}
                                     .dump();
        BASIN_EXPECT_ERROR(parseStudy(text, "/tmp", "s.basin.json"), "s.basin.json",
                           "\"optimizers\" lists 1 files for 2 checkpoints");
        // Relative paths are resolved as the checkpoints are, and written back.
        const std::string ok = nlohmann::json{{"format", "basin-study"}, {"version", 1},
                                              {"model", "m.pt"},         {"data", "d.pt"},
                                              {"checkpoints", {"a.pt"}}, {"optimizers", {"opt_a.pt"}}}
                                   .dump();
        const StudySpec parsed = parseStudy(ok, "/data/run", "s.basin.json");
        QCOMPARE(parsed.optimizers, std::vector<std::string>{"/data/run/opt_a.pt"});
        QCOMPARE(parseStudy(studyToJson(parsed), "/", "t").optimizers, parsed.optimizers);
    }

    void aTypedLearningRateIsGradientDescentsThreshold() {
        auto o = Objective::open(mlpSpec());
        StabilityOptions opt = tightStability();
        StabilityInput typed{fx::path("mlp.pt"), ""};
        BASIN_EXPECT_ERROR(stabilityOptimizer(o, typed, opt), "mlp.pt", "no optimizer state", "--lr");
        // A checkpoint tried for its own 'optimizer' entry says what else would do.
        BASIN_EXPECT_ERROR(stabilityOptimizer(o, {fx::path("mlp.pt"), fx::path("mlp.pt")}, opt), "mlp.pt",
                           "\"optimizers\"", "--optimizer", "options.stability.lr");
        opt.lr = 0.25;
        const StabilityRow gd = computeStability(o, stabilityOptimizer(o, typed, opt), opt);
        QCOMPARE(QString::fromStdString(gd.optimizer.kind), QString("gd"));
        QCOMPARE(gd.threshold, 2 / 0.25);
        QVERIFY(rel(gd.lambda_max, fx::expected()["stability"]["lambda_max"].get<double>()) < 1e-8);
        QVERIFY(gd.converged);
        QCOMPARE(gd.ratio, gd.lambda_max / gd.threshold);
        // Typed over a file: the file's momentum, the typed learning rate.
        const OptimizerState over = stabilityOptimizer(o, {fx::path("mlp.pt"), fx::path("opt_sgd.pt")}, opt);
        QCOMPARE(over.lr, 0.25);
        QCOMPARE(over.momentum, 0.9);
        opt.momentum = 0.5;
        QCOMPARE(stabilityThreshold(stabilityOptimizer(o, typed, opt)), (2 + 2 * 0.5) / 0.25);
        opt.momentum = 1.0;
        BASIN_EXPECT_ERROR(validate(opt), "stability option momentum (--momentum) is 1", "below 1");
        opt.momentum.reset();
        opt.max_hvp = 1;
        BASIN_EXPECT_ERROR(computeStability(o, over, opt), "stability option max_hvp (--max-hvp) is 1");
    }

    void resultsRoundTripThroughJson() {
        auto o = Objective::open(mlpSpec());
        StabilityResult table;
        table.options = tightStability();
        for (const char* f : {"opt_adam.pt", "opt_sgd.pt"})
            table.rows.push_back(computeStability(o, readOptimizerState(fx::path(f), o), table.options));
        QCOMPARE(table.rows[0].provenance.options, toJson(table.options));
        QCOMPARE(table.rows[0].provenance.options_key,
                 optionsKey("stability", toJson(table.options), {fx::path("opt_adam.pt")}));
        const std::string text = stabilityJson(table);
        QCOMPARE(stabilityJson(stabilityFromJson(text, "t")), text);
        const std::string row = stabilityRowJson(table.rows[0]);
        QCOMPARE(stabilityRowJson(stabilityRowFromJson(row, "t")), row);
        QCOMPARE(*stabilityRowFromJson(row, "t").preconditioned, *table.rows[0].preconditioned);
        BASIN_EXPECT_ERROR(stabilityRowFromJson(text, "s.json"), "s.json", "does not hold a stability row");
        // The CSV: a header and one line per checkpoint, numbers as computed.
        const std::string csv = stabilityCsv(table);
        QCOMPARE(std::count(csv.begin(), csv.end(), '\n'), 3L);
        char want[40];
        std::snprintf(want, sizeof want, "%.17g", table.rows[1].threshold);
        QVERIFY(csv.find(want) != std::string::npos);

        BatchScalingOptions bo;
        bo.sizes = {8, 16};
        bo.batches = 2;
        bo.tol = 1e-8;
        const BatchScalingResult b = computeBatchScaling(o, bo);
        const std::string btext = batchScalingJson(b);
        QCOMPARE(batchScalingJson(batchScalingFromJson(btext, "t")), btext);
        QCOMPARE(b.provenance.analysis, std::string("batch-scaling"));
        const std::string bcsv = batchScalingCsv(b);
        QVERIFY(bcsv.rfind("series,batch_size,value\nlambda_max,8,", 0) == 0);
        QVERIFY(bcsv.find("full_lambda_max,64,") != std::string::npos);
        bo.sizes = {16, 8};
        BASIN_EXPECT_ERROR(validate(bo), "batch-scaling option sizes (--sizes) is 16,8", "ascending");
    }

    void aChangedOptimizerFileIsNeverAnsweredFromTheStore() {
        QTemporaryDir dir;
        const std::string opt_file = dir.filePath("opt.pt").toStdString(),
                          study = dir.filePath("s.basin.json").toStdString();
        std::filesystem::copy_file(fx::path("opt_adam.pt"), opt_file);
        StudySpec spec = mlpSpec();
        spec.study_path = study;
        { std::ofstream(study) << studyToJson(spec); }
        auto o = Objective::open(spec);
        const StabilityOptions opt = tightStability();
        const StabilityInput in{spec.model, opt_file};
        const StabilityRow row = computeStability(o, stabilityOptimizer(o, in, opt), opt);
        storeResult(study, row.provenance, stabilityRowJson(row));
        const ResultLookup found = lookUpResult(spec, "stability", toJson(opt), referencedFiles(in), in.checkpoint);
        QVERIFY(found.stored);
        QCOMPARE(found.keys.key, row.provenance.key);
        // The same file name with other bytes (another step of training): a new key, nothing stored.
        std::filesystem::copy_file(fx::path("opt_adamw.pt"), opt_file,
                                   std::filesystem::copy_options::overwrite_existing);
        QVERIFY(!lookUpResult(spec, "stability", toJson(opt), referencedFiles(in), in.checkpoint).stored);
    }
};

QTEST_GUILESS_MAIN(TestStability)
#include "test_stability.moc"
