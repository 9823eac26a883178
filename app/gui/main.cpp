// basin [STUDY] [--tab spectrum|surface|layers|compare|structure] [--size WxH] [--screenshot FILE.png [--timeout
// SECONDS]] Opens the study (when none is given, the last one opened if its file is still there, else the demo) and
// computes its spectrum and a loss surface at once, so the first run shows something without a click; --tab layers also
// computes the layer sensitivity and shows it, --tab compare compares the study's checkpoints, --tab structure runs the
// curvature structure. With --screenshot it waits for those jobs, saves the window and exits: 0 when they succeeded, 1
// when one failed, 2 on timeout.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QSurfaceFormat>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "basin/widgets/structure_view.h"
#include "basin/widgets/vtk_widget.h"
#include "compare_bar.h"
#include "engine_controller.h"
#include "main_window.h"
#include "recent_studies.h"

using basin::gui::EngineController;
using basin::gui::JobInfo;
using basin::gui::JobState;
using basin::gui::MainWindow;

int main(int argc, char** argv) {
    // Before the QApplication exists, or VTK's OpenGL widgets get a context they cannot use.
    QSurfaceFormat::setDefaultFormat(basin::widgets::defaultVtkSurfaceFormat());

    QApplication app(argc, argv);
    QApplication::setApplicationName("basin");
    QApplication::setOrganizationName("basin");  // QSettings: ~/.config/basin/basin.conf
    QApplication::setApplicationVersion(BASIN_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("Basin: explore the loss landscape of a neural network");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        "study", "Basin study file (.basin.json); when omitted, the last study opened, else the demo study", "[STUDY]");
    QCommandLineOption screenshot("screenshot", "Wait for the first jobs, save the window as FILE.png and exit.",
                                  "FILE");
    QCommandLineOption timeout("timeout", "Give up on --screenshot after SECONDS (default 600).", "SECONDS", "600");
    QCommandLineOption tab(
        "tab",
        "Show this tab first: spectrum, surface, layers, compare or structure (layers also runs the "
        "sensitivity, compare the comparison of the study's checkpoints, structure the curvature structure).",
        "NAME", "spectrum");
    QCommandLineOption size("size", "Window size in pixels, e.g. 1280x800 (for --screenshot).", "WxH");
    parser.addOption(size);
    parser.addOption(tab);
    parser.addOption(screenshot);
    parser.addOption(timeout);
    parser.process(app);

    const QStringList args = parser.positionalArguments();
    const QString last = basin::gui::lastStudy(QSettings());
    // The demo installed beside this binary (PREFIX/bin/basin: PREFIX/share/basin/demo), else the
    // source tree's, as seen from the build folder.
    const QString here = QCoreApplication::applicationDirPath();
    const QString installed_demo = here + "/../share/basin/demo/demo.basin.json";
    const QString demo =
        QDir::cleanPath(QFileInfo::exists(installed_demo) ? installed_demo : here + "/" BASIN_DEMO_STUDY_FROM_BINARY);
    const QString study = !args.isEmpty() ? args.first() : !last.isEmpty() ? last : demo;

    EngineController controller;
    MainWindow window(&controller);
    if (parser.isSet(size)) {
        const QStringList wh = parser.value(size).split('x');
        const int w = wh.value(0).toInt(), h = wh.value(1).toInt();
        if (wh.size() != 2 || w < 200 || h < 200) {
            std::fprintf(stderr, "basin: --size needs WIDTHxHEIGHT in pixels, such as 1280x800\n");
            return 2;
        }
        window.resize(w, h);
    }
    window.show();
    window.openAndAnalyse(study);
    const QString first_tab = parser.value(tab);
    if (first_tab == "surface") window.tabs()->setCurrentIndex(1);
    if (first_tab == "layers") {
        window.tabs()->setCurrentIndex(2);
        controller.runSensitivity();
    }
    if (first_tab == "structure") {
        window.tabs()->setCurrentWidget(window.structureView()->parentWidget());
        controller.runStructure();
    }
    if (first_tab == "compare") {
        // Once the study is open (and the compare bar lists its checkpoints), compare those ticked.
        window.tabs()->setCurrentIndex(3);
        QObject::connect(&controller, &EngineController::studyOpened, &window, [&window, &controller] {
            static bool once = false;
            if (once || !window.compareBar()->problem().isEmpty()) return;
            once = true;
            const int grid = window.compareBar()->gridPoints();
            window.runCompare(window.compareBar()->chosen(), window.compareBar()->pathPoints(),
                              window.compareBar()->sameDirections(), grid >= 2 ? grid : -1);
        });
    }

    if (!parser.isSet(screenshot)) return app.exec();

    const QString out = parser.value(screenshot);
    bool ok = false;
    const double seconds = parser.value(timeout).toDouble(&ok);
    if (!ok || seconds <= 0) {
        std::fprintf(stderr, "basin: --timeout needs a positive number of seconds\n");
        return 2;
    }
    QTimer::singleShot(static_cast<int>(seconds * 1000), &app, [&] {
        std::fprintf(stderr, "basin: jobs not finished after %g s; no screenshot taken\n", seconds);
        controller.cancelAll();
        app.exit(2);
    });
    QObject::connect(&controller, &EngineController::idle, &app, [&] {
        // One more turn of the event loop so the views have taken the last results.
        QTimer::singleShot(100, &app, [&] {
            int failed = 0;
            for (const JobInfo& job : controller.jobs())
                if (job.state == JobState::Failed || job.state == JobState::Cancelled) {
                    std::fprintf(stderr, "basin: %s %s: %s\n", qPrintable(job.title), qPrintable(stateName(job.state)),
                                 qPrintable(job.error));
                    ++failed;
                }
            if (!window.grab().save(out)) {
                std::fprintf(stderr, "basin: could not write %s\n", qPrintable(out));
                app.exit(1);
                return;
            }
            std::printf("basin: saved %s\n", qPrintable(out));
            app.exit(failed ? 1 : 0);
        });
    });
    return app.exec();
}
