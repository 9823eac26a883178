#pragma once
// basin-cli's figures (render, compare --figure), drawn by the same code as the GUI's export.
// Only built with the GUI libraries (BASIN_WITH_FIGURES).
#include <string>
#include <vector>

#include "basin/compare.h"

namespace basin::cli {

struct FigureFlags {
    std::string style = "screen", colormap;
    int width = 0;       ///< PNG width in pixels (0: the style's width at its dpi)
    double dpi = 0;      ///< 0: the style's
    double font_pt = 0;  ///< 0: the style's
    bool transparent = false;
};

/// The compare figure (overlaid spectra, and the path when given) written to `out`.
void writeCompareFigure(const std::vector<CheckpointRow>& rows, const PathResult* path, const std::string& out,
                        const FigureFlags& flags, const std::string& source);

}  // namespace basin::cli
