#pragma once
// Layout pieces every QCustomPlot view of Basin shares: a title row on top, the legend in a row
// of its own under the axes (inside them it would hide data).
#include <qcustomplot.h>

namespace basin::widgets {

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
