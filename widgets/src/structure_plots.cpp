// The structure view's charts: per-layer bars, heatmaps, block-diagonal against full.
#include <qcustomplot.h>
#include <algorithm>
#include <cmath>

#include "basin/widgets/palette.h"
#include "basin/widgets/spectrum_math.h"
#include "basin/widgets/structure_view.h"
#include "basin/widgets/surface_math.h"
#include "plot_layout.h"

namespace basin::widgets {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// The chart's title element (the first text element of the layout), made on first use.
QCPTextElement* titleOf(QCustomPlot* plot) {
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* t = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i))) return t;
    return addTitleRow(plot, viewFont(plot));
}

// Everything drawn before, gone: plottables, items, colour scales, legend entries.
void reset(QCustomPlot* plot) {
    plot->clearPlottables();
    plot->clearItems();
    for (int i = plot->plotLayout()->elementCount() - 1; i >= 0; --i)
        if (auto* scale = qobject_cast<QCPColorScale*>(plot->plotLayout()->elementAt(i))) {
            plot->plotLayout()->remove(scale);
            plot->plotLayout()->simplify();
        }
    plot->yAxis2->setVisible(false);
    plot->legend->setVisible(false);
}

QSharedPointer<QCPAxisTickerText> textTicker(const std::vector<std::string>& labels, bool reversed) {
    auto t = QSharedPointer<QCPAxisTickerText>::create();
    for (size_t i = 0; i < labels.size(); ++i)
        t->addTick(reversed ? double(labels.size() - 1 - i) : double(i), qs(labels[i]));
    return t;
}

void empty(QCustomPlot* plot, const QString& message) {
    setTitleText(titleOf(plot), message);
    plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    plot->xAxis->setLabel(QString());
    plot->yAxis->setLabel(QString());
    plot->replot();
}

QCPErrorBars* errors(QCPBars* bars, const QVector<double>& err) {
    auto* e = new QCPErrorBars(bars->keyAxis(), bars->valueAxis());
    e->removeFromLegend();
    e->setDataPlottable(bars);
    e->setPen(QPen(palette::black(), 1.2));
    e->setData(err);
    return e;
}

}  // namespace

void drawStructureBars(QCustomPlot* plot, const StructurePlotData& d, const QString& message) {
    reset(plot);
    if (d.groups.empty()) return empty(plot, message);
    setTitleText(titleOf(plot), QObject::tr("Per layer group: OBD saliency and mean diag(H)"));
    QVector<double> keys, sal, sal_err, diag, diag_err;
    std::vector<std::string> names;
    for (size_t i = 0; i < d.groups.size(); ++i) {
        const auto& g = d.groups[i];
        keys << double(i);
        sal << g.saliency;
        sal_err << g.saliency_err;
        diag << g.mean_diag;
        diag_err << g.mean_diag_err;
        names.push_back(g.name);
    }
    auto* group = new QCPBarsGroup(plot);
    auto* s = new QCPBars(plot->xAxis, plot->yAxis);
    s->setName(QObject::tr("saliency Σ diag(H)·w²/2 (left)"));
    s->setBrush(palette::blue());
    s->setPen(QPen(palette::blue().darker(130)));
    auto* m = new QCPBars(plot->xAxis, plot->yAxis2);
    m->setName(QObject::tr("mean diag(H) (right)"));
    m->setBrush(palette::orange());
    m->setPen(QPen(palette::orange().darker(130)));
    for (QCPBars* b : {s, m}) {
        b->setWidth(0.38);
        b->setBarsGroup(group);
    }
    s->setData(keys, sal, true);
    m->setData(keys, diag, true);
    errors(s, sal_err);
    errors(m, diag_err);
    plot->xAxis->setTicker(textTicker(names, false));
    plot->xAxis->setTickLabelRotation(names.size() > 4 ? 30 : 0);
    plot->xAxis->setRange(-0.6, double(names.size()) - 0.4);
    plot->xAxis->setLabel(QString());
    plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    plot->yAxis->setLabel(QObject::tr("saliency (loss)"));
    plot->yAxis2->setVisible(true);
    plot->yAxis2->setTickLabels(true);
    plot->yAxis2->setLabel(QObject::tr("mean diag(H)"));
    auto span = [](const QVector<double>& v, const QVector<double>& e) {
        double lo = 0, hi = 0;
        for (int i = 0; i < v.size(); ++i) {
            lo = std::min(lo, v[i] - e[i]);
            hi = std::max(hi, v[i] + e[i]);
        }
        if (hi - lo <= 0) hi = lo + 1;
        const double pad = 0.08 * (hi - lo);
        return QCPRange(lo - (lo < 0 ? pad : 0), hi + pad);
    };
    plot->yAxis->setRange(span(sal, sal_err));
    plot->yAxis2->setRange(span(diag, diag_err));
    plot->legend->setVisible(true);
    plot->replot();
}

void drawHeatmap(QCustomPlot* plot, const Heatmap& h, const QString& message) {
    reset(plot);
    plot->setProperty("basinCells", QSize());
    if (h.empty()) return empty(plot, message);
    setTitleText(titleOf(plot), qs(h.title));
    const int nr = int(h.rows.size()), nc = int(h.cols.size());
    auto* map = new QCPColorMap(plot->xAxis, plot->yAxis);
    map->data()->setSize(nc, nr);
    map->data()->setRange(QCPRange(0, std::max(nc - 1, 1)), QCPRange(0, std::max(nr - 1, 1)));
    if (nc == 1 || nr == 1) map->data()->setRange(QCPRange(0, nc - 1 + 1e-9), QCPRange(0, nr - 1 + 1e-9));
    for (int r = 0; r < nr; ++r)
        for (int c = 0; c < nc; ++c) {
            const double v = size_t(c) < h.values[size_t(r)].size() ? h.values[size_t(r)][size_t(c)] : 0.0;
            map->data()->setCell(c, nr - 1 - r, v);
        }
    QCPColorGradient g;
    g.clearColorStops();
    for (int i = 0; i <= 16; ++i) {
        const auto rgb = colormap("viridis", i / 16.0);
        g.setColorStopAt(i / 16.0, QColor::fromRgbF(float(rgb[0]), float(rgb[1]), float(rgb[2])));
    }
    auto* scale = new QCPColorScale(plot);
    plot->plotLayout()->addElement(1, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->setGradient(g);
    scale->setDataRange(QCPRange(0, 1));
    scale->axis()->setTickLabelFont(viewFont(plot));
    map->setColorScale(scale);
    map->setGradient(g);
    map->setDataRange(QCPRange(0, 1));
    map->setInterpolate(false);
    auto* margins = new QCPMarginGroup(plot);
    plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    // The numbers in the cells, shown while they fit the cells as laid out (checked at each layout,
    // so a narrower window hides them rather than letting them run into each other).
    plot->setProperty("basinCells", QSize(nc, nr));
    if (!plot->property("basinCellCheck").toBool()) {
        plot->setProperty("basinCellCheck", true);
        QObject::connect(plot, &QCustomPlot::afterLayout, plot, [plot] {
            const QSize cells = plot->property("basinCells").toSize();
            if (cells.isEmpty()) return;
            QFont f = viewFont(plot);
            f.setPointSizeF(f.pointSizeF() - 1);
            const QFontMetrics fm(f);
            const QRect r = plot->axisRect()->rect();
            const bool fits = r.width() / cells.width() >= fm.horizontalAdvance("0.00") + 4 &&
                              r.height() / cells.height() >= fm.height();
            for (int i = 0; i < plot->itemCount(); ++i)
                if (QCPAbstractItem* item = plot->item(i); item->property("basinCell").toBool()) item->setVisible(fits);
        });
    }
    if (nr * nc <= 160) {
        for (int r = 0; r < nr; ++r)
            for (int c = 0; c < nc; ++c) {
                const double v = size_t(c) < h.values[size_t(r)].size() ? h.values[size_t(r)][size_t(c)] : 0.0;
                auto* t = new QCPItemText(plot);
                t->position->setCoords(c, nr - 1 - r);
                t->setText(QString::number(v, 'f', 2));
                QFont f = viewFont(plot);
                f.setPointSizeF(f.pointSizeF() - 1);
                t->setFont(f);
                t->setColor(v > 0.6 ? palette::black() : QColor(Qt::white));
                t->setProperty("basinCell", true);
            }
    }
    plot->xAxis->setTicker(textTicker(h.cols, false));
    plot->xAxis->setTickLabelRotation(nc > 5 ? 30 : 0);
    plot->yAxis->setTicker(textTicker(h.rows, true));
    plot->xAxis->setLabel(qs(h.col_label));
    plot->yAxis->setLabel(qs(h.row_label));
    plot->xAxis->setRange(-0.5, nc - 0.5);
    plot->yAxis->setRange(-0.5, nr - 0.5);
    plot->xAxis->grid()->setVisible(false);
    plot->yAxis->grid()->setVisible(false);
    plot->replot();
}

void drawBlocks(QCustomPlot* plot, const StructurePlotData& d, const QString& message) {
    reset(plot);
    if (d.blocks.empty()) return empty(plot, message);
    setTitleText(titleOf(plot), QObject::tr("Top eigenvalues: H against block-diag(H)"));
    QVector<double> kf, vf, kb, vb;
    for (const BlockRow& r : d.blocks) {
        if (r.full) {
            kf << r.rank;
            vf << *r.full;
        }
        if (r.block) {
            kb << r.rank;
            vb << *r.block;
        }
    }
    auto* full = plot->addGraph();
    full->setName(QObject::tr("H"));
    full->setPen(QPen(palette::blue(), 2));
    full->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, palette::blue(), palette::blue(), 7));
    full->setData(kf, vf);
    auto* block = plot->addGraph();
    block->setName(QObject::tr("block-diag(H) over layer groups"));
    QPen dashed(palette::vermillion(), 2);
    dashed.setStyle(Qt::DashLine);
    block->setPen(dashed);
    block->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, palette::vermillion(), Qt::white, 7));
    block->setData(kb, vb);
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setLabel(QObject::tr("rank k"));
    plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    plot->yAxis->setLabel(QObject::tr("eigenvalue"));
    plot->xAxis->setRange(0.5, double(d.blocks.size()) + 0.5);
    bool found = false;
    const QCPRange a = full->getValueRange(found), b = block->getValueRange(found);
    double lo = std::min({a.lower, b.lower, 0.0}), hi = std::max(a.upper, b.upper);
    if (hi <= lo) hi = lo + 1;
    plot->yAxis->setRange(lo, hi + 0.08 * (hi - lo));
    plot->legend->setVisible(true);
    plot->replot();
}

}  // namespace basin::widgets
