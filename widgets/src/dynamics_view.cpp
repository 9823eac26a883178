// The Dynamics tab: sharpness against the stability threshold across checkpoints, mini-batch
// λmax against the batch size, per-batch spectra and the sampling uncertainty.
#include "basin/widgets/dynamics_view.h"

#include <qcustomplot.h>
#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "basin/widgets/palette.h"
#include "basin/widgets/spectrum_math.h"
#include "plot_layout.h"

namespace basin::widgets {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
QString num(double v) { return qs(formatNumber(v)); }

QCPTextElement* titleOf(QCustomPlot* plot) {
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* t = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i))) return t;
    return addTitleRow(plot, viewFont(plot));
}

QCustomPlot* makePlot(QWidget* parent, const char* name) {
    auto* plot = new QCustomPlot(parent);
    plot->setObjectName(name);
    plot->setMinimumSize(300, 220);
    const QFont base = viewFont(parent);
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) setAxisFonts(axis, base);
    addTitleRow(plot, base);
    legendBelowAxes(plot, base);
    plot->legend->setVisible(false);
    return plot;
}

void reset(QCustomPlot* plot) {
    plot->clearPlottables();
    plot->clearItems();
    plot->legend->setVisible(false);
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        axis->setScaleType(QCPAxis::stLinear);
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        axis->setTickLabelRotation(0);
        axis->setLabel(QString());
    }
}

void empty(QCustomPlot* plot, const QString& message) {
    setTitleText(titleOf(plot), message);
    plot->replot();
}

QCPGraph* line(QCustomPlot* plot, const QString& name, QPen pen, QCPScatterStyle scatter = QCPScatterStyle()) {
    QCPGraph* g = plot->addGraph();
    g->setName(name);
    g->setPen(pen);
    g->setScatterStyle(scatter);
    return g;
}

QPen dashed(QColor c) {
    QPen p(c, 1.8);
    p.setStyle(Qt::DashLine);
    return p;
}

// Positive values spanning more than this factor go on a logarithmic axis.
constexpr double kLogSpan = 50;

void useLogAxis(QCPAxis* axis) {
    axis->setScaleType(QCPAxis::stLogarithmic);
    auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
    ticker->setLogBase(10);
    ticker->setSubTickCount(8);
    axis->setTicker(ticker);
    axis->setNumberFormat("gb");
}

}  // namespace

void drawStability(QCustomPlot* plot, const StabilityPlotData& d, const QString& message) {
    reset(plot);
    if (d.empty()) return empty(plot, message);
    setTitleText(titleOf(plot),
                 d.title.empty() ? QObject::tr("Sharpness against the stability threshold") : qs(d.title));
    const int n = int(d.labels.size());
    QVector<double> keys, sharp, raw_keys, raw;
    double lo = INFINITY, hi = 0;
    for (int i = 0; i < n; ++i) {
        keys << double(i);
        sharp << d.sharpness[size_t(i)];
        lo = std::min(lo, d.sharpness[size_t(i)]);
        hi = std::max(hi, d.sharpness[size_t(i)]);
        if (size_t(i) < d.lambda_max.size() && std::isfinite(d.lambda_max[size_t(i)])) {
            raw_keys << double(i);
            raw << d.lambda_max[size_t(i)];
        }
    }
    for (double t : d.threshold) lo = std::min(lo, t), hi = std::max(hi, t);
    for (double v : raw) lo = std::min(lo, v), hi = std::max(hi, v);
    QCPGraph* s =
        line(plot, qs(d.sharpness_label), QPen(palette::blue(), 2.2), QCPScatterStyle(QCPScatterStyle::ssDisc, 8));
    s->setData(keys, sharp, true);
    // The threshold: one dashed line across the plot when the learning rate did not change, else
    // through each checkpoint's own.
    const bool flat =
        std::all_of(d.threshold.begin(), d.threshold.end(), [&](double t) { return t == d.threshold.front(); });
    QCPGraph* t = line(plot, QObject::tr("threshold %1").arg(qs(d.threshold_label)), dashed(palette::vermillion()));
    if (flat) t->setData({-0.5, double(n) - 0.5}, {d.threshold.front(), d.threshold.front()}, true);
    else t->setData(keys, QVector<double>(d.threshold.begin(), d.threshold.end()), true);
    if (!raw.isEmpty()) {
        QPen grey(palette::black(), 1.2);
        grey.setStyle(Qt::DotLine);
        line(plot, QObject::tr("λmax(H), not preconditioned"), grey, QCPScatterStyle(QCPScatterStyle::ssCircle, 6))
            ->setData(raw_keys, raw, true);
    }
    auto* label = new QCPItemText(plot);
    label->setText(QObject::tr("edge of stability"));
    label->setColor(palette::vermillion());
    label->setFont(viewFont(plot));
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    label->position->setCoords(-0.45, d.threshold.front());

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < n; ++i) ticker->addTick(i, qs(d.labels[size_t(i)]));
    plot->xAxis->setTicker(ticker);
    // Tilted to end at their tick: QCustomPlot leaves out a label the widget's edge would cut, and a
    // label leaning right from the last tick would be.
    plot->xAxis->setTickLabelRotation(n > 3 ? -30 : 0);
    plot->xAxis->grid()->setZeroLinePen(Qt::NoPen);
    plot->xAxis->setRange(-0.5, double(n) - 0.5);
    plot->xAxis->setLabel(QObject::tr("checkpoint"));
    plot->yAxis->setLabel(QObject::tr("sharpness"));
    if (lo > 0 && hi / lo > kLogSpan) {
        useLogAxis(plot->yAxis);
        plot->yAxis->setRange(lo / 2, hi * 2);
    } else {
        plot->yAxis->setRange(0, hi > 0 ? hi * 1.15 : 1);
    }
    plot->legend->setVisible(true);
    plot->replot();
}

void drawBatchScaling(QCustomPlot* plot, const BatchScalingPlotData& d, const QString& message) {
    reset(plot);
    if (d.empty()) return empty(plot, message);
    setTitleText(titleOf(plot),
                 d.title.empty() ? QObject::tr("λmax of mini-batch Hessians against the batch size") : qs(d.title));
    useLogAxis(plot->xAxis);
    useLogAxis(plot->yAxis);
    const QVector<double> b(d.batch_sizes.begin(), d.batch_sizes.end()), mean(d.mean.begin(), d.mean.end());
    QCPGraph* m = line(plot, QObject::tr("mean λmax(H_B) ± s.d."), QPen(palette::blue(), 2.2),
                       QCPScatterStyle(QCPScatterStyle::ssDisc, 8));
    m->setData(b, mean, true);
    // The spread, cut above zero (a log axis has no room below it).
    double lo = INFINITY, hi = 0;
    QVector<double> below, above;
    for (int i = 0; i < mean.size(); ++i) {
        const double sd = size_t(i) < d.stddev.size() ? d.stddev[size_t(i)] : 0;
        below << std::min(sd, 0.9 * mean[i]);
        above << sd;
        lo = std::min(lo, mean[i] - below.back());
        hi = std::max(hi, mean[i] + sd);
    }
    auto* bars = new QCPErrorBars(plot->xAxis, plot->yAxis);
    bars->removeFromLegend();
    bars->setDataPlottable(m);
    bars->setPen(QPen(palette::blue(), 1.4));
    bars->setData(below, above);
    const double x0 = b.front() / 1.5, x1 = b.back() * 1.5;
    QCPGraph* full = line(plot, QObject::tr("all %1 samples: λmax %2").arg(d.samples).arg(num(d.full_lambda_max)),
                          dashed(palette::vermillion()));
    full->setData({x0, x1}, {d.full_lambda_max, d.full_lambda_max}, true);
    lo = std::min(lo, d.full_lambda_max);
    hi = std::max(hi, d.full_lambda_max);
    QPen fit_pen(palette::bluishGreen(), 1.6);
    QCPGraph* fit = line(plot, QObject::tr("fit: slope %1 (log λmax on log B)").arg(d.slope, 0, 'f', 3), fit_pen);
    fit->setData(QVector<double>(d.fit_x.begin(), d.fit_x.end()), QVector<double>(d.fit_y.begin(), d.fit_y.end()),
                 true);
    for (double y : d.fit_y) lo = std::min(lo, y), hi = std::max(hi, y);
    // The batch sizes themselves are the ticks (a log ticker falls back to linear steps within two decades).
    auto ticks = QSharedPointer<QCPAxisTickerText>::create();
    for (double v : b) ticks->addTick(v, QString::number(v, 'g', 10));
    plot->xAxis->setTicker(ticks);
    plot->xAxis->setRange(x0, x1);
    if (lo > 0 && hi > 0) plot->yAxis->setRange(lo / 1.3, hi * 1.3);
    plot->xAxis->setLabel(QObject::tr("batch size B"));
    plot->yAxis->setLabel(QObject::tr("λmax(H_B)"));
    plot->legend->setVisible(true);
    plot->replot();
}

static QColor overlayColor(size_t i) {
    static const QColor colors[] = {palette::blue(),          palette::vermillion(), palette::bluishGreen(),
                                    palette::reddishPurple(), palette::orange(),     palette::skyBlue()};
    return colors[i % (sizeof colors / sizeof colors[0])];
}

void drawBatchSpectra(QCustomPlot* plot, const BatchSpectraPlotData& d, const QString& message) {
    reset(plot);
    if (d.empty()) return empty(plot, message);
    setTitleText(titleOf(plot), d.title.empty() ? QObject::tr("Per-batch Hessian spectra") : qs(d.title));
    double top = 0;
    for (size_t i = 0; i < d.sets.size(); ++i) {
        const auto& set = d.sets[i];
        // A step line through the bins: each bin's density from its left edge to its right.
        QVector<double> x, y;
        for (size_t b = 0; b + 1 < d.edges.size() && b < set.density.size(); ++b) {
            x << d.edges[b] << d.edges[b + 1];
            y << set.density[b] << set.density[b];
            top = std::max(top, set.density[b]);
        }
        QString name = qs(set.label);
        if (d.end == "largest" && set.mean > 0)
            name += QObject::tr(": mean λmax %1 ± %2").arg(num(set.mean), num(set.stddev));
        QCPGraph* g = line(plot, name, QPen(overlayColor(i), 2.0));
        g->setData(x, y, true);
        if (d.sets.size() == 1) g->setBrush(palette::withAlpha(overlayColor(i), 60));
    }
    const double width = d.edges.back() - d.edges.front();
    plot->xAxis->setRange(d.edges.front() - 0.04 * width, d.edges.back() + 0.04 * width);
    plot->yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
    plot->xAxis->setLabel(d.end == "smallest"
                              ? QObject::tr("most negative eigenvalues of H_B")
                              : QObject::tr("largest eigenvalues of H_B (top %1 of each batch)").arg(d.top_k));
    plot->yAxis->setLabel(QObject::tr("density"));
    plot->legend->setVisible(true);
    plot->replot();
}

void drawResample(QCustomPlot* plot, const ResamplePlotData& d, const QString& message) {
    reset(plot);
    if (d.empty()) return empty(plot, message);
    setTitleText(titleOf(plot), d.title.empty() ? QObject::tr("How much is the data sample") : qs(d.title));
    QVector<double> dot_x, dot_y;
    double lo = 0, hi = d.target;
    const int n = int(d.quantities.size());
    QVector<double> keys, data_err, est_err;
    for (int i = 0; i < n; ++i) {
        const auto& q = d.quantities[size_t(i)];
        // The subsample estimates left of the bars, spread a little so that equal ones stay apart.
        for (size_t k = 0; k < q.deviation.size(); ++k) {
            dot_x << i - 0.22 + 0.12 * (double(k % 5) / 4.0 - 0.5);
            dot_y << q.deviation[k];
            lo = std::min(lo, q.deviation[k]);
            hi = std::max(hi, q.deviation[k]);
        }
        keys << double(i);
        data_err << q.data_error;
        est_err << q.estimator_error;
        hi = std::max({hi, q.data_error, q.estimator_error});
    }
    QCPGraph* dots = line(plot, QObject::tr("each subsample of m = %1: value / full − 1").arg(d.subsample), Qt::NoPen,
                          QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(palette::black(), 1.2), Qt::NoBrush, 6));
    dots->setLineStyle(QCPGraph::lsNone);
    dots->setData(dot_x, dot_y, false);
    QCPGraph* target = line(plot, QObject::tr("target %1 %").arg(num(d.target)), dashed(palette::vermillion()));
    target->setData({-0.5, double(n) - 0.5}, {d.target, d.target}, true);
    const auto bars = [&](const QString& name, QColor color, double offset, const QVector<double>& values) {
        auto* b = new QCPBars(plot->xAxis, plot->yAxis);
        b->setName(name);
        b->setWidth(0.16);
        b->setPen(QPen(color.darker(120), 1));
        b->setBrush(color);
        QVector<double> x;
        for (double k : keys) x << k + offset;
        b->setData(x, values, true);
    };
    bars(QObject::tr("data error at N = %1").arg(d.samples), palette::blue(), 0.04, data_err);
    bars(QObject::tr("estimator error at N"), palette::orange(), 0.22, est_err);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < n; ++i) ticker->addTick(i, qs(d.quantities[size_t(i)].name));
    plot->xAxis->setTicker(ticker);
    plot->xAxis->grid()->setZeroLinePen(Qt::NoPen);
    plot->xAxis->setRange(-0.5, double(n) - 0.5);
    const double pad = 0.1 * (hi - lo > 0 ? hi - lo : 1);
    plot->yAxis->setRange(lo - pad, hi + pad);
    plot->yAxis->setLabel(QObject::tr("% of the full value"));
    plot->legend->setVisible(true);
    plot->replot();
}

struct DynamicsView::Private {
    DynamicsPlotData data;
    QCustomPlot *stability = nullptr, *scaling = nullptr, *spectra = nullptr, *resample = nullptr;
    QLabel* notes = nullptr;
    QString stability_message = QObject::tr("No stability readout yet: Analysis ▸ Run stability across checkpoints");
    QString scaling_message = QObject::tr("No batch scaling yet: Analysis ▸ Run batch-size scaling");
    QString spectra_message = QObject::tr("No per-batch spectra yet: Analysis ▸ Run per-batch spectra");
    QString resample_message = QObject::tr("No sampling uncertainty yet: Analysis ▸ Run sampling uncertainty");
};

// Each of the two rows of charts is at least this tall; a shorter tab (a 1280 x 800 window's)
// scrolls rather than cramming four charts and their legends into it.
constexpr int kRowHeight = 330;

DynamicsView::DynamicsView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setObjectName("dynamicsScroll");
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    outer->addWidget(scroll);
    auto* content = new QWidget(scroll);
    scroll->setWidget(content);
    auto* grid = new QGridLayout(content);
    grid->setContentsMargins(4, 4, 4, 4);
    d_->stability = makePlot(content, "stabilityPlot");
    d_->scaling = makePlot(content, "batchScalingPlot");
    d_->spectra = makePlot(content, "batchSpectraPlot");
    d_->resample = makePlot(content, "resamplePlot");
    for (QCustomPlot* plot : {d_->stability, d_->scaling, d_->spectra, d_->resample})
        plot->setMinimumHeight(kRowHeight);
    d_->notes = new QLabel(content);
    d_->notes->setObjectName("dynamicsNotes");
    d_->notes->setWordWrap(true);
    d_->notes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    d_->notes->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    grid->addWidget(d_->stability, 0, 0);
    grid->addWidget(d_->scaling, 0, 1);
    grid->addWidget(d_->spectra, 1, 0);
    grid->addWidget(d_->resample, 1, 1);
    grid->addWidget(d_->notes, 2, 0, 1, 2);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);
    redraw();
}

DynamicsView::~DynamicsView() = default;

void DynamicsView::setStability(const StabilityPlotData& data) {
    d_->data.stability = data;
    redraw();
}

void DynamicsView::setBatchScaling(const BatchScalingPlotData& data) {
    d_->data.scaling = data;
    redraw();
}

void DynamicsView::setBatchSpectra(const BatchSpectraPlotData& data) {
    d_->data.spectra = data;
    redraw();
}

void DynamicsView::setResample(const ResamplePlotData& data) {
    d_->data.resample = data;
    redraw();
}

const DynamicsPlotData& DynamicsView::data() const { return d_->data; }

void DynamicsView::clear(const QString& message) {
    d_->data = {};
    if (!message.isEmpty())
        d_->stability_message = d_->scaling_message = d_->spectra_message = d_->resample_message = message;
    redraw();
}

void DynamicsView::clearStability(const QString& message) {
    d_->data.stability = {};
    d_->stability_message = message;
    redraw();
}

void DynamicsView::clearBatchScaling(const QString& message) {
    d_->data.scaling = {};
    d_->scaling_message = message;
    redraw();
}

void DynamicsView::clearBatchSpectra(const QString& message) {
    d_->data.spectra = {};
    d_->spectra_message = message;
    redraw();
}

void DynamicsView::clearResample(const QString& message) {
    d_->data.resample = {};
    d_->resample_message = message;
    redraw();
}

QCustomPlot* DynamicsView::stabilityPlot() const { return d_->stability; }
QCustomPlot* DynamicsView::scalingPlot() const { return d_->scaling; }
QCustomPlot* DynamicsView::spectraPlot() const { return d_->spectra; }
QCustomPlot* DynamicsView::resamplePlot() const { return d_->resample; }
QLabel* DynamicsView::notesLabel() const { return d_->notes; }

std::vector<QCustomPlot*> DynamicsView::filledPlots() const {
    std::vector<QCustomPlot*> v;
    if (!d_->data.stability.empty()) v.push_back(d_->stability);
    if (!d_->data.scaling.empty()) v.push_back(d_->scaling);
    if (!d_->data.spectra.empty()) v.push_back(d_->spectra);
    if (!d_->data.resample.empty()) v.push_back(d_->resample);
    return v;
}

void DynamicsView::redraw() {
    drawStability(d_->stability, d_->data.stability, d_->stability_message);
    drawBatchScaling(d_->scaling, d_->data.scaling, d_->scaling_message);
    drawBatchSpectra(d_->spectra, d_->data.spectra, d_->spectra_message);
    drawResample(d_->resample, d_->data.resample, d_->resample_message);
    QStringList notes;
    for (const auto* part :
         {&d_->data.stability.notes, &d_->data.scaling.notes, &d_->data.spectra.notes, &d_->data.resample.notes})
        for (const std::string& n : *part) notes << QString::fromStdString(n).toHtmlEscaped();
    d_->notes->setText(notes.join("<br>"));
    d_->notes->setVisible(!notes.isEmpty());
}

}  // namespace basin::widgets
