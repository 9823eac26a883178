#include "basin/widgets/plot_export.h"

#include <QFile>
#include <QSvgGenerator>
#include <qcustomplot.h>

namespace basin::widgets {

bool saveSvg(QCustomPlot* plot, const QString& path, int width, int height) {
    const int w = width > 0 ? width : plot->width();
    const int h = height > 0 ? height : plot->height();
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(QSize(w, h));
    svg.setViewBox(QRect(0, 0, w, h));
    svg.setTitle(plot->objectName());
    QCPPainter painter;
    if (!painter.begin(&svg)) return false;
    // As QCustomPlot's own PDF export: no cached pixmaps of labels, so text stays text.
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    plot->toPainter(&painter, w, h);
    painter.end();
    return QFile::exists(path) && QFileInfo(path).size() > 0;
}

}  // namespace basin::widgets
