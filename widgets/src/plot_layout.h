#pragma once
// Layout pieces every QCustomPlot view of Basin shares: a title row on top, the legend in a row
// of its own under the axes (inside them it would hide data).
#include <qcustomplot.h>
#include <algorithm>

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

/// `text` broken at spaces onto lines no wider than `width` in `font` (a word wider than that
/// stays whole on its own line).
inline QString wrapToWidth(const QString& text, const QFont& font, int width) {
    const QFontMetrics fm(font);
    if (width <= 0 || fm.horizontalAdvance(text) <= width) return text;
    QStringList lines;
    QString line;
    for (const QString& word : text.split(' ', Qt::SkipEmptyParts)) {
        const QString longer = line.isEmpty() ? word : line + ' ' + word;
        if (!line.isEmpty() && fm.horizontalAdvance(longer) > width) {
            lines << line;
            line = word;
        } else {
            line = longer;
        }
    }
    if (!line.isEmpty()) lines << line;
    return lines.join('\n');
}

/// Lays the plot out again now, without a repaint (and without afterLayout).
inline void relayout(QCustomPlot* plot) {
    for (auto phase : {QCPLayoutElement::upPreparation, QCPLayoutElement::upMargins, QCPLayoutElement::upLayout})
        plot->plotLayout()->update(phase);
}

/// Sets a title made by addTitleRow: it keeps its whole text, broken onto as many lines as the
/// plot's width needs each time the plot is laid out (on screen and in figures alike).
inline void setTitleText(QCPTextElement* title, const QString& text) {
    title->setProperty("basinFullText", text);
    title->setText(text);
}

/// As many legend columns as the widest entry leaves room for: entries are never cut.
inline void fitLegendColumns(QCustomPlot* plot) {
    QCPLegend* legend = plot->legend;
    int widest = 0, items = 0;
    for (int i = 0; i < legend->itemCount(); ++i)
        if (QCPAbstractLegendItem* item = legend->item(i); item && item->visible()) {
            widest = std::max(widest, item->minimumOuterSizeHint().width());
            ++items;
        }
    if (items == 0 || widest == 0) return;
    const int room = plot->viewport().width() - legend->margins().left() - legend->margins().right() - 8;
    const int columns = std::clamp(room / (widest + legend->columnSpacing()), 1, items);
    if (columns == legend->wrap()) return;
    legend->setWrap(columns);
    legend->setFillOrder(legend->fillOrder(), true);  // re-flows the entries into the new columns
    relayout(plot);
}

/// A bold title in a new top row (row 0); the axes move to row 1. Each layout fits its text
/// (setTitleText) and the legend's columns to the plot's width.
inline QCPTextElement* addTitleRow(QCustomPlot* plot, QFont font) {
    font.setBold(true);
    auto* title = new QCPTextElement(plot, QString(), font);
    title->setProperty("basinRole", "title");  // a figure style may leave titles out
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, title);
    QObject::connect(plot, &QCustomPlot::afterLayout, title, [plot, title] {
        bool changed = false;
        const QVariant full = title->property("basinFullText");
        if (full.isValid()) {
            const QString fitted = wrapToWidth(full.toString(), title->font(), plot->viewport().width() - 12);
            if (fitted != title->text()) {
                title->setText(fitted);
                changed = true;
            }
        }
        if (changed) relayout(plot);
        fitLegendColumns(plot);
    });
    return title;
}

/// The legend, visible, in row 2 under the axes, laid out in columns, without a frame.
inline void legendBelowAxes(QCustomPlot* plot, const QFont& font) {
    plot->legend->setVisible(true);
    plot->legend->setFont(font);
    plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setIconSize(24, 12);  // QCustomPlot's 32 x 18 took a line's room from each entry
    plot->legend->setColumnSpacing(6);
    auto* legend_row = new QCPLayoutGrid;
    plot->plotLayout()->addElement(2, 0, legend_row);
    legend_row->addElement(0, 0, plot->legend);
    plot->plotLayout()->setRowStretchFactor(2, 0.001);
}

}  // namespace basin::widgets
