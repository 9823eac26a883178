#pragma once
/// A figure file made of one or more panels side by side (or in a grid): 2D plots drawn as vectors
/// (QCustomPlot), the 3D surface as an image rendered at the pixel size it will occupy. The page is
/// laid out in points at the style's size; .pdf and .svg keep text as text, .png is the same
/// drawing scaled to its pixels. Panels of a multi-panel figure are labelled (a), (b), ...
#include <QImage>
#include <QSize>
#include <QString>
#include <functional>
#include <vector>

#include "basin/widgets/figure_style.h"

class QCustomPlot;

namespace basin::widgets {

struct FigurePanel {
    QCustomPlot* plot = nullptr;  ///< drawn as vectors, or
    /// an image made at the given pixel size, with type at the given pixels per point
    std::function<QImage(QSize, double)> render;
};

/// Pixel size of a PNG of `style`: `width_px` wide when > 0, else width_in * dpi; the height keeps
/// the style's aspect.
QSize figurePixels(const FigureStyle& style, int width_px = 0);

/// Draws `panels` into `path` by its extension (.png, .pdf, .svg), `columns` per row (0: all in one
/// row). It writes `path` itself: the app gives it the temporary path of a basin::AtomicFile, so a
/// figure is written the way every Basin file is. Returns an empty string on success, else why not
/// (an unknown extension names the ones known).
QString writeFigure(const std::vector<FigurePanel>& panels, const FigureStyle& style, const QString& path,
                    int width_px = 0, int columns = 0);

/// The same drawing as an image (what writeFigure puts in a PNG); `complete` is set false when an
/// image panel could not be made.
QImage drawFigure(const std::vector<FigurePanel>& panels, const FigureStyle& style, int width_px = 0, int columns = 0,
                  bool* complete = nullptr);

}  // namespace basin::widgets
