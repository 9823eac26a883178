#include "basin/widgets/layer_view.h"

#include <qcustomplot.h>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

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
        w += std::max(static_cast<QAbstractItemView*>(t)->sizeHintForColumn(c),
                      t->horizontalHeader()->sectionSizeHint(c));
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
    QLabel* warning = nullptr;
    QWidget* side = nullptr;
    QCPBars* eig = nullptr;
    QCPBars* trace = nullptr;
    double name_rotation = 0;  // of the layer names under the bars, in degrees
    int name_step = 1;         // every name_step-th layer is named
    QString empty_message = QObject::tr("No layer sensitivity yet: Analysis ▸ Run layer sensitivity");
};

LayerView::LayerView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    // The chart beside the layers' table, the storages below both across the whole width: side
    // by side, three tables and the chart did not fit a 1280-pixel window.
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);
    auto* layout = new QHBoxLayout;
    outer->addLayout(layout, 3);

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
    auto* hint = new QLabel(tr("<b>Layers</b> (click a header to sort)"), side);
    hint->setObjectName("layerTableHint");
    hint->setWordWrap(true);  // the side is as wide as its tables, which may be narrower than the hint
    column->addWidget(hint);
    // Short headers, the full names in their tooltips: six columns fit beside the chart.
    d_->layers =
        makeTable(side, {tr("layer"), tr("params"), tr("λ max"), tr("mean trace ± s.e."), tr("Ω 4-bit"), tr("bits")});
    d_->layers->horizontalHeaderItem(1)->setToolTip(tr("Parameters in the layer"));
    d_->layers->horizontalHeaderItem(2)->setToolTip(tr("The layer's top Hessian eigenvalue"));
    d_->layers->horizontalHeaderItem(3)->setToolTip(tr("Mean trace Tr(Hᵢ)/nᵢ ± its standard error"));
    d_->layers->horizontalHeaderItem(5)->setToolTip(tr("Bits the mixed-precision proposal gives the layer"));
    d_->layers->horizontalHeaderItem(4)->setToolTip(
        tr("Ωᵢ = Tr(Hᵢ)/nᵢ · ‖Q₄(Wᵢ) − Wᵢ‖², the loss increase expected from 4-bit weights"));
    d_->layers->setObjectName("layerTable");
    d_->layers->horizontalHeader()->setSortIndicator(0, Qt::AscendingOrder);  // model order until the user sorts
    column->addWidget(d_->layers, 1);
    auto* storages = new QWidget(this);
    auto* below = new QVBoxLayout(storages);
    below->setContentsMargins(0, 0, 0, 0);
    d_->precision_title = new QLabel(storages);
    d_->precision_title->setWordWrap(true);
    below->addWidget(d_->precision_title);
    d_->precision =
        makeTable(storages, {tr("storage"), tr("bits per layer"), tr("size"), tr("Ω"), tr("loss"), tr("accuracy")});
    d_->precision->setObjectName("precisionTable");
    d_->precision->horizontalHeaderItem(3)->setToolTip(
        tr("ΣΩᵢ: the loss increase the choice predicts (second order); the loss beside it is measured"));
    d_->precision->horizontalHeaderItem(4)->setToolTip(tr("The loss measured with the weights quantised"));
    below->addWidget(d_->precision, 1);
    d_->warning = new QLabel(storages);
    d_->warning->setObjectName("precisionWarning");
    d_->warning->setWordWrap(true);
    d_->warning->setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 3px; }");
    d_->warning->hide();
    below->addWidget(d_->warning);
    outer->addWidget(storages, 2);
    // Names that do not fit under their bars are turned, or thinned out, once the chart is laid out.
    connect(d_->plot, &QCustomPlot::afterLayout, this, &LayerView::fitLayerNames);
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

void LayerView::setNameTicks() {
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (std::size_t i = 0; i < d_->data.layers.size(); i += std::size_t(d_->name_step))
        ticker->addTick(double(i + 1), QString::fromStdString(d_->data.layers[i].name));
    d_->plot->xAxis->setTicker(ticker);
    d_->plot->xAxis->setTickLabelRotation(d_->name_rotation);
}

void LayerView::fitLayerNames() {
    const int n = int(d_->data.layers.size());
    const int width = d_->plot->axisRect()->width();
    if (n == 0 || width <= 0) return;
    const QFontMetrics fm(d_->plot->xAxis->tickLabelFont());
    int widest = 0;
    for (const LayerRow& r : d_->data.layers)
        widest = std::max(widest, fm.horizontalAdvance(QString::fromStdString(r.name)));
    const double per = double(width) / n, line = fm.height();
    // Level while every name fits under its bar; turned by 45 degrees while the turned names keep
    // a line apart; upright (90) beyond that, naming every k-th layer so no two names touch.
    double rotation = 0;
    int step = 1;
    if (widest + 8 > per) {
        rotation = per >= 1.5 * line ? -45 : -90;
        if (rotation == -90) step = std::max(1, int(std::ceil((line + 2) / per)));
    }
    if (rotation == d_->name_rotation && step == d_->name_step) return;
    d_->name_rotation = rotation;
    d_->name_step = step;
    setNameTicks();
    d_->plot->replot(QCustomPlot::rpQueuedReplot);
}

double LayerView::layerNameRotation() const { return d_->name_rotation; }
int LayerView::layerNameStep() const { return d_->name_step; }

void LayerView::redraw() {
    const LayerPlotData& data = d_->data;
    QCustomPlot* plot = d_->plot;
    setTitleText(d_->title, data.empty() ? d_->empty_message : QString::fromStdString(data.title));

    std::vector<double> all;
    for (const LayerRow& r : data.layers) {
        all.push_back(r.top_eigenvalue);
        all.push_back(r.mean_trace);
        all.push_back(r.mean_trace + r.mean_trace_err);
    }
    const auto [lo, hi] = logAxisRange(all);
    // Bars grow from the bottom of the log axis: a log axis has no zero to grow from.
    QVector<double> keys, eig, trace, err_minus, err_plus;
    for (std::size_t i = 0; i < data.layers.size(); ++i) {
        const LayerRow& r = data.layers[i];
        keys << double(i + 1);
        eig << std::max(r.top_eigenvalue, lo);
        trace << std::max(r.mean_trace, lo);
        // The lower whisker stops at the axis floor instead of crossing zero, which a log axis cannot show.
        err_minus << std::min(r.mean_trace_err, std::max(0.0, r.mean_trace - lo));
        err_plus << r.mean_trace_err;
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
    setNameTicks();
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
        t->setItem(i, 5,
                   r.proposed_bits ? new NumberItem(QString::number(*r.proposed_bits), *r.proposed_bits)
                                   : new NumberItem(QStringLiteral("—"), 99));
    }
    t->setSortingEnabled(true);
    t->setMinimumWidth(widthForAllColumns(t));

    QTableWidget* p = d_->precision;
    p->setRowCount(int(data.precision.size()));
    // Bits named by layer when they fit a cell; a long list as numbers, the names in the tooltip.
    QStringList names;
    for (const std::string& n : data.quantised) names << QString::fromStdString(n);
    p->horizontalHeaderItem(1)->setToolTip(tr("Bits of each quantised layer, in the order %1").arg(names.join(", ")));
    for (int i = 0; i < int(data.precision.size()); ++i) {
        const PrecisionRow& r = data.precision[std::size_t(i)];
        const QString named = QString::fromStdString(bitsByLayer(data.quantised, r.bits));
        QString bits = named;
        if (data.quantised.size() > 4) {
            QStringList plain;
            for (int b : r.bits) plain << QString::number(b);
            bits = plain.join(' ');
        }
        auto* label = new QTableWidgetItem(QString::fromStdString(r.label));
        auto* bits_item = new QTableWidgetItem(bits);
        bits_item->setToolTip(named);
        p->setItem(i, 0, label);
        p->setItem(i, 1, bits_item);
        p->setItem(i, 2, new NumberItem(QString::fromStdString(formatBytes(r.size_bytes)), r.size_bytes));
        p->setItem(i, 3, r.omega ? new NumberItem(num(*r.omega), *r.omega) : new NumberItem(QStringLiteral("—"), -1));
        p->setItem(i, 4, new NumberItem(num(r.loss), r.loss));
        p->setItem(i, 5,
                   new NumberItem(
                       r.accuracy < 0 ? QStringLiteral("—") : QStringLiteral("%1 %").arg(100 * r.accuracy, 0, 'f', 2),
                       r.accuracy));
        if (r.proposal)
            for (int c = 0; c < p->columnCount(); ++c) {
                QFont bold = p->item(i, c)->font();
                bold.setBold(true);
                p->item(i, c)->setFont(bold);
            }
    }
    QString heading = tr("<b>Mixed precision</b>");
    if (data.budget_bytes)
        heading += tr(" under a budget of %1").arg(QString::fromStdString(formatBytes(*data.budget_bytes)));
    if (data.precision.empty()) heading += tr(": not computed");
    d_->precision_title->setText(heading);
    d_->warning->setVisible(!data.proposal_beaten_by.empty());
    if (!data.proposal_beaten_by.empty())
        d_->warning->setText(tr("⚠ “%1” is no larger than the proposal and its measured loss is lower: Ω ranked the "
                                "proposal first, the measured loss does not. Prefer “%1”.")
                                 .arg(QString::fromStdString(data.proposal_beaten_by)));
    p->setMinimumWidth(widthForAllColumns(p));
    // The layers' table gets the width it needs and no more: the rest goes to the chart.
    d_->side->setMaximumWidth(t->minimumWidth());
}

}  // namespace basin::widgets
