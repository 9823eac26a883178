// basin-cli's curvature and training commands as a user runs them: curvature maps, probes, group
// surfaces, stability, batch scaling, per-batch spectra and resampling.
// Numbers are checked against the exact Hessian or PyTorch written by the fixture generator.
#include <QtTest/QtTest>

#include <QProcess>
#include <nlohmann/json.hpp>

#include "basin/sampling.h"
#include "cli_run.h"

using namespace cli_test;

class TestCliCurvature : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stabilityAndBatchScalingFromTheCommandLine() {
        const QStringList mlp{"--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"),
                              "--dtype", "float64",         "--tol",  "1e-10"};
        const Run r = runCli(QStringList{"stability", "--optimizer", fixture("opt_adam.pt"), "--json"} + mlp);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto row = nlohmann::json::parse(r.out.toStdString())["rows"][0];
        const auto& want = fx::expected()["stability"]["adam"];
        const double pre = want["preconditioned_lambda_max"].get<double>();
        QVERIFY(std::abs(row["preconditioned_lambda_max"].get<double>() - pre) < 1e-8 * pre);
        QCOMPARE(row["threshold"].get<double>(), want["threshold"].get<double>());
        expectRefusal(QStringList{"stability", "--optimizer", fixture("opt_other_model.pt")} + mlp,
                      "another model's optimizer");
        expectRefusal(QStringList{"stability", "--lr", "-1"} + mlp, "stability option lr (--lr) is -1");
        const Run b = runCli(QStringList{"batch-scaling", "--sizes", "8,16", "--batches", "2", "--json"} + mlp);
        QVERIFY2(b.code == 0, qPrintable(b.err));
        const auto j = nlohmann::json::parse(b.out.toStdString());
        QCOMPARE(int(j["rows"].size()), 2);
        const double full = fx::expected()["stability"]["lambda_max"].get<double>();
        QVERIFY(std::abs(j["full_lambda_max"].get<double>() - full) < 1e-8 * full);
        QVERIFY(!j["rows"][0].contains("trace") && j["full_trace"].is_null());
        // With --trace-probes, each batch's trace and the full one (their accuracy against the exact
        // Hessian's trace is checked in test_stability; here the plumbing).
        const Run t = runCli(
            QStringList{"batch-scaling", "--sizes", "8,16", "--batches", "2", "--trace-probes", "6", "--json"} + mlp);
        QVERIFY2(t.code == 0, qPrintable(t.err));
        const auto tj = nlohmann::json::parse(t.out.toStdString());
        QCOMPARE(tj["rows"][1]["trace"]["values"].size(), size_t(2));
        QVERIFY(tj["full_trace"].is_number());
        QCOMPARE(tj["options"]["trace_probes"].get<int>(), 6);
        // Adam's counterpart: the preconditioned λ1 per batch and the stable step it implies.
        const Run adam = runCli(QStringList{"batch-scaling", "--sizes", "8", "--batches", "2", "--optimizer",
                                            fixture("opt_adam.pt"), "--json"} +
                                mlp);
        QVERIFY2(adam.code == 0, qPrintable(adam.err));
        const auto aj = nlohmann::json::parse(adam.out.toStdString());
        const double b1 = fx::expected()["stability"]["adam"]["beta1"].get<double>();
        const double pre_mean = aj["rows"][0]["preconditioned"]["mean"].get<double>();
        QVERIFY(std::abs(aj["rows"][0]["preconditioned"]["stable_lr_adam"].get<double>() -
                         (2 + 2 * b1) / ((1 - b1) * pre_mean)) <= 1e-12 / pre_mean);
        const double full_pre = fx::expected()["stability"]["adam"]["preconditioned_lambda_max"].get<double>();
        QVERIFY(std::abs(aj["adam"]["full_preconditioned"].get<double>() - full_pre) < 1e-8 * full_pre);
        expectRefusal(QStringList{"batch-scaling", "--optimizer", fixture("opt_other_model.pt")} + mlp,
                      "opt_other_model.pt");
        expectRefusal(QStringList{"batch-scaling", "--trace-probes", "-1"} + mlp,
                      "batch-scaling option trace_probes (--trace-probes) is -1");
        expectRefusal(QStringList{"batch-scaling", "--sizes", "8,x"} + mlp,
                      "--sizes '8,x' is not a list of batch sizes");
        expectRefusal(QStringList{"batch-scaling", "--sizes", "64", "--batches", "2"} + mlp,
                      "2 disjoint batches of 64 need 128");
    }

    void stabilityReadsTheStudysOptimizersAndKeepsItsRows() {
        // A study listing each checkpoint's optimizer state; rows stored with --cache, reused while
        // the optimizer file's bytes stay, recomputed when they change; the tables as CSV.
        QTemporaryDir tmp;
        const QString opt = tmp.filePath("opt_0.pt"), study = tmp.filePath("s.basin.json");
        QVERIFY(QFile::copy(fixture("opt_adam.pt"), opt));
        QVERIFY(
            writeStudy(study, QString(", \"dtype\": \"float64\", \"hvp\": \"exact\", \"checkpoints\": [\"%1\"], "
                                      "\"optimizers\": [\"opt_0.pt\"], \"options\": {\"stability\": {\"tol\": 1e-10}, "
                                      "\"batch-scaling\": {\"sizes\": [8, 16], \"batches\": 2}}")
                                  .arg(fixture("mlp.pt"))));
        const QString csv = tmp.filePath("stability.csv");
        const QStringList args{"stability", "--study", study, "--cache", "--json", "--csv", csv};
        const Run first = runCli(args);
        QVERIFY2(first.code == 0, qPrintable(first.err));
        const auto row = nlohmann::json::parse(first.out.toStdString())["rows"][0];
        const double pre = fx::expected()["stability"]["adam"]["preconditioned_lambda_max"].get<double>();
        QVERIFY(std::abs(row["preconditioned_lambda_max"].get<double>() - pre) < 1e-8 * pre);
        QCOMPARE(row["optimizer"]["file"].get<std::string>(), opt.toStdString());
        QVERIFY(!first.err.contains("using the stability result stored"));
        const QStringList lines = QString::fromUtf8([&] {
                                      QFile c(csv);
                                      c.open(QIODevice::ReadOnly);
                                      return c.readAll();
                                  }())
                                      .split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines[0].startsWith("checkpoint,optimizer,lr"));
        QVERIFY(lines[1].contains(",adam,"));
        const Run second = runCli(args);
        QVERIFY(second.err.contains("using the stability result stored"));
        QCOMPARE(nlohmann::json::parse(second.out.toStdString())["rows"][0]["preconditioned_lambda_max"],
                 row["preconditioned_lambda_max"]);
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
        QVERIFY(writeStudy(
            study,
            QString(", \"checkpoints\": [\"%1\", \"%1\"], \"optimizers\": [\"opt_0.pt\"]").arg(fixture("mlp.pt"))));
        expectRefusal({"stability", "--study", study}, "s.basin.json");
    }

    void curvatureMapMatchesTheExactHessian() {
        // The fixture's 5 x 3 grid of the MLP along its direction files: PyTorch's exact eigenvalues.
        QTemporaryDir tmp;
        const QString json = tmp.filePath("m.json");
        const Run r = runCli({"curvature-map",
                              "--model",
                              fixture("mlp.pt"),
                              "--data",
                              fixture("mlp_data.pt"),
                              "--dtype",
                              "float64",
                              "--hvp",
                              "exact",
                              "--dirs",
                              fixture("mlp_dx.npy") + "," + fixture("mlp_dy.npy"),
                              "--grid",
                              "5x3",
                              "--range",
                              "-1:1,-0.5:0.5",
                              "--tol",
                              "1e-10",
                              "--max-hvp",
                              "99",
                              "--out",
                              json,
                              "--out",
                              tmp.filePath("m.h5"),
                              "--out",
                              tmp.filePath("m.vts"),
                              "--out",
                              tmp.filePath("m.csv")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        const auto& e = fx::expected()["curvature"];
        for (size_t y = 0; y < 3; ++y)
            for (size_t x = 0; x < 5; ++x)
                for (const char* key : {"lambda_max", "lambda_min"}) {
                    const double want = e[key][y][x].get<double>(), got = j["curvature"][key][y][x].get<double>();
                    QVERIFY2(std::abs(got - want) < 1e-8 * std::abs(want),
                             qPrintable(QString("%1 (%2,%3): %4 vs %5").arg(key).arg(x).arg(y).arg(got).arg(want)));
                }
        QCOMPARE(j["provenance"]["analysis"].get<std::string>(), std::string("curvature-map"));
        QVERIFY2(r.out.contains("H*v per point"), qPrintable(r.out));
        QVERIFY(r.out.contains("first coarse picture"));
        for (const char* out : {"m.h5", "m.vts", "m.csv"}) QVERIFY2(QFile::exists(tmp.filePath(out)), out);
    }

    void aCurvatureMapResumesAndRefusesOtherOptions() {
        QTemporaryDir tmp;
        const QString full = tmp.filePath("full.json"), part = tmp.filePath("part.json");
        const QStringList map = {"curvature-map",
                                 "--model",
                                 fixture("mlp.pt"),
                                 "--data",
                                 fixture("mlp_data.pt"),
                                 "--dtype",
                                 "float64",
                                 "--grid",
                                 "5x3",
                                 "--max-hvp",
                                 "99",
                                 "--cold",
                                 "--probes",
                                 "4",
                                 "--hvp",
                                 "exact"};
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
        expectRefusal(map + QStringList{"--resume", part, "--tol", "1e-6"}, "tol 1e-09, not 1e-06");
        expectRefusal(QStringList{"surface", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype",
                                  "float64", "--grid", "5x3", "--hvp", "exact", "--resume", part},
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
        const QStringList common = {
            "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype", "float64", "--seed",
            "3",       "--hvp",           "exact"};
        const QStringList spectrum = {"--top",     "3",  "--which", "both",     "--tol", "1e-10",
                                      "--max-hvp", "99", "--trace", "--probes", "8"};
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
        py.start("/usr/bin/python3", {"-c", script, fixture("mlp.pt"), tmp.filePath("d_x.npy"), tmp.filePath("d_y.npy"),
                                      tmp.filePath("moved.pt")});
        QVERIFY(py.waitForFinished(120000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        QStringList moved = common;
        moved[1] = tmp.filePath("moved.pt");
        const Run by_hand = runCli(QStringList{"spectrum", "--json"} + moved + spectrum);
        QVERIFY2(by_hand.code == 0, qPrintable(by_hand.err));
        const auto a = nlohmann::json::parse(probe.out.toStdString()),
                   b = nlohmann::json::parse(by_hand.out.toStdString());
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
        const Run r = runCli({"surface", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"), "--dtype",
                              "float64", "--group", "fc2", "--grid", "3x3", "--range", "-0.5:0.5", "--save-dirs",
                              tmp.filePath("g"), "--out", out});
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

    void curvatureFlagsAreCheckedLikeTheStudysOwn() {
        const QStringList mlp = {"--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt")};
        expectRefusal(QStringList{"curvature-map", "--max-hvp", "1"} + mlp,
                      "curvature-map option max_hvp (--max-hvp) is 1");
        expectRefusal(QStringList{"curvature-map", "--probes", "1"} + mlp,
                      "curvature-map option trace_probes (--probes) is 1");
        expectRefusal(QStringList{"curvature-map", "--tol", "0"} + mlp, "curvature-map option tol (--tol) is 0");
        expectRefusal(QStringList{"probe", "--at", "a,b"} + mlp, "--at 'a,b' is not X,Y");
        expectRefusal(QStringList{"probe", "--at", "1,2", "--line"} + mlp, "probe option at (--at) is 1,2");
        expectRefusal(QStringList{"surface", "--group", "nope"} + mlp, "surface option group (--group) is 'nope'");
        expectRefusal(QStringList{"surface", "--group", "fc1", "--dirs", "pca"} + mlp,
                      "surface option group (--group) is 'fc1' with pca");
    }

    void batchSpectraAndResampleFromTheCommandLine() {
        QTemporaryDir tmp;
        const QStringList mlp{"--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"),
                              "--dtype", "float64",         "--hvp",  "exact"};
        const QString csv = tmp.filePath("b.csv");
        const Run r = runCli(QStringList{"batch-spectra", "--size", "8", "--batches", "4", "--top-k", "2", "--tol",
                                         "1e-10", "--json", "--csv", csv} +
                             mlp);
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
        const Run two = runCli(QStringList{"batch-spectra", "--size", "8", "--batches", "2", "--top-k", "1",
                                           "--checkpoint", fixture("mlp.pt") + "," + fixture("mlp.pt"), "--json"} +
                               mlp);
        QVERIFY2(two.code == 0, qPrintable(two.err));
        const auto set = nlohmann::json::parse(two.out.toStdString());
        QCOMPARE(set["format"].get<std::string>(), std::string("basin-batch-spectra-set"));
        QCOMPARE(int(set["results"].size()), 2);
        QCOMPARE(set["overlay"]["largest"]["models"][0]["counts"], set["overlay"]["largest"]["models"][1]["counts"]);
        const Run table =
            runCli(QStringList{"batch-spectra", "--size", "8", "--batches", "2", "--which", "both"} + mlp);
        QVERIFY2(table.code == 0 && table.out.contains("histogram of the smallest eigenvalues"),
                 qPrintable(table.out + table.err));
        expectRefusal(QStringList{"batch-spectra", "--batches", "0"} + mlp,
                      "batch-spectra option batches (--batches) is 0");
        expectRefusal(QStringList{"batch-spectra", "--size", "16", "--batches", "5"} + mlp,
                      "5 disjoint batches of 16 need 80 samples");
        expectRefusal(QStringList{"batch-spectra", "--which", "middle"} + mlp, "largest, smallest or both");
        expectRefusal(QStringList{"batch-spectra", "--top-k", "0"} + mlp, "batch-spectra option top (--top-k) is 0");

        // resample: the cost first, then the full trace PyTorch computes, exact on this model.
        const QStringList lin{"--model", fixture("resample_linreg.pt"),
                              "--data",  fixture("resample_linreg.npz"),
                              "--loss",  "mse",
                              "--dtype", "float64"};
        const Run rs =
            runCli(QStringList{"resample", "--resamples", "5", "--subsample", "20", "--probes", "2", "--json"} + lin);
        QVERIFY2(rs.code == 0, qPrintable(rs.err));
        QVERIFY2(rs.err.contains("5 subsamples of 20 of the 60 samples") && rs.err.contains("H*v"), qPrintable(rs.err));
        const auto rj = nlohmann::json::parse(rs.out.toStdString());
        const double full = fx::expected()["sampling"]["resample"]["full_trace"].get<double>();
        QVERIFY(std::abs(rj["trace"]["full"].get<double>() - full) < 1e-12 * full);
        QCOMPARE(int(rj["trace"]["values"].size()), 5);
        expectRefusal(QStringList{"resample", "--subsample", "60"} + lin,
                      "resample option subsample (--subsample) is 60");
        expectRefusal(QStringList{"resample", "--resamples", "1"} + lin,
                      "resample option resamples (--resamples) is 1");
        expectRefusal(QStringList{"resample", "--target", "2"} + lin, "resample option target (--target) is 2");
        expectRefusal(QStringList{"resample", "--no-lambda-max", "--no-trace"} + lin, "at least one quantity");
    }
};

QTEST_GUILESS_MAIN(TestCliCurvature)
#include "test_cli_curvature.moc"
