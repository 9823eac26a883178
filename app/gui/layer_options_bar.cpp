#include "layer_options_bar.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <cmath>

#include "basin/error.h"
#include "basin/widgets/layer_math.h"

namespace basin::gui {

namespace {

// "2, 3,4 8" -> {2, 3, 4, 8}; nullopt names the first piece that is not a whole number.
std::optional<std::vector<int>> parseBits(const QString& text, QString* bad) {
    std::vector<int> bits;
    for (const QString& piece : text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int b = piece.toInt(&ok);
        if (!ok) {
            *bad = piece;
            return std::nullopt;
        }
        bits.push_back(b);
    }
    return bits;
}

}  // namespace

LayerOptionsBar::LayerOptionsBar(QWidget* parent) : QWidget(parent) {
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(4, 2, 4, 2);
    probes_ = new QSpinBox(this);
    probes_->setObjectName("layerProbes");
    probes_->setRange(1, 10000);
    probes_->setToolTip(
        tr("Hutchinson probes for the per-layer traces (one H·v each): more probes, smaller error bars"));
    bits_ = new QLineEdit(this);
    bits_->setObjectName("layerBits");
    bits_->setToolTip(tr("The bit widths a layer may get, e.g. 2, 3, 4, 8"));
    bits_->setMaximumWidth(110);
    budget_ = new QDoubleSpinBox(this);
    budget_->setObjectName("layerBudget");
    budget_->setRange(0, 100);
    budget_->setDecimals(1);
    budget_->setSingleStep(5);
    budget_->setSuffix(QStringLiteral(" %"));
    budget_->setSpecialValueText(tr("none"));
    budget_->setToolTip(
        tr("Size budget of the mixed-precision proposal, as a share of the float32 model "
           "(none: no proposal, the frontier alone)"));
    bytes_ = new QLabel(this);
    bytes_->setObjectName("layerBudgetBytes");
    run_ = new QPushButton(tr("Compute layers"), this);
    run_->setObjectName("layerRun");
    run_->setToolTip(tr("Run the layer sensitivity with these settings (Ctrl+Shift+L)"));
    message_ = new QLabel(this);
    message_->setObjectName("layerOptionsError");
    message_->setStyleSheet("color: #C0392B;");
    message_->setWordWrap(true);
    row->addWidget(new QLabel(tr("probes"), this));
    row->addWidget(probes_);
    row->addWidget(new QLabel(tr("bits"), this));
    row->addWidget(bits_);
    row->addWidget(new QLabel(tr("budget"), this));
    row->addWidget(budget_);
    row->addWidget(bytes_);
    row->addWidget(run_);
    row->addWidget(message_, 1);
    connect(probes_, &QSpinBox::valueChanged, this, &LayerOptionsBar::revalidate);
    connect(bits_, &QLineEdit::textChanged, this, &LayerOptionsBar::revalidate);
    connect(budget_, &QDoubleSpinBox::valueChanged, this, &LayerOptionsBar::revalidate);
    connect(run_, &QPushButton::clicked, this, [this] {
        if (problem_.isEmpty()) Q_EMIT runRequested(options());
    });
    setOptions(SensitivityOptions{}, 0);
}

SensitivityOptions LayerOptionsBar::options() const {
    SensitivityOptions o = base_;
    o.probes = probes_->value();
    QString bad;
    if (auto bits = parseBits(bits_->text(), &bad)) o.bits = *bits;
    if (budget_->value() <= 0) o.budget_bytes.reset();
    else if (float32_bytes_ > 0) o.budget_bytes = budget_->value() / 100.0 * float32_bytes_;
    return o;
}

void LayerOptionsBar::setOptions(const SensitivityOptions& o, double float32_bytes) {
    base_ = o;
    float32_bytes_ = float32_bytes;
    const QSignalBlocker a(probes_), b(bits_), c(budget_);
    probes_->setValue(o.probes);
    QStringList bits;
    for (int bit : o.bits) bits << QString::number(bit);
    bits_->setText(bits.join(", "));
    budget_->setValue(o.budget_bytes && float32_bytes > 0 ? 100.0 * *o.budget_bytes / float32_bytes : 0.0);
    // Without the model's size (no study open) a share cannot be turned into bytes.
    budget_->setEnabled(float32_bytes > 0);
    revalidate();
}

QString LayerOptionsBar::problem() const { return problem_; }

void LayerOptionsBar::revalidate() {
    QString bad;
    problem_.clear();
    if (!parseBits(bits_->text(), &bad)) problem_ = tr("bits: “%1” is not a whole number").arg(bad);
    else {
        try {
            validate(options());
        } catch (const Error& e) {
            problem_ = QString::fromStdString(e.what());
        }
    }
    const SensitivityOptions o = options();
    bytes_->setText(o.budget_bytes
                        ? QStringLiteral("= %1").arg(QString::fromStdString(widgets::formatBytes(*o.budget_bytes)))
                        : QString());
    message_->setText(problem_);
    run_->setEnabled(problem_.isEmpty());
}

}  // namespace basin::gui
