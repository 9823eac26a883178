#pragma once
// Each basin-cli subcommand registers itself and, when chosen, sets the Runner that main() runs
// inside one error handler.
#include <CLI/CLI.hpp>

#include <functional>

#include "study_options.h"

namespace basin::cli {

using Runner = std::function<int()>;

void addInfoCommand(CLI::App& app, Runner& run);
void addSpectrumCommand(CLI::App& app, Runner& run);
void addSurfaceCommand(CLI::App& app, Runner& run);
void addSensitivityCommand(CLI::App& app, Runner& run);
void addCompareCommand(CLI::App& app, Runner& run);
void addStructureCommand(CLI::App& app, Runner& run);
void addStabilityCommand(CLI::App& app, Runner& run);
void addBatchScalingCommand(CLI::App& app, Runner& run);
void addCurvatureMapCommand(CLI::App& app, Runner& run);
void addProbeCommand(CLI::App& app, Runner& run);
void addBatchSpectraCommand(CLI::App& app, Runner& run);
void addResampleCommand(CLI::App& app, Runner& run);
#ifdef BASIN_WITH_FIGURES
void addRenderCommand(CLI::App& app, Runner& run);
struct FigureFlags;
/// --style, --width, --dpi, --font-pt, --colormap, --transparent.
void addFigureFlags(CLI::App& cmd, FigureFlags& flags);
#endif

}  // namespace basin::cli
