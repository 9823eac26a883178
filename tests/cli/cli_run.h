// How the basin-cli tests run the program and judge a refusal: one home for test_cli,
// test_cli_curvature and test_hostile.
#pragma once

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "../engine/fixtures.h"

namespace cli_test {

struct Run {
    int code = -1;
    QString out, err;
    QProcess::ExitStatus status = QProcess::CrashExit;
    bool finished = false;
};

// `timeout_ms` is short where the old behaviour was to hang (a FIFO).
inline Run runProgram(const QString& program, const QStringList& args, int timeout_ms = 300000) {
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
    p.start(program, args);
    Run r;
    r.finished = p.waitForFinished(timeout_ms);
    if (!r.finished) {
        p.kill();
        p.waitForFinished();
    }
    r.code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    r.status = p.exitStatus();
    return r;
}

// One thread unless the test says otherwise: these models are tiny, and ctest may run beside other
// work. A first argument that is an option (--version, --help) takes none.
inline Run runCli(QStringList args, int timeout_ms = 300000) {
    if (!args.isEmpty() && !args.front().startsWith("--") && !args.contains("--threads"))
        args << QStringList{"--threads", "1"};
    return runProgram(BASIN_CLI, args, timeout_ms);
}

inline QString fixture(const QString& name) { return QString::fromStdString(fx::path(name.toStdString())); }

// Writes a study file at `path` for `model` and `data` (the MLP fixture unless given) with the
// JSON members in `extra` (each after a comma: ", \"seed\": 3"). False when it cannot.
inline bool writeStudy(const QString& path, const QString& extra = {}, const QString& model = fixture("mlp.pt"),
                       const QString& data = fixture("mlp_data.pt")) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    const QByteArray text =
        QString("{\"format\": \"basin-study\", \"version\": 1, \"model\": \"%1\", \"data\": \"%2\"%3}")
            .arg(model, data, extra)
            .toUtf8();
    return f.write(text) == text.size();
}

// What a clean refusal is: finished, exit 1, one line on stderr holding `fragment`, no backtrace.
// Empty when it is one.
inline QString refusalProblem(const Run& r, const QString& fragment) {
    if (!r.finished) return "did not finish (hung)";
    if (r.status != QProcess::NormalExit) return "crashed";
    if (r.code != 1) return QString("exit code %1: %2").arg(r.code).arg(r.err);
    if (r.err.count('\n') != 1) return "not one line: " + r.err;
    if (!r.err.contains(fragment)) return "lacks '" + fragment + "': " + r.err;
    if (r.err.contains("frame #") || r.err.contains("internal error") || r.err.contains("terminate called"))
        return "internal error: " + r.err;
    return {};
}

// Runs basin-cli and fails the test unless it refuses cleanly (refusalProblem) with `fragment`.
inline void expectRefusal(const QStringList& args, const QString& fragment, int timeout_ms = 120000) {
    const QString problem = refusalProblem(runCli(args, timeout_ms), fragment);
    QVERIFY2(problem.isEmpty(), qPrintable(args.join(' ') + ": " + problem));
}

}  // namespace cli_test
