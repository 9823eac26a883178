#include "surface_options_bar.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <algorithm>
#include <cmath>

namespace basin::gui {

SurfaceOptionsBar::SurfaceOptionsBar(QWidget* parent) : QWidget(parent) {
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(4, 2, 4, 2);
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
    auto* run = new QPushButton(tr("Compute surface"), this);
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
    setOptions(SurfaceJobOptions{});
    connect(run, &QPushButton::clicked, this, [this] { Q_EMIT runRequested(options()); });
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
    return o;
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
}

}  // namespace basin::gui
