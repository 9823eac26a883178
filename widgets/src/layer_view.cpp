#include "basin/widgets/layer_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

#include "basin/widgets/layer_math.h"
#include "basin/widgets/palette.h"
#include "basin/widgets/spectrum_math.h"
#include "plot_layout.h"

namespace basin::widgets {

namespace {

// Sorts by the number behind the text, so "1.2e-05" sorts below "0.3" as it should.
class NumberItem : public QTableWidgetItem {
public:
    NumberItem(const QString& text, double value) : QTableWidgetItem(text) {
        setData(Qt::UserRole, value);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem& other) const override {
        return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
    }
};

QString num(double v) { return QString::fromStdString(formatNumber(v)); }

QTableWidget* makeTable(QWidget* parent, const QStringList& headers) {
    auto* t = new QTableWidget(0, int(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->setVisible(false);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return t;
}

// The width that shows every column whole (headers and cells, the sort arrow, a vertical scroll
// bar), so the table is given that much and the chart the rest: nothing to scroll sideways.
int widthForAllColumns(QTableWidget* t) {
    int w = 2 * t->frameWidth() + t->verticalScrollBar()->sizeHint().width();
    for (int c = 0; c < t->columnCount(); ++c)
        w += std::max(static_cast<QAbstractItemView*>(t)->sizeHintForColumn(c), t->horizontalHeader()->sectionSizeHint(c));
    return w;
}

}  // namespace

struct LayerView::Private {
    LayerPlotData data;
    QCustomPlot* plot = nullptr;
    QCPTextElement* title = nullptr;
    QTableWidget* layers = nullptr;
    QTableWidget* precision = nullptr;
    QLabel* precision_title = nullptr;
    QWidget* side = nullptr;
    QCPBars* eig = nullptr;
    QCPBars* trace = nullptr;
    QString empty_message = QObject::tr("No layer sensitivity yet: Analysis ▸ Run layer sensitivity");
};

LayerView::LayerView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    d_->plot = new QCustomPlot(this);
    d_->plot->setObjectName("layerPlot");
    d_->plot->setMinimumSize(360, 260);
    const QFont base = viewFont(this);
    QFont label = base;
    label.setPointSizeF(base.pointSizeF() + 1);
    for (QCPAxis* axis : {d_->plot->xAxis, d_->plot->yAxis}) setAxisFonts(axis, base);
    d_->plot->xAxis->setLabel(tr("layer"));
    d_->plot->yAxis->setLabel(tr("curvature (log scale)"));
    d_->plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    d_->plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    d_->plot->yAxis->setNumberFormat("eb");
    d_->plot->yAxis->setNumberPrecision(0);
    d_->plot->xAxis->grid()->setVisible(false);
    d_->title = addTitleRow(d_->plot, label);
    // The legend in its own row under the axes: inside them it would hide the tallest bar.
    legendBelowAxes(d_->plot, base);

    auto* group = new QCPBarsGroup(d_->plot);
    d_->eig = new QCPBars(d_->plot->xAxis, d_->plot->yAxis);
    d_->eig->setName(tr("top eigenvalue"));
    d_->eig->setPen(QPen(palette::blue().darker(130)));
    d_->eig->setBrush(palette::blue());
    d_->trace = new QCPBars(d_->plot->xAxis, d_->plot->yAxis);
    d_->trace->setName(tr("mean trace ± s.e."));
    d_->trace->setPen(QPen(palette::orange().darker(130)));
    d_->trace->setBrush(palette::orange());
    for (QCPBars* b : {d_->eig, d_->trace}) {
        b->setWidth(0.38);
        b->setBarsGroup(group);
    }

    auto* side = d_->side = new QWidget(this);
    auto* column = new QVBoxLayout(side);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(new QLabel(tr("<b>Layers</b> (click a header to sort)"), side));
    // Short headers, the full names in their tooltips: six columns fit beside the chart.
    d_->layers = makeTable(side, {tr("layer"), tr("params"), tr("λ max"), tr("mean trace ± s.e."), tr("Ω 4-bit"), tr("bits")});
    d_->layers->horizontalHeaderItem(1)->setToolTip(tr("Parameters in the layer"));
    d_->layers->horizontalHeaderItem(2)->setToolTip(tr("The layer's top Hessian eigenvalue"));
    d_->layers->horizontalHeaderItem(3)->setToolTip(tr("Mean trace Tr(Hᵢ)/nᵢ ± its standard error"));
    d_->layers->horizontalHeaderItem(5)->setToolTip(tr("Bits the mixed-precision proposal gives the layer"));
    d_->layers->horizontalHeaderItem(4)->setToolTip(tr("Ωᵢ = Tr(Hᵢ)/nᵢ · ‖Q₄(Wᵢ) − Wᵢ‖², the loss increase expected from 4-bit weights"));
    d_->layers->setObjectName("layerTable");
    d_->layers->horizontalHeader()->setSortIndicator(0, Qt::AscendingOrder);  // model order until the user sorts
    column->addWidget(d_->layers, 3);
    d_->precision_title = new QLabel(side);
    column->addWidget(d_->precision_title);
    d_->precision = makeTable(side, {tr("storage"), tr("bits per layer"), tr("size"), tr("loss"), tr("accuracy")});
    d_->precision->setObjectName("precisionTable");
    column->addWidget(d_->precision, 2);
    // The tables keep the width their columns need (see redraw); the chart takes what is left.
    layout->addWidget(d_->plot, 1);
    layout->addWidget(side, 0);
    redraw();
}

LayerView::~LayerView() = default;

void LayerView::setData(const LayerPlotData& data) {
    d_->data = data;
    redraw();
}

const LayerPlotData& LayerView::data() const { return d_->data; }

void LayerView::clear(const QString& message) {
    d_->data = {};
    if (!message.isEmpty()) d_->empty_message = message;
    redraw();
}

QCustomPlot* LayerView::plot() const { return d_->plot; }
QTableWidget* LayerView::layerTable() const { return d_->layers; }
QTableWidget* LayerView::precisionTable() const { return d_->precision; }

std::vector<double> LayerView::eigenvalueBars() const {
    std::vector<double> v;
    for (auto it = d_->eig->data()->constBegin(); it != d_->eig->data()->constEnd(); ++it) v.push_back(it->value);
    return v;
}

std::vector<double> LayerView::traceBars() const {
    std::vector<double> v;
    for (auto it = d_->trace->data()->constBegin(); it != d_->trace->data()->constEnd(); ++it) v.push_back(it->value);
    return v;
}


void LayerView::redraw() {
    const LayerPlotData& data = d_->data;
    QCustomPlot* plot = d_->plot;
    d_->title->setText(data.empty() ? d_->empty_message : QString::fromStdString(data.title));

    std::vector<double> all;
    for (const LayerRow& r : data.layers) {
        all.push_back(r.top_eigenvalue);
        all.push_back(r.mean_trace);
        all.push_back(r.mean_trace + r.mean_trace_err);
    }
    const auto [lo, hi] = logAxisRange(all);
    // Bars grow from the bottom of the log axis: a log axis has no zero to grow from.
    QVector<double> keys, eig, trace, err_minus, err_plus;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (std::size_t i = 0; i < data.layers.size(); ++i) {
        const LayerRow& r = data.layers[i];
        keys << double(i + 1);
        eig << std::max(r.top_eigenvalue, lo);
        trace << std::max(r.mean_trace, lo);
        // The lower whisker stops at the axis floor instead of crossing zero, which a log axis cannot show.
        err_minus << std::min(r.mean_trace_err, std::max(0.0, r.mean_trace - lo));
        err_plus << r.mean_trace_err;
        ticker->addTick(double(i + 1), QString::fromStdString(r.name));
    }
    d_->eig->setBaseValue(lo);
    d_->trace->setBaseValue(lo);
    d_->eig->setData(keys, eig, true);
    d_->trace->setData(keys, trace, true);
    for (int i = plot->plottableCount() - 1; i >= 0; --i)
        if (qobject_cast<QCPErrorBars*>(plot->plottable(i))) plot->removePlottable(i);
    if (!keys.isEmpty()) {
        auto* errors = new QCPErrorBars(plot->xAxis, plot->yAxis);
        errors->removeFromLegend();
        errors->setDataPlottable(d_->trace);
        errors->setPen(QPen(palette::black(), 1.4));
        errors->setData(err_minus, err_plus);
    }
    plot->xAxis->setTicker(ticker);
    plot->xAxis->setRange(0.4, double(data.layers.size()) + 0.6);
    plot->yAxis->setRange(lo, hi);
    plot->legend->setVisible(!data.empty());
    plot->replot();

    QTableWidget* t = d_->layers;
    t->setSortingEnabled(false);  // rows filled while sorting would move under the writer
    t->setRowCount(int(data.layers.size()));
    for (int i = 0; i < int(data.layers.size()); ++i) {
        const LayerRow& r = data.layers[std::size_t(i)];
        auto* name = new NumberItem(QString::fromStdString(r.name), i);  // name column sorts in model order
        name->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        t->setItem(i, 0, name);
        t->setItem(i, 1, new NumberItem(QLocale().toString(qlonglong(r.parameters)), double(r.parameters)));
        t->setItem(i, 2, new NumberItem(num(r.top_eigenvalue), r.top_eigenvalue));
        t->setItem(i, 3, new NumberItem(num(r.mean_trace) + " ± " + num(r.mean_trace_err), r.mean_trace));
        t->setItem(i, 4, r.omega4 ? new NumberItem(num(*r.omega4), *r.omega4) : new NumberItem(tr("float32"), -1));
        t->setItem(i, 5, r.proposed_bits ? new NumberItem(QString::number(*r.proposed_bits), *r.proposed_bits)
                                         : new NumberItem(QStringLiteral("—"), 99));
    }
    t->setSortingEnabled(true);
    t->setMinimumWidth(widthForAllColumns(t));

    QTableWidget* p = d_->precision;
    p->setRowCount(int(data.precision.size()));
    for (int i = 0; i < int(data.precision.size()); ++i) {
        const PrecisionRow& r = data.precision[std::size_t(i)];
        p->setItem(i, 0, new QTableWidgetItem(QString::fromStdString(r.label)));
        p->setItem(i, 1, new QTableWidgetItem(QString::fromStdString(r.bits)));
        p->setItem(i, 2, new NumberItem(QString::fromStdString(formatBytes(r.size_bytes)), r.size_bytes));
        p->setItem(i, 3, new NumberItem(num(r.loss), r.loss));
        p->setItem(i, 4, new NumberItem(r.accuracy < 0 ? QStringLiteral("—")
                                                       : QStringLiteral("%1 %").arg(100 * r.accuracy, 0, 'f', 2),
                                        r.accuracy));
    }
    QString heading = tr("<b>Mixed precision</b>");
    if (data.budget_bytes)
        heading += tr(" under a budget of %1").arg(QString::fromStdString(formatBytes(*data.budget_bytes)));
    if (data.precision.empty()) heading += tr(": not computed");
    d_->precision_title->setText(heading);
    p->setMinimumWidth(widthForAllColumns(p));
    // The tables get the width they need and no more: the rest goes to the chart, whose title (a
    // study's name) is long.
    d_->side->setMaximumWidth(std::max(t->minimumWidth(), p->minimumWidth()));
}

}  // namespace basin::widgets
