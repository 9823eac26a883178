#include "basin/widgets/spectrum_view.h"

#include <qcustomplot.h>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "basin/widgets/palette.h"
#include "basin/widgets/spectrum_math.h"
#include "plot_layout.h"

namespace basin::widgets {

namespace {

// Stems live on a hidden second y axis of fixed range, so their height does not depend on the
// density's scale (which spans orders of magnitude between the bulk and the outliers).
constexpr double kStemHeight = 1.0;
constexpr double kStemAxisTop = 1.12;

QVector<double> toQ(const std::vector<double>& v) { return QVector<double>(v.begin(), v.end()); }

QCPGraph* addGraph(QCustomPlot* plot, QCPAxis* value_axis, const QString& name, const QPen& pen) {
    auto* g = plot->addGraph(plot->xAxis, value_axis);
    g->setName(name);
    g->setPen(pen);
    return g;
}

}  // namespace

struct SpectrumView::Private {
    QCustomPlot* plot = nullptr;
    QCheckBox* log_abs = nullptr;
    QCheckBox* log_density = nullptr;
    QLabel* edge_hint = nullptr;
    QPushButton* reset_edge = nullptr;
    QCPTextElement* title = nullptr;
    QCPTextElement* readout = nullptr;
    SpectrumPlotData data;
    std::vector<SpectrumPlotData> overlays;  // probes, drawn over the centre's spectrum
    QString empty_message = QObject::tr("No spectrum yet: Analysis ▸ Run spectrum (Ctrl+R)");
    int stems = 0;
    bool dragging_edge = false;
    QCP::Interactions interactions;
};

SpectrumView::SpectrumView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* options = new QHBoxLayout;
    d_->log_abs = new QCheckBox(tr("log₁₀|λ| axis"), this);
    d_->log_density = new QCheckBox(tr("log density"), this);
    d_->log_abs->setToolTip(tr("Show the density of log₁₀|λ|, which spreads out the bulk near zero"));
    d_->log_density->setToolTip(tr("Logarithmic density axis, so the thin tails stay visible"));
    options->addWidget(d_->log_abs);
    options->addWidget(d_->log_density);
    options->addStretch(1);
    d_->edge_hint = new QLabel(tr("Drag the dashed bulk edge to split the outliers by hand"), this);
    d_->edge_hint->setObjectName("edgeHint");
    d_->edge_hint->setStyleSheet("color: palette(mid);");
    options->addWidget(d_->edge_hint);
    d_->reset_edge = new QPushButton(tr("Reset edge"), this);
    d_->reset_edge->setObjectName("resetEdge");
    d_->reset_edge->setToolTip(tr("Back to Basin's rule for the bulk edge (or double-click the dashed line)"));
    options->addWidget(d_->reset_edge);
    layout->addLayout(options);

    d_->plot = new QCustomPlot(this);
    d_->plot->setObjectName("spectrumPlot");
    d_->plot->setMinimumSize(320, 240);
    // Zoom and pan along λ only: the density axis is set by the data, the stems' axis is fixed.
    d_->plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    d_->plot->axisRect()->setRangeDrag(Qt::Horizontal);
    d_->plot->axisRect()->setRangeZoom(Qt::Horizontal);
    layout->addWidget(d_->plot, 1);

    const QFont base = viewFont(this);
    QFont label = base;
    label.setPointSizeF(base.pointSizeF() + 1);
    for (QCPAxis* axis : {d_->plot->xAxis, d_->plot->yAxis}) setAxisFonts(axis, base);
    d_->plot->yAxis2->setVisible(false);
    d_->plot->yAxis2->setRange(0, kStemAxisTop);

    d_->title = addTitleRow(d_->plot, label);

    // The legend goes in its own row under the plot: inside the axis rect it would hide stems.
    d_->plot->legend->setWrap(4);
    legendBelowAxes(d_->plot, base);
    d_->plot->legend->setMargins(QMargins(4, 0, 4, 4));

    // The readout sits in its own column right of the plot, where it can never hide a stem.
    d_->readout = new QCPTextElement(d_->plot, QString(), base);
    d_->readout->setTextFlags(Qt::AlignLeft | Qt::AlignTop);
    d_->readout->setProperty("basinRole", "readout");  // left out of paper figures
    d_->readout->setMargins(QMargins(10, 8, 6, 4));
    // A text element caps its row's height at its own; a column with a stretching filler does not.
    auto* side = new QCPLayoutGrid;
    d_->plot->plotLayout()->addElement(1, 1, side);
    side->addElement(0, 0, d_->readout);
    side->addElement(1, 0, new QCPLayoutElement(d_->plot));
    side->setRowStretchFactor(0, 0.001);
    d_->plot->plotLayout()->setColumnStretchFactor(1, 0.001);

    connect(d_->log_abs, &QCheckBox::toggled, this, [this](bool) {
        redraw();
        Q_EMIT axisModeChanged();
    });
    connect(d_->log_density, &QCheckBox::toggled, this, [this](bool) { redraw(); });

    // The bulk edge follows the mouse when grabbed within a few pixels of its dashed line. The
    // plot's own drag (panning along λ) is switched off while the edge moves, or both would move.
    connect(d_->plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        if (e->button() != Qt::LeftButton || !nearEdge(e->position().x())) return;
        d_->dragging_edge = true;
        d_->interactions = d_->plot->interactions();
        d_->plot->setInteractions({});
    });
    connect(d_->reset_edge, &QPushButton::clicked, this, &SpectrumView::bulkEdgeResetRequested);
    connect(d_->plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent* e) {
        if (nearEdge(e->position().x())) Q_EMIT bulkEdgeResetRequested();
    });
    connect(d_->plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        // Over the edge: a cursor that says it moves, and a tooltip that says how.
        if (!d_->dragging_edge) {
            const bool near = nearEdge(e->position().x());
            d_->plot->setCursor(near ? Qt::SplitHCursor : Qt::ArrowCursor);
            d_->plot->setToolTip(near ? tr("Drag to move the bulk edge; double-click to put it back") : QString());
            return;
        }
        const double x = d_->plot->xAxis->pixelToCoord(e->position().x());
        setBulkEdge(logAbsAxis() ? std::pow(10.0, x) : x);
    });
    connect(d_->plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent*) {
        if (!d_->dragging_edge) return;
        d_->dragging_edge = false;
        d_->plot->setInteractions(d_->interactions);
    });
    redraw();
}

SpectrumView::~SpectrumView() = default;

void SpectrumView::setData(const SpectrumPlotData& data) {
    d_->data = data;
    redraw();
}

const SpectrumPlotData& SpectrumView::data() const { return d_->data; }

void SpectrumView::setOverlays(const std::vector<SpectrumPlotData>& overlays) {
    d_->overlays = overlays;
    redraw();
}

const std::vector<SpectrumPlotData>& SpectrumView::overlays() const { return d_->overlays; }

void SpectrumView::clear(const QString& message) {
    d_->data = {};
    if (!message.isEmpty()) d_->empty_message = message;
    redraw();
}

void SpectrumView::setBulkEdge(double edge) {
    if (d_->data.empty() || !std::isfinite(edge)) return;
    d_->data.bulk_edge = edge;
    d_->data.edge_by_hand = true;
    d_->data.outlier_count = splitAt(d_->data.top_eigenvalues, edge, d_->data.trace).count;
    redraw();
    Q_EMIT bulkEdgeChanged(edge);
}

bool SpectrumView::nearEdge(double x_pixel) const {
    const std::optional<double> edge = edgeOnAxis();
    return edge && std::abs(d_->plot->xAxis->coordToPixel(*edge) - x_pixel) <= 6;
}

std::optional<double> SpectrumView::edgeOnAxis() const {
    const auto& edge = d_->data.bulk_edge;
    if (!edge) return std::nullopt;
    if (!logAbsAxis()) return *edge;
    if (*edge == 0) return std::nullopt;
    return std::log10(std::abs(*edge));
}

void SpectrumView::setLogAbsAxis(bool on) { d_->log_abs->setChecked(on); }
bool SpectrumView::logAbsAxis() const { return d_->log_abs->isChecked(); }
void SpectrumView::setLogDensity(bool on) { d_->log_density->setChecked(on); }
bool SpectrumView::logDensity() const { return d_->log_density->isChecked(); }
QCustomPlot* SpectrumView::plot() const { return d_->plot; }
int SpectrumView::stemCount() const { return d_->stems; }
QString SpectrumView::readoutText() const { return d_->readout->text(); }

void SpectrumView::redraw() {
    QCustomPlot* plot = d_->plot;
    const SpectrumPlotData& data = d_->data;
    const bool log_abs = logAbsAxis();
    const bool log_y = logDensity();
    plot->clearPlottables();
    d_->stems = 0;

    plot->xAxis->setLabel(log_abs ? tr("log₁₀ |eigenvalue λ|") : tr("eigenvalue λ"));
    plot->yAxis->setLabel(log_abs ? tr("density of log₁₀|λ|") : tr("density"));
    setTitleText(d_->title, data.empty() ? d_->empty_message : QString::fromStdString(data.title));

    const std::vector<double>& grid = log_abs ? data.log_density_grid : data.density_grid;
    const std::vector<double>& values = log_abs ? data.log_density_values : data.density_values;
    Range range = xRange(data, log_abs);
    for (const SpectrumPlotData& o : d_->overlays) {
        if (o.empty()) continue;
        const Range r = xRange(o, log_abs);
        range = data.empty() ? r : Range{std::min(range.lo, r.lo), std::max(range.hi, r.hi)};
    }

    // Exact spectrum: a histogram normalised like the density, so both read on one axis.
    std::vector<double> bar_values;
    const std::vector<double> xs = log_abs ? log10Abs(data.exact_eigenvalues) : data.exact_eigenvalues;
    if (!xs.empty()) {
        // Bins span the eigenvalues themselves, not the view, so the bulk gets its share of them.
        const auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
        const double pad = *hi > *lo ? 1e-9 * (*hi - *lo) : 0.5;
        const Histogram h = histogram(xs, *lo - pad, *hi + pad, suggestedBins(xs.size()));
        bar_values = histogramDensity(h, static_cast<int64_t>(xs.size()));
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(tr("exact spectrum (histogram)"));
        bars->setWidthType(QCPBars::wtPlotCoords);
        bars->setWidth(h.edges[1] - h.edges[0]);
        bars->setPen(QPen(palette::withAlpha(palette::black(), 90)));
        bars->setBrush(palette::withAlpha(palette::skyBlue(), 120));
        QVector<double> centres;
        for (std::size_t i = 0; i + 1 < h.edges.size(); ++i) centres.push_back(0.5 * (h.edges[i] + h.edges[i + 1]));
        bars->setData(centres, toQ(bar_values), true);
    }

    std::vector<double> all_values = values;
    for (const SpectrumPlotData& o : d_->overlays) {
        const auto& v = log_abs ? o.log_density_values : o.density_values;
        all_values.insert(all_values.end(), v.begin(), v.end());
    }
    const double top = densityTop(all_values, bar_values);
    const double floor = top * 1e-6;  // a log axis cannot show zero density
    if (!grid.empty() && grid.size() == values.size()) {
        // Beside probes, the centre's density is named as the place it was computed.
        const QString name = d_->overlays.empty() ? tr("density (SLQ, smoothed)") : tr("centre (the weights)");
        auto* density = addGraph(plot, plot->yAxis, name, QPen(palette::blue(), 2));
        density->setBrush(palette::withAlpha(palette::blue(), 60));
        QVector<double> ys = toQ(values);
        if (log_y)
            for (double& y : ys) y = std::max(y, floor);
        density->setData(toQ(grid), ys, true);
    }

    // The bulk: everything up to its edge (in log mode, |λ| up to the edge).
    const std::optional<double> edge = edgeOnAxis();
    if (edge) {
        auto* shade = addGraph(plot, plot->yAxis2, tr("bulk"), Qt::NoPen);
        shade->setBrush(QColor(0, 0, 0, 22));
        const double left = range.lo - (range.hi - range.lo);
        shade->setData({left, *edge}, {kStemAxisTop, kStemAxisTop}, true);
        QPen pen(palette::reddishPurple(), 2, Qt::DashLine);
        const QString name = data.edge_by_hand ? tr("bulk edge %1 (by hand)") : tr("bulk edge %1");
        auto* line = addGraph(plot, plot->yAxis2, name.arg(QString::fromStdString(formatNumber(*data.bulk_edge))), pen);
        line->setProperty("basinRole", "edge");
        line->setData({*edge, *edge}, {0, kStemAxisTop}, true);
    }

    // Stems: one graph each; markers grouped per kind so the legend has one entry per kind.
    QVector<double> bulk_x, outlier_x, negative_x;
    for (double lambda : data.top_eigenvalues) {
        if (!std::isfinite(lambda) || (log_abs && lambda == 0)) continue;
        const double x = log_abs ? std::log10(std::abs(lambda)) : lambda;
        const bool outlier = data.bulk_edge && lambda > *data.bulk_edge;
        QColor colour = outlier ? palette::vermillion() : palette::black();
        if (log_abs && lambda < 0) colour = palette::bluishGreen();
        auto* stem = addGraph(plot, plot->yAxis2, QString(), QPen(colour, 1.6));
        stem->setProperty("basinRole", "stem");
        stem->setData({x, x}, {0, kStemHeight}, true);
        stem->removeFromLegend();
        ++d_->stems;
        (outlier ? outlier_x : (log_abs && lambda < 0 ? negative_x : bulk_x)).push_back(x);
    }
    auto markers = [&](const QVector<double>& xs, const QString& name, QColor colour,
                       QCPScatterStyle::ScatterShape shape, bool filled) {
        if (xs.isEmpty()) return;
        auto* g = addGraph(plot, plot->yAxis2, name, QPen(colour, 1.6));
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(shape, QPen(colour, 1.6), filled ? QBrush(colour) : QBrush(Qt::white), 9));
        QVector<double> sorted = xs;
        std::sort(sorted.begin(), sorted.end());
        g->setData(sorted, QVector<double>(sorted.size(), kStemHeight), true);
    };
    markers(bulk_x, tr("top eigenvalues"), palette::black(), QCPScatterStyle::ssCircle, false);
    markers(outlier_x, tr("outliers"), palette::vermillion(), QCPScatterStyle::ssDiamond, true);
    markers(negative_x, tr("λ < 0 (as |λ|)"), palette::bluishGreen(), QCPScatterStyle::ssTriangle, false);

    // Probes over the centre: their density as a line and their top eigenvalues as a row of
    // markers below the centre's, one colour and dash each (Okabe–Ito, grey print keeps the dashes).
    static const QColor kProbeColours[] = {palette::vermillion(), palette::bluishGreen(), palette::reddishPurple(),
                                           palette::orange(),     palette::skyBlue(),     palette::blue()};
    static const Qt::PenStyle kProbeDashes[] = {Qt::DashLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};
    for (std::size_t i = 0; i < d_->overlays.size(); ++i) {
        const SpectrumPlotData& o = d_->overlays[i];
        const QColor colour = kProbeColours[i % 6];
        const QString name = QString::fromStdString(o.title);
        const auto& og = log_abs ? o.log_density_grid : o.density_grid;
        const auto& ov = log_abs ? o.log_density_values : o.density_values;
        bool named = false;
        if (!og.empty() && og.size() == ov.size()) {
            auto* g = addGraph(plot, plot->yAxis, name, QPen(colour, 2, kProbeDashes[i % 4]));
            g->setProperty("basinRole", "probe");
            QVector<double> ys = toQ(ov);
            if (log_y)
                for (double& y : ys) y = std::max(y, floor);
            g->setData(toQ(og), ys, true);
            named = true;
        }
        QVector<double> xs;
        for (double lambda : o.top_eigenvalues)
            if (std::isfinite(lambda) && !(log_abs && lambda == 0))
                xs << (log_abs ? std::log10(std::abs(lambda)) : lambda);
        if (xs.isEmpty()) continue;
        auto* m = addGraph(plot, plot->yAxis2, named ? QString() : name, QPen(colour, 1.6));
        m->setProperty("basinRole", "probe-eigenvalues");
        m->setLineStyle(QCPGraph::lsNone);
        m->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(colour, 1.6), QBrush(colour), 8));
        std::sort(xs.begin(), xs.end());
        m->setData(xs, QVector<double>(xs.size(), kStemHeight * (0.9 - 0.07 * double(i % 8))), true);
        if (named) m->removeFromLegend();
    }

    plot->xAxis->setRange(range.lo, range.hi);
    if (log_y) {
        plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
        plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        plot->yAxis->setNumberFormat("eb");
        plot->yAxis->setNumberPrecision(0);
        plot->yAxis->setRange(floor, top * 3);
    } else {
        plot->yAxis->setScaleType(QCPAxis::stLinear);
        plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        plot->yAxis->setNumberFormat("gb");
        plot->yAxis->setNumberPrecision(3);
        plot->yAxis->setRange(0, top);
    }

    d_->edge_hint->setVisible(edge.has_value());
    d_->reset_edge->setVisible(edge.has_value());
    d_->reset_edge->setEnabled(data.edge_by_hand);
    QStringList lines;
    for (const std::string& line : readoutLines(data)) lines << QString::fromStdString(line);
    d_->readout->setText(lines.join('\n'));
    plot->legend->setVisible(plot->legend->itemCount() > 0);
    plot->replot();
}

}  // namespace basin::widgets
