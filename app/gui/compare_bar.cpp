#include "compare_bar.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>

namespace basin::gui {

CompareBar::CompareBar(QWidget* parent) : QWidget(parent) {
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(6, 4, 6, 4);
    row->addWidget(new QLabel(tr("Checkpoints (2 to 4):"), this));
    list_ = new QListWidget(this);
    list_->setObjectName("compareCheckpoints");
    list_->setFlow(QListView::LeftToRight);
    list_->setWrapping(true);
    list_->setMaximumHeight(56);
    list_->setToolTip(tr("Tick the checkpoints to compare; each gets its own surface, spectrum and table row"));
    row->addWidget(list_, 1);
    auto* add = new QPushButton(tr("Add model…"), this);
    add->setToolTip(tr("Another TorchScript model of the same architecture"));
    row->addWidget(add);
    row->addWidget(new QLabel(tr("path points"), this));
    path_ = new QSpinBox(this);
    path_->setObjectName("comparePathPoints");
    path_->setRange(0, 101);
    path_->setValue(11);
    path_->setToolTip(tr("Points on the straight line from the first to the last checkpoint (0: no path)"));
    row->addWidget(path_);
    same_ = new QCheckBox(tr("same directions"), this);
    same_->setObjectName("compareSameDirections");
    same_->setToolTip(tr("Every surface along the first checkpoint's directions (literally the same vectors). "
                         "Off: directions from the same seed, filter-normalised at each checkpoint."));
    row->addWidget(same_);
    run_ = new QPushButton(tr("Compare"), this);
    run_->setObjectName("compareRun");
    row->addWidget(run_);
    message_ = new QLabel(this);
    message_->setStyleSheet("color: #C0392B;");
    row->addWidget(message_);

    connect(list_, &QListWidget::itemChanged, this, [this] { validate(); });
    connect(add, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Add a model to compare"), QString(),
                                                          tr("TorchScript models (*.pt *.pth *.ptl);;All files (*)"));
        if (!path.isEmpty()) addCheckpoint(path);
    });
    connect(run_, &QPushButton::clicked, this,
            [this] { Q_EMIT runRequested(chosen(), pathPoints(), sameDirections()); });
    validate();
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
    if (n <= 4) for (int i = 0; i < n; ++i) ticked << i;
    else ticked = {0, n / 3, 2 * n / 3, n - 1};
    for (int i : ticked) list_->item(i)->setCheckState(Qt::Checked);
    validate();
}

void CompareBar::addCheckpoint(const QString& path) {
    auto* item = new QListWidgetItem(QFileInfo(path).fileName(), list_);
    item->setData(Qt::UserRole, path);
    item->setToolTip(path);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Checked);
    validate();
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
    message_->setText(why);
    run_->setEnabled(why.isEmpty());
}

}  // namespace basin::gui
