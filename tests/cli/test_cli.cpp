// basin-cli as a user runs it: JSON numbers equal PyTorch's, bad input exits non-zero with one
// sentence naming the file on stderr and never a crash or a C++ backtrace.
#include <QtTest/QtTest>

#include <QProcess>
#include <nlohmann/json.hpp>
#include <set>

#include "basin/sampling.h"
#include "cli_run.h"

using namespace cli_test;

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void infoJsonMatchesPyTorch() {
        const Run r = runCli({"info", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--loss",
                              "cross_entropy", "--dtype", "float64", "--json"});
        QCOMPARE(r.code, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["parameters"].get<int>(), 99);
        QCOMPARE(j["samples"].get<int>(), 64);
        QCOMPARE(j["groups"].size(), size_t(3));
        const double want = fx::expected()["mlp"]["loss"].get<double>();
        QVERIFY(std::abs(j["loss"].get<double>() - want) < 1e-10 * want);
        QVERIFY(std::abs(j["accuracy"].get<double>() - fx::expected()["mlp"]["accuracy"].get<double>()) < 1e-12);
    }

    void spectrumJsonOnTheMlp() {
        QTemporaryDir tmp;
        const QString out = tmp.filePath("s.json");
        const Run r = runCli({"spectrum",
                              "--model",
                              fixture("mlp.pt"),
                              "--data",
                              fixture("mlp_data.pt"),
                              "--dtype",
                              "float64",
                              "--top",
                              "3",
                              "--which",
                              "both",
                              "--tol",
                              "1e-9",
                              "--exact",
                              "--trace",
                              "hutchpp",
                              "--probes",
                              "30",
                              "--density",
                              "--steps",
                              "20",
                              "--out",
                              out,
                              "--seed",
                              "4"});
        QCOMPARE(r.code, 0);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(j["options"]["seed"].get<int>(), 4);
        QCOMPARE(j["trace"]["method"].get<std::string>(), std::string("hutchpp"));
        const auto& ex = j["exact_eigenvalues"];
        QCOMPARE(ex.size(), size_t(99));
        for (int i = 0; i < 3; ++i)
            QVERIFY(std::abs(j["largest"]["eigenvalues"][i].get<double>() - ex[i].get<double>()) <
                    1e-7 * ex[0].get<double>());
        QVERIFY(j["outliers"]["rule"].get<std::string>().find("largest relative gap") != std::string::npos);
        QVERIFY(r.out.contains("outliers"));  // the human table went to stdout
    }

    void surfaceMatchesPyTorch() {
        // The fixture's 5 x 3 grid (x in -1:1, y in -1:0.6) of the BatchNorm CNN, from its direction files.
        QTemporaryDir tmp;
        const QString json = tmp.filePath("s.json"), h5 = tmp.filePath("s.h5");
        const Run r = runCli({"surface",
                              "--model",
                              fixture("cnn.pt"),
                              "--data",
                              fixture("cnn_data.npz"),
                              "--dtype",
                              "float64",
                              "--batch",
                              "16",
                              "--dirs",
                              fixture("cnn_dx.npy") + "," + fixture("cnn_dy.npy"),
                              "--grid",
                              "5x3",
                              "--range",
                              "-1:1,-1:0.6",
                              "--bn",
                              "recompute",
                              "--out",
                              json,
                              "--out",
                              h5,
                              "--save-dirs",
                              tmp.filePath("dirs")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        const auto& want = fx::expected()["surface"]["grid_recompute"];
        for (size_t y = 0; y < 3; ++y)
            for (size_t x = 0; x < 5; ++x) {
                const double w = want[y][x].get<double>(), got = j["loss"][y][x].get<double>();
                QVERIFY2(std::abs(got - w) < 1e-5 * w,
                         qPrintable(QString("(%1,%2) %3 vs %4").arg(x).arg(y).arg(got).arg(w)));
            }
        QCOMPARE(j["bn"].get<std::string>(), std::string("recompute"));
        QVERIFY(QFile::exists(h5));
        QVERIFY(QFile::exists(tmp.filePath("dirs_x.npy")) && QFile::exists(tmp.filePath("dirs_y.npy")));
    }

    void sensitivityJsonKeys() {
        const Run r = runCli({"sensitivity", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype",
                              "float64", "--probes", "10", "--budget", "45%", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["groups"].size(), size_t(3));
        QCOMPARE(j["options"]["budget"].get<double>(), 0.45 * 396);
        const auto& p = j["proposal"];
        for (const char* k : {"bits", "size", "loss", "accuracy"}) QVERIFY2(p.contains(k), k);
        QVERIFY(p["size"].get<double>() <= 0.45 * 396);
        QVERIFY(j["pareto"].size() >= 2);
    }

    // basin-cli stability and batch-scaling: PyTorch's numbers through the command line, and a
    // state of another model or a bad flag in one sentence.
    void structureJsonOnTheMlp() {
        QTemporaryDir tmp;
        const QString out = tmp.filePath("s.json");
        const Run r = runCli({"structure",
                              "--model",
                              fixture("mlp.pt"),
                              "--data",
                              fixture("mlp_data.pt"),
                              "--dtype",
                              "float64",
                              "--diag",
                              "--exact",
                              "--blocks",
                              "--classes",
                              "--align",
                              fixture("mlp_data_b.pt"),
                              "--top",
                              "2",
                              "--prune",
                              "1,3",
                              "--steps",
                              "8",
                              "--align-probes",
                              "4",
                              "--out",
                              out,
                              "--seed",
                              "2"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        QVERIFY(j["localisation"].is_null());  // asked for parts only
        for (const char* k :
             {"diag", "blocks", "classes", "align", "options", "provenance", "hvp_count", "eigen_hvp_count"})
            QVERIFY2(j.contains(k) && !j[k].is_null(), k);
        double trace = 0;
        const auto& H = fx::expected()["mlp"]["hessian"];
        for (size_t i = 0; i < H.size(); ++i) trace += H[i][i].get<double>();
        QVERIFY(std::abs(j["diag"]["trace"].get<double>() - trace) < 1e-10 * std::abs(trace));
        QCOMPARE(j["diag"]["removal"].size(), size_t(4));  // k = 1, 3 by saliency and by magnitude
        QCOMPARE(j["diag"]["removal"][0]["loss"].get<double>(),
                 fx::expected()["structure"]["removal_channel"][0]["loss"].get<double>());
        QCOMPARE(j["classes"]["classes"].get<int>(), 3);
        QCOMPARE(j["align"]["head"]["scope"].get<std::string>(), std::string("fc2"));
        QCOMPARE(j["options"]["seed"].get<int>(), 2);
        QVERIFY(r.out.contains("Block-diagonal against full") && r.out.contains("least salient channels"));
        // Bad values: one sentence each.
        const QStringList mlp = {"structure", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt")};
        expectRefusal(mlp + QStringList{"--diag", "--prune", "0"}, "structure option prune (--prune) is 0");
        expectRefusal(mlp + QStringList{"--diag", "--prune", "a,b"}, "--prune 'a,b' is not a list of counts");
        expectRefusal(mlp + QStringList{"--prune-level", "filter"}, "it must be weight, channel or head");
        expectRefusal(mlp + QStringList{"--diag", "--prune-level", "head"}, "no attention heads");
        expectRefusal(mlp + QStringList{"--align", "/nonexistent/b.pt"}, "/nonexistent/b.pt");
        expectRefusal({"structure", "--model", fixture("linreg.pt"), "--data", fixture("linreg.npz"), "--loss", "mse",
                       "--classes"},
                      "offered for the cross_entropy loss");
    }

    void cacheKeepsResultsInTheStudy() {
        QTemporaryDir tmp;
        const QString study = tmp.filePath("s.json");
        QFile f(study);
        QVERIFY(writeStudy(study, ", \"dtype\": \"float64\", \"hvp\": \"exact\", \"seed\": 3"));
        const QStringList args = {"spectrum", "--study",  study, "--top",   "2",
                                  "--trace",  "--probes", "8",   "--cache", "--json"};
        const Run first = runCli(args);
        QVERIFY2(first.code == 0, qPrintable(first.err));
        QVERIFY(!first.err.contains("using the spectrum result stored"));
        const Run second = runCli(args);
        QCOMPARE(second.code, 0);
        QVERIFY(second.err.contains("using the spectrum result stored"));
        const auto a = nlohmann::json::parse(first.out.toStdString()),
                   b = nlohmann::json::parse(second.out.toStdString());
        QCOMPARE(a["eigenvalues"], b["eigenvalues"]);
        QCOMPARE(a["trace"]["mean"], b["trace"]["mean"]);
        // The study file holds the spec as it was and the result, readable as plain JSON.
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        f.close();
        QCOMPARE(j["seed"].get<int>(), 3);
        QCOMPARE(j["results"].size(), size_t(1));
        QCOMPARE(j["results"].begin().value()["analysis"].get<std::string>(), std::string("spectrum"));
        // Other options: computed anew, and stored beside the first.
        const Run other = runCli({"spectrum", "--study", study, "--top", "3", "--cache", "--json"});
        QVERIFY(!other.err.contains("using the spectrum result stored"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(nlohmann::json::parse(f.readAll().toStdString())["results"].size(), size_t(2));
    }

    void aStoredResultIsReusedOnlyForTheSameOptions() {
        QTemporaryDir tmp;
        const QString study = tmp.filePath("s.json");
        QVERIFY(writeStudy(study, ", \"dtype\": \"float64\", \"hvp\": \"exact\""));
        const QStringList base = {"spectrum", "--study", study, "--top", "2", "--probes", "9", "--cache", "--json"};
        const Run hutchpp = runCli(base + QStringList{"--trace", "hutchpp"});
        QVERIFY2(hutchpp.code == 0, qPrintable(hutchpp.err));
        // Another trace method, another seed: computed, not taken from the study.
        const Run hutchinson = runCli(base + QStringList{"--trace", "hutchinson"});
        QVERIFY2(!hutchinson.err.contains("using the spectrum result stored"), qPrintable(hutchinson.err));
        const auto a = nlohmann::json::parse(hutchpp.out.toStdString()),
                   b = nlohmann::json::parse(hutchinson.out.toStdString());
        QCOMPARE(a["trace"]["method"].get<std::string>(), std::string("hutchpp"));
        QCOMPARE(b["trace"]["method"].get<std::string>(), std::string("hutchinson"));
        const Run seeded = runCli(base + QStringList{"--trace", "hutchpp", "--seed", "4"});
        QVERIFY(!seeded.err.contains("using the spectrum result stored"));
        // The same again: stored; with an edge set by hand the stored result is split at it.
        const Run again = runCli(base + QStringList{"--trace", "hutchpp", "--edge", "0.0001"});
        QVERIFY2(again.err.contains("using the spectrum result stored"), qPrintable(again.err));
        const auto c = nlohmann::json::parse(again.out.toStdString());
        QCOMPARE(c["trace"]["mean"], a["trace"]["mean"]);
        QVERIFY(c["outliers"]["manual"].get<bool>());
        QCOMPARE(c["outliers"]["edge"].get<double>(), 0.0001);
        QVERIFY(!a["outliers"]["manual"].get<bool>());
        // Every result says what made it.
        QCOMPARE(a["provenance"]["options"]["trace"].get<std::string>(), std::string("hutchpp"));
        QCOMPARE(a["provenance"]["options"]["seed"].get<int>(), 0);
        QCOMPARE(a["options"], a["provenance"]["options"]);
        QVERIFY(!a["provenance"]["basin_version"].get<std::string>().empty());
        QVERIFY(!a["provenance"]["inputs_key"].get<std::string>().empty());
    }

    void nonFiniteNumbersEndWithOneSentence() {
        expectRefusal({"spectrum", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data_inf.npz")},
                      "mlp_data_inf.npz: sample 5 of the inputs holds an infinite value");
        expectRefusal(
            {"spectrum", "--model", fixture("sqrt_relu.pt"), "--data", fixture("sqrt_relu_data.npz"), "--hvp", "exact"},
            "is not finite (NaN or infinity)");
        expectRefusal({"spectrum", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--tol", "nan"},
                      "spectrum option tol (--tol) is nan");
    }

    void everyNumberIsCheckedLikeTheStudysOwn() {
        const QStringList mlp = {"--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt")};
        const QStringList cnn = {"--model", fixture("cnn.pt"), "--data", fixture("cnn_data.npz")};
        expectRefusal(QStringList{"spectrum", "--max-hvp", "0"} + mlp, "spectrum option max_hvp (--max-hvp) is 0");
        expectRefusal(QStringList{"spectrum", "--max-hvp", "-1"} + mlp, "spectrum option max_hvp (--max-hvp) is -1");
        expectRefusal(QStringList{"spectrum", "--top", "0"} + mlp, "spectrum option top (--top) is 0");
        expectRefusal(QStringList{"spectrum", "--trace", "--probes", "-3"} + mlp, "trace_probes (--probes) is -3");
        expectRefusal(QStringList{"surface", "--range", "a:b"} + cnn, "--range 'a:b' is not A:B");
        expectRefusal(QStringList{"surface", "--range", "1:-1"} + cnn, "surface option range (--range) is 1:-1");
        expectRefusal(QStringList{"surface", "--grid", "100000x100000"} + cnn, "at most 1000000 points");
        expectRefusal(QStringList{"surface", "--grid", "5x0"} + cnn, "surface option ny (--grid) is 0");
        expectRefusal(QStringList{"sensitivity", "--bits", "1,4"} + mlp, "sensitivity option bits (--bits) is 1");
        expectRefusal(QStringList{"sensitivity", "--probes", "1"} + mlp, "sensitivity option probes (--probes) is 1");
        expectRefusal(QStringList{"structure", "--diag", "--probes", "1"} + mlp,
                      "structure option probes (--probes) is 1");
        expectRefusal(QStringList{"structure", "--blocks", "--steps", "1"} + mlp,
                      "structure option density_steps (--steps) is 1");
        expectRefusal(QStringList{"compare", "--path", "1", "--checkpoints", fixture("mlp.pt")} + mlp,
                      "compare option path_points (--path) is 1");
    }

    void aResumeOfAnotherSurfaceIsRefused() {
        QTemporaryDir tmp;
        const QString full = tmp.filePath("full.json"), part = tmp.filePath("part.json");
        const QStringList cnn = {"surface", "--model", fixture("cnn.pt"), "--data", fixture("cnn_data.npz"),
                                 "--dtype", "float64", "--grid",          "5x3",    "--batch",
                                 "16"};
        const Run whole = runCli(cnn + QStringList{"--out", full});
        QVERIFY2(whole.code == 0, qPrintable(whole.err));
        // As if interrupted: the last row not computed yet.
        QFile f(full);
        QVERIFY(f.open(QIODevice::ReadOnly));
        auto j = nlohmann::json::parse(f.readAll().toStdString());
        f.close();
        for (auto& v : j["loss"][2]) v = nullptr;
        for (auto& v : j["accuracy"][2]) v = nullptr;
        QFile p(part);
        QVERIFY(p.open(QIODevice::WriteOnly));
        p.write(QByteArray::fromStdString(j.dump()));
        p.close();
        expectRefusal(cnn + QStringList{"--resume", part, "--seed", "7"},
                      "cannot be resumed here: it was made with other");
        expectRefusal(cnn + QStringList{"--resume", part, "--norm", "layer"}, "norm \"filter\", not \"layer\"");
        expectRefusal(cnn + QStringList{"--resume", part, "--samples", "20"}, "other model or data bytes");
        const Run resumed = runCli(cnn + QStringList{"--resume", part});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        QVERIFY(resumed.err.contains("resuming: 10 of 15 points already computed"));
        QVERIFY(p.open(QIODevice::ReadOnly));
        const auto done = nlohmann::json::parse(p.readAll().toStdString());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto want = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(done["loss"], want["loss"]);  // a plain resume equals the grid done in one go
    }

    void compareMatchesSingleCheckpoints() {
        QTemporaryDir tmp;
        const QString c0 = fixture("cnn_ckpt0.pt"), c1 = fixture("cnn_ckpt1.pt"), c2 = fixture("cnn_ckpt2.pt");
        const QStringList common = {"--data",  fixture("cnn_data.npz"),
                                    "--dtype", "float64",
                                    "--hvp",   "exact",
                                    "--top",   "2",
                                    "--tol",   "1e-8",
                                    "--seed",  "5"};
        const Run r = runCli(QStringList{"compare", "--model", c0, "--checkpoints", c0 + "," + c1 + "," + c2, "--path",
                                         "5", "--json", "--csv", tmp.filePath("t.csv")} +
                             common);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["checkpoints"].size(), size_t(3));
        // Each row equals the single-checkpoint spectrum with the same seed and options.
        const Run one = runCli(QStringList{"spectrum", "--model", c1, "--which", "both", "--json"} + common);
        const auto s = nlohmann::json::parse(one.out.toStdString());
        QCOMPARE(j["checkpoints"][1]["lambda_max"].get<double>(), s["largest"]["eigenvalues"][0].get<double>());
        QCOMPARE(j["checkpoints"][1]["lambda_min"].get<double>(), s["smallest"]["eigenvalues"].back().get<double>());
        // The path's ends are the checkpoints' losses; the barrier is measured against them.
        const auto& path = j["path"];
        QCOMPARE(path["points"].size(), size_t(5));
        const auto& want = fx::expected()["surface"]["checkpoint_losses"];
        QVERIFY(std::abs(path["points"][0]["loss"].get<double>() - want[0].get<double>()) < 1e-12);
        QVERIFY(std::abs(path["points"][4]["loss"].get<double>() - want[2].get<double>()) < 1e-12);
        double highest = -1e300;
        for (const auto& p : path["points"]) highest = std::max(highest, p["loss"].get<double>());
        QVERIFY(std::abs(path["barrier_over_ends"].get<double>() -
                         (highest - std::max(want[0].get<double>(), want[2].get<double>()))) < 1e-12);
        QFile csv(tmp.filePath("t.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().count('\n'), 4);

        // With --cache, adding a checkpoint computes only that one.
        QVERIFY(writeStudy(tmp.filePath("s.json"), ", \"dtype\": \"float64\", \"hvp\": \"exact\", \"batch_size\": 16",
                           c0, fixture("cnn_data.npz")));
        const QStringList cached = {"compare", "--study", tmp.filePath("s.json"), "--top", "1", "--which",
                                    "largest", "--cache"};
        const Run two = runCli(cached + QStringList{"--checkpoints", c0 + "," + c1});
        QVERIFY2(two.out.contains("(2 computed, 0 from the study file)"), qPrintable(two.out + two.err));
        const Run three = runCli(cached + QStringList{"--checkpoints", c0 + "," + c1 + "," + c2});
        QVERIFY2(three.out.contains("(1 computed, 2 from the study file)"), qPrintable(three.out + three.err));
    }

    void compareTakesStateDictsBesideTorchScript() {
        // The same architecture's checkpoints as state dicts (one nested under "model" beside an
        // optimizer state) and as TorchScript: each row's loss is PyTorch's for those weights.
        const Run r =
            runCli({"compare", "--model", fixture("bn_arch.pt"), "--data", fixture("bn_data.npz"), "--checkpoints",
                    fixture("sd_plain.pt") + "," + fixture("sd_nested.pt") + "," + fixture("bn_ckpt_b.pt"), "--dtype",
                    "float64", "--hvp", "exact", "--top", "1", "--probes", "0", "--path", "3", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        const auto& want = fx::expected()["state_dicts"];
        QCOMPARE(j["checkpoints"].size(), size_t(3));
        for (auto [row, key] : {std::pair{0, "loss_b"}, std::pair{1, "loss_c"}, std::pair{2, "loss_b"}})
            QVERIFY(std::abs(j["checkpoints"][row]["loss"].get<double>() - want[key].get<double>()) < 1e-12);
        QVERIFY(std::abs(j["path"]["points"][0]["loss"].get<double>() - want["loss_b"].get<double>()) < 1e-12);
    }

    void infoNamesEachInputAndTheClassAxis() {
        const Run r = runCli({"info", "--model", fixture("causal_lm.pt"), "--data", fixture("causal_lm_data.npz"),
                              "--dtype", "float64"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("input      input_ids: 5 int64"), qPrintable(r.out));
        QVERIFY(r.out.contains("output     tensor: 5x7"));
        QVERIFY(r.out.contains("the classes on the last axis"));
        QVERIFY(r.out.contains("120 counted, 80 equal to ignore_index -100"));
        expectRefusal({"info", "--model", fixture("sdpa_model.pt"), "--data", fixture("token_data.npz")},
                      "aten::scaled_dot_product_attention");
    }

    void badInputExitsCleanly() {
        expectRefusal({"info", "--model", "/nonexistent/m.pt", "--data", fixture("mlp_data.pt")},
                      "/nonexistent/m.pt: file not found");
        expectRefusal({"info", "--model", fixture("state_dict.pt"), "--data", fixture("mlp_data.pt")},
                      "not TorchScript");
        expectRefusal({"info", "--model", fixture("newer_pytorch.pt"), "--data", fixture("mlp_data.pt")},
                      "newer PyTorch");
        expectRefusal({"info", "--model", fixture("mlp.pt"), "--data", fixture("arr_mismatch.npz")},
                      "arr_mismatch.npz");
        expectRefusal({"info", "--model", fixture("mlp.pt"), "--data", fixture("linreg.npz"), "--loss", "mse"},
                      "mlp.pt: the model failed");
        expectRefusal({"spectrum", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--exact",
                       "--exact-max", "10"},
                      "offered up to 10");
        expectRefusal({"info"}, "give a study");
        expectRefusal(
            {"sensitivity", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--budget", "lots"},
            "--budget 'lots'");
        expectRefusal({"surface", "--model", fixture("cnn.pt"), "--data", fixture("cnn_data.npz"), "--dirs",
                       fixture("arr_f32.npy"), "--grid", "5"},
                      "arr_f32.npy: holds a direction of 24 numbers");
        expectRefusal({"surface", "--model", fixture("cnn.pt"), "--data", fixture("cnn_data.npz"), "--grid", "5x3",
                       "--out", "/tmp/x.doc"},
                      "unknown surface format");
        expectRefusal({"info", "--study", "/nonexistent/s.json"}, "study file not found");
    }

    void versionSaysWhatWasBuilt() {
        const Run r = runCli({"--version"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("LibTorch"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
