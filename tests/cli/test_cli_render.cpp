// basin-cli render's curvature figures as a user draws them: a curvature map and probes in the
// paper styles, stored and drawn again from the study. render is part of the GUI build, so this
// program is built only with it (the asan build has no GUI).
#include <QtTest/QtTest>

#include <QProcess>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_run.h"

using namespace cli_test;

class TestCliRender : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void renderDrawsACurvatureMapAndProbesInThePaperStyles() {
        QTemporaryDir tmp;
        const QString study = tmp.filePath("s.json");
        QVERIFY(writeStudy(study, ", \"dtype\": \"float64\", \"hvp\": \"exact\""));
        const QString map = tmp.filePath("map.pdf"), probes = tmp.filePath("probes.png");
        const Run a = runCli({"render", study, "--view", "curvature-map", "--field", "lambda_min", "--grid", "5x5",
                              "--style", "paper-2col", "--probe", "0.5,0.5", "--out", map, "--cache"});
        QVERIFY2(a.code == 0, qPrintable(a.err));
        const Run b = runCli({"render", study, "--view", "spectrum", "--grid", "5x5", "--probe", "0.5,0.5", "--probe",
                              "-0.5,0.25", "--style", "paper-1col", "--out", probes});
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
        const Run again = runCli({"render", study, "--view", "curvature-map", "--field", "lambda_min", "--grid", "5x5",
                                  "--probe", "0.5,0.5", "--out", map});
        QVERIFY2(again.err.contains("using the curvature-map result stored") &&
                     again.err.contains("using the probe result stored"),
                 qPrintable(again.err));
        expectRefusal({"render", study, "--view", "curvature-map", "--field", "lambda", "--out", map},
                      "--field 'lambda' is not one of");
    }
};

QTEST_GUILESS_MAIN(TestCliRender)
#include "test_cli_render.moc"
