#include "basin/widgets/compare_plots.h"

#include <qcustomplot.h>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "basin/widgets/palette.h"
#include "basin/widgets/spectrum_math.h"
#include "plot_layout.h"

namespace basin::widgets {

namespace {

// Up to four checkpoints: Okabe–Ito colours, each with its own dash so grey print keeps them apart.
QPen seriesPen(std::size_t i, double width = 2) {
    static const QColor colours[] = {palette::blue(),          palette::vermillion(), palette::bluishGreen(),
                                     palette::reddishPurple(), palette::orange(),     palette::skyBlue()};
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    return QPen(colours[i % 6], width, styles[i % 4]);
}

QCustomPlot* newPlot(QWidget* owner, const char* name) {
    auto* layout = new QVBoxLayout(owner);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* plot = new QCustomPlot(owner);
    plot->setObjectName(name);
    plot->setMinimumSize(300, 220);
    layout->addWidget(plot);
    return plot;
}

QVector<double> toQ(const std::vector<double>& v) { return QVector<double>(v.begin(), v.end()); }

}  // namespace

struct SpectraOverlayView::Private {
    QCustomPlot* plot = nullptr;
    QCPTextElement* title = nullptr;
    std::vector<SpectrumPlotData> data;
};

SpectraOverlayView::SpectraOverlayView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    d_->plot = newPlot(this, "spectraOverlayPlot");
    const QFont base = viewFont(this);
    for (QCPAxis* axis : {d_->plot->xAxis, d_->plot->yAxis}) setAxisFonts(axis, base);
    QFont title = base;
    title.setPointSizeF(base.pointSizeF() + 1);
    d_->title = addTitleRow(d_->plot, title);
    setTitleText(d_->title, tr("Spectra of the checkpoints"));
    d_->plot->legend->setWrap(2);
    legendBelowAxes(d_->plot, base);
    d_->plot->yAxis2->setRange(0, 1.12);
    setData({});
}

SpectraOverlayView::~SpectraOverlayView() = default;
const std::vector<SpectrumPlotData>& SpectraOverlayView::data() const { return d_->data; }
QCustomPlot* SpectraOverlayView::plot() const { return d_->plot; }

void SpectraOverlayView::setData(const std::vector<SpectrumPlotData>& spectra) {
    d_->data = spectra;
    QCustomPlot* plot = d_->plot;
    plot->clearPlottables();
    plot->xAxis->setLabel(tr("eigenvalue λ"));
    plot->yAxis->setLabel(tr("density (log)"));
    double lo = 0, hi = 1, top = 0;
    bool any = false;
    for (const auto& s : spectra) {
        const Range r = xRange(s, false);
        lo = any ? std::min(lo, r.lo) : r.lo;
        hi = any ? std::max(hi, r.hi) : r.hi;
        any = any || !s.empty();
        for (double v : s.density_values) top = std::max(top, v);
    }
    if (!(top > 0)) top = 1;
    const double floor = top * 1e-5;  // a log axis cannot show zero density
    for (std::size_t i = 0; i < spectra.size(); ++i) {
        const SpectrumPlotData& s = spectra[i];
        const QString name = QString::fromStdString(s.title);
        if (s.density_grid.size() == s.density_values.size() && !s.density_grid.empty()) {
            auto* g = plot->addGraph(plot->xAxis, plot->yAxis);
            g->setName(name);
            g->setPen(seriesPen(i));
            QVector<double> ys = toQ(s.density_values);
            for (double& y : ys) y = std::max(y, floor);
            g->setData(toQ(s.density_grid), ys, true);
        }
        // The top eigenvalues as markers along the top, one row per checkpoint.
        QVector<double> xs, ys;
        for (double lambda : s.top_eigenvalues)
            if (std::isfinite(lambda)) xs << lambda, ys << 1.05 - 0.05 * double(i);
        if (!xs.isEmpty()) {
            auto* m = plot->addGraph(plot->xAxis, plot->yAxis2);
            m->setName(s.density_grid.empty() ? name : QString());
            m->setLineStyle(QCPGraph::lsNone);
            QPen pen = seriesPen(i, 1.6);
            pen.setStyle(Qt::SolidLine);
            m->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, pen, QBrush(pen.color()), 8));
            m->setData(xs, ys);
            if (!s.density_grid.empty()) m->removeFromLegend();
        }
    }
    plot->xAxis->setRange(lo, hi);
    plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    plot->yAxis->setNumberFormat("eb");
    plot->yAxis->setNumberPrecision(0);
    plot->yAxis->setRange(floor, top * 3);
    plot->legend->setVisible(plot->legend->itemCount() > 0);
    if (!any) setTitleText(d_->title, tr("No checkpoints compared yet"));
    else setTitleText(d_->title, tr("Spectra of %n checkpoint(s)", nullptr, int(spectra.size())));
    plot->replot();
}

struct PathView::Private {
    QCustomPlot* plot = nullptr;
    QCPTextElement* title = nullptr;
    QCPAxis* eig_axis = nullptr;
    PathPlotData data;
};

PathView::PathView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    d_->plot = newPlot(this, "pathPlot");
    QCustomPlot* plot = d_->plot;
    const QFont base = viewFont(this);
    QFont title = base;
    title.setPointSizeF(base.pointSizeF() + 1);
    d_->title = addTitleRow(plot, title);
    // One rect, three value axes: loss (left), accuracy (right) and the top eigenvalue (further
    // right). Two rects stacked had vertical labels longer than each rect, running into each other.
    plot->yAxis2->setVisible(true);
    d_->eig_axis = plot->axisRect()->addAxis(QCPAxis::atRight);
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis, plot->yAxis2, d_->eig_axis}) setAxisFonts(axis, base);
    d_->eig_axis->setTickLabelColor(palette::bluishGreen().darker(120));
    d_->eig_axis->setLabelColor(palette::bluishGreen().darker(120));
    plot->yAxis2->setTickLabelColor(palette::vermillion());
    plot->yAxis2->setLabelColor(palette::vermillion());
    legendBelowAxes(plot, base);
    setData({});
}

PathView::~PathView() = default;
const PathPlotData& PathView::data() const { return d_->data; }
QCustomPlot* PathView::plot() const { return d_->plot; }

QString PathView::barrierText() const {
    if (d_->data.empty()) return {};
    return tr("barrier %1 above the higher end, %2 above the line, at t = %3")
        .arg(QString::fromStdString(formatNumber(d_->data.barrier_over_ends)),
             QString::fromStdString(formatNumber(d_->data.barrier_over_line)))
        .arg(d_->data.t_max, 0, 'f', 2);
}

void PathView::setData(const PathPlotData& data) {
    d_->data = data;
    QCustomPlot* plot = d_->plot;
    plot->clearPlottables();
    plot->clearItems();
    plot->xAxis->setLabel(tr("t (0: first checkpoint, 1: last)"));
    plot->yAxis->setLabel(tr("loss"));
    plot->yAxis2->setLabel(tr("accuracy %"));
    d_->eig_axis->setLabel(tr("λ₁"));
    if (data.empty()) {
        setTitleText(d_->title, tr("No path computed yet"));
        plot->legend->setVisible(false);
        plot->replot();
        return;
    }
    // The barrier is written under the table; the title says what the curves are.
    setTitleText(d_->title, data.title.empty() ? tr("Straight path from the first to the last checkpoint")
                                               : QString::fromStdString(data.title));
    const QVector<double> ts = toQ(data.t);
    auto* loss = plot->addGraph(plot->xAxis, plot->yAxis);
    loss->setName(tr("loss"));
    loss->setPen(QPen(palette::blue(), 2));
    loss->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    loss->setData(ts, toQ(data.loss), true);
    // The straight line between the two ends' losses: the barrier over the line is measured from it.
    auto* chord = plot->addGraph(plot->xAxis, plot->yAxis);
    chord->setName(tr("straight line"));
    chord->setPen(QPen(Qt::gray, 1, Qt::DotLine));
    chord->setData({data.t.front(), data.t.back()}, {data.loss.front(), data.loss.back()}, true);
    if (data.accuracy.size() == data.t.size()) {
        auto* acc = plot->addGraph(plot->xAxis, plot->yAxis2);
        acc->setName(tr("accuracy"));
        acc->setPen(QPen(palette::vermillion(), 2, Qt::DashLine));
        QVector<double> pct;
        for (double a : data.accuracy) pct << 100 * a;
        acc->setData(ts, pct, true);
        plot->yAxis2->setRange(0, 100);
    }
    d_->eig_axis->setVisible(data.top_eigenvalue.size() == data.t.size());
    if (data.top_eigenvalue.size() == data.t.size()) {
        auto* eig = plot->addGraph(plot->xAxis, d_->eig_axis);
        eig->setName(tr("top eigenvalue λ₁"));
        eig->setPen(QPen(palette::bluishGreen(), 2, Qt::DashDotLine));
        eig->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, 6));
        eig->setData(ts, toQ(data.top_eigenvalue), true);
        eig->rescaleValueAxis();
    }
    // Where the loss is highest: a dotted line.
    auto* peak = new QCPItemStraightLine(plot);
    peak->setClipAxisRect(plot->axisRect());
    peak->point1->setCoords(data.t_max, 0);
    peak->point2->setCoords(data.t_max, 1);
    peak->setPen(QPen(palette::black(), 1, Qt::DotLine));
    const auto [lo, hi] = std::minmax_element(data.loss.begin(), data.loss.end());
    plot->yAxis->setRange(*lo - 0.05 * (*hi - *lo), *hi + 0.1 * (*hi - *lo));
    plot->xAxis->setRange(data.t.front(), data.t.back());
    plot->legend->setVisible(true);
    plot->replot();
}

}  // namespace basin::widgets
