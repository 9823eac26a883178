#pragma once
// Checks of a window's geometry, for the layout tests: no title, axis label, legend entry, label
// or button of the views is cut (its text is wider than the room it got) or spills over its
// neighbour, and no list hides an entry behind a sideways scroller. Each problem is one line
// naming the widget and the numbers.
#include <qcustomplot.h>
#include <QAbstractButton>
#include <QFontMetrics>
#include <QLabel>
#include <QListWidget>
#include <QScrollBar>
#include <QStringList>

namespace basin::test {

inline QString where(const QWidget* w) {
    QStringList path;
    for (const QWidget* p = w; p; p = p->parentWidget())
        if (!p->objectName().isEmpty()) path.prepend(p->objectName());
    return path.join('/') + "(" + w->metaObject()->className() + ")";
}

inline int textWidth(const QFont& font, const QString& text) {
    int widest = 0;
    for (const QString& line : text.split('\n')) widest = std::max(widest, QFontMetrics(font).horizontalAdvance(line));
    return widest;
}

// A plot's titles, axis labels and legend entries fit where they are drawn.
inline void checkPlot(QCustomPlot* plot, QStringList& problems) {
    const QString name = where(plot);
    for (QCPLayoutElement* e : plot->plotLayout()->elements(true)) {
        if (!e) continue;
        if (auto* text = qobject_cast<QCPTextElement*>(e)) {
            if (!text->visible() || text->text().isEmpty()) continue;
            const int need = textWidth(text->font(), text->text());
            if (need > text->outerRect().width() + 1 || text->outerRect().right() > plot->width() + 1)
                problems << QString("%1: title \"%2\" needs %3 px, has %4")
                                .arg(name, text->text())
                                .arg(need)
                                .arg(text->outerRect().width());
        }
        if (auto* rect = qobject_cast<QCPAxisRect*>(e)) {
            for (QCPAxis* axis : rect->axes()) {
                if (!axis->visible() || axis->label().isEmpty()) continue;
                const bool across = axis->orientation() == Qt::Horizontal;
                const int room = across ? rect->width() : rect->height();
                const int need = textWidth(axis->labelFont(), axis->label());
                // A vertical label longer than its rect runs into the rect above or below it.
                if (need > room)
                    problems << QString("%1: axis label \"%2\" needs %3 px along its axis, has %4")
                                    .arg(name, axis->label())
                                    .arg(need)
                                    .arg(room);
            }
        }
    }
    for (int i = 0; i < plot->legend->itemCount(); ++i) {
        QCPAbstractLegendItem* item = plot->legend->item(i);
        if (!item || !plot->legend->visible() || !item->visible()) continue;
        const int need = item->minimumOuterSizeHint().width(), has = item->outerRect().width();
        if (need > has + 1)
            problems << QString("%1: legend entry %2 needs %3 px, has %4").arg(name).arg(i).arg(need).arg(has);
        if (item->outerRect().right() > plot->width() + 1)
            problems << QString("%1: legend entry %2 ends outside the plot").arg(name).arg(i);
    }
}

// Every visible label, button and plot of `root` shows its whole text; lists show every entry.
inline QStringList layoutProblems(QWidget* root) {
    QStringList problems;
    for (QWidget* w : root->findChildren<QWidget*>()) {
        if (!w->isVisible() || w->width() <= 0) continue;
        if (auto* plot = qobject_cast<QCustomPlot*>(w)) checkPlot(plot, problems);
        else if (auto* label = qobject_cast<QLabel*>(w)) {
            if (label->text().isEmpty() || label->pixmap().isNull() == false) continue;
            if (label->wordWrap()) {
                if (label->heightForWidth(label->width()) > label->height() + 2)
                    problems << QString("%1: \"%2\" needs %3 px of height, has %4")
                                    .arg(where(label), label->text().left(40))
                                    .arg(label->heightForWidth(label->width()))
                                    .arg(label->height());
            } else if (label->sizeHint().width() > label->width() + 1) {
                problems << QString("%1: \"%2\" needs %3 px, has %4")
                                .arg(where(label), label->text().left(40))
                                .arg(label->sizeHint().width())
                                .arg(label->width());
            }
        } else if (auto* button = qobject_cast<QAbstractButton*>(w)) {
            if (!button->text().isEmpty() && button->minimumSizeHint().width() > button->width() + 1)
                problems << QString("%1: \"%2\" needs %3 px, has %4")
                                .arg(where(button), button->text())
                                .arg(button->minimumSizeHint().width())
                                .arg(button->width());
        } else if (auto* list = qobject_cast<QListWidget*>(w)) {
            if (list->horizontalScrollBar()->isVisible()) problems << QString("%1: scrolls sideways").arg(where(list));
            for (int i = 0; i < list->count(); ++i)
                if (!list->viewport()->rect().contains(list->visualItemRect(list->item(i))))
                    problems << QString("%1: entry \"%2\" is out of view").arg(where(list), list->item(i)->text());
        }
    }
    return problems;
}

}  // namespace basin::test
