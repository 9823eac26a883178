#include "basin/widgets/figure.h"

#include <qcustomplot.h>
#include <QFileInfo>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTemporaryDir>
#include <cmath>
#include <cstdio>

namespace basin::widgets {

namespace {

std::vector<QRectF> cellsOf(std::size_t n, int columns, double w, double h) {
    std::vector<QRectF> cells;
    if (n == 0) return cells;
    const int cols = columns > 0 ? std::min<int>(columns, int(n)) : int(n);
    const int rows = int((n + cols - 1) / cols);
    const double cw = w / cols, ch = h / rows;
    for (std::size_t i = 0; i < n; ++i)
        cells.emplace_back(double(int(i) % cols) * cw, double(int(i) / cols) * ch, cw, ch);
    return cells;
}

// Draws every panel in its cell, in points; `px_per_pt` is the resolution images are made at.
// Returns false when an image panel could not be made (it is left blank).
bool paintPanels(QCPPainter& painter, const std::vector<FigurePanel>& panels, const FigureStyle& style,
                 double px_per_pt, int columns) {
    bool ok = true;
    const std::vector<QRectF> cells = cellsOf(panels.size(), columns, style.widthPt(), style.heightPt());
    for (std::size_t i = 0; i < panels.size(); ++i) {
        const QRectF cell = cells[i];
        painter.save();
        painter.translate(cell.topLeft());
        painter.setClipRect(QRectF(0, 0, cell.width(), cell.height()));
        if (panels[i].plot) {
            // A narrow panel (a paper column) has room for two legend entries side by side.
            QCPLegend* legend = panels[i].plot->legend;
            if (cell.width() < 380 && legend->wrap() > 2) {
                legend->setWrap(2);
                legend->setFillOrder(legend->fillOrder(), true);  // re-flows the entries
            }
            panels[i].plot->toPainter(&painter, int(std::floor(cell.width())), int(std::floor(cell.height())));
        } else if (panels[i].render) {
            const QSize pixels(int(std::lround(cell.width() * px_per_pt)), int(std::lround(cell.height() * px_per_pt)));
            const QImage image = panels[i].render(pixels, px_per_pt);
            if (!image.isNull()) painter.drawImage(QRectF(0, 0, cell.width(), cell.height()), image);
            ok = ok && !image.isNull();
        }
        if (panels.size() > 1) {
            QFont font(style.font_family);
            font.setPixelSize(std::max(1, int(std::lround(style.font_pt + 1))));
            font.setBold(true);
            painter.setFont(font);
            painter.setPen(Qt::black);
            const QString label = QStringLiteral("(%1)").arg(QChar('a' + int(i)));
            painter.drawText(QRectF(3, 2, cell.width(), cell.height()), Qt::AlignLeft | Qt::AlignTop, label);
        }
        painter.restore();
    }
    return ok;
}

QString suffix(const QString& path) { return QFileInfo(path).suffix().toLower(); }

}  // namespace

QSize figurePixels(const FigureStyle& style, int width_px) {
    const double w = width_px > 0 ? double(width_px) : style.width_in * style.dpi;
    return QSize(int(std::lround(w)), int(std::lround(w * style.height_in / style.width_in)));
}

QImage drawFigure(const std::vector<FigurePanel>& panels, const FigureStyle& style, int width_px, int columns,
                  bool* complete) {
    const QSize pixels = figurePixels(style, width_px);
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    image.fill(style.transparent ? QColor(Qt::transparent) : QColor(Qt::white));
    const double px_per_pt = pixels.width() / style.widthPt();
    QCPPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.scale(px_per_pt, pixels.height() / style.heightPt());
    const bool ok = paintPanels(painter, panels, style, px_per_pt, columns);
    if (complete) *complete = ok;
    painter.end();
    return image;
}

QString writeFigure(const std::vector<FigurePanel>& panels, const FigureStyle& style, const QString& path, int width_px,
                    int columns) {
    const QString ext = suffix(path);
    const QString cannot = QObject::tr("Could not write %1").arg(path);
    const QString incomplete = QObject::tr(
                                   "%1 not written: the 3D surface could not be drawn (it needs an X display: "
                                   "run under xvfb-run -a)")
                                   .arg(path);
    const QString& temp = path;
    // Images inside vector files are made at the style's dpi.
    const double px_per_pt = style.dpi / 72.0;
    if (ext == "png") {
        bool ok = true;
        if (!drawFigure(panels, style, width_px, columns, &ok).save(temp, "PNG")) return cannot;
        if (!ok) return incomplete;
    } else if (ext == "pdf" || ext == "svg") {
        QPdfWriter pdf(temp);
        QSvgGenerator svg;
        QPaintDevice* device = &pdf;
        if (ext == "pdf") {
            pdf.setCreator(QStringLiteral("Basin"));
            pdf.setResolution(72);  // one device unit is one point, as the layout
            pdf.setPageSize(QPageSize(QSizeF(style.widthPt(), style.heightPt()), QPageSize::Point, QString(),
                                      QPageSize::ExactMatch));
            pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        } else {
            svg.setFileName(temp);
            svg.setResolution(72);
            svg.setSize(QSize(int(std::lround(style.widthPt())), int(std::lround(style.heightPt()))));
            svg.setViewBox(QRectF(0, 0, style.widthPt(), style.heightPt()));
            svg.setTitle(QStringLiteral("Basin figure"));
            device = &svg;
        }
        QCPPainter painter;
        if (!painter.begin(device)) return cannot;
        painter.setMode(QCPPainter::pmVectorized);  // text stays text
        painter.setMode(QCPPainter::pmNoCaching);
        if (!style.transparent) painter.fillRect(QRectF(0, 0, style.widthPt(), style.heightPt()), Qt::white);
        const bool ok = paintPanels(painter, panels, style, px_per_pt, columns);
        painter.end();
        if (!ok) return incomplete;
    } else {
        return QObject::tr("%1: a figure is .png, .pdf or .svg").arg(path);
    }
    if (QFileInfo(temp).size() <= 0) return cannot;
    return {};
}

}  // namespace basin::widgets
