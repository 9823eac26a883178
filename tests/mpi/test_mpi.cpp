// basin-cli under mpirun gives the numbers of one process: eigenvalues, trace and surfaces, to
// 1e-10 in float64 and 1e-5 in float32; a rank that fails ends the run quickly and non-zero.
#include <QtTest/QtTest>

#include <QElapsedTimer>
#include <QProcess>
#include <nlohmann/json.hpp>

#include "../engine/fixtures.h"

namespace {

struct Run {
    int code = -1;
    QString out, err;
};

Run run(int ranks, QStringList args) {
    args << "--threads"
         << "1";
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("OMPI_ALLOW_RUN_AS_ROOT", "1");  // CI runs as root
    env.insert("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    env.insert("OMPI_MCA_rmaps_base_oversubscribe", "1");  // 3 ranks on 2 cores
    p.setProcessEnvironment(env);
    if (ranks == 0) {
        p.start(BASIN_CLI, args);
    } else {
        p.start(MPIRUN, QStringList{"-np", QString::number(ranks), BASIN_CLI} + args);
    }
    p.waitForFinished(300000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

nlohmann::json jsonOf(const Run& r) {
    if (r.code != 0) qWarning("%s", qPrintable(r.err));
    return nlohmann::json::parse(r.out.toStdString());
}

QString fixture(const char* name) { return QString::fromStdString(fx::path(name)); }

void compare(const nlohmann::json& a, const nlohmann::json& b, double tol, const char* what) {
    QCOMPARE(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].is_array()) {
            compare(a[i], b[i], tol, what);
            continue;
        }
        const double x = a[i].get<double>(), y = b[i].get<double>();
        QVERIFY2(std::abs(x - y) <= tol * std::max(1.0, std::abs(x)),
                 qPrintable(QString("%1: %2 vs %3").arg(what).arg(x).arg(y)));
    }
}

}  // namespace

class TestMpi : public QObject {
    Q_OBJECT

    void spectrumAgrees(const QString& dtype, double tol, const QString& hvp = "exact") {
        const QStringList args = {"spectrum",
                                  "--model",
                                  fixture("cnn.pt"),
                                  "--data",
                                  fixture("cnn_data.npz"),
                                  "--batch",
                                  "8",
                                  "--dtype",
                                  dtype,
                                  "--top",
                                  "3",
                                  "--which",
                                  "both",
                                  "--tol",
                                  "1e-9",
                                  "--max-hvp",
                                  "150",
                                  "--trace",
                                  "--probes",
                                  "12",
                                  "--hvp",
                                  "exact",
                                  "--json"};
        const auto one = jsonOf(run(0, args));
        QStringList sharded = args;
        sharded[sharded.indexOf("exact")] = hvp;
        for (int ranks : {2, 3}) {
            const auto many = jsonOf(run(ranks, sharded));
            compare(one["eigenvalues"], many["eigenvalues"], tol, "eigenvalues");
            QVERIFY(std::abs(one["trace"]["mean"].get<double>() - many["trace"]["mean"].get<double>()) <=
                    tol * std::abs(one["trace"]["mean"].get<double>()));
        }
    }

private Q_SLOTS:
    void spectrumFloat64() { spectrumAgrees("float64", 1e-10); }
    void spectrumFloat32() { spectrumAgrees("float32", 1e-5); }
    // auto's first products (reuse building its graphs, reuse timed, exact timed) and its choice
    // are collective: every process makes the same products, and the numbers are exact's.
    void spectrumWithAutoAcrossProcesses() { spectrumAgrees("float64", 1e-10, "auto"); }

    void sensitivityFloat64() {
        const QStringList args = {"sensitivity", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt"),
                                  "--dtype",     "float64", "--probes",        "8",      "--tol",
                                  "1e-9",        "--hvp",   "exact",           "--json"};
        const auto one = jsonOf(run(0, args)), two = jsonOf(run(2, args));
        for (size_t g = 0; g < one["groups"].size(); ++g) {
            const double a = one["groups"][g]["trace"].get<double>(), b = two["groups"][g]["trace"].get<double>();
            QVERIFY(std::abs(a - b) <= 1e-10 * std::max(1.0, std::abs(a)));
        }
    }

    void surfaceGrid() {
        QTemporaryDir tmp;
        auto args = [&](const QString& out) {
            return QStringList{"surface",
                               "--model",
                               fixture("cnn.pt"),
                               "--data",
                               fixture("cnn_data.npz"),
                               "--dtype",
                               "float64",
                               "--batch",
                               "16",
                               "--grid",
                               "7x5",
                               "--out",
                               out};
        };
        QCOMPARE(run(0, args(tmp.filePath("one.json"))).code, 0);
        for (int ranks : {2, 3}) {
            const QString out = tmp.filePath(QString("many%1.json").arg(ranks));
            QCOMPARE(run(ranks, args(out)).code, 0);
            QFile a(tmp.filePath("one.json")), b(out);
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            const auto ja = nlohmann::json::parse(a.readAll().toStdString()),
                       jb = nlohmann::json::parse(b.readAll().toStdString());
            QVERIFY(jb["complete"].get<bool>());
            compare(ja["loss"], jb["loss"], 1e-10, "surface");
        }
    }

    void curvatureMapGrid() {
        // Cold starts do not depend on which rank computed which point: the same bits. Warm starts
        // come from each rank's own neighbours: the same map to the tolerance.
        QTemporaryDir tmp;
        for (const bool cold : {true, false}) {
            auto args = [&](const QString& out) {
                QStringList a{"curvature-map",
                              "--model",
                              fixture("mlp.pt"),
                              "--data",
                              fixture("mlp_data.pt"),
                              "--dtype",
                              "float64",
                              "--grid",
                              "5x4",
                              "--tol",
                              "1e-10",
                              "--max-hvp",
                              "99",
                              "--probes",
                              "4",
                              "--hvp",
                              "exact",
                              "--out",
                              out};
                if (cold) a << "--cold";
                return a;
            };
            QCOMPARE(run(0, args(tmp.filePath("one.json"))).code, 0);
            QCOMPARE(run(2, args(tmp.filePath("two.json"))).code, 0);
            QFile a(tmp.filePath("one.json")), b(tmp.filePath("two.json"));
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            const auto ja = nlohmann::json::parse(a.readAll().toStdString()),
                       jb = nlohmann::json::parse(b.readAll().toStdString());
            QVERIFY(jb["complete"].get<bool>());
            compare(ja["loss"], jb["loss"], 1e-12, "loss");
            for (const char* key : {"lambda_max", "lambda_min", "trace"})
                compare(ja["curvature"][key], jb["curvature"][key], cold ? 1e-12 : 1e-8, key);
            if (cold) QCOMPARE(ja["curvature"]["hvp"], jb["curvature"]["hvp"]);
        }
    }

    void aFailingRankEndsTheRun() {
        QTemporaryDir tmp;
        // Rank 0 has its shard, rank 1's is missing.
        QFile::copy(fixture("cnn_data.npz"), tmp.filePath("shard_0.npz"));
        QElapsedTimer t;
        t.start();
        const Run r = run(2, {"info", "--model", fixture("cnn.pt"), "--data", tmp.filePath("shard_{rank}.npz")});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("rank 1 of 2") && r.err.contains("shard_1.npz: file not found"), qPrintable(r.err));
        QVERIFY2(t.elapsed() < 60000, "a failed rank must not leave the others waiting");
    }
};

QTEST_GUILESS_MAIN(TestMpi)
#include "test_mpi.moc"
