#include "basin/widgets/surface_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "basin/widgets/contour_view.h"
#include "basin/widgets/spectrum_math.h"
#include "basin/widgets/surface_math.h"
#include "basin/widgets/surface_view.h"

namespace basin::widgets {

struct SurfacePanel::Private {
    SurfacePlotData data;
    QCheckBox* log = nullptr;
    QCheckBox* clip = nullptr;
    QDoubleSpinBox* max_loss = nullptr;
    QComboBox* colours = nullptr;
    QComboBox* colour_by = nullptr;
    QString wanted_field;  // what the user chose, kept while data without it is shown
    QStackedWidget* stack = nullptr;
    SurfaceView* surface = nullptr;
    ContourView* contour = nullptr;
    LineView* line = nullptr;
};

SurfacePanel::SurfacePanel(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    d_->log = new QCheckBox(tr("log₁₀ loss"), this);
    d_->log->setToolTip(tr("Colour and height by log₁₀ of the loss, so a deep basin keeps its detail"));
    d_->clip = new QCheckBox(tr("clip loss at"), this);
    d_->clip->setToolTip(tr("Draw losses above this value at it, so a few divergent points do not flatten the rest"));
    d_->max_loss = new QDoubleSpinBox(this);
    d_->max_loss->setDecimals(3);
    d_->max_loss->setRange(1e-3, 1e6);
    d_->max_loss->setValue(5.0);
    d_->max_loss->setEnabled(false);
    row->addWidget(d_->log);
    row->addSpacing(12);
    row->addWidget(d_->clip);
    row->addWidget(d_->max_loss);
    row->addSpacing(12);
    row->addWidget(new QLabel(tr("colour by"), this));
    d_->colour_by = new QComboBox(this);
    d_->colour_by->setObjectName("surfaceColourBy");
    d_->colour_by->setToolTip(
        tr("What colours the surface and the map: the loss, or a curvature map's λmax, λmin, "
           "trace or |λmin/λmax| (signed ones on a map centred at zero)"));
    d_->colour_by->addItem(tr("loss"), QString());
    row->addWidget(d_->colour_by);
    row->addSpacing(12);
    row->addWidget(new QLabel(tr("colours"), this));
    d_->colours = new QComboBox(this);
    d_->colours->setObjectName("surfaceColours");
    d_->colours->addItem(tr("viridis"), "viridis");
    d_->colours->addItem(tr("grey (print)"), "grey");
    d_->colours->setToolTip(tr("Both maps read in grey print and by colour-blind readers"));
    row->addWidget(d_->colours);
    auto* reset = new QPushButton(tr("Reset view"), this);
    reset->setObjectName("surfaceResetView");
    reset->setToolTip(tr("Back to the default 3D view"));
    row->addWidget(reset);
    row->addStretch(1);
    layout->addLayout(row);

    d_->stack = new QStackedWidget(this);
    auto* plane = new QSplitter(Qt::Horizontal, d_->stack);
    d_->surface = new SurfaceView(plane);
    d_->contour = new ContourView(plane);
    plane->addWidget(d_->surface);
    plane->addWidget(d_->contour);
    // Half each: left to their size hints, the plot takes most and the 3D view clips its title.
    plane->setSizes({600, 600});
    d_->line = new LineView(d_->stack);
    d_->stack->addWidget(plane);
    d_->stack->addWidget(d_->line);
    layout->addWidget(d_->stack, 1);

    connect(d_->log, &QCheckBox::toggled, this, [this] { refresh(); });
    connect(d_->colours, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    connect(d_->colour_by, &QComboBox::activated, this, [this] {
        d_->wanted_field = d_->colour_by->currentData().toString();
        refresh();
    });
    connect(d_->contour, &ContourView::clicked, this, &SurfacePanel::probeRequested);
    connect(d_->surface, &SurfaceView::pointPicked, this, &SurfacePanel::probeRequested);
    connect(reset, &QPushButton::clicked, this, [this] { d_->surface->resetCamera(); });
    connect(d_->clip, &QCheckBox::toggled, this, [this](bool on) {
        d_->max_loss->setEnabled(on);
        refresh();
    });
    connect(d_->max_loss, &QDoubleSpinBox::valueChanged, this, [this] {
        if (d_->clip->isChecked()) refresh();
    });
    connect(d_->contour, &ContourView::hovered, this,
            [this](double x, double y) { Q_EMIT statusMessage(describePoint(x, y)); });
    connect(d_->line, &LineView::hovered, this, [this](double x) { Q_EMIT statusMessage(describePoint(x, 0)); });
}

SurfacePanel::~SurfacePanel() = default;

void SurfacePanel::setData(const SurfacePlotData& data) {
    d_->data = data;
    offerFields();
    refresh();
}

// The colour-by choices are the loss and the fields this data has values of.
void SurfacePanel::offerFields() {
    QComboBox* box = d_->colour_by;
    const QSignalBlocker quiet(box);
    box->clear();
    box->addItem(tr("loss"), QString());
    for (const SurfaceField& f : d_->data.fields)
        if (std::any_of(f.values.begin(), f.values.end(), [](double v) { return std::isfinite(v); }))
            box->addItem(QString::fromStdString(f.label), QString::fromStdString(f.name));
    const int i = box->findData(d_->wanted_field);
    box->setCurrentIndex(i < 0 ? 0 : i);
    box->setEnabled(box->count() > 1);
}

void SurfacePanel::setColourBy(const QString& field) {
    d_->wanted_field = field;
    offerFields();
    refresh();
}

QString SurfacePanel::colourBy() const { return d_->colour_by->currentData().toString(); }

const SurfacePlotData& SurfacePanel::data() const { return d_->data; }
void SurfacePanel::setLogScale(bool on) { d_->log->setChecked(on); }
bool SurfacePanel::logScale() const { return d_->log->isChecked(); }

void SurfacePanel::setClip(std::optional<double> max_loss) {
    if (max_loss) d_->max_loss->setValue(*max_loss);
    d_->clip->setChecked(max_loss.has_value());
}

std::optional<double> SurfacePanel::clip() const {
    return d_->clip->isChecked() ? std::optional<double>(d_->max_loss->value()) : std::nullopt;
}

SurfaceView* SurfacePanel::surfaceView() const { return d_->surface; }
ContourView* SurfacePanel::contourView() const { return d_->contour; }
LineView* SurfacePanel::lineView() const { return d_->line; }
bool SurfacePanel::showsLine() const { return d_->data.isLine(); }

SurfacePlotData SurfacePanel::shownData() const {
    SurfacePlotData shown = d_->data;
    shown.values = displayValues(d_->data.values, logScale(), clip());
    if (clip()) shown.value_label += " (clipped at " + formatNumber(*clip()) + ")";
    if (logScale()) shown.value_label = "log10 " + shown.value_label;
    shown.colormap = colormapName().toStdString();
    shown.colour_by = colourBy().toStdString();
    return shown;
}

void SurfacePanel::setColormap(const QString& name) {
    const int i = d_->colours->findData(name);
    if (i >= 0) d_->colours->setCurrentIndex(i);
}
QString SurfacePanel::colormapName() const { return d_->colours->currentData().toString(); }

void SurfacePanel::refresh() {
    const SurfacePlotData shown = shownData();
    if (shown.isLine()) {
        d_->stack->setCurrentIndex(1);
        d_->line->setData(shown);
        d_->surface->clear();
        d_->contour->clear();
    } else {
        d_->stack->setCurrentIndex(0);
        d_->surface->setData(shown);
        d_->contour->setData(shown);
        d_->line->clear();
    }
}

QString SurfacePanel::describePoint(double x, double y) const {
    const SurfacePlotData& d = d_->data;
    const int i = nearestIndex(d.x, x), j = nearestIndex(d.y, y);
    if (i < 0 || j < 0 || d.values.size() != d.x.size() * d.y.size()) return {};
    const std::size_t k = std::size_t(j) * d.x.size() + std::size_t(i);
    QString text =
        QStringLiteral("%1 = %2").arg(QString::fromStdString(d.x_label), QString::fromStdString(formatNumber(d.x[i])));
    if (!d.isLine())
        text += QStringLiteral(", %1 = %2")
                    .arg(QString::fromStdString(d.y_label), QString::fromStdString(formatNumber(d.y[j])));
    text += QStringLiteral(": %1 %2").arg(QString::fromStdString(d.value_label),
                                          QString::fromStdString(formatNumber(d.values[k])));
    if (k < d.accuracy.size() && std::isfinite(d.accuracy[k]) && d.accuracy[k] >= 0)
        text += tr(", accuracy %1 %").arg(100 * d.accuracy[k], 0, 'f', 2);
    for (const SurfaceField& f : d.fields)
        if (k < f.values.size() && std::isfinite(f.values[k]))
            text += QStringLiteral(", %1 %2").arg(QString::fromStdString(f.label),
                                                  QString::fromStdString(formatNumber(f.values[k])));
    return text;
}

}  // namespace basin::widgets
