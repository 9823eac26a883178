#include "basin/widgets/figure_style.h"

#include <qcustomplot.h>
#include <QJsonValue>
#include <cmath>

namespace basin::widgets {

std::optional<FigureStyle> FigureStyle::preset(const QString& name) {
    FigureStyle s;
    s.name = name;
    if (name == "screen") return s;
    if (name == "paper-1col" || name == "paper-2col") {
        // A journal column is 3.5 in (two-column page 7 in); figures are set in 8 pt type with
        // lines of about 1 pt, and printed at 300 dpi or more.
        const bool wide = name == "paper-2col";
        s.width_in = wide ? 7.0 : 3.5;
        s.height_in = wide ? 2.8 : 2.6;
        s.dpi = 300;
        s.font_pt = 8;
        s.line_scale = 0.6;
        s.readout = false;
        s.titles = false;
        return s;
    }
    return std::nullopt;
}

QStringList FigureStyle::presetNames() { return {"paper-1col", "paper-2col", "screen"}; }

QJsonObject FigureStyle::toJson() const {
    return QJsonObject{{"style", name},
                       {"width_in", width_in},
                       {"height_in", height_in},
                       {"dpi", dpi},
                       {"font_family", font_family},
                       {"font_pt", font_pt},
                       {"line_scale", line_scale},
                       {"colormap", colormap},
                       {"transparent", transparent},
                       {"readout", readout},
                       {"titles", titles}};
}

std::optional<FigureStyle> FigureStyle::fromJson(const QJsonObject& json, QString* error) {
    const QString name = json.value("style").toString("screen");
    std::optional<FigureStyle> s = preset(name);
    if (!s) {
        if (error) *error = QObject::tr("unknown figure style \"%1\" (use %2)").arg(name, presetNames().join(", "));
        return std::nullopt;
    }
    auto number = [&](const char* key, double& out) {
        if (json.contains(key)) out = json.value(key).toDouble(out);
    };
    number("width_in", s->width_in);
    number("height_in", s->height_in);
    number("dpi", s->dpi);
    number("font_pt", s->font_pt);
    number("line_scale", s->line_scale);
    s->font_family = json.value("font_family").toString(s->font_family);
    s->colormap = json.value("colormap").toString(s->colormap);
    s->transparent = json.value("transparent").toBool(s->transparent);
    s->readout = json.value("readout").toBool(s->readout);
    s->titles = json.value("titles").toBool(s->titles);
    if (!(s->width_in > 0 && s->height_in > 0 && s->dpi > 0 && s->font_pt > 0 && s->line_scale > 0)) {
        if (error) *error = QObject::tr("figure sizes, dpi, font size and line scale must be positive");
        return std::nullopt;
    }
    if (s->colormap != "viridis" && s->colormap != "grey") {
        if (error) *error = QObject::tr("unknown colour map \"%1\" (use viridis or grey)").arg(s->colormap);
        return std::nullopt;
    }
    return s;
}

namespace {

// The layout is in points, so a font of `pt` points is `pt` pixels of it (whole points only).
QFont styled(QFont font, const FigureStyle& s, double extra_pt = 0) {
    font.setFamily(s.font_family);
    font.setPixelSize(std::max(1, static_cast<int>(std::lround(s.font_pt + extra_pt))));
    return font;
}

QPen scaled(QPen pen, double k) {
    if (pen.style() != Qt::NoPen) pen.setWidthF(std::max(0.25, (pen.widthF() > 0 ? pen.widthF() : 1.0) * k));
    return pen;
}

void styleAxis(QCPAxis* axis, const FigureStyle& s) {
    axis->setLabelFont(styled(axis->labelFont(), s, 1));
    axis->setTickLabelFont(styled(axis->tickLabelFont(), s));
    axis->setBasePen(scaled(axis->basePen(), s.line_scale));
    axis->setTickPen(scaled(axis->tickPen(), s.line_scale));
    axis->setSubTickPen(scaled(axis->subTickPen(), s.line_scale));
    axis->setTickLengthIn(std::max(2, int(std::lround(axis->tickLengthIn() * s.line_scale))));
    axis->setSubTickLengthIn(std::max(1, int(std::lround(axis->subTickLengthIn() * s.line_scale))));
    axis->setLabelPadding(std::max(2, int(std::lround(axis->labelPadding() * s.line_scale))));
    axis->grid()->setPen(scaled(axis->grid()->pen(), s.line_scale));
}

}  // namespace

void applyStyle(QCustomPlot* plot, const FigureStyle& s) {
    const double k = s.line_scale;
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes()) styleAxis(axis, s);
    const QList<QCPLayoutElement*> elements = plot->plotLayout()->elements(true);
    for (QCPLayoutElement* element : elements) {
        if (auto* text = qobject_cast<QCPTextElement*>(element)) {
            const QString role = text->property("basinRole").toString();
            const bool bold = text->font().bold();
            text->setFont(styled(text->font(), s, bold ? 1 : 0));
            if ((role == "title" && !s.titles) || (role == "readout" && !s.readout)) {
                // Taken out of the layout (the plot still owns it, and its view may still set it).
                text->setVisible(false);
                if (QCPLayout* parent = text->layout()) {
                    parent->take(text);
                    parent->simplify();
                }
            }
        } else if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
            styleAxis(scale->axis(), s);
            scale->setBarWidth(std::max(4, int(std::lround(scale->barWidth() * k))));
        }
    }
    plot->legend->setFont(styled(plot->legend->font(), s));
    plot->legend->setIconSize(QSize(int(std::lround(plot->legend->iconSize().width() * k)),
                                    int(std::lround(plot->legend->iconSize().height() * k))));
    for (int i = 0; i < plot->legend->itemCount(); ++i)
        if (QCPAbstractLegendItem* item = plot->legend->item(i)) item->setFont(styled(item->font(), s));
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* p = plot->plottable(i);
        p->setPen(scaled(p->pen(), k));
        if (auto* graph = qobject_cast<QCPGraph*>(p)) {
            QCPScatterStyle scatter = graph->scatterStyle();
            if (!scatter.isNone()) {
                scatter.setSize(scatter.size() * std::sqrt(k));
                scatter.setPen(scaled(scatter.pen(), k));
                graph->setScatterStyle(scatter);
            }
        } else if (auto* bars = qobject_cast<QCPErrorBars*>(p)) {
            bars->setWhiskerWidth(bars->whiskerWidth() * k);
        }
    }
    for (int i = 0; i < plot->itemCount(); ++i) {
        QCPAbstractItem* item = plot->item(i);
        if (auto* text = qobject_cast<QCPItemText*>(item)) text->setFont(styled(text->font(), s));
        else if (auto* line = qobject_cast<QCPItemLine*>(item)) line->setPen(scaled(line->pen(), k));
        else if (auto* straight = qobject_cast<QCPItemStraightLine*>(item))
            straight->setPen(scaled(straight->pen(), k));
    }
    plot->plotLayout()->simplify();
    plot->setBackground(s.transparent ? QBrush(Qt::NoBrush) : QBrush(Qt::white));
    if (s.transparent) plot->legend->setBrush(Qt::NoBrush);
    plot->replot(QCustomPlot::rpImmediateRefresh);
}

}  // namespace basin::widgets
