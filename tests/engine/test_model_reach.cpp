// The models Basin must reach, against PyTorch on the same weights and data (float64): token
// inputs, sequence and segmentation outputs with ignore_index, several inputs matched by name,
// dict and tuple outputs, state-dict checkpoints, random sample subsets, and a file from a newer
// PyTorch.
#include <QtTest/QtTest>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "basin/curvature.h"
#include "basin/error.h"
#include "basin/objective.h"
#include "basin/report.h"
#include "fixtures.h"

using namespace basin;

namespace {

const nlohmann::json& want(const char* name) { return fx::expected()[name]; }

double rel(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

#define EXPECT_REL(got, expected, tol)                                                                          \
    do {                                                                                                        \
        const double g_ = (got), w_ = (expected);                                                               \
        QVERIFY2(rel(g_, w_) <= (tol),                                                                          \
                 qPrintable(QString("%1 = %2, PyTorch %3").arg(#got).arg(g_, 0, 'g', 17).arg(w_, 0, 'g', 17))); \
    } while (0)

// Loss, gradient and H v of `o` against the fixture's PyTorch values.
void expectDerivatives(Objective& o, const nlohmann::json& ref, double tol) {
    Eigen::VectorXd g, hv;
    const auto e = o.gradient(g);
    EXPECT_REL(e.loss, ref["loss"].get<double>(), tol);
    QVERIFY2(fx::relErr(g, fx::vec(ref["grad"])) <= tol,
             qPrintable(QString("gradient error %1").arg(fx::relErr(g, fx::vec(ref["grad"])))));
    o.hvp(fx::vec(ref["v"]), hv);
    QVERIFY2(fx::relErr(hv, fx::vec(ref["hv"])) <= tol,
             qPrintable(QString("H*v error %1").arg(fx::relErr(hv, fx::vec(ref["hv"])))));
    if (ref.contains("accuracy")) QCOMPARE(e.accuracy, ref["accuracy"].get<double>());
    qInfo("relative errors against PyTorch: loss %.1e, gradient %.1e, H*v %.1e", rel(e.loss, ref["loss"].get<double>()),
          fx::relErr(g, fx::vec(ref["grad"])), fx::relErr(hv, fx::vec(ref["hv"])));
}

StudySpec bnStudy(const std::string& data = "bn_data.npz") { return fx::spec("bn_arch.pt", data, Loss::CrossEntropy); }

}  // namespace

class TestModelReach : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tokenIdsStayIntegersAndMatchPyTorch() {
        // int64 tokens, and the same tokens stored as int32 (fed as int64 all the same).
        for (const char* data : {"token_data.npz", "token_data_i32.npz"}) {
            auto o = Objective::open(fx::spec("token_classifier.pt", data, Loss::CrossEntropy));
            const auto& d = o.data();
            QCOMPARE(d.inputs.size(), size_t(1));
            QCOMPARE(d.inputs[0].name, std::string("input_ids"));
            QCOMPARE(d.inputs[0].argument, std::string("input_ids"));
            QCOMPARE(d.inputs[0].dtype, std::string("int64"));
            QCOMPARE(d.inputs[0].shape, (std::vector<int64_t>{6}));
            QCOMPARE(o.parameterCount(), want("token_classifier")["parameters"].get<int64_t>());
            expectDerivatives(o, want("token_classifier"), 1e-10);
        }
    }

    void tokenClassifierLanczosMatchesTheExactHessian() {
        auto o = Objective::open(fx::spec("token_classifier.pt", "token_data.npz", Loss::CrossEntropy));
        const auto exact = fx::vec(want("token_classifier")["eigenvalues"]);  // descending
        EigenOptions opt;
        opt.top_k = 5;
        opt.which = Which::Both;
        opt.tol = 1e-10;
        opt.max_hvp = int(o.parameterCount());
        const auto r = topEigenpairs([&o](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out); },
                                     o.parameterCount(), opt);
        const double scale = std::abs(exact[0]);
        double worst = 0;
        for (int i = 0; i < 5; ++i)
            worst = std::max(worst, std::abs(r.largest->eigenvalues[size_t(i)] - exact[i]) / scale);
        for (int i = 0; i < 3; ++i)
            worst =
                std::max(worst, std::abs(r.smallest->eigenvalues[size_t(4 - i)] - exact[exact.size() - 1 - i]) / scale);
        qInfo("Lanczos: %lld products, largest error %.1e of |lambda_max| = %.4f", (long long)r.largest->hvp_count,
              worst, scale);
        for (int i = 0; i < 5; ++i)
            QVERIFY2(
                std::abs(r.largest->eigenvalues[size_t(i)] - exact[i]) / scale < 1e-8,
                qPrintable(QString("top %1: %2 vs %3").arg(i).arg(r.largest->eigenvalues[size_t(i)]).arg(exact[i])));
        const Eigen::Index n = exact.size();
        for (int i = 0; i < 3; ++i) {
            const double got = r.smallest->eigenvalues[size_t(4 - i)], w = exact[n - 1 - i];
            QVERIFY2(std::abs(got - w) / scale < 1e-8,
                     qPrintable(QString("bottom %1: %2 vs %3").arg(i).arg(got).arg(w)));
        }
    }

    void causalLmCountsOnlyTheTargetsNotIgnored() {
        const auto& ref = want("causal_lm");
        StudySpec s = fx::spec("causal_lm.pt", "causal_lm_data.npz", Loss::CrossEntropy);
        s.batch_size = 12;  // the last batch (samples 36-39) has every target at -100
        auto o = Objective::open(s);
        const auto& d = o.data();
        QCOMPARE(d.class_axis, -1);
        QVERIFY(d.class_axis_rule.find("last axis") != std::string::npos);
        QCOMPARE(d.output_shape, (std::vector<int64_t>{5, 7}));
        QCOMPARE(d.targets_counted, ref["counted"].get<int64_t>());
        QCOMPARE(d.targets_ignored, ref["ignored"].get<int64_t>());
        expectDerivatives(o, ref,
                          1e-10);  // loss and token accuracy as cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        o.setCurvature(CurvatureKind::GaussNewton);
        Eigen::VectorXd gv;
        o.hvp(fx::vec(ref["v"]), gv);
        QVERIFY2(fx::relErr(gv, fx::vec(ref["ggn_v"])) < 1e-10,
                 qPrintable(QString("G*v error %1").arg(fx::relErr(gv, fx::vec(ref["ggn_v"])))));
        // exact-reuse skips the empty batch the same way.
        o.setCurvature(CurvatureKind::Hessian);
        o.setHvpMode(HvpMode::ExactReuse);
        Eigen::VectorXd hv;
        o.hvp(fx::vec(ref["v"]), hv);
        QVERIFY(fx::relErr(hv, fx::vec(ref["hv"])) < 1e-10);
        // Another ignore_index: the padding is 0 in this copy.
        s.data.inputs = fx::path("causal_lm_data_pad0.npz");
        s.ignore_index = 0;
        EXPECT_REL(Objective::open(s).evaluate().loss, ref["loss_ignore0"].get<double>(), 1e-12);
    }

    void twoInputsAreMatchedToForwardsArgumentNames() {
        auto o = Objective::open(fx::spec("two_inputs.pt", "two_inputs.npz", Loss::CrossEntropy));
        const auto& d = o.data();
        QCOMPARE(d.inputs.size(), size_t(2));  // the file holds attention_mask first: order is forward()'s
        QCOMPARE(d.inputs[0].name, std::string("input_ids"));
        QCOMPARE(d.inputs[0].dtype, std::string("int64"));
        QCOMPARE(d.inputs[1].name, std::string("attention_mask"));
        QCOMPARE(d.inputs[1].dtype, std::string("bool"));
        QCOMPARE(d.inputs[1].shape, (std::vector<int64_t>{6}));
        expectDerivatives(o, want("two_inputs"), 1e-10);

        // The same arrays under other names, given by the study's inputs_keys.
        StudySpec s = fx::spec("two_inputs.pt", "two_inputs_keys.npz", Loss::CrossEntropy);
        s.data.inputs_keys = {"tokens", "keep"};
        auto k = Objective::open(s);
        QCOMPARE(k.data().inputs[1].argument, std::string("attention_mask"));
        EXPECT_REL(k.evaluate().loss, want("two_inputs")["loss"].get<double>(), 1e-12);
        s.data.inputs_keys = {"tokens", "mask"};
        BASIN_EXPECT_ERROR(Objective::open(s), "two_inputs_keys.npz", "no array named 'mask'", "'keep'");
        s.data.inputs_keys = {"tokens"};
        BASIN_EXPECT_ERROR(Objective::open(s), "two_inputs_keys.npz", "argument 'attention_mask'", "inputs_keys");

        BASIN_EXPECT_ERROR(Objective::open(fx::spec("two_inputs.pt", "two_inputs_no_mask.npz", Loss::CrossEntropy)),
                           "two_inputs_no_mask.npz", "forward(input_ids, attention_mask)", "'attention_mask'",
                           "'input_ids', 'labels'");
        BASIN_EXPECT_ERROR(Objective::open(fx::spec("two_inputs.pt", "two_inputs_counts.npz", Loss::CrossEntropy)),
                           "two_inputs_counts.npz", "different numbers of samples", "[40, 6]", "[39, 6]");
    }

    void outputsFromDictsAndTuples() {
        const double loss = want("token_classifier")["loss"].get<double>();
        for (auto [model, used] :
             {std::pair{"dict_logits.pt", "dict['logits']"}, std::pair{"tuple_out.pt", "tuple[0]"}}) {
            auto o = Objective::open(fx::spec(model, "token_data.npz", Loss::CrossEntropy));
            QCOMPARE(o.data().output, std::string(used));
            EXPECT_REL(o.evaluate().loss, loss, 1e-12);
        }
        auto o = Objective::open(fx::spec("dict_two.pt", "token_data.npz", Loss::CrossEntropy));
        BASIN_EXPECT_ERROR(o.evaluate(), "dict_two.pt", "no 'logits' entry", "'a', 'b'");
    }

    void segmentationOutputsKeepTheClassesOnAxisOne() {
        const auto& ref = want("segmentation");
        auto o = Objective::open(fx::spec("segmenter.pt", "segmenter_data.npz", Loss::CrossEntropy));
        QCOMPARE(o.data().class_axis, 1);
        QCOMPARE(o.data().output_shape, (std::vector<int64_t>{3, 4, 5}));
        expectDerivatives(o, ref, 1e-10);  // pixel accuracy over the labelled pixels
        o.setCurvature(CurvatureKind::GaussNewton);
        Eigen::VectorXd gv;
        o.hvp(fx::vec(ref["v"]), gv);
        QVERIFY(fx::relErr(gv, fx::vec(ref["ggn_v"])) < 1e-10);
        StudySpec s = fx::spec("segmenter.pt", "segmenter_data.npz", Loss::CrossEntropy);
        s.class_axis = -1;
        BASIN_EXPECT_ERROR(Objective::open(s).evaluate(), "class_axis -1 does not fit", "(N, 3, 4, 5)", "(N, 4, 5)");
    }

    void shapesThatFitBothConventionsFollowClassAxis() {
        const auto& ref = want("square_out");
        StudySpec s = fx::spec("square_out.pt", "square_out_data.npz", Loss::CrossEntropy);
        auto o = Objective::open(s);
        QCOMPARE(o.data().class_axis, 1);
        QVERIFY(o.data().class_axis_rule.find("fit both") != std::string::npos);
        EXPECT_REL(o.evaluate().loss, ref["loss_axis1"].get<double>(), 1e-12);
        s.class_axis = -1;
        auto last = Objective::open(s);
        QCOMPARE(last.data().class_axis, -1);
        EXPECT_REL(last.evaluate().loss, ref["loss_last"].get<double>(), 1e-12);
    }

    void stateDictCheckpointsLoadWeightsAndBatchNormStatistics() {
        const auto& ref = want("state_dicts");
        const StudySpec s = bnStudy();
        EXPECT_REL(Objective::open(s).evaluate().loss, ref["loss_arch"].get<double>(), 1e-12);
        for (const char* ckpt : {"sd_plain.pt", "sd_module.pt", "sd_protocol4.pt", "bn_ckpt_b.pt"}) {
            auto o = Objective::open(s, fx::path(ckpt));
            QCOMPARE(o.modelPath(), fx::path(ckpt));
            EXPECT_REL(o.evaluate().loss, ref["loss_b"].get<double>(), 1e-12);
            QVERIFY(fx::relErr(o.parametersFlat(), fx::vec(ref["params_b"])) < 1e-15);
            QVERIFY(fx::relErr(o.buffersFlat(), fx::vec(ref["buffers_b"])) < 1e-15);
        }
        auto c = Objective::open(s, fx::path("sd_nested.pt"));  // under "model", beside an optimizer state
        EXPECT_REL(c.evaluate().loss, ref["loss_c"].get<double>(), 1e-12);

        // From the architecture's objective: each checkpoint's weights and buffers by name.
        auto o = Objective::open(s);
        QCOMPARE(o.bufferInfos().size(), size_t(2));  // running_mean, running_var (not num_batches_tracked)
        for (const char* ckpt : {"sd_plain.pt", "sd_module.pt", "bn_ckpt_b.pt"}) {
            QVERIFY(fx::relErr(o.parametersOfModel(fx::path(ckpt)), fx::vec(ref["params_b"])) < 1e-15);
            QVERIFY(fx::relErr(o.buffersOfModel(fx::path(ckpt)), fx::vec(ref["buffers_b"])) < 1e-15);
        }
        const Eigen::VectorXd pc = o.parametersOfModel(fx::path("sd_nested.pt")),
                              bc = o.buffersOfModel(fx::path("sd_nested.pt"));
        QVERIFY(fx::relErr(pc, fx::vec(ref["params_c"])) < 1e-15);
        QVERIFY(fx::relErr(bc, fx::vec(ref["buffers_c"])) < 1e-15);
        // Halfway, the BatchNorm statistics moved with the weights; they stay through a recompute.
        o.setParameters(0.5 * (fx::vec(ref["params_b"]) + pc));
        o.setBuffers(0.5 * (fx::vec(ref["buffers_b"]) + bc));
        EXPECT_REL(o.evaluate().loss, ref["loss_mid"].get<double>(), 1e-12);
        o.setBatchNormMode(BatchNormMode::Recompute);
        o.evaluate();
        o.setBatchNormMode(BatchNormMode::Eval);
        EXPECT_REL(o.evaluate().loss, ref["loss_mid"].get<double>(), 1e-12);
        BASIN_EXPECT_ERROR(o.setBuffers(Eigen::VectorXd::Zero(3)), "buffer vector of length 3", "12 buffer entries");
    }

    void stateDictsThatDoNotFitAreNamed() {
        const StudySpec s = bnStudy();
        auto o = Objective::open(s);
        BASIN_EXPECT_ERROR(Objective::open(s, fx::path("sd_missing.pt")), "sd_missing.pt", "bn_arch.pt",
                           "1 missing key: fc2.weight", "1 unexpected key: head.weight");
        BASIN_EXPECT_ERROR(o.parametersOfModel(fx::path("sd_missing.pt")), "sd_missing.pt", "missing key: fc2.weight");
        BASIN_EXPECT_ERROR(Objective::open(s, fx::path("sd_wrong_shape.pt")), "sd_wrong_shape.pt",
                           "1 key of the wrong shape: fc1.weight [6, 4] in the file, [6, 5] in the model");
        BASIN_EXPECT_ERROR(Objective::open(s, fx::path("sd_no_weights.pt")), "sd_no_weights.pt", "no state dict",
                           "'epoch', 'optimizer'");
        BASIN_EXPECT_ERROR(Objective::open(s, fx::path("sd_pickled_model.pt")), "sd_pickled_model.pt", "BNNet",
                           "torch.save(model)", "model.state_dict()");
        BASIN_EXPECT_ERROR(Objective::open(s, fx::path("sd_cut_pickle.pt")), "sd_cut_pickle.pt", "torch.save");
        BASIN_EXPECT_ERROR(Objective::open(s, fx::path("sd_short_storage.pt")), "sd_short_storage.pt", "data/0",
                           "damaged");
        StudySpec sd_as_model = s;  // a state dict has no architecture of its own
        sd_as_model.model = fx::path("sd_plain.pt");
        BASIN_EXPECT_ERROR(Objective::open(sd_as_model), "sd_plain.pt", "not TorchScript", "architecture");
    }

    void randomSamplesAreSeededAndRecorded() {
        const auto& ref = want("state_dicts");
        const Eigen::VectorXd per = fx::vec(ref["sorted_per_sample_loss"]);
        const auto labels = ref["sorted_labels"].get<std::vector<int64_t>>();
        StudySpec s = bnStudy("bn_sorted.npz");
        s.samples = 12;
        auto first = Objective::open(s);  // sorted by class: the first 12 are all class 0
        QVERIFY(first.data().sample_indices.empty());
        QCOMPARE(first.data().classes, int64_t(1));
        EXPECT_REL(first.evaluate().loss, per.head(12).mean(), 1e-12);

        s.sample = SampleMode::Random;
        s.seed = 1;
        auto r1 = Objective::open(s);
        const auto idx = r1.data().sample_indices;
        QCOMPARE(idx.size(), size_t(12));
        QCOMPARE(std::set<int64_t>(idx.begin(), idx.end()).size(), size_t(12));
        double sum = 0;
        std::set<int64_t> classes;
        for (int64_t i : idx) {
            QVERIFY(i >= 0 && i < 60);
            sum += per[i];
            classes.insert(labels[size_t(i)]);
        }
        QVERIFY(classes.size() > 1);
        EXPECT_REL(r1.evaluate().loss, sum / 12, 1e-12);
        QCOMPARE(Objective::open(s).data().sample_indices, idx);
        const auto info = nlohmann::json::parse(infoJson(r1, r1.evaluate()));
        QCOMPARE(info["sample"].get<std::string>(), std::string("random"));
        QCOMPARE(info["sample_indices"].get<std::vector<int64_t>>(), idx);
        s.seed = 2;
        QVERIFY(Objective::open(s).data().sample_indices != idx);
    }

    void aNewerOperatorIsNamedWithTheWayOut() {
        StudySpec s = fx::spec("sdpa_model.pt", "token_data.npz", Loss::CrossEntropy);
        BASIN_EXPECT_ERROR(Objective::open(s), "sdpa_model.pt", "aten::scaled_dot_product_attention", torchVersion(),
                           "softmax(Q K^T / sqrt(d)) V", "torch.jit.trace");
    }

    void infoDescribesInputsOutputAndClassRule() {
        auto o = Objective::open(fx::spec("two_inputs.pt", "two_inputs.npz", Loss::CrossEntropy));
        const auto j = nlohmann::json::parse(infoJson(o, o.evaluate()));
        QCOMPARE(j["inputs"].size(), size_t(2));
        QCOMPARE(j["inputs"][1]["name"].get<std::string>(), std::string("attention_mask"));
        QCOMPARE(j["inputs"][1]["dtype"].get<std::string>(), std::string("bool"));
        QCOMPARE(j["inputs"][0]["shape"].get<std::vector<int64_t>>(), (std::vector<int64_t>{6}));
        QCOMPARE(j["output"].get<std::string>(), std::string("tensor"));
        QCOMPARE(j["class_axis"].get<int>(), 1);
        QCOMPARE(j["ignore_index"].get<int64_t>(), int64_t(-100));
        QVERIFY(!j["class_axis_rule"].get<std::string>().empty());
    }
};

QTEST_GUILESS_MAIN(TestModelReach)
#include "test_model_reach.moc"
