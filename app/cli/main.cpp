// basin-cli: the headless front end of Basin's engine.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

#include "basin/error.h"
#include "basin/objective.h"
#include "commands.h"
#include "distributed.h"

namespace {

// One line on stderr; under mpirun it names the rank, and a failing rank ends the whole run.
[[noreturn]] void fail(int code, const std::string& message) {
    if (auto* c = basin::cli::communicator())
        std::fprintf(stderr, "basin-cli (rank %d of %d): %s\n", c->rank(), c->size(), message.c_str());
    else std::fprintf(stderr, "basin-cli: %s\n", message.c_str());
    std::fflush(stderr);
    if (basin::cli::communicator()) basin::cli::abortRun(code);
    basin::cli::stopDistributed();
    std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
    basin::cli::startDistributed(&argc, &argv);
    CLI::App app{
        "basin-cli: Hessian spectra, loss surfaces, layer sensitivity and curvature structure of PyTorch models"};
    app.require_subcommand(0, 1);
    app.set_version_flag("--version", std::string("basin-cli 0.1.0 (LibTorch ") + basin::torchVersion() + ", CPU; " +
                                          basin::cli::mpiDescription() + ")");
    basin::cli::Runner run;
    basin::cli::addInfoCommand(app, run);
    basin::cli::addSpectrumCommand(app, run);
    basin::cli::addSurfaceCommand(app, run);
    basin::cli::addSensitivityCommand(app, run);
    basin::cli::addCompareCommand(app, run);
    basin::cli::addStructureCommand(app, run);
    basin::cli::addStabilityCommand(app, run);
    basin::cli::addBatchScalingCommand(app, run);
    basin::cli::addCurvatureMapCommand(app, run);
    basin::cli::addProbeCommand(app, run);
    basin::cli::addBatchSpectraCommand(app, run);
    basin::cli::addResampleCommand(app, run);
#ifdef BASIN_WITH_FIGURES
    basin::cli::addRenderCommand(app, run);
#endif
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" that exit 0; print what they ask for.
        if (e.get_exit_code() == 0) {
            const int code = basin::cli::isLeader() ? app.exit(e) : 0;
            basin::cli::stopDistributed();
            return code;
        }
        // Anything else is the user's mistake: one line, exit 1, like every other error.
        std::string message = e.what();
        std::replace(message.begin(), message.end(), '\n', ' ');
        if (!basin::cli::isLeader()) {
            basin::cli::stopDistributed();
            return 1;
        }
        fail(1, message + " (see basin-cli --help)");
    }
    if (!run) {
        if (basin::cli::isLeader()) std::fputs(app.help().c_str(), stdout);
        basin::cli::stopDistributed();
        return 0;
    }
    int code = 0;
    try {
        code = run();
    } catch (const basin::Cancelled&) {
        fail(130, "cancelled");
    } catch (const basin::Error& e) {
        fail(1, e.what());
    } catch (const std::exception& e) {
        fail(2, std::string("internal error: ") + e.what());
    }
    basin::cli::stopDistributed();
    return code;
}
