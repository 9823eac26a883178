// The structure analysis against known answers: the exact diagonal against PyTorch's Hessian, the
// Hutchinson diagonal within its standard errors, removal losses against PyTorch's, attention heads
// found by name, localisation against exact eigenvectors, block-diag(H) against H with its
// off-diagonal blocks zeroed, ‖H_A − H_B‖₂ against the exact difference, and the class structure
// against PyTorch and on planted models whose outliers are known.
#include <QtTest/QtTest>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>
#include <numbers>

#include "basin/curvature.h"
#include "basin/error.h"
#include "basin/options.h"
#include "basin/sensitivity.h"
#include "basin/structure.h"
#include "fixtures.h"

using namespace basin;

namespace {

const nlohmann::json& sx() { return fx::expected()["structure"]; }

Eigen::MatrixXd mlpHessian() { return fx::mat(fx::expected()["mlp"]["hessian"]); }

StudySpec mlpSpec() { return fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy); }

// Only the named part.
StructureOptions only(const char* part) {
    StructureOptions o;
    o.diag = o.localisation = o.blocks = o.classes = false;
    const std::string p = part;
    if (p == "diag") o.diag = true;
    if (p == "localisation") o.localisation = true;
    if (p == "blocks") o.blocks = true;
    if (p == "classes") o.classes = true;
    o.tol = 1e-10;
    o.max_hvp = 200;
    return o;
}

std::vector<Eigen::Index> indicesOf(const Objective& o, const SensitivityGroup& g) {
    std::vector<Eigen::Index> rows;
    for (int k : g.parameters)
        for (int64_t i = 0; i < o.parameters()[size_t(k)].size; ++i)
            rows.push_back(o.parameters()[size_t(k)].offset + i);
    return rows;
}

Eigen::MatrixXd sub(const Eigen::MatrixXd& H, const std::vector<Eigen::Index>& rows) {
    Eigen::MatrixXd B(Eigen::Index(rows.size()), Eigen::Index(rows.size()));
    for (size_t a = 0; a < rows.size(); ++a)
        for (size_t b = 0; b < rows.size(); ++b) B(Eigen::Index(a), Eigen::Index(b)) = H(rows[a], rows[b]);
    return B;
}

Eigen::VectorXd descending(const Eigen::MatrixXd& M) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(0.5 * (M + M.transpose()), Eigen::EigenvaluesOnly);
    return es.eigenvalues().reverse();
}

bool near(double a, double b, double rel) { return std::abs(a - b) <= rel * std::max(std::abs(b), 1e-300); }

}  // namespace

class TestStructure : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void theExactDiagonalIsPyTorchsHessiansDiagonal() {
        auto o = Objective::open(mlpSpec());
        StructureOptions opt = only("diag");
        opt.exact = true;
        opt.keep_diagonal = true;
        const auto r = computeStructure(o, opt);
        const Eigen::MatrixXd H = mlpHessian();
        QVERIFY(r.diag && r.diag->method == "exact");
        const double scale = H.diagonal().cwiseAbs().maxCoeff();
        for (Eigen::Index i = 0; i < H.rows(); ++i)
            QVERIFY2(std::abs(r.diag->diagonal[size_t(i)] - H(i, i)) < 1e-10 * scale, qPrintable(QString::number(i)));
        QVERIFY(std::abs(r.diag->trace - H.trace()) < 1e-10 * std::abs(H.trace()));
        // Per group: the trace of its diagonal block; per tensor and channel: their entries.
        const auto groups = sensitivityGroups(o);
        QCOMPARE(r.diag->groups.size(), groups.size());
        for (size_t g = 0; g < groups.size(); ++g)
            QVERIFY(std::abs(r.diag->groups[g].diag_sum - sub(H, indicesOf(o, groups[g])).trace()) < 1e-10 * scale);
        QCOMPARE(r.diag->channels.size(), size_t(8 + 3));  // fc1.weight's 8 rows, fc2.weight's 3
        QCOMPARE(r.diag->channels[2].name, std::string("fc1.weight[2]"));
        const auto& fc1 = o.parameters()[0];
        double want = 0;
        for (int64_t i = 0; i < 6; ++i) want += H(fc1.offset + 12 + i, fc1.offset + 12 + i);
        QVERIFY(std::abs(r.diag->channels[2].diag_sum - want) < 1e-12);
        QCOMPARE(r.diag->hvp_count, int64_t(99));
    }

    void theHutchinsonDiagonalIsWithinFourStandardErrors() {
        auto o = Objective::open(mlpSpec());
        const Eigen::MatrixXd H = mlpHessian();
        for (uint64_t seed : {1, 2, 3}) {
            StructureOptions opt = only("diag");
            opt.probes = 64;
            opt.keep_diagonal = true;
            opt.seed = seed;
            const auto r = computeStructure(o, opt);
            int within = 0;
            for (Eigen::Index i = 0; i < H.rows(); ++i)
                if (std::abs(r.diag->diagonal[size_t(i)] - H(i, i)) <= 4 * r.diag->diagonal_stderr[size_t(i)] + 1e-12)
                    ++within;
            const double share = double(within) / double(H.rows());
            qInfo("seed %d: %.1f%% of entries within 4 standard errors", int(seed), 100 * share);
            QVERIFY2(share >= 0.95, qPrintable(QString::number(share)));
            // The probes are the trace's: the same Hutchinson trace as the spectrum's, and the
            // group sums are sensitivity's per-layer traces with as many probes.
            LinearOperator Hop = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out); };
            TraceOptions t;
            t.probes = 64;
            t.seed = seedFor(seed, SeedStream::Trace);
            const auto tr = estimateTrace(Hop, o.parameterCount(), t);
            QVERIFY(near(r.diag->trace, tr.mean, 1e-10));
            QVERIFY(near(r.diag->trace_stderr, tr.stderr_, 1e-8));
            SensitivityOptions so;
            so.probes = 64;
            so.eig_max_hvp = 2;
            so.seed = seed;
            const auto sens = computeSensitivity(o, so);
            for (size_t g = 0; g < sens.groups.size(); ++g) {
                QVERIFY(near(r.diag->groups[g].diag_sum, sens.groups[g].trace, 1e-9));
                QVERIFY(near(r.diag->groups[g].diag_sum_stderr, sens.groups[g].trace_stderr, 1e-8));
            }
        }
    }

    void theLossAfterZeroingIsPyTorchs() {
        auto o = Objective::open(mlpSpec());
        const double loss0 = o.evaluate().loss;
        for (const char* level : {"channel", "weight"}) {
            StructureOptions opt = only("diag");
            opt.exact = true;
            opt.prune_level = std::string(level) == "channel" ? PruneLevel::Channel : PruneLevel::Weight;
            opt.prune = std::string(level) == "channel" ? std::vector<int>{1, 2, 4, 8} : std::vector<int>{1, 5, 20};
            const auto r = computeStructure(o, opt);
            const auto& want = sx()[std::string("removal_") + level];
            QCOMPARE(r.diag->removal.size(), want.size());
            for (size_t i = 0; i < want.size(); ++i) {
                const RemovalRow& row = r.diag->removal[i];
                QCOMPARE(row.k, want[i]["k"].get<int>());
                QCOMPARE(row.criterion, want[i]["criterion"].get<std::string>());
                QCOMPARE(row.removed, want[i]["removed"].get<std::vector<std::string>>());
                QVERIFY2(near(row.eval.loss, want[i]["loss"].get<double>(), 1e-10),
                         qPrintable(QString("%1 %2: %3 vs %4")
                                        .arg(row.k)
                                        .arg(QString::fromStdString(row.criterion))
                                        .arg(row.eval.loss)
                                        .arg(want[i]["loss"].get<double>())));
                QVERIFY(std::abs(row.predicted - want[i]["predicted"].get<double>()) < 1e-12);
            }
            QCOMPARE(r.diag->base.loss, loss0);
            QCOMPARE(o.evaluate().loss, loss0);  // the weights are restored
            QCOMPARE(r.diag->least_salient.front().name, r.diag->removal.front().removed.front());
        }
        // More structures than the model has: all of them, once.
        StructureOptions all = only("diag");
        all.exact = true;
        all.prune = {50, 11};
        const auto r = computeStructure(o, all);
        QCOMPARE(r.diag->removal.size(), size_t(2));
        QCOMPARE(r.diag->removal[0].k, 11);
    }

    void attentionHeadsAreFoundByTheirNames() {
        auto o = Objective::open(fx::spec("attention.pt", "attention_data.npz", Loss::CrossEntropy));
        StructureOptions opt = only("diag");
        opt.exact = true;
        opt.prune_level = PruneLevel::Head;
        opt.prune = {1};
        const auto r = computeStructure(o, opt);
        const auto& want = sx()["attention"]["heads"];
        QCOMPARE(r.diag->heads.size(), size_t(2));
        for (size_t h = 0; h < 2; ++h) {
            QCOMPARE(r.diag->heads[h].name, "attn.head" + std::to_string(h));
            QCOMPARE(r.diag->heads[h].size, want[h]["size"].get<int64_t>());
            QVERIFY(near(r.diag->heads[h].diag_sum, want[h]["diag_sum"].get<double>(), 1e-10));
        }
        QVERIFY2(r.diag->head_rule.front().find("2 heads of 2 rows") != std::string::npos,
                 r.diag->head_rule.front().c_str());
        QVERIFY(r.diag->head_rule.front().find("read from attn.num_heads") != std::string::npos);
        QCOMPARE(r.diag->removal[0].removed.size(), size_t(1));
        // Three heads do not divide 4 rows: said, and no heads.
        opt.heads = 3;
        opt.prune_level = PruneLevel::Channel;
        const auto three = computeStructure(o, opt);
        QVERIFY(three.diag->heads.empty());
        QVERIFY(three.diag->head_rule.front().find("not divisible by 3 heads") != std::string::npos);
        // A model without attention says so, and refuses head removal.
        auto mlp = Objective::open(mlpSpec());
        StructureOptions h = only("diag");
        h.prune_level = PruneLevel::Head;
        BASIN_EXPECT_ERROR(computeStructure(mlp, h), "no attention heads");
    }

    void localisationSharesAreTheExactEigenvectorsShares() {
        auto o = Objective::open(mlpSpec());
        StructureOptions opt = only("localisation");
        opt.top_k = 3;
        opt.max_hvp = 99;
        const auto r = computeStructure(o, opt);
        const Eigen::MatrixXd H = mlpHessian();
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(0.5 * (H + H.transpose()));
        const auto groups = sensitivityGroups(o);
        QCOMPARE(r.localisation->vectors.size(), size_t(6));
        QVERIFY(r.localisation->converged);
        for (size_t k = 0; k < 6; ++k) {
            const auto& v = r.localisation->vectors[k];
            const bool top = k < 3;
            QCOMPARE(v.end, std::string(top ? "top" : "bottom"));
            const Eigen::Index col = top ? H.rows() - 1 - Eigen::Index(k) : Eigen::Index(k - 3);
            const Eigen::VectorXd u = es.eigenvectors().col(col);
            QVERIFY(near(v.eigenvalue, es.eigenvalues()[col], 1e-8));
            double sum = 0;
            for (size_t g = 0; g < groups.size(); ++g) {
                double want = 0;
                for (Eigen::Index i : indicesOf(o, groups[g])) want += u[i] * u[i];
                QVERIFY2(std::abs(v.shares[g] - want) < 1e-6,
                         qPrintable(QString("%1 %2: %3 vs %4").arg(k).arg(g).arg(v.shares[g]).arg(want)));
                sum += v.shares[g];
            }
            QVERIFY(std::abs(sum - 1) < 1e-12);
            const double pr = 1.0 / u.array().pow(4).sum();
            QVERIFY(near(v.participation, pr, 1e-5));
        }
    }

    void blockDiagonalEigenvaluesAreThoseOfTheZeroedHessian() {
        auto o = Objective::open(mlpSpec());
        StructureOptions opt = only("blocks");
        opt.top_k = 4;
        opt.max_hvp = 99;
        opt.density_probes = 2;
        opt.density_steps = 12;
        const auto r = computeStructure(o, opt);
        const Eigen::MatrixXd H = mlpHessian();
        const auto groups = sensitivityGroups(o);
        Eigen::MatrixXd B = Eigen::MatrixXd::Zero(H.rows(), H.cols());
        for (const auto& g : groups)
            for (Eigen::Index a : indicesOf(o, g))
                for (Eigen::Index b : indicesOf(o, g)) B(a, b) = H(a, b);
        const Eigen::VectorXd want = descending(B), full = descending(H);
        QCOMPARE(r.blocks->block.size(), size_t(4));
        for (size_t i = 0; i < 4; ++i) {
            QVERIFY2(near(r.blocks->block[i], want[Eigen::Index(i)], 1e-8),
                     qPrintable(QString("%1: %2 vs %3").arg(i).arg(r.blocks->block[i]).arg(want[Eigen::Index(i)])));
            QVERIFY(near(r.blocks->full[i], full[Eigen::Index(i)], 1e-8));
        }
        // Principal angles against those of the exact top-4 eigenspaces.
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eh(0.5 * (H + H.transpose())), eb(0.5 * (B + B.transpose()));
        const Eigen::MatrixXd Uh = eh.eigenvectors().rightCols(4), Ub = eb.eigenvectors().rightCols(4);
        Eigen::JacobiSVD<Eigen::MatrixXd> svd(Ub.transpose() * Uh);
        std::vector<double> angles;
        for (int i = 0; i < 4; ++i)
            angles.push_back(std::acos(std::min(1.0, svd.singularValues()[i])) * 180 / std::numbers::pi);
        std::sort(angles.begin(), angles.end());
        for (size_t i = 0; i < 4; ++i)
            QVERIFY2(std::abs(r.blocks->angles[i] - angles[i]) < 1e-3,
                     qPrintable(QString("%1 vs %2").arg(r.blocks->angles[i]).arg(angles[i])));
        // Each block's own top eigenvalues; distances symmetric, zero on the diagonal, in [0, 1].
        for (size_t g = 0; g < groups.size(); ++g) {
            const Eigen::VectorXd e = descending(sub(H, indicesOf(o, groups[g])));
            QVERIFY(near(r.blocks->blocks[g].eigenvalues[0], e[0], 1e-8));
            double w = 0;
            for (double x : r.blocks->blocks[g].weights) w += x;
            QVERIFY(std::abs(w - 1) < 1e-10);
            for (size_t h = 0; h < groups.size(); ++h) {
                QCOMPARE(r.blocks->js[g][h], r.blocks->js[h][g]);
                QVERIFY(r.blocks->js[g][h] >= 0 && r.blocks->js[g][h] <= 1);
            }
            QCOMPARE(r.blocks->js[g][g], 0.0);
        }
        QVERIFY(r.blocks->js[0][2] > 0.1);  // fc1 and fc2 do not curve alike
    }

    void theAlignmentNormIsTheExactDifferencesNorm() {
        auto o = Objective::open(mlpSpec());
        StructureOptions opt = only("none");
        opt.align_data = fx::path("mlp_data_b.pt");
        opt.align_probes = 200;
        opt.max_hvp = 99;
        const auto r = computeStructure(o, opt);
        const Eigen::MatrixXd Ha = mlpHessian(), Hb = fx::mat(sx()["align"]["hessian_b"]);
        const Eigen::VectorXd ga = fx::vec(fx::expected()["mlp"]["grad"]), gb = fx::vec(sx()["align"]["grad_b"]);
        const Eigen::VectorXd d = descending(Ha - Hb);
        const double norm = std::max(std::abs(d[0]), std::abs(d[d.size() - 1]));
        QVERIFY2(near(r.align->model.norm, norm, 1e-6),
                 qPrintable(QString("%1 vs %2").arg(r.align->model.norm).arg(norm)));
        QVERIFY(near(r.align->model.lambda_max, d[0], 1e-6) && near(r.align->model.lambda_min, d[d.size() - 1], 1e-6));
        QVERIFY(std::abs(r.align->model.gradient_cosine - ga.dot(gb) / (ga.norm() * gb.norm())) < 1e-10);
        const double tdiff = (Ha - Hb).trace();
        QVERIFY2(std::abs(r.align->model.trace_diff - tdiff) < 4 * r.align->model.trace_diff_stderr,
                 qPrintable(QString("%1 +- %2 vs %3")
                                .arg(r.align->model.trace_diff)
                                .arg(r.align->model.trace_diff_stderr)
                                .arg(tdiff)));
        // The classifier head: the last group (fc2) alone.
        QCOMPARE(r.align->head.scope, std::string("fc2"));
        const auto idx = indicesOf(o, sensitivityGroups(o).back());
        const Eigen::VectorXd dh = descending(sub(Ha, idx) - sub(Hb, idx));
        QVERIFY(near(r.align->head.norm, std::max(std::abs(dh[0]), std::abs(dh[dh.size() - 1])), 1e-6));
        QCOMPARE(r.align->head.parameters, int64_t(27));
        QVERIFY(r.align->model.converged && r.align->head.converged);
        QVERIFY(r.align->hvp_count == r.hvp_count && r.hvp_count > 2 * 200);
        // A named head that is not a group: one sentence naming the groups.
        opt.align_group = "fc9";
        BASIN_EXPECT_ERROR(computeStructure(o, opt), "align_group (--align-group) is 'fc9'", "fc1, bn, fc2");
    }

    void theClassStructureIsPyTorchs() {
        auto o = Objective::open(mlpSpec());
        StructureOptions opt = only("classes");
        opt.max_hvp = 99;
        const auto r = computeStructure(o, opt);
        const auto& want = sx()["mlp_classes"];
        QCOMPARE(r.classes->classes, 3);
        QCOMPARE(r.classes->ggn_eigenvalues.size(), size_t(3));
        for (const char* key : {"class_gram", "cross_gram", "between_gram"}) {
            const auto& got = std::string(key) == "class_gram"   ? r.classes->class_gram
                              : std::string(key) == "cross_gram" ? r.classes->cross_gram
                                                                 : r.classes->between_gram;
            const auto w = want[key].get<std::vector<double>>();
            QCOMPARE(got.size(), w.size());
            for (size_t i = 0; i < w.size(); ++i)
                QVERIFY2(std::abs(got[i] - w[i]) < 1e-10 * w[0],
                         qPrintable(QString("%1[%2]: %3 vs %4").arg(key).arg(i).arg(got[i]).arg(w[i])));
        }
        QVERIFY(near(r.classes->class_trace, want["class_trace"].get<double>(), 1e-10));
        QVERIFY(near(r.classes->cross_trace, want["cross_trace"].get<double>(), 1e-10));
        for (size_t k = 0; k < 3; ++k) {
            QVERIFY(near(r.classes->ggn_eigenvalues[k], want["ggn_eigenvalues"][k].get<double>(), 1e-8));
            const auto& s = r.classes->ggn_split[k];
            QVERIFY(std::abs(s.class_part + s.cross_part + s.within_part - s.eigenvalue) < 1e-12);
            QVERIFY(s.within_part > -1e-9);  // G_within is positive semi-definite
            for (size_t c = 0; c < 3; ++c)
                QVERIFY2(std::abs(r.classes->ggn_overlap[k][c] - want["ggn_overlap"][k][c].get<double>()) < 1e-6,
                         qPrintable(QString("%1 %2: %3 vs %4")
                                        .arg(k)
                                        .arg(c)
                                        .arg(r.classes->ggn_overlap[k][c])
                                        .arg(want["ggn_overlap"][k][c].get<double>())));
        }
        QCOMPARE(r.classes->hessian_overlap.size(), size_t(3));
        // The study's curvature and samples are back.
        QCOMPARE(o.curvature(), CurvatureKind::Hessian);
        QCOMPARE(o.evaluate().samples, int64_t(64));
    }

    void onAPlantedModelTheClassMeansAreTheOutliers() {
        // Identical samples per class at x = s_c e_c and a symmetric softmax: each class's
        // Gauss-Newton block has one outlier, along its class-mean gradient; nothing within classes.
        auto o = Objective::open(fx::spec("planted.pt", "planted_data.npz", Loss::CrossEntropy));
        StructureOptions opt = only("classes");
        opt.max_hvp = 16;
        const auto r = computeStructure(o, opt);
        QCOMPARE(r.classes->classes, 4);
        for (size_t k = 0; k < 4; ++k) {
            QVERIFY2(near(r.classes->class_gram[k], r.classes->ggn_eigenvalues[k], 1e-8),
                     qPrintable(QString("%1 vs %2").arg(r.classes->class_gram[k]).arg(r.classes->ggn_eigenvalues[k])));
            QVERIFY(near(r.classes->ggn_eigenvalues[k], sx()["planted"]["ggn_eigenvalues"][k].get<double>(), 1e-8));
            QVERIFY(std::abs(r.classes->ggn_split[k].within_part) < 1e-8 * r.classes->ggn_eigenvalues[k]);
            QVERIFY(near(r.classes->ggn_split[k].class_part, r.classes->ggn_eigenvalues[k], 1e-6));
            // The k-th outlier is class 3 - k's (the eigenvalues fall with s_c here): overlap 1 there, 0 elsewhere.
            for (size_t c = 0; c < 4; ++c) {
                const double ov = r.classes->ggn_overlap[k][c];
                if (c == 3 - k) QVERIFY2(ov > 1 - 1e-8, qPrintable(QString::number(ov)));
                else QVERIFY2(ov < 1e-8, qPrintable(QString::number(ov)));
            }
        }
        // With a little within-class noise and an asymmetric softmax, within 1%.
        auto noisy = Objective::open(fx::spec("planted_noisy.pt", "planted_noisy_data.npz", Loss::CrossEntropy));
        StructureOptions n = only("classes");
        n.max_hvp = 24;
        const auto rn = computeStructure(noisy, n);
        for (size_t k = 0; k < 4; ++k) {
            const double rel = rn.classes->class_gram[k] / rn.classes->ggn_eigenvalues[k] - 1;
            qInfo("noisy planted outlier %d: class-mean Gram %.6g, Gauss-Newton %.6g (%.3f%%)", int(k),
                  rn.classes->class_gram[k], rn.classes->ggn_eigenvalues[k], 100 * rel);
            QVERIFY(std::abs(rel) < 0.01);
            QVERIFY(rn.classes->ggn_overlap[k][3 - k] > 0.99);
        }
    }

    void theResultRoundTripsAndSaysWhatMadeIt() {
        auto o = Objective::open(mlpSpec());
        StructureOptions opt;
        opt.classes = true;
        opt.probes = 8;
        opt.top_k = 2;
        opt.max_hvp = 30;
        opt.density_steps = 6;
        opt.align_data = fx::path("mlp_data_b.pt");
        opt.align_probes = 3;
        opt.keep_diagonal = true;
        opt.seed = 4;
        const auto r = computeStructure(o, opt);
        QVERIFY(r.diag && r.localisation && r.classes && r.blocks && r.align);
        const std::string text = structureJson(r);
        QCOMPARE(structureJson(structureFromJson(text, "test")), text);
        QCOMPARE(r.provenance.analysis, std::string("structure"));
        QCOMPARE(r.provenance.options, toJson(opt));
        QCOMPARE(r.provenance.hvp_count, r.hvp_count);
        QCOMPARE(r.hvp_count, r.diag->hvp_count + r.eigen_hvp_count + r.blocks->hvp_count + r.align->hvp_count +
                                  r.classes->hvp_count);
        QCOMPARE(r.provenance.options_key, optionsKey("structure", toJson(opt), referencedFiles(opt)));
        BASIN_EXPECT_ERROR(structureFromJson("{\"analysis\": \"spectrum\"}", "x.json"), "x.json", "structure result");
    }

    void aCancelledRunLeavesTheObjectiveAsItWas() {
        auto o = Objective::open(mlpSpec());
        const Eigen::VectorXd theta = o.parametersFlat();
        const double loss = o.evaluate().loss;
        // Cancelled while the weights are zeroed, while one class's samples are in use, and while
        // the products are Gauss-Newton's.
        // (Lanczos names its own stage: the Gauss-Newton run is the "lanczos" after the class vectors.)
        const std::vector<std::pair<const char*, const char*>> cases = {
            {"diag", "zeroing"}, {"classes", "class and cross-class"}, {"classes", "top of the Gauss-Newton"}};
        for (const auto& [part, stage] : cases) {
            bool after_classes = false;
            JobContext job([&, stage = std::string(stage)](const Progress& p) {
                if (p.stage.rfind("class and cross-class", 0) == 0) after_classes = true;
                const bool ggn =
                    stage == "top of the Gauss-Newton" && after_classes && p.stage == "lanczos" && p.done >= 2;
                if ((p.stage.rfind(stage, 0) == 0 && p.done >= 1) || ggn) job.cancel();
            });
            StructureOptions opt = only(part);
            opt.exact = true;
            bool cancelled = false;
            try {
                computeStructure(o, opt, &job);
            } catch (const Cancelled&) {
                cancelled = true;
            }
            QVERIFY2(cancelled, stage);
            QCOMPARE(o.parametersFlat(), theta);
            QCOMPARE(o.evaluate().loss, loss);
            QCOMPARE(o.evaluate().samples, int64_t(64));
            QCOMPARE(o.curvature(), CurvatureKind::Hessian);
        }
    }

    void whatDoesNotApplyIsSaidInOneSentence() {
        StructureOptions none = only("none");
        BASIN_EXPECT_ERROR(validate(none), "structure option parts", "at least one part");
        StructureOptions p = only("diag");
        p.probes = 1;
        BASIN_EXPECT_ERROR(validate(p), "structure option probes (--probes) is 1");
        p.probes = 8;
        p.prune = {4, 4};
        BASIN_EXPECT_ERROR(validate(p), "prune (--prune)", "distinct");
        BASIN_EXPECT_ERROR(structureOptionsFromJson(R"({"prune_level": "filter"})", "s.json"), "s.json",
                           "weight, channel or head");
        BASIN_EXPECT_ERROR(structureOptionsFromJson(R"({"diagg": true})", "s.json"),
                           "unknown structure option 'diagg'");
        auto lin = Objective::open(fx::spec("linreg.pt", "linreg.npz", Loss::MSE));
        BASIN_EXPECT_ERROR(computeStructure(lin, only("classes")), "offered for the cross_entropy loss", "mse");
        auto mlp = Objective::open(mlpSpec());
        StructureOptions big = only("diag");
        big.exact = true;
        big.exact_max = 50;
        BASIN_EXPECT_ERROR(computeStructure(mlp, big), "offered up to 50 parameters");
    }
};

QTEST_APPLESS_MAIN(TestStructure)
#include "test_structure.moc"
