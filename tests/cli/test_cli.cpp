// basin-cli as a user runs it: JSON numbers equal PyTorch's, bad input exits non-zero with one
// sentence naming the file on stderr and never a crash or a C++ backtrace.
#include <QtTest/QtTest>

#include <QProcess>
#include <set>
#include <nlohmann/json.hpp>

#include "../engine/fixtures.h"
#include "basin/sampling.h"

namespace {

struct Run {
    int code = -1;
    QString out, err;
    QProcess::ExitStatus status = QProcess::CrashExit;
};

Run runCli(QStringList args) {
    // One thread: these models are tiny, and ctest may run beside other work.
    if (!args.isEmpty() && !args.front().startsWith("--")) args << "--threads" << "1";
    QProcess p;
    // render starts Qt's GUI side, which warns on stderr without a runtime folder (xvfb-run under
    // ctest has none); the one-sentence checks read stderr, so the child gets a folder of its own.
    static QTemporaryDir runtime;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!env.contains("XDG_RUNTIME_DIR")) {
        QFile::setPermissions(runtime.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        env.insert("XDG_RUNTIME_DIR", runtime.path());
    }
    p.setProcessEnvironment(env);
    p.start(BASIN_CLI, args);
    p.waitForFinished(300000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()),
            p.exitStatus()};
}

QString fixture(const char* name) { return QString::fromStdString(fx::path(name)); }

}  // namespace

class TestCli : public QObject {
    Q_OBJECT

    void expectCleanError(const QStringList& args, const QString& fragment) {
        const Run r = runCli(args);
        QCOMPARE(r.status, QProcess::NormalExit);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(fragment), qPrintable(r.err));
        QVERIFY2(r.err.count('\n') == 1, qPrintable("one sentence expected, got: " + r.err));
        QVERIFY(!r.err.contains("terminate called"));
    }

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
        const Run r = runCli({"spectrum", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype",
                              "float64", "--top", "3", "--which", "both", "--tol", "1e-9", "--exact", "--trace", "hutchpp",
                              "--probes", "30", "--density", "--steps", "20", "--out", out, "--seed", "4"});
        QCOMPARE(r.code, 0);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(j["options"]["seed"].get<int>(), 4);
        QCOMPARE(j["trace"]["method"].get<std::string>(), std::string("hutchpp"));
        const auto& ex = j["exact_eigenvalues"];
        QCOMPARE(ex.size(), size_t(99));
        for (int i = 0; i < 3; ++i)
            QVERIFY(std::abs(j["largest"]["eigenvalues"][i].get<double>() - ex[i].get<double>()) < 1e-7 * ex[0].get<double>());
        QVERIFY(j["outliers"]["rule"].get<std::string>().find("largest relative gap") != std::string::npos);
        QVERIFY(r.out.contains("outliers"));  // the human table went to stdout
    }

    void surfaceMatchesPyTorch() {
        // The fixture's 5 x 3 grid (x in -1:1, y in -1:0.6) of the BatchNorm CNN, from its direction files.
        QTemporaryDir tmp;
        const QString json = tmp.filePath("s.json"), h5 = tmp.filePath("s.h5");
        const Run r = runCli({"surface", "--model", fixture("cnn.pt"), "--data", fixture("cnn_data.npz"), "--dtype", "float64",
                              "--batch", "16", "--dirs", fixture("cnn_dx.npy") + "," + fixture("cnn_dy.npy"), "--grid", "5x3",
                              "--range", "-1:1,-1:0.6", "--bn", "recompute", "--out", json, "--out", h5,
                              "--save-dirs", tmp.filePath("dirs")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        const auto& want = fx::expected()["surface"]["grid_recompute"];
        for (size_t y = 0; y < 3; ++y)
            for (size_t x = 0; x < 5; ++x) {
                const double w = want[y][x].get<double>(), got = j["loss"][y][x].get<double>();
                QVERIFY2(std::abs(got - w) < 1e-5 * w, qPrintable(QString("(%1,%2) %3 vs %4").arg(x).arg(y).arg(got).arg(w)));
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
    void stabilityAndBatchScalingFromTheCommandLine() {
        const QStringList mlp{"--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype", "float64", "--tol", "1e-10"};
        const Run r = runCli(QStringList{"stability", "--optimizer", fixture("opt_adam.pt"), "--json"} + mlp);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto row = nlohmann::json::parse(r.out.toStdString())["rows"][0];
        const auto& want = fx::expected()["stability"]["adam"];
        const double pre = want["preconditioned_lambda_max"].get<double>();
        QVERIFY(std::abs(row["preconditioned_lambda_max"].get<double>() - pre) < 1e-8 * pre);
        QCOMPARE(row["threshold"].get<double>(), want["threshold"].get<double>());
        expectCleanError(QStringList{"stability", "--optimizer", fixture("opt_other_model.pt")} + mlp, "another model's optimizer");
        expectCleanError(QStringList{"stability", "--lr", "-1"} + mlp, "stability option lr (--lr) is -1");
        const Run b = runCli(QStringList{"batch-scaling", "--sizes", "8,16", "--batches", "2", "--json"} + mlp);
        QVERIFY2(b.code == 0, qPrintable(b.err));
        const auto j = nlohmann::json::parse(b.out.toStdString());
        QCOMPARE(int(j["rows"].size()), 2);
        const double full = fx::expected()["stability"]["lambda_max"].get<double>();
        QVERIFY(std::abs(j["full_lambda_max"].get<double>() - full) < 1e-8 * full);
        expectCleanError(QStringList{"batch-scaling", "--sizes", "8,x"} + mlp, "--sizes '8,x' is not a list of batch sizes");
        expectCleanError(QStringList{"batch-scaling", "--sizes", "64", "--batches", "2"} + mlp, "2 disjoint batches of 64 need 128");
    }

    void stabilityReadsTheStudysOptimizersAndKeepsItsRows() {
        // A study listing each checkpoint's optimizer state; rows stored with --cache, reused while
        // the optimizer file's bytes stay, recomputed when they change; the tables as CSV.
        QTemporaryDir tmp;
        const QString opt = tmp.filePath("opt_0.pt"), study = tmp.filePath("s.basin.json");
        QVERIFY(QFile::copy(fixture("opt_adam.pt"), opt));
        QFile f(study);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QString("{\"format\": \"basin-study\", \"version\": 1, \"model\": \"%1\", \"data\": \"%2\", "
                        "\"dtype\": \"float64\", \"hvp\": \"exact\", \"checkpoints\": [\"%1\"], \"optimizers\": [\"opt_0.pt\"], "
                        "\"options\": {\"stability\": {\"tol\": 1e-10}, \"batch-scaling\": {\"sizes\": [8, 16], \"batches\": 2}}}")
                    .arg(fixture("mlp.pt"), fixture("mlp_data.pt"))
                    .toUtf8());
        f.close();
        const QString csv = tmp.filePath("stability.csv");
        const QStringList args{"stability", "--study", study, "--cache", "--json", "--csv", csv};
        const Run first = runCli(args);
        QVERIFY2(first.code == 0, qPrintable(first.err));
        const auto row = nlohmann::json::parse(first.out.toStdString())["rows"][0];
        const double pre = fx::expected()["stability"]["adam"]["preconditioned_lambda_max"].get<double>();
        QVERIFY(std::abs(row["preconditioned_lambda_max"].get<double>() - pre) < 1e-8 * pre);
        QCOMPARE(row["optimizer"]["file"].get<std::string>(), opt.toStdString());
        QVERIFY(!first.err.contains("using the stability result stored"));
        const QStringList lines = QString::fromUtf8([&] { QFile c(csv); c.open(QIODevice::ReadOnly); return c.readAll(); }()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines[0].startsWith("checkpoint,optimizer,lr"));
        QVERIFY(lines[1].contains(",adam,"));
        const Run second = runCli(args);
        QVERIFY(second.err.contains("using the stability result stored"));
        QCOMPARE(nlohmann::json::parse(second.out.toStdString())["rows"][0]["preconditioned_lambda_max"], row["preconditioned_lambda_max"]);
        // Another state under the same name: never answered from the store.
        QVERIFY(QFile::remove(opt) && QFile::copy(fixture("opt_adamw.pt"), opt));
        const Run third = runCli(args);
        QVERIFY2(third.code == 0, qPrintable(third.err));
        QVERIFY(!third.err.contains("using the stability result stored"));
        const double adamw = fx::expected()["stability"]["adamw"]["preconditioned_lambda_max"].get<double>();
        const auto changed = nlohmann::json::parse(third.out.toStdString())["rows"][0];
        QVERIFY(std::abs(changed["preconditioned_lambda_max"].get<double>() - adamw) < 1e-8 * adamw);
        // batch-scaling takes the study's options, and is stored and reused too.
        const QString bcsv = tmp.filePath("b.csv");
        const Run b1 = runCli({"batch-scaling", "--study", study, "--cache", "--json", "--csv", bcsv});
        QVERIFY2(b1.code == 0, qPrintable(b1.err));
        QCOMPARE(nlohmann::json::parse(b1.out.toStdString())["rows"].size(), size_t(2));
        QVERIFY(QFileInfo(bcsv).size() > 0);
        const Run b2 = runCli({"batch-scaling", "--study", study, "--cache", "--json"});
        QVERIFY(b2.err.contains("using the batch-scaling result stored"));
        QCOMPARE(b2.out, b1.out);
        // A list that does not fit the checkpoints is refused naming the study.
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QString("{\"format\": \"basin-study\", \"version\": 1, \"model\": \"%1\", \"data\": \"%2\", "
                        "\"checkpoints\": [\"%1\", \"%1\"], \"optimizers\": [\"opt_0.pt\"]}")
                    .arg(fixture("mlp.pt"), fixture("mlp_data.pt"))
                    .toUtf8());
        f.close();
        expectCleanError({"stability", "--study", study}, "s.basin.json");
    }

    void structureJsonOnTheMlp() {
        QTemporaryDir tmp;
        const QString out = tmp.filePath("s.json");
        const Run r = runCli({"structure", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype", "float64",
                              "--diag", "--exact", "--blocks", "--classes", "--align", fixture("mlp_data_b.pt"), "--top", "2",
                              "--prune", "1,3", "--steps", "8", "--align-probes", "4", "--out", out, "--seed", "2"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        QVERIFY(j["localisation"].is_null());  // asked for parts only
        for (const char* k : {"diag", "blocks", "classes", "align", "options", "provenance", "hvp_count", "eigen_hvp_count"})
            QVERIFY2(j.contains(k) && !j[k].is_null(), k);
        double trace = 0;
        const auto& H = fx::expected()["mlp"]["hessian"];
        for (size_t i = 0; i < H.size(); ++i) trace += H[i][i].get<double>();
        QVERIFY(std::abs(j["diag"]["trace"].get<double>() - trace) < 1e-10 * std::abs(trace));
        QCOMPARE(j["diag"]["removal"].size(), size_t(4));  // k = 1, 3 by saliency and by magnitude
        QCOMPARE(j["diag"]["removal"][0]["loss"].get<double>(), fx::expected()["structure"]["removal_channel"][0]["loss"].get<double>());
        QCOMPARE(j["classes"]["classes"].get<int>(), 3);
        QCOMPARE(j["align"]["head"]["scope"].get<std::string>(), std::string("fc2"));
        QCOMPARE(j["options"]["seed"].get<int>(), 2);
        QVERIFY(r.out.contains("Block-diagonal against full") && r.out.contains("least salient channels"));
        // Bad values: one sentence each.
        const QStringList mlp = {"structure", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt")};
        expectCleanError(mlp + QStringList{"--diag", "--prune", "0"}, "structure option prune (--prune) is 0");
        expectCleanError(mlp + QStringList{"--diag", "--prune", "a,b"}, "--prune 'a,b' is not a list of counts");
        expectCleanError(mlp + QStringList{"--prune-level", "filter"}, "it must be weight, channel or head");
        expectCleanError(mlp + QStringList{"--diag", "--prune-level", "head"}, "no attention heads");
        expectCleanError(mlp + QStringList{"--align", "/nonexistent/b.pt"}, "/nonexistent/b.pt");
        expectCleanError({"structure", "--model", fixture("linreg.pt"), "--data", fixture("linreg.npz"), "--loss", "mse", "--classes"},
                         "offered for the cross_entropy loss");
    }

    void cacheKeepsResultsInTheStudy() {
        QTemporaryDir tmp;
        const QString study = tmp.filePath("s.json");
        QFile f(study);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QString("{\"format\": \"basin-study\", \"version\": 1, \"model\": \"%1\", \"data\": \"%2\", "
                        "\"dtype\": \"float64\", \"hvp\": \"exact\", \"seed\": 3}")
                    .arg(fixture("mlp.pt"), fixture("mlp_data.pt")).toUtf8());
        f.close();
        const QStringList args = {"spectrum", "--study", study, "--top", "2", "--trace", "--probes", "8", "--cache", "--json"};
        const Run first = runCli(args);
        QVERIFY2(first.code == 0, qPrintable(first.err));
        QVERIFY(!first.err.contains("using the spectrum result stored"));
        const Run second = runCli(args);
        QCOMPARE(second.code, 0);
        QVERIFY(second.err.contains("using the spectrum result stored"));
        const auto a = nlohmann::json::parse(first.out.toStdString()), b = nlohmann::json::parse(second.out.toStdString());
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
        QFile f(study);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QString("{\"format\": \"basin-study\", \"version\": 1, \"model\": \"%1\", \"data\": \"%2\", "
                        "\"dtype\": \"float64\", \"hvp\": \"exact\"}")
                    .arg(fixture("mlp.pt"), fixture("mlp_data.pt")).toUtf8());
        f.close();
        const QStringList base = {"spectrum", "--study", study, "--top", "2", "--probes", "9", "--cache", "--json"};
        const Run hutchpp = runCli(base + QStringList{"--trace", "hutchpp"});
        QVERIFY2(hutchpp.code == 0, qPrintable(hutchpp.err));
        // Another trace method, another seed: computed, not taken from the study.
        const Run hutchinson = runCli(base + QStringList{"--trace", "hutchinson"});
        QVERIFY2(!hutchinson.err.contains("using the spectrum result stored"), qPrintable(hutchinson.err));
        const auto a = nlohmann::json::parse(hutchpp.out.toStdString()), b = nlohmann::json::parse(hutchinson.out.toStdString());
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
        expectCleanError({"spectrum", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data_inf.npz")},
                         "mlp_data_inf.npz: sample 5 of the inputs holds an infinite value");
        expectCleanError({"spectrum", "--model", fixture("sqrt_relu.pt"), "--data", fixture("sqrt_relu_data.npz"), "--hvp", "exact"},
                         "is not finite (NaN or infinity)");
        expectCleanError({"spectrum", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--tol", "nan"},
                         "spectrum option tol (--tol) is nan");
    }

    void everyNumberIsCheckedLikeTheStudysOwn() {
        const QStringList mlp = {"--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt")};
        const QStringList cnn = {"--model", fixture("cnn.pt"), "--data", fixture("cnn_data.npz")};
        expectCleanError(QStringList{"spectrum", "--max-hvp", "0"} + mlp, "spectrum option max_hvp (--max-hvp) is 0");
        expectCleanError(QStringList{"spectrum", "--max-hvp", "-1"} + mlp, "spectrum option max_hvp (--max-hvp) is -1");
        expectCleanError(QStringList{"spectrum", "--top", "0"} + mlp, "spectrum option top (--top) is 0");
        expectCleanError(QStringList{"spectrum", "--trace", "--probes", "-3"} + mlp, "trace_probes (--probes) is -3");
        expectCleanError(QStringList{"surface", "--range", "a:b"} + cnn, "--range 'a:b' is not A:B");
        expectCleanError(QStringList{"surface", "--range", "1:-1"} + cnn, "surface option range (--range) is 1:-1");
        expectCleanError(QStringList{"surface", "--grid", "100000x100000"} + cnn, "at most 1000000 points");
        expectCleanError(QStringList{"surface", "--grid", "5x0"} + cnn, "surface option ny (--grid) is 0");
        expectCleanError(QStringList{"sensitivity", "--bits", "1,4"} + mlp, "sensitivity option bits (--bits) is 1");
        expectCleanError(QStringList{"sensitivity", "--probes", "1"} + mlp, "sensitivity option probes (--probes) is 1");
        expectCleanError(QStringList{"structure", "--diag", "--probes", "1"} + mlp, "structure option probes (--probes) is 1");
        expectCleanError(QStringList{"structure", "--blocks", "--steps", "1"} + mlp, "structure option density_steps (--steps) is 1");
        expectCleanError(QStringList{"compare", "--path", "1", "--checkpoints", fixture("mlp.pt")} + mlp,
                         "compare option path_points (--path) is 1");
    }

    void aResumeOfAnotherSurfaceIsRefused() {
        QTemporaryDir tmp;
        const QString full = tmp.filePath("full.json"), part = tmp.filePath("part.json");
        const QStringList cnn = {"surface", "--model", fixture("cnn.pt"), "--data", fixture("cnn_data.npz"), "--dtype", "float64",
                                 "--grid", "5x3", "--batch", "16"};
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
        expectCleanError(cnn + QStringList{"--resume", part, "--seed", "7"}, "cannot be resumed here: it was made with other");
        expectCleanError(cnn + QStringList{"--resume", part, "--norm", "layer"}, "norm \"filter\", not \"layer\"");
        expectCleanError(cnn + QStringList{"--resume", part, "--samples", "20"}, "other model or data bytes");
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
        const QStringList common = {"--data", fixture("cnn_data.npz"), "--dtype", "float64", "--hvp", "exact", "--top", "2",
                                    "--tol", "1e-8", "--seed", "5"};
        const Run r = runCli(QStringList{"compare", "--model", c0, "--checkpoints", c0 + "," + c1 + "," + c2, "--path", "5",
                                         "--json", "--csv", tmp.filePath("t.csv")} + common);
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
        QVERIFY(std::abs(path["barrier_over_ends"].get<double>() - (highest - std::max(want[0].get<double>(), want[2].get<double>()))) < 1e-12);
        QFile csv(tmp.filePath("t.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().count('\n'), 4);

        // With --cache, adding a checkpoint computes only that one.
        QFile study(tmp.filePath("s.json"));
        QVERIFY(study.open(QIODevice::WriteOnly));
        study.write(QString("{\"format\": \"basin-study\", \"version\": 1, \"model\": \"%1\", \"data\": \"%2\", "
                            "\"dtype\": \"float64\", \"hvp\": \"exact\", \"batch_size\": 16}").arg(c0, fixture("cnn_data.npz")).toUtf8());
        study.close();
        const QStringList cached = {"compare", "--study", tmp.filePath("s.json"), "--top", "1", "--which", "largest", "--cache"};
        const Run two = runCli(cached + QStringList{"--checkpoints", c0 + "," + c1});
        QVERIFY2(two.out.contains("(2 computed, 0 from the study file)"), qPrintable(two.out + two.err));
        const Run three = runCli(cached + QStringList{"--checkpoints", c0 + "," + c1 + "," + c2});
        QVERIFY2(three.out.contains("(1 computed, 2 from the study file)"), qPrintable(three.out + three.err));
    }

    void compareTakesStateDictsBesideTorchScript() {
        // The same architecture's checkpoints as state dicts (one nested under "model" beside an
        // optimizer state) and as TorchScript: each row's loss is PyTorch's for those weights.
        const Run r = runCli({"compare", "--model", fixture("bn_arch.pt"), "--data", fixture("bn_data.npz"), "--checkpoints",
                              fixture("sd_plain.pt") + "," + fixture("sd_nested.pt") + "," + fixture("bn_ckpt_b.pt"),
                              "--dtype", "float64", "--hvp", "exact", "--top", "1", "--probes", "0", "--path", "3", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        const auto& want = fx::expected()["state_dicts"];
        QCOMPARE(j["checkpoints"].size(), size_t(3));
        for (auto [row, key] : {std::pair{0, "loss_b"}, std::pair{1, "loss_c"}, std::pair{2, "loss_b"}})
            QVERIFY(std::abs(j["checkpoints"][row]["loss"].get<double>() - want[key].get<double>()) < 1e-12);
        QVERIFY(std::abs(j["path"]["points"][0]["loss"].get<double>() - want["loss_b"].get<double>()) < 1e-12);
    }

    void infoNamesEachInputAndTheClassAxis() {
        const Run r = runCli({"info", "--model", fixture("causal_lm.pt"), "--data", fixture("causal_lm_data.npz"), "--dtype", "float64"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("input      input_ids: 5 int64"), qPrintable(r.out));
        QVERIFY(r.out.contains("output     tensor: 5x7"));
        QVERIFY(r.out.contains("the classes on the last axis"));
        QVERIFY(r.out.contains("120 counted, 80 equal to ignore_index -100"));
        expectCleanError({"info", "--model", fixture("sdpa_model.pt"), "--data", fixture("token_data.npz")},
                         "aten::scaled_dot_product_attention");
    }

    void badInputExitsCleanly() {
        expectCleanError({"info", "--model", "/nonexistent/m.pt", "--data", fixture("mlp_data.pt")}, "/nonexistent/m.pt: file not found");
        expectCleanError({"info", "--model", fixture("state_dict.pt"), "--data", fixture("mlp_data.pt")}, "not TorchScript");
        expectCleanError({"info", "--model", fixture("newer_pytorch.pt"), "--data", fixture("mlp_data.pt")}, "newer PyTorch");
        expectCleanError({"info", "--model", fixture("mlp.pt"), "--data", fixture("arr_mismatch.npz")}, "arr_mismatch.npz");
        expectCleanError({"info", "--model", fixture("mlp.pt"), "--data", fixture("linreg.npz"), "--loss", "mse"}, "mlp.pt: the model failed");
        expectCleanError({"spectrum", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--exact", "--exact-max", "10"}, "offered up to 10");
        expectCleanError({"info"}, "give a study");
        expectCleanError({"sensitivity", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--budget", "lots"}, "--budget 'lots'");
        expectCleanError({"surface", "--model", fixture("cnn.pt"), "--data", fixture("cnn_data.npz"), "--dirs", fixture("arr_f32.npy"), "--grid", "5"}, "arr_f32.npy: holds a direction of 24 numbers");
        expectCleanError({"surface", "--model", fixture("cnn.pt"), "--data", fixture("cnn_data.npz"), "--grid", "5x3", "--out", "/tmp/x.doc"}, "unknown surface format");
        expectCleanError({"info", "--study", "/nonexistent/s.json"}, "study file not found");
    }

    void curvatureMapMatchesTheExactHessian() {
        // The fixture's 5 x 3 grid of the MLP along its direction files: PyTorch's exact eigenvalues.
        QTemporaryDir tmp;
        const QString json = tmp.filePath("m.json");
        const Run r = runCli({"curvature-map", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype", "float64",
                              "--hvp", "exact", "--dirs", fixture("mlp_dx.npy") + "," + fixture("mlp_dy.npy"), "--grid", "5x3", "--range",
                              "-1:1,-0.5:0.5", "--tol", "1e-10", "--max-hvp", "99", "--out", json, "--out", tmp.filePath("m.h5"),
                              "--out", tmp.filePath("m.vts"), "--out", tmp.filePath("m.csv")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        const auto& e = fx::expected()["curvature"];
        for (size_t y = 0; y < 3; ++y)
            for (size_t x = 0; x < 5; ++x)
                for (const char* key : {"lambda_max", "lambda_min"}) {
                    const double want = e[key][y][x].get<double>(), got = j["curvature"][key][y][x].get<double>();
                    QVERIFY2(std::abs(got - want) < 1e-8 * std::abs(want), qPrintable(QString("%1 (%2,%3): %4 vs %5").arg(key).arg(x).arg(y).arg(got).arg(want)));
                }
        QCOMPARE(j["provenance"]["analysis"].get<std::string>(), std::string("curvature-map"));
        QVERIFY2(r.out.contains("H*v per point"), qPrintable(r.out));
        QVERIFY(r.out.contains("first coarse picture"));
        for (const char* out : {"m.h5", "m.vts", "m.csv"}) QVERIFY2(QFile::exists(tmp.filePath(out)), out);
    }

    void aCurvatureMapResumesAndRefusesOtherOptions() {
        QTemporaryDir tmp;
        const QString full = tmp.filePath("full.json"), part = tmp.filePath("part.json");
        const QStringList map = {"curvature-map", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype", "float64",
                                 "--grid", "5x3", "--max-hvp", "99", "--cold", "--probes", "4", "--hvp", "exact"};
        const QStringList tol = {"--tol", "1e-9"};
        const Run whole = runCli(map + tol + QStringList{"--out", full});
        QVERIFY2(whole.code == 0, qPrintable(whole.err));
        // As if interrupted: the last row not computed yet.
        QFile f(full);
        QVERIFY(f.open(QIODevice::ReadOnly));
        auto j = nlohmann::json::parse(f.readAll().toStdString());
        f.close();
        for (auto* m : {&j["loss"], &j["accuracy"]})
            for (auto& v : (*m)[2]) v = nullptr;
        for (auto it = j["curvature"].begin(); it != j["curvature"].end(); ++it)
            if (it.key() != "settings")
                for (auto& v : it.value()[2]) v = nullptr;
        QFile p(part);
        QVERIFY(p.open(QIODevice::WriteOnly));
        p.write(QByteArray::fromStdString(j.dump()));
        p.close();
        expectCleanError(map + QStringList{"--resume", part, "--tol", "1e-6"}, "tol 1e-09, not 1e-06");
        expectCleanError(QStringList{"surface", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype", "float64",
                                     "--grid", "5x3", "--hvp", "exact", "--resume", part},
                         "it is a curvature map, not a loss surface");
        const Run resumed = runCli(map + tol + QStringList{"--resume", part});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        QVERIFY(resumed.err.contains("resuming: 10 of 15 points already computed"));
        QVERIFY(p.open(QIODevice::ReadOnly));
        const auto done = nlohmann::json::parse(p.readAll().toStdString());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto want = nlohmann::json::parse(f.readAll().toStdString());
        // Cold starts and the same trace probes at every point: the resumed map is the same bits.
        QCOMPARE(done["curvature"]["lambda_max"], want["curvature"]["lambda_max"]);
        QCOMPARE(done["curvature"]["lambda_min"], want["curvature"]["lambda_min"]);
        QCOMPARE(done["curvature"]["trace"], want["curvature"]["trace"]);
    }

    void aProbeIsTheSpectrumOfWeightsMovedByHand() {
        QTemporaryDir tmp;
        const QStringList common = {"--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype", "float64", "--seed", "3",
                                    "--hvp", "exact"};
        const QStringList spectrum = {"--top", "3", "--which", "both", "--tol", "1e-10", "--max-hvp", "99", "--trace", "--probes", "8"};
        // The plane's directions, as a surface with the same seed draws them.
        const Run dirs = runCli(QStringList{"surface", "--grid", "3x3", "--save-dirs", tmp.filePath("d")} + common);
        QVERIFY2(dirs.code == 0, qPrintable(dirs.err));
        const Run probe = runCli(QStringList{"probe", "--at", "0.5,-0.25", "--json"} + common + spectrum);
        QVERIFY2(probe.code == 0, qPrintable(probe.err));
        // PyTorch moves the weights by hand and saves the model; basin-cli spectrum reads it.
        const QString script =
            "import sys, numpy as np, torch\n"
            "m = torch.jit.load(sys.argv[1]); dx = np.load(sys.argv[2]); dy = np.load(sys.argv[3])\n"
            "theta = torch.cat([p.detach().reshape(-1) for p in m.parameters()]).numpy()\n"
            "moved = theta + 0.5 * dx + (-0.25) * dy\n"
            "i = 0\n"
            "with torch.no_grad():\n"
            "    for p in m.parameters():\n"
            "        p.copy_(torch.from_numpy(moved[i:i + p.numel()]).view_as(p)); i += p.numel()\n"
            "m.save(sys.argv[4]); print('ok')\n";
        QProcess py;
        py.start("/usr/bin/python3", {"-c", script, fixture("mlp.pt"), tmp.filePath("d_x.npy"), tmp.filePath("d_y.npy"), tmp.filePath("moved.pt")});
        QVERIFY(py.waitForFinished(120000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        QStringList moved = common;
        moved[1] = tmp.filePath("moved.pt");
        const Run by_hand = runCli(QStringList{"spectrum", "--json"} + moved + spectrum);
        QVERIFY2(by_hand.code == 0, qPrintable(by_hand.err));
        const auto a = nlohmann::json::parse(probe.out.toStdString()), b = nlohmann::json::parse(by_hand.out.toStdString());
        const auto& ea = a["spectrum"]["eigenvalues"];
        const auto& eb = b["eigenvalues"];
        QCOMPARE(ea.size(), eb.size());
        for (size_t i = 0; i < ea.size(); ++i)
            QVERIFY2(std::abs(ea[i].get<double>() - eb[i].get<double>()) <= 1e-10 * std::abs(eb[0].get<double>()),
                     qPrintable(QString("%1: %2 vs %3").arg(i).arg(ea[i].get<double>()).arg(eb[i].get<double>())));
        QVERIFY(std::abs(a["spectrum"]["trace"]["mean"].get<double>() - b["trace"]["mean"].get<double>()) <=
                1e-10 * std::abs(b["trace"]["mean"].get<double>()));
        QCOMPARE(a["x"].get<double>(), 0.5);
        QCOMPARE(a["options"]["at"][1].get<double>(), -0.25);
        QCOMPARE(a["provenance"]["analysis"].get<std::string>(), std::string("probe"));
    }

    void aGroupsSurfaceMovesOnlyThatGroupAndIsPyTorchsLoss() {
        QTemporaryDir tmp;
        const QString out = tmp.filePath("g.json");
        const Run r = runCli({"surface", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype", "float64",
                              "--group", "fc2", "--grid", "3x3", "--range", "-0.5:0.5", "--save-dirs", tmp.filePath("g"), "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // PyTorch evaluates the same weights: zero outside fc2 in both directions, loss at each point.
        const QString script =
            "import sys, json, numpy as np, torch, torch.nn.functional as F\n"
            "m = torch.jit.load(sys.argv[1]); m.eval(); d = torch.load(sys.argv[2])\n"
            "dx = np.load(sys.argv[3]); dy = np.load(sys.argv[4]); s = json.load(open(sys.argv[5]))\n"
            "names = [n for n, _ in m.named_parameters()]; sizes = [p.numel() for p in m.parameters()]\n"
            "off = np.cumsum([0] + sizes)\n"
            "for n, a, b in zip(names, off[:-1], off[1:]):\n"
            "    if not n.startswith('fc2.'): assert not dx[a:b].any() and not dy[a:b].any(), n\n"
            "    elif n.endswith('weight'): assert dx[a:b].any(), n\n"
            "theta = torch.cat([p.detach().reshape(-1) for p in m.parameters()]).numpy()\n"
            "for j, y in enumerate(s['ycoordinates']):\n"
            "    for i, x in enumerate(s['xcoordinates']):\n"
            "        t = theta + x * dx + y * dy; k = 0\n"
            "        with torch.no_grad():\n"
            "            for p in m.parameters():\n"
            "                p.copy_(torch.from_numpy(t[k:k + p.numel()]).view_as(p)); k += p.numel()\n"
            "            want = F.cross_entropy(m(d['x']), d['y']).item()\n"
            "        got = s['loss'][j][i]\n"
            "        assert abs(got - want) <= 1e-10 * abs(want), (i, j, got, want)\n"
            "print('ok')\n";
        QProcess py;
        py.start("/usr/bin/python3", {"-c", script, fixture("mlp.pt"), fixture("mlp_data.pt"), tmp.filePath("g_x.npy"),
                                      tmp.filePath("g_y.npy"), out});
        QVERIFY(py.waitForFinished(120000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        QCOMPARE(py.readAllStandardOutput().trimmed(), QByteArray("ok"));
    }

    void renderDrawsACurvatureMapAndProbesInThePaperStyles() {
        QTemporaryDir tmp;
        const QString study = tmp.filePath("s.json");
        QFile f(study);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QString("{\"format\": \"basin-study\", \"version\": 1, \"model\": \"%1\", \"data\": \"%2\", "
                        "\"dtype\": \"float64\", \"hvp\": \"exact\"}")
                    .arg(fixture("mlp.pt"), fixture("mlp_data.pt")).toUtf8());
        f.close();
        const QString map = tmp.filePath("map.pdf"), probes = tmp.filePath("probes.png");
        const Run a = runCli({"render", study, "--view", "curvature-map", "--field", "lambda_min", "--grid", "5x5", "--style",
                              "paper-2col", "--probe", "0.5,0.5", "--out", map, "--cache"});
        QVERIFY2(a.code == 0, qPrintable(a.err));
        const Run b = runCli({"render", study, "--view", "spectrum", "--grid", "5x5", "--probe", "0.5,0.5", "--probe", "-0.5,0.25",
                              "--style", "paper-1col", "--out", probes});
        QVERIFY2(b.code == 0, qPrintable(b.err));
        QVERIFY(QFileInfo(map).size() > 0);
        // Beside each figure: what made every number in it.
        auto settings = [](const QString& path) {
            QFile s(path + ".json");
            return s.open(QIODevice::ReadOnly) ? nlohmann::json::parse(s.readAll().toStdString()) : nlohmann::json();
        };
        QCOMPARE(settings(probes)["pixels"][0].get<int>(), 1050);  // 3.5 in at 300 dpi
        // The settings are kept in a variable: a range-for over a temporary's member would dangle.
        std::multiset<std::string> analyses;
        const nlohmann::json map_settings = settings(map), probe_settings = settings(probes);
        for (const auto& r : map_settings["results"]) analyses.insert(r["analysis"].get<std::string>());
        QCOMPARE(analyses, (std::multiset<std::string>{"curvature-map", "probe"}));
        analyses.clear();
        for (const auto& r : probe_settings["results"]) analyses.insert(r["analysis"].get<std::string>());
        QCOMPARE(analyses, (std::multiset<std::string>{"spectrum", "probe", "probe"}));
        // The map and the probe were stored in the study (--cache): drawn again, nothing is computed.
        const Run again = runCli({"render", study, "--view", "curvature-map", "--field", "lambda_min", "--grid", "5x5", "--probe",
                                  "0.5,0.5", "--out", map});
        QVERIFY2(again.err.contains("using the curvature-map result stored") && again.err.contains("using the probe result stored"),
                 qPrintable(again.err));
        expectCleanError({"render", study, "--view", "curvature-map", "--field", "lambda", "--out", map}, "--field 'lambda' is not one of");
    }

    void curvatureFlagsAreCheckedLikeTheStudysOwn() {
        const QStringList mlp = {"--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt")};
        expectCleanError(QStringList{"curvature-map", "--max-hvp", "1"} + mlp, "curvature-map option max_hvp (--max-hvp) is 1");
        expectCleanError(QStringList{"curvature-map", "--probes", "1"} + mlp, "curvature-map option trace_probes (--probes) is 1");
        expectCleanError(QStringList{"curvature-map", "--tol", "0"} + mlp, "curvature-map option tol (--tol) is 0");
        expectCleanError(QStringList{"probe", "--at", "a,b"} + mlp, "--at 'a,b' is not X,Y");
        expectCleanError(QStringList{"probe", "--at", "1,2", "--line"} + mlp, "probe option at (--at) is 1,2");
        expectCleanError(QStringList{"surface", "--group", "nope"} + mlp, "surface option group (--group) is 'nope'");
        expectCleanError(QStringList{"surface", "--group", "fc1", "--dirs", "pca"} + mlp, "surface option group (--group) is 'fc1' with pca");
    }

    void batchSpectraAndResampleFromTheCommandLine() {
        QTemporaryDir tmp;
        const QStringList mlp{"--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype", "float64", "--hvp", "exact"};
        const QString csv = tmp.filePath("b.csv");
        const Run r = runCli(QStringList{"batch-spectra", "--size", "8", "--batches", "4", "--top-k", "2", "--tol", "1e-10",
                                         "--json", "--csv", csv} + mlp);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        // The engine's numbers for the same options (the engine test holds them to PyTorch's exact Hessians).
        basin::BatchSpectraOptions o;
        o.batch_size = 8;
        o.batches = 4;
        o.top_k = 2;
        o.tol = 1e-10;
        const basin::StudySpec spec = fx::spec("mlp.pt", "mlp_data.pt", basin::Loss::CrossEntropy);
        auto objective = basin::Objective::open(spec);
        const auto want = basin::computeBatchSpectra(objective, o);
        QCOMPARE(int(j["batches"].size()), 4);
        for (size_t k = 0; k < 4; ++k) {
            QCOMPARE(j["batches"][k]["samples"].get<std::vector<int64_t>>(), want.batches[k].samples);
            const double l = want.batches[k].largest[0];
            QVERIFY(std::abs(j["batches"][k]["largest"][0].get<double>() - l) < 1e-8 * l);
        }
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QString(f.readAll()).count('\n'), 1 + 4 * 2);
        // Two models: one set each, and their histograms on common bins (the overlay).
        const Run two = runCli(QStringList{"batch-spectra", "--size", "8", "--batches", "2", "--top-k", "1", "--checkpoint",
                                           fixture("mlp.pt") + "," + fixture("mlp.pt"), "--json"} + mlp);
        QVERIFY2(two.code == 0, qPrintable(two.err));
        const auto set = nlohmann::json::parse(two.out.toStdString());
        QCOMPARE(set["format"].get<std::string>(), std::string("basin-batch-spectra-set"));
        QCOMPARE(int(set["results"].size()), 2);
        QCOMPARE(set["overlay"]["largest"]["models"][0]["counts"], set["overlay"]["largest"]["models"][1]["counts"]);
        const Run table = runCli(QStringList{"batch-spectra", "--size", "8", "--batches", "2", "--which", "both"} + mlp);
        QVERIFY2(table.code == 0 && table.out.contains("histogram of the smallest eigenvalues"), qPrintable(table.out + table.err));
        expectCleanError(QStringList{"batch-spectra", "--batches", "0"} + mlp, "batch-spectra option batches (--batches) is 0");
        expectCleanError(QStringList{"batch-spectra", "--size", "16", "--batches", "5"} + mlp, "5 disjoint batches of 16 need 80 samples");
        expectCleanError(QStringList{"batch-spectra", "--which", "middle"} + mlp, "largest, smallest or both");
        expectCleanError(QStringList{"batch-spectra", "--top-k", "0"} + mlp, "batch-spectra option top (--top-k) is 0");

        // resample: the cost first, then the full trace PyTorch computes, exact on this model.
        const QStringList lin{"--model", fixture("resample_linreg.pt"), "--data", fixture("resample_linreg.npz"), "--loss", "mse",
                              "--dtype", "float64"};
        const Run rs = runCli(QStringList{"resample", "--resamples", "5", "--subsample", "20", "--probes", "2", "--json"} + lin);
        QVERIFY2(rs.code == 0, qPrintable(rs.err));
        QVERIFY2(rs.err.contains("5 subsamples of 20 of the 60 samples") && rs.err.contains("H*v"), qPrintable(rs.err));
        const auto rj = nlohmann::json::parse(rs.out.toStdString());
        const double full = fx::expected()["sampling"]["resample"]["full_trace"].get<double>();
        QVERIFY(std::abs(rj["trace"]["full"].get<double>() - full) < 1e-12 * full);
        QCOMPARE(int(rj["trace"]["values"].size()), 5);
        expectCleanError(QStringList{"resample", "--subsample", "60"} + lin, "resample option subsample (--subsample) is 60");
        expectCleanError(QStringList{"resample", "--resamples", "1"} + lin, "resample option resamples (--resamples) is 1");
        expectCleanError(QStringList{"resample", "--target", "2"} + lin, "resample option target (--target) is 2");
        expectCleanError(QStringList{"resample", "--no-lambda-max", "--no-trace"} + lin, "at least one quantity");
    }

    void versionSaysWhatWasBuilt() {
        const Run r = runCli({"--version"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("LibTorch"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
