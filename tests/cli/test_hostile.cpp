// basin-cli against hostile input (issue #15): each class of damaged, malicious or odd input a
// user can give exits 1 with one sentence on stderr naming the file (never a crash, a C++
// backtrace, a hang or a silently wrong number); valid-but-odd input gives the right numbers.
#include <QtTest/QtTest>

#include <QProcess>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include "cli_run.h"

using namespace cli_test;

namespace {

QString hostile(const QString& name) { return fixture("hostile/" + name); }

}  // namespace

class TestHostile : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;

    void infoRefuses(const QString& data, const QString& fragment, const QString& targets = {}) {
        QStringList args{"info", "--model", fixture("mlp.pt"), "--data", data};
        if (!targets.isEmpty()) args << "--targets" << targets;
        expectRefusal(args, fragment);
    }

    QString writeFile(const QString& name, const QByteArray& bytes) {
        QFile f(tmp_.filePath(name));
        if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(name));
        f.write(bytes);
        return f.fileName();
    }

    QString study(const QString& name, const QString& extra) {
        return writeFile(name,
                         QString("{\"format\": \"basin-study\", \"version\": 1, \"model\": \"%1\", \"data\": \"%2\"%3}")
                             .arg(fixture("mlp.pt"), fixture("mlp_data.pt"), extra)
                             .toUtf8());
    }

private Q_SLOTS:
    void impossibleHeaders() {
        infoRefuses(hostile("negative_dim.npy"), "negative_dim.npy: has a negative dimension (-1)");
        infoRefuses(hostile("overflow_dim.npy"), "overflow_dim.npy: declares an array too large to exist");
        infoRefuses(hostile("dims255-idx3-ubyte"), "dims255-idx3-ubyte: its IDX header declares 255 dimensions",
                    hostile("labels-idx1-ubyte"));
        infoRefuses(hostile("overflow-idx3-ubyte"), "too large to exist", hostile("labels-idx1-ubyte"));
    }

    void zeroSamples() {
        infoRefuses(hostile("zero_samples.npy"), "zero_samples.npy: holds an empty array",
                    hostile("zero_samples_y.npy"));
        infoRefuses(hostile("zero_samples.pt"), "zero_samples.pt: entry 'x' is empty (shape [0, 6])");
    }

    void damagedArchivesAndStreams() {
        infoRefuses(hostile("badcrc.npz"), "badcrc.npz:x.npy: fails its CRC-32 check");
        infoRefuses(hostile("declared_size.npz"), "says the entry holds 1048576 bytes");
        infoRefuses(hostile("bomb-idx3-ubyte.gz"), "holds more data than its IDX header describes",
                    hostile("labels-idx1-ubyte"));
        infoRefuses(hostile("badcrc-idx3-ubyte.gz"), "incorrect data check", hostile("labels-idx1-ubyte"));
        infoRefuses(hostile("nul.csv"), "nul.csv: line 3 holds a NUL byte");
    }

    void torchSaveTensors() {
        infoRefuses(hostile("quantized.pt"), "quantized.pt: entry 'x' is a quantized tensor");
        infoRefuses(hostile("short_record.pt"), "short_record.pt: its weight record 'data/0' holds 1536 bytes");
        infoRefuses(hostile("small_storage.pt"),
                    "small_storage.pt: the tensor's shape, strides and offset reach 3072 bytes");
        // The untouched original: the loss PyTorch computes.
        const Run r = runCli(
            {"info", "--model", fixture("mlp.pt"), "--data", hostile("data_ok.pt"), "--dtype", "float64", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const double want = fx::expected()["mlp"]["loss"].get<double>();
        QVERIFY(std::abs(nlohmann::json::parse(r.out.toStdString())["loss"].get<double>() - want) < 1e-10 * want);
    }

    void filesThatAreNotFiles() {
        const QString pipe = tmp_.filePath("model.pt");
        QVERIFY(::mkfifo(pipe.toLocal8Bit().constData(), 0600) == 0);
        // Before: open() waited forever for a writer.
        expectRefusal({"info", "--model", pipe, "--data", fixture("mlp_data.pt")}, "model.pt: is a FIFO", 30000);
        expectRefusal({"info", "--model", fixture("mlp.pt"), "--data", pipe}, "is a FIFO", 30000);
        expectRefusal({"info", "--model", "/dev/zero", "--data", fixture("mlp_data.pt")}, "/dev/zero: is a device");
        expectRefusal({"info", "--model", fixture("mlp.pt"), "--data", "/dev/zero"}, "/dev/zero: is a device");
        expectRefusal({"info", "--study", pipe}, "is a FIFO", 30000);
    }

    void hostileStudies() {
        // Nested 100000 deep: parsed, it overflowed the stack when the study was written back.
        const QString deep = study("deep.json", ", \"extra\": " + QString(100000, '[') + QString(100000, ']'));
        expectRefusal({"spectrum", "--study", deep, "--top", "1", "--cache"},
                      "deep.json: nests values more than 128 levels deep");
        const QString base = "{\"format\": \"basin-study\", \"version\": %1}";
        expectRefusal({"info", "--study", writeFile("v1.json", base.arg("\"1\"").toUtf8())},
                      "\"version\" must be a whole number");
        expectRefusal({"info", "--study", writeFile("v2.json", base.arg("null").toUtf8())},
                      "\"version\" must be a whole number");
        expectRefusal({"spectrum", "--study", study("r.json", ", \"results\": 3"), "--cache"},
                      "\"results\" must be a JSON object");
    }

    void resumeFileWithAnEmptyAccuracy() {
        const QString partial = writeFile("partial.json", R"({"format": "basin-surface", "version": 1,
            "xcoordinates": [-1, 0, 1], "ycoordinates": [-1, 0, 1], "loss": [[1, 2, 3], [1, 2, 3], [1, 2, null]], "accuracy": []})");
        expectRefusal({"surface", "--model", fixture("cnn.pt"), "--data", fixture("cnn_data.npz"), "--grid", "3x3",
                       "--range=-1:1,-1:1", "--resume", partial},
                      "partial.json: the accuracy has 0 rows for 3 y coordinates");
    }

    void numbersOnTheCommandLineFollowTheStudysRules() {
        const QStringList base{"info", "--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt")};
        expectRefusal(base + QStringList{"--samples", "-5"}, "--samples must be 0 (all) or positive, not -5");
        expectRefusal(base + QStringList{"--batch", "-1"}, "--batch must be positive, not -1");
        expectRefusal(base + QStringList{"--batch", "0"}, "--batch must be positive, not 0");
        expectRefusal(base + QStringList{"--threads", "-1"}, "--threads must be 0 (all cores) or positive, not -1");
        expectRefusal(base + QStringList{"--seed", "-1"}, "--seed must be 0 or positive, not -1");
        expectRefusal(base + QStringList{"--hvp-tol", "-1"},
                      "--hvp-tol must be at least 0 and below 1 (0 = the default), not -1");
        // The same sentence as the study file's (the study's key in place of the flag).
        expectRefusal({"info", "--study", study("neg.json", ", \"samples\": -5")},
                      "samples must be 0 (all) or positive, not -5");
        // --samples 0 still means all of them.
        const Run r = runCli(base + QStringList{"--samples", "0", "--json"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(nlohmann::json::parse(r.out.toStdString())["samples"].get<int>(), 64);
    }

    void parseErrorsAreOneSentence() {
        expectRefusal({"info", "--samples", "abc"}, "--samples");
        expectRefusal({"info", "--no-such-flag"}, "--no-such-flag");
        expectRefusal({"spectrum", "--top"}, "--top");
        expectRefusal({"no-such-command"}, "no-such-command");
        const Run help = runProgram(BASIN_CLI, {"--help"});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains("spectrum"));
    }

    void nonUtf8PathWithJson() {
        // QProcess takes QStrings, which cannot hold the byte 0xFF of a file name: go through sh.
        const QString dir = tmp_.path();
        // The file is removed by the script: QTemporaryDir could not name it to remove it.
        const QString script = QString(
                                   "f=\"$(printf '%2/m\\377.pt')\"; cp '%1' \"$f\" && '%3' info --model \"$f\" "
                                   "--data '%4' --threads 1 --json; rc=$?; rm -f \"$f\"; exit $rc")
                                   .arg(fixture("mlp.pt"), dir, BASIN_CLI, fixture("mlp_data.pt"));
        const Run r = runProgram("/bin/sh", {"-c", script});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(j["model"].get<std::string>().ends_with("/m\xEF\xBF\xBD.pt"));  // U+FFFD in place of the byte
        QCOMPARE(j["parameters"].get<int>(), 99);
    }

    // The analyses' own numbers (the options redesign of #14 validates them): refused, no crash.
    void analysisOptionsAreRefusedInOneSentence() {
        const QStringList mlp{"--model", fixture("mlp.pt"), "--data", fixture("mlp_data.pt")};
        expectRefusal(QStringList{"spectrum"} + mlp + QStringList{"--max-hvp", "0"}, "--max-hvp");  // was SIGSEGV
        expectRefusal(QStringList{"spectrum"} + mlp + QStringList{"--max-hvp", "-1"}, "--max-hvp");
        expectRefusal(QStringList{"surface"} + mlp + QStringList{"--range", "a:b"}, "--range");
        expectRefusal(QStringList{"surface"} + mlp + QStringList{"--grid", "100000x100000"},
                      "--grid");  // was bad_alloc
    }

    // A model whose weight record is shorter than its pickle says: the loader checks the archive
    // (detail::checkPyTorchArchive) before torch::jit::load reads past the record's end.
    void aModelWithShortWeightsIsRefused() {
        const QString problem =
            refusalProblem(runCli({"info", "--model", hostile("short_weights.pt"), "--data", fixture("mlp_data.pt")}),
                           "weight record 'data/0'");
        QVERIFY2(problem.isEmpty(), qPrintable("short_weights.pt as a model: " + problem));
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "test_hostile.moc"
