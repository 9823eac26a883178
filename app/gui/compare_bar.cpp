#include "compare_bar.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

namespace basin::gui {

CompareBar::CompareBar(QWidget* parent) : QWidget(parent) {
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(6, 4, 6, 4);
    column->setSpacing(2);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Checkpoints (2 to 4):"), this), 0, Qt::AlignTop);
    list_ = new QListWidget(this);
    list_->setObjectName("compareCheckpoints");
    // A row of its own that wraps: every checkpoint stays in view, none behind a sideways scroller.
    list_->setFlow(QListView::LeftToRight);
    list_->setWrapping(true);
    list_->setResizeMode(QListView::Adjust);
    list_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    list_->setToolTip(tr("Tick the checkpoints to compare; each gets its own surface, spectrum and table row"));
    top->addWidget(list_, 1);
    auto* add = new QPushButton(tr("Add model…"), this);
    add->setToolTip(tr("Another TorchScript model of the same architecture"));
    top->addWidget(add, 0, Qt::AlignTop);
    column->addLayout(top);

    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("surface grid"), this));
    grid_ = new QSpinBox(this);
    grid_->setObjectName("compareGrid");
    grid_->setRange(0, 201);
    grid_->setSpecialValueText(tr("no surfaces"));
    grid_->setToolTip(
        tr("Points per side of each checkpoint's loss surface: the comparison's own grid, "
           "not the Surface tab's (its cost grows with the square). 0: no surfaces."));
    row->addWidget(grid_);
    row->addSpacing(8);
    row->addWidget(new QLabel(tr("path points"), this));
    path_ = new QSpinBox(this);
    path_->setObjectName("comparePathPoints");
    path_->setRange(0, 101);
    path_->setValue(11);
    path_->setToolTip(tr("Points on the straight line from the first to the last checkpoint (0: no path)"));
    row->addWidget(path_);
    row->addSpacing(8);
    same_ = new QCheckBox(tr("same directions"), this);
    same_->setObjectName("compareSameDirections");
    same_->setToolTip(
        tr("Every surface along the first checkpoint's directions (literally the same vectors). "
           "Off: directions from the same seed, filter-normalised at each checkpoint."));
    row->addWidget(same_);
    run_ = new QPushButton(tr("Compare"), this);
    run_->setObjectName("compareRun");
    run_->setToolTip(tr("Compare the ticked checkpoints (Ctrl+K)"));
    row->addWidget(run_);
    message_ = new QLabel(this);
    message_->setStyleSheet("color: #C0392B;");
    message_->setWordWrap(true);
    row->addWidget(message_, 1);
    column->addLayout(row);

    connect(list_, &QListWidget::itemChanged, this, [this] { validate(); });
    connect(add, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Add a model to compare"), QString(),
                                                          tr("TorchScript models (*.pt *.pth *.ptl);;All files (*)"));
        if (!path.isEmpty()) addCheckpoint(path);
    });
    connect(grid_, &QSpinBox::valueChanged, this, [this](int n) {
        grid_->setSuffix(n > 0 ? tr(" × %1").arg(n) : QString());
        validate();
    });
    connect(run_, &QPushButton::clicked, this,
            [this] { Q_EMIT runRequested(chosen(), pathPoints(), sameDirections()); });
    setGridPoints(11);
    validate();
}

void CompareBar::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    // After the list has laid its items out at the new width.
    QTimer::singleShot(0, this, &CompareBar::fitListHeight);
}

void CompareBar::fitListHeight() {
    // As tall as its rows of checkpoints, up to three (a longer list scrolls down, never sideways).
    int bottom = 0, row = 0;
    for (int i = 0; i < list_->count(); ++i) {
        const QRect r = list_->visualItemRect(list_->item(i));
        bottom = std::max(bottom, r.bottom() + 1 + list_->verticalScrollBar()->value());
        row = std::max(row, r.height());
    }
    if (row == 0) row = list_->fontMetrics().height() + 6;
    const int rows_shown = std::clamp((bottom + row - 1) / row, 1, 3);
    const int height = rows_shown * row + 2 * list_->frameWidth() + 4;
    if (list_->height() != height) list_->setFixedHeight(height);
}

void CompareBar::setCheckpoints(const QStringList& paths) {
    list_->clear();
    for (const QString& p : paths) {
        auto* item = new QListWidgetItem(QFileInfo(p).fileName(), list_);
        item->setData(Qt::UserRole, p);
        item->setToolTip(p);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    // First, last, and evenly between them: at most four.
    const int n = int(paths.size());
    QList<int> ticked;
    if (n <= 4)
        for (int i = 0; i < n; ++i) ticked << i;
    else ticked = {0, n / 3, 2 * n / 3, n - 1};
    for (int i : ticked) list_->item(i)->setCheckState(Qt::Checked);
    validate();
    QTimer::singleShot(0, this, &CompareBar::fitListHeight);
}

void CompareBar::addCheckpoint(const QString& path) {
    auto* item = new QListWidgetItem(QFileInfo(path).fileName(), list_);
    item->setData(Qt::UserRole, path);
    item->setToolTip(path);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Checked);
    validate();
    QTimer::singleShot(0, this, &CompareBar::fitListHeight);
}

QStringList CompareBar::chosen() const {
    QStringList out;
    for (int i = 0; i < list_->count(); ++i)
        if (list_->item(i)->checkState() == Qt::Checked) out << list_->item(i)->data(Qt::UserRole).toString();
    return out;
}

void CompareBar::setChosen(const QStringList& paths) {
    for (int i = 0; i < list_->count(); ++i)
        list_->item(i)->setCheckState(paths.contains(list_->item(i)->data(Qt::UserRole).toString()) ? Qt::Checked
                                                                                                    : Qt::Unchecked);
    validate();
}

int CompareBar::gridPoints() const { return grid_->value() >= 2 ? grid_->value() : 0; }
void CompareBar::setGridPoints(int points) { grid_->setValue(points); }
int CompareBar::pathPoints() const { return path_->value() >= 2 ? path_->value() : 0; }
void CompareBar::setPathPoints(int points) { path_->setValue(points); }
bool CompareBar::sameDirections() const { return same_->isChecked(); }
void CompareBar::setSameDirections(bool on) { same_->setChecked(on); }
QString CompareBar::problem() const { return message_->text(); }

void CompareBar::validate() {
    const qsizetype n = chosen().size();
    QString why;
    if (list_->count() < 2) why = tr("the study lists fewer than 2 checkpoints: add models");
    else if (n < 2) why = tr("tick at least 2 checkpoints");
    else if (n > 4) why = tr("tick at most 4 checkpoints (%1 ticked)").arg(n);
    else if (grid_->value() == 1) why = tr("a surface grid needs at least 2 points a side (0: no surfaces)");
    message_->setText(why);
    run_->setEnabled(why.isEmpty());
}

}  // namespace basin::gui
