// basin-cli: the headless front end of Basin's engine.
#include <cstdio>
#include <exception>

#include "basin/error.h"
#include "basin/objective.h"
#include "commands.h"

int main(int argc, char** argv) {
    CLI::App app{"basin-cli: Hessian spectra, loss surfaces and layer sensitivity of PyTorch models"};
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", std::string("basin-cli 0.1.0 (LibTorch ") + basin::torchVersion() + ", CPU, MPI: no)");
    basin::cli::Runner run;
    basin::cli::addInfoCommand(app, run);
    basin::cli::addSpectrumCommand(app, run);
    basin::cli::addSurfaceCommand(app, run);
    basin::cli::addSensitivityCommand(app, run);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (!run) {
        std::fputs(app.help().c_str(), stdout);
        return 0;
    }
    try {
        return run();
    } catch (const basin::Cancelled&) {
        std::fprintf(stderr, "basin-cli: cancelled\n");
        return 130;
    } catch (const basin::Error& e) {
        std::fprintf(stderr, "basin-cli: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "basin-cli: internal error: %s\n", e.what());
        return 2;
    }
}
