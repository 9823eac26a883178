#include "surface_options_bar.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace basin::gui {

SurfaceOptionsBar::SurfaceOptionsBar(QWidget* parent) : QWidget(parent) {
    // Two rows, so the bar fits a 1280-pixel window beside the study panel: the plane and grid
    // with the loss surface, then what else is computed on that plane (one layer, curvature, probes).
    auto* rows = new QVBoxLayout(this);
    rows->setContentsMargins(4, 2, 4, 2);
    rows->setSpacing(2);
    auto* row = new QHBoxLayout;
    auto* row2 = new QHBoxLayout;
    rows->addLayout(row);
    rows->addLayout(row2);
    dirs_ = new QComboBox(this);
    dirs_->addItem(tr("random (filter-normalised)"), "random");
    dirs_->addItem(tr("top two Hessian eigenvectors"), "eigen");
    dirs_->addItem(tr("largest and most negative eigenvector"), "eigen-neg");
    dirs_->addItem(tr("checkpoints (line or plane)"), "checkpoints");
    dirs_->addItem(tr("PCA of the trajectory"), "pca");
    dirs_->setToolTip(tr("Checkpoints and PCA need the study's checkpoints; their range covers the trajectory"));
    nx_ = new QSpinBox(this);
    ny_ = new QSpinBox(this);
    nx_->setRange(2, 401);
    ny_->setRange(1, 401);
    ny_->setToolTip(tr("1 computes a line (for checkpoints: the interpolation from the first to the last)"));
    range_ = new QDoubleSpinBox(this);
    range_->setRange(0.01, 100);
    range_->setDecimals(2);
    range_->setSingleStep(0.25);
    range_->setPrefix(QStringLiteral("± "));
    bn_ = new QComboBox(this);
    bn_->addItem(tr("BatchNorm as stored"));
    bn_->addItem(tr("BatchNorm recomputed"));
    group_ = new QComboBox(this);
    group_->setObjectName("surfaceGroup");
    group_->setToolTip(
        tr("One layer's landscape: the directions move only this layer group, zero elsewhere "
           "(also chosen by clicking a row of the Layers table)"));
    setGroups({});
    auto* run = new QPushButton(tr("Compute surface"), this);
    auto* map = new QPushButton(tr("Curvature map"), this);
    map->setObjectName("curvatureMapButton");
    map->setToolTip(tr("λmax and λmin at every point of this grid (Lanczos at each, warm-started from its neighbour)"));
    probe_at_ = new QLineEdit(this);
    probe_at_->setObjectName("probeAt");
    probe_at_->setPlaceholderText(tr("x, y"));
    probe_at_->setMinimumWidth(80);
    probe_at_->setMaximumWidth(110);
    probe_at_->setToolTip(tr("The spectrum at this point of the plane (or click the 3D view or the map)"));
    auto* probe = new QPushButton(tr("Probe"), this);
    probe->setObjectName("probeButton");
    row->addWidget(new QLabel(tr("Directions"), this));
    row->addWidget(dirs_);
    row->addWidget(new QLabel(tr("grid"), this));
    row->addWidget(nx_);
    row->addWidget(new QLabel(QStringLiteral("×"), this));
    row->addWidget(ny_);
    row->addWidget(new QLabel(tr("range"), this));
    row->addWidget(range_);
    row->addWidget(bn_);
    row->addWidget(run);
    row->addStretch(1);
    row2->addWidget(new QLabel(tr("moving"), this));
    row2->addWidget(group_);
    row2->addWidget(map);
    row2->addSpacing(8);
    row2->addWidget(new QLabel(tr("probe at"), this));
    row2->addWidget(probe_at_);
    row2->addWidget(probe);
    row2->addStretch(1);
    setOptions(SurfaceJobOptions{});
    connect(run, &QPushButton::clicked, this, [this] { Q_EMIT runRequested(options()); });
    connect(map, &QPushButton::clicked, this, [this] { Q_EMIT curvatureMapRequested(options()); });
    auto typed = [this] {
        if (const auto p = typedProbe()) Q_EMIT probeRequested((*p)[0], (*p)[1]);
    };
    connect(probe, &QPushButton::clicked, this, typed);
    connect(probe_at_, &QLineEdit::returnPressed, this, typed);
}

SurfaceJobOptions SurfaceOptionsBar::options() const {
    SurfaceJobOptions o = base_;
    o.dirs = dirs_->currentData().toString().toStdString();
    o.nx = nx_->value();
    o.ny = ny_->value();
    const double r = range_->value();
    // Checkpoints and PCA span their trajectory unless a range was given before.
    if (o.dirs == "checkpoints" || o.dirs == "pca") o.range = base_.range;
    else o.range = std::array<double, 4>{-r, r, -r, r};
    o.bn = bn_->currentIndex() == 1 ? BatchNormMode::Recompute : BatchNormMode::Eval;
    // Checkpoints and PCA follow every parameter's trajectory: no group.
    o.group =
        o.dirs == "checkpoints" || o.dirs == "pca" ? std::string() : group_->currentData().toString().toStdString();
    return o;
}

void SurfaceOptionsBar::setGroups(const QStringList& groups) {
    const QString keep = group_->currentData().toString();
    group_->clear();
    group_->addItem(tr("all parameters"), QString());
    for (const QString& g : groups) group_->addItem(tr("only %1").arg(g), g);
    const int i = group_->findData(keep);
    group_->setCurrentIndex(i < 0 ? 0 : i);
}

void SurfaceOptionsBar::setGroup(const QString& group) {
    int i = group_->findData(group);
    // Groups joined by + (the Layers table's merged rows) are offered once chosen.
    if (i < 0 && group.contains('+')) {
        group_->addItem(tr("only %1").arg(group), group);
        i = group_->count() - 1;
    }
    if (i >= 0) group_->setCurrentIndex(i);
}

std::optional<std::array<double, 2>> SurfaceOptionsBar::typedProbe() const {
    const QStringList parts =
        probe_at_->text().split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    if (parts.isEmpty() || parts.size() > 2) return std::nullopt;
    bool ok_x = false, ok_y = true;
    const double x = QLocale::c().toDouble(parts[0], &ok_x);
    const double y = parts.size() == 2 ? QLocale::c().toDouble(parts[1], &ok_y) : 0.0;
    if (!ok_x || !ok_y || !std::isfinite(x) || !std::isfinite(y)) return std::nullopt;
    return std::array<double, 2>{x, y};
}

void SurfaceOptionsBar::setOptions(const SurfaceJobOptions& o) {
    base_ = o;
    const int i = dirs_->findData(QString::fromStdString(o.dirs));
    dirs_->setCurrentIndex(i < 0 ? 0 : i);
    nx_->setValue(o.nx);
    ny_->setValue(o.ny);
    // The bar's range is symmetric: the larger half-width of the options' range.
    range_->setValue(o.range ? std::max({std::abs((*o.range)[0]), std::abs((*o.range)[1]), std::abs((*o.range)[2]),
                                         std::abs((*o.range)[3])})
                             : 1.0);
    bn_->setCurrentIndex(o.bn == BatchNormMode::Recompute ? 1 : 0);
    setGroup(QString::fromStdString(o.group));
}

}  // namespace basin::gui
