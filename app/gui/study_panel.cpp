#include "study_panel.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace basin::gui {

namespace {
const QStringList kFields{"name", "model", "data", "loss", "samples", "batch", "parameters", "loss value", "accuracy"};

QString withCommas(qint64 n) { return QLocale(QLocale::English).toString(n); }

// Long paths have no spaces, so a word-wrapping label could not break them without a hint.
QString breakable(QString path) { return path.replace('/', QStringLiteral("/\u200B")); }
}  // namespace

StudyPanel::StudyPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    form_ = new QFormLayout;
    form_->setRowWrapPolicy(QFormLayout::DontWrapRows);
    form_->setLabelAlignment(Qt::AlignLeft | Qt::AlignTop);
    for (const QString& key : kFields) {
        auto* label = new QLabel(this);
        label->setObjectName("study-" + QString(key).replace(' ', '-'));
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setMinimumWidth(160);
        form_->addRow(QString(key.at(0).toUpper()) + key.mid(1), label);
    }
    layout->addLayout(form_);
    error_ = new QLabel(this);
    error_->setObjectName("study-error");
    error_->setWordWrap(true);
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    error_->setStyleSheet("color: #C0392B; font-weight: bold;");
    error_->setVisible(false);
    layout->addWidget(error_);
    layout->addStretch(1);
}

QLabel* StudyPanel::value(const QString& key) const {
    return findChild<QLabel*>("study-" + QString(key).replace(' ', '-'));
}

QString StudyPanel::field(const QString& key) const {
    const QLabel* label = value(key);
    return label ? label->text().remove(QChar(0x200B)) : QString();
}

QString StudyPanel::errorText() const {
    return error_->isVisible() ? error_->text().remove(QChar(0x200B)) : QString();
}

void StudyPanel::showOpening(const QString& path) {
    for (const QString& key : kFields) value(key)->clear();
    value("name")->setText(tr("opening %1…").arg(QFileInfo(path).fileName()));
    error_->clear();
    error_->setVisible(false);
}

void StudyPanel::showStudy(const StudySummary& s) {
    value("name")->setText(s.name);
    value("model")->setText(breakable(s.model));
    value("model")->setToolTip(s.model);
    value("data")->setText(breakable(s.data));
    value("data")->setToolTip(s.data);
    value("loss")->setText(s.loss);
    value("samples")->setText(s.available > s.samples ? tr("%1 of %2").arg(withCommas(s.samples), withCommas(s.available))
                                                      : withCommas(s.samples));
    value("batch")->setText(withCommas(s.batch));
    value("parameters")->setText(withCommas(s.parameters));
    value("loss value")->setText(QString::number(s.loss_value, 'g', 6));
    value("accuracy")->setText(s.accuracy < 0 ? tr("n/a") : QString::number(100.0 * s.accuracy, 'f', 2) + " %");
    error_->clear();
    error_->setVisible(false);
}

void StudyPanel::showError(const QString& message) {
    for (const QString& key : kFields) value(key)->clear();
    error_->setText(breakable(message));
    error_->setVisible(true);
}

}  // namespace basin::gui
