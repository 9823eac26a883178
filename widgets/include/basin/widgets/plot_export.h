#pragma once
/// Vector export of any QCustomPlot: QCustomPlot writes PDF itself but not SVG.
#include <QString>

class QCustomPlot;

namespace basin::widgets {

/// Renders `plot` into an SVG file through QSvgGenerator, so axis labels and tick labels stay
/// text a reader can search and a journal can restyle. Width and height in pixels (0: the plot's
/// size). Returns false when the file cannot be written.
bool saveSvg(QCustomPlot* plot, const QString& path, int width = 0, int height = 0);

}  // namespace basin::widgets
