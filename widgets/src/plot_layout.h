#pragma once
// Layout pieces every QCustomPlot view of Basin shares: a title row on top, the legend in a row
// of its own under the axes (inside them it would hide data).
#include <algorithm>
#include <qcustomplot.h>

namespace basin::widgets {

/// The text of every view: the widget's font, never under 10 pt.
inline QFont viewFont(const QWidget* widget) {
    QFont f = widget->font();
    f.setPointSizeF(std::max(10.0, f.pointSizeF()));
    return f;
}

/// Tick labels in `base`, the axis title one point larger.
inline void setAxisFonts(QCPAxis* axis, const QFont& base) {
    QFont label = base;
    label.setPointSizeF(base.pointSizeF() + 1);
    axis->setLabelFont(label);
    axis->setTickLabelFont(base);
}

/// A bold title in a new top row (row 0); the axes move to row 1.
inline QCPTextElement* addTitleRow(QCustomPlot* plot, QFont font) {
    font.setBold(true);
    auto* title = new QCPTextElement(plot, QString(), font);
    title->setProperty("basinRole", "title");  // a figure style may leave titles out
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, title);
    return title;
}

/// The legend, visible, in row 2 under the axes, laid out in columns, without a frame.
inline void legendBelowAxes(QCustomPlot* plot, const QFont& font) {
    plot->legend->setVisible(true);
    plot->legend->setFont(font);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setBorderPen(Qt::NoPen);
    auto* legend_row = new QCPLayoutGrid;
    plot->plotLayout()->addElement(2, 0, legend_row);
    legend_row->addElement(0, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(2, 0.001);
}

}  // namespace basin::widgets
