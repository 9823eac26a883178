#include "basin/widgets/contour_view.h"

#include <qcustomplot.h>
#include <QVBoxLayout>
#include <cmath>

#include "basin/widgets/palette.h"
#include "basin/widgets/surface_math.h"
#include "plot_layout.h"

namespace basin::widgets {

namespace {

QCPColorGradient gradientOf(const std::string& name) {
    QCPColorGradient g;
    g.clearColorStops();
    for (int i = 0; i <= 16; ++i) {
        const auto rgb = colormap(name, i / 16.0);
        g.setColorStopAt(i / 16.0, QColor::fromRgbF(float(rgb[0]), float(rgb[1]), float(rgb[2])));
    }
    // Twelve bands of colour read as contour lines, as many as the 3D view draws.
    g.setLevelCount(12);
    return g;
}

void styleAxes(QCustomPlot* plot, const QFont& base) {
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis, plot->yAxis2}) setAxisFonts(axis, base);
}

// The title one point larger than the text around it.
QCPTextElement* addTitle(QCustomPlot* plot, QFont font) {
    font.setPointSizeF(font.pointSizeF() + 1);
    return addTitleRow(plot, font);
}

// The marks mean the same in every view of a surface, the 3D one included: the grid's lowest
// computed loss in vermillion (reddish purple over the diverging map), the current weights (the origin) in white, the
// checkpoints in orange.
QCPGraph* minimumMarker(QCustomPlot* plot, QCPAxis* value_axis, double x, double y,
                        QColor colour = palette::vermillion()) {
    auto* g = plot->addGraph(plot->xAxis, value_axis);
    g->setName(QObject::tr("minimum"));
    g->setLineStyle(QCPGraph::lsNone);
    // Filled and outlined in white, so it stands out on viridis' dark end where minima sit.
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(Qt::white, 1.5), QBrush(colour), 13));
    g->setData({x}, {y});
    return g;
}

QCPGraph* originMarker(QCustomPlot* plot, QCPAxis* value_axis, double y) {
    auto* g = plot->addGraph(plot->xAxis, value_axis);
    g->setName(QObject::tr("current weights"));
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 1.5), QBrush(Qt::white), 10));
    g->setData({0.0}, {y});
    return g;
}

}  // namespace

struct ContourView::Private {
    SurfacePlotData data;
    QPointF pressed{-1000, -1000};  // where the left button went down: a click, not a drag, probes
    QCustomPlot* plot = nullptr;
    QCPColorMap* map = nullptr;
    QCPColorScale* scale = nullptr;
    QCPTextElement* title = nullptr;
};

ContourView::ContourView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    d_->plot = new QCustomPlot(this);
    d_->plot->setObjectName("contourPlot");
    d_->plot->setMinimumSize(300, 260);
    layout->addWidget(d_->plot);
    styleAxes(d_->plot, viewFont(this));
    d_->title = addTitle(d_->plot, viewFont(this));
    legendBelowAxes(d_->plot, viewFont(this));
    d_->plot->legend->setWrap(3);
    d_->map = new QCPColorMap(d_->plot->xAxis, d_->plot->yAxis);
    d_->map->removeFromLegend();
    d_->map->setGradient(gradientOf("viridis"));
    d_->map->setInterpolate(false);  // each computed point is one cell: no made-up smoothness
    d_->scale = new QCPColorScale(d_->plot);
    d_->scale->axis()->setTickLabelFont(viewFont(this));
    d_->scale->axis()->setLabelFont(viewFont(this));
    d_->plot->plotLayout()->addElement(1, 1, d_->scale);
    d_->map->setColorScale(d_->scale);
    d_->scale->setGradient(gradientOf("viridis"));  // a map takes its scale's gradient once linked
    auto* margins = new QCPMarginGroup(d_->plot);
    d_->plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    d_->scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    d_->plot->setMouseTracking(true);
    connect(d_->plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        if (d_->data.values.empty()) return;
        Q_EMIT hovered(d_->plot->xAxis->pixelToCoord(e->position().x()),
                       d_->plot->yAxis->pixelToCoord(e->position().y()));
    });
    connect(d_->plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        if (e->button() == Qt::LeftButton) d_->pressed = e->position();
    });
    connect(d_->plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        if (e->button() != Qt::LeftButton || d_->data.values.empty()) return;
        if ((e->position() - d_->pressed).manhattanLength() > 3) return;
        if (!d_->plot->axisRect()->rect().contains(e->position().toPoint())) return;
        Q_EMIT clicked(d_->plot->xAxis->pixelToCoord(e->position().x()),
                       d_->plot->yAxis->pixelToCoord(e->position().y()));
    });
    clear();
}

ContourView::~ContourView() = default;
const SurfacePlotData& ContourView::data() const { return d_->data; }
QCustomPlot* ContourView::plot() const { return d_->plot; }
QCPColorMap* ContourView::colorMap() const { return d_->map; }

void ContourView::clear() { setData({}); }

void ContourView::setData(const SurfacePlotData& data) {
    d_->data = data;
    QCustomPlot* plot = d_->plot;
    for (int i = plot->graphCount() - 1; i >= 0; --i) plot->removeGraph(i);
    for (int i = plot->plottableCount() - 1; i >= 0; --i)
        if (qobject_cast<QCPCurve*>(plot->plottable(i))) plot->removePlottable(i);
    plot->clearItems();
    const bool ok = surfaceProblem(data).empty();
    // Short, unlike the study name the 3D view beside it shows: a long title would squeeze the colour scale.
    const QString colour_label = QString::fromStdString(colourLabel(data));
    setTitleText(d_->title, ok ? tr("%1 seen from above").arg(colour_label) : tr("No surface yet"));
    plot->xAxis->setLabel(QString::fromStdString(data.x_label));
    plot->yAxis->setLabel(QString::fromStdString(data.y_label));
    d_->scale->axis()->setLabel(colour_label);
    if (!ok) {
        d_->map->data()->clear();
        d_->map->setVisible(false);
        plot->legend->setVisible(false);
        plot->replot();
        return;
    }
    const int nx = int(data.x.size()), ny = int(data.y.size());
    d_->map->setVisible(true);
    d_->map->data()->setSize(nx, ny);
    d_->map->data()->setRange(QCPRange(data.x.front(), data.x.back()), QCPRange(data.y.front(), data.y.back()));
    // Coloured by the values or by a further field (a curvature map's λ), on the field's own scale.
    const std::vector<double>& shade = colourValues(data);
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) d_->map->data()->setCell(i, j, shade[std::size_t(j) * nx + i]);
    const auto [lo, hi] = colourScale(data);
    d_->scale->setGradient(gradientOf(colourMapName(data)));
    d_->map->setDataRange(QCPRange(lo, hi));
    // The same ticks as the 3D view's colour bar, so the two bars of one scale read alike.
    auto ticks = QSharedPointer<QCPAxisTickerText>::create();
    for (double t : colourBarTicks(lo, hi)) ticks->addTick(t, QString::fromStdString(colourBarLabel(t)));
    d_->scale->axis()->setTicker(ticks);

    if (!data.trajectory.empty()) {
        auto* path = new QCPCurve(plot->xAxis, plot->yAxis);
        path->setName(tr("checkpoints"));
        path->setPen(QPen(palette::orange(), 2));
        path->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(palette::orange(), 1.5), Qt::white, 8));
        QVector<double> xs, ys;
        for (const auto& p : data.trajectory) xs << p[0], ys << p[1];
        path->setData(xs, ys);
        for (std::size_t k = 0; k < data.trajectory.size() && k < data.trajectory_labels.size(); ++k) {
            auto* text = new QCPItemText(plot);
            text->position->setCoords(data.trajectory[k][0], data.trajectory[k][1]);
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            text->setClipToAxisRect(true);
            text->setText(QString::fromStdString(data.trajectory_labels[k]));
            // Dark text on a pale box reads on both ends of viridis.
            text->setColor(Qt::black);
            text->setBrush(QColor(255, 255, 255, 190));
            text->setPadding(QMargins(3, 1, 3, 1));
        }
    }
    if (data.x.front() <= 0 && data.x.back() >= 0 && data.y.front() <= 0 && data.y.back() >= 0)
        originMarker(plot, plot->yAxis, 0.0);
    if (data.minimum >= 0 && std::size_t(data.minimum) < data.values.size())
        minimumMarker(plot, plot->yAxis, data.x[std::size_t(data.minimum) % nx], data.y[std::size_t(data.minimum) / nx],
                      palette::minimumMark(colourMapName(data) == "diverging"));
    if (!data.probes.empty()) {
        // Probes: a ringed cross, black on white, readable on every colour map.
        auto* g = plot->addGraph(plot->xAxis, plot->yAxis);
        g->setName(tr("probes"));
        g->setProperty("basinRole", "probes");
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCrossCircle, QPen(Qt::black, 1.8), QBrush(Qt::white), 12));
        QVector<double> xs, ys;
        for (const auto& p : data.probes) xs << p[0], ys << p[1];
        g->setData(xs, ys);
        for (std::size_t k = 0; k < data.probes.size() && k < data.probe_labels.size(); ++k) {
            auto* text = new QCPItemText(plot);
            text->position->setCoords(data.probes[k][0], data.probes[k][1]);
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
            text->setClipToAxisRect(true);
            text->setText(QString::fromStdString(data.probe_labels[k]));
            text->setColor(Qt::black);
            text->setBrush(QColor(255, 255, 255, 190));
            text->setPadding(QMargins(3, 1, 3, 1));
        }
    }
    plot->legend->setVisible(plot->legend->itemCount() > 0);
    // The view spans the grid and any trajectory point outside it.
    double x0 = data.x.front(), x1 = data.x.back(), y0 = data.y.front(), y1 = data.y.back();
    for (const auto& p : data.trajectory) {
        x0 = std::min(x0, p[0]), x1 = std::max(x1, p[0]);
        y0 = std::min(y0, p[1]), y1 = std::max(y1, p[1]);
    }
    const double dx = (data.x[1] - data.x[0]) / 2, dy = (data.y[1] - data.y[0]) / 2;
    plot->xAxis->setRange(x0 - dx, x1 + dx);
    plot->yAxis->setRange(y0 - dy, y1 + dy);
    plot->replot();
}

struct LineView::Private {
    SurfacePlotData data;
    QCustomPlot* plot = nullptr;
    QCPTextElement* title = nullptr;
};

LineView::LineView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    d_->plot = new QCustomPlot(this);
    d_->plot->setObjectName("linePlot");
    d_->plot->setMinimumSize(300, 240);
    layout->addWidget(d_->plot);
    styleAxes(d_->plot, viewFont(this));
    d_->title = addTitle(d_->plot, viewFont(this));
    d_->plot->yAxis2->setVisible(true);
    // The legend in a row under the axes, where it hides neither curve nor checkpoint label.
    d_->plot->legend->setVisible(true);
    d_->plot->legend->setFont(viewFont(this));
    d_->plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    d_->plot->legend->setBorderPen(Qt::NoPen);
    auto* legend_row = new QCPLayoutGrid;
    d_->plot->plotLayout()->addElement(2, 0, legend_row);
    legend_row->addElement(0, 0, d_->plot->legend);
    d_->plot->plotLayout()->setRowStretchFactor(2, 0.001);
    d_->plot->setMouseTracking(true);
    connect(d_->plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        if (!d_->data.values.empty()) Q_EMIT hovered(d_->plot->xAxis->pixelToCoord(e->position().x()));
    });
    clear();
}

LineView::~LineView() = default;
const SurfacePlotData& LineView::data() const { return d_->data; }
QCustomPlot* LineView::plot() const { return d_->plot; }
void LineView::clear() { setData({}); }

void LineView::setData(const SurfacePlotData& data) {
    d_->data = data;
    QCustomPlot* plot = d_->plot;
    plot->clearGraphs();
    plot->clearItems();
    const bool ok = data.isLine() && data.values.size() == data.x.size();
    setTitleText(d_->title, ok ? QString::fromStdString(data.title) : tr("No line yet"));
    plot->xAxis->setLabel(QString::fromStdString(data.x_label));
    plot->yAxis->setLabel(QString::fromStdString(data.value_label));
    plot->yAxis2->setLabel(tr("accuracy (%)"));
    if (!ok) {
        plot->replot();
        return;
    }
    const QVector<double> xs(data.x.begin(), data.x.end());
    auto* loss = plot->addGraph(plot->xAxis, plot->yAxis);
    loss->setName(QString::fromStdString(data.value_label));
    loss->setPen(QPen(palette::blue(), 2));
    loss->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    loss->setData(xs, QVector<double>(data.values.begin(), data.values.end()), true);
    const auto [lo, hi] = colourRange(data.values);
    plot->yAxis->setRange(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo));
    if (const SurfaceField* field = colourField(data)) {
        // Coloured by a further field (a curvature map's λ): drawn on the right axis instead of the accuracy.
        auto* f = plot->addGraph(plot->xAxis, plot->yAxis2);
        f->setName(QString::fromStdString(field->label));
        f->setPen(QPen(palette::vermillion(), 2, Qt::DashLine));
        f->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, 6));
        f->setData(xs, QVector<double>(field->values.begin(), field->values.end()), true);
        const auto [flo, fhi] = colourRange(field->values);
        plot->yAxis2->setLabel(QString::fromStdString(field->label));
        plot->yAxis2->setRange(flo - 0.05 * (fhi - flo), fhi + 0.05 * (fhi - flo));
    } else if (data.accuracy.size() == data.x.size()) {
        auto* acc = plot->addGraph(plot->xAxis, plot->yAxis2);
        acc->setName(tr("accuracy (%)"));
        acc->setPen(QPen(palette::vermillion(), 2, Qt::DashLine));
        QVector<double> pct;
        for (double a : data.accuracy) pct << 100 * a;
        acc->setData(xs, pct, true);
        plot->yAxis2->setRange(0, 100);
    }
    if (data.minimum >= 0 && std::size_t(data.minimum) < data.values.size())
        minimumMarker(plot, plot->yAxis, data.x[std::size_t(data.minimum)], data.values[std::size_t(data.minimum)]);
    // Checkpoints on the line: a dotted vertical at each, named at the top.
    for (std::size_t k = 0; k < data.trajectory.size(); ++k) {
        auto* line = new QCPItemStraightLine(plot);
        line->point1->setCoords(data.trajectory[k][0], 0);
        line->point2->setCoords(data.trajectory[k][0], 1);
        line->setPen(QPen(Qt::gray, 1, Qt::DotLine));
        if (k < data.trajectory_labels.size()) {
            auto* text = new QCPItemText(plot);
            text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            text->position->setCoords(data.trajectory[k][0], 0.02);
            text->setPositionAlignment(Qt::AlignHCenter | Qt::AlignTop);
            text->setText(QString::fromStdString(data.trajectory_labels[k]));
        }
    }
    plot->xAxis->setRange(data.x.front(), data.x.back());
    plot->replot();
}

}  // namespace basin::widgets
