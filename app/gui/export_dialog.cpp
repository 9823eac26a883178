#include "export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <cmath>

#include "basin/widgets/figure.h"

namespace basin::gui {

namespace {

bool isFigure(const QString& ext) { return ext == "png" || ext == "pdf" || ext == "svg"; }

QString styleNote(const QString& preset) {
    if (preset == "paper-1col") return QObject::tr("3.5 in wide, 8 pt type: a journal's single column");
    if (preset == "paper-2col") return QObject::tr("7 in wide, 8 pt type: across both columns");
    return QObject::tr("900 × 600 px, 10 pt type: slides and the web");
}

}  // namespace

ExportDialog::ExportDialog(const QString& view, const QString& filter, const QString& base_name, QSettings& settings,
                           QWidget* parent)
    : QDialog(parent), settings_(settings), filter_(filter) {
    setObjectName("exportDialog");
    setWindowTitle(tr("Export %1").arg(view));
    auto* form = new QFormLayout(this);

    format_ = new QComboBox(this);
    format_->setObjectName("exportFormat");
    // "PDF (*.pdf)" -> text "PDF", data "pdf".
    static const QRegularExpression entry(QStringLiteral("^(.*) \\(\\*\\.([a-z0-9]+)\\)$"));
    for (const QString& f : filter.split(";;")) {
        const auto m = entry.match(f.trimmed());
        if (m.hasMatch()) format_->addItem(QStringLiteral("%1 (.%2)").arg(m.captured(1), m.captured(2)), m.captured(2));
    }
    form->addRow(tr("Format"), format_);

    style_row_ = new QWidget(this);
    auto* style_line = new QVBoxLayout(style_row_);
    style_line->setContentsMargins(0, 0, 0, 0);
    style_ = new QComboBox(style_row_);
    style_->setObjectName("exportStyle");
    for (const QString& name : widgets::FigureStyle::presetNames()) style_->addItem(name, name);
    style_note_ = new QLabel(style_row_);
    style_note_->setWordWrap(true);
    style_line->addWidget(style_);
    style_line->addWidget(style_note_);
    form->addRow(tr("Figure style"), style_row_);

    size_row_ = new QWidget(this);
    auto* size_line = new QHBoxLayout(size_row_);
    size_line->setContentsMargins(0, 0, 0, 0);
    width_ = new QSpinBox(size_row_);
    height_ = new QSpinBox(size_row_);
    for (QSpinBox* b : {width_, height_}) {
        b->setRange(100, 20000);
        b->setSingleStep(100);
        b->setSuffix(tr(" px"));
    }
    width_->setObjectName("exportWidth");
    height_->setObjectName("exportHeight");
    size_line->addWidget(width_);
    size_line->addWidget(new QLabel(QStringLiteral("×"), size_row_));
    size_line->addWidget(height_);
    size_line->addStretch(1);
    form->addRow(tr("PNG size"), size_row_);

    auto* where = new QWidget(this);
    auto* where_line = new QHBoxLayout(where);
    where_line->setContentsMargins(0, 0, 0, 0);
    path_ = new QLineEdit(where);
    path_->setObjectName("exportPath");
    path_->setMinimumWidth(360);
    auto* browse_button = new QPushButton(tr("Browse…"), where);
    where_line->addWidget(path_, 1);
    where_line->addWidget(browse_button);
    form->addRow(tr("File"), where);

    auto* note = new QLabel(tr("Figures are written with their settings beside them (FILE.json): the study, the "
                               "camera, the view's options and every result's provenance."),
                            this);
    note->setWordWrap(true);
    form->addRow(note);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    form->addRow(buttons);

    // The last choice, else a PDF in the paper's single column.
    const QString folder = settings_.value("export/folder", QDir::homePath()).toString();
    path_->setText(QDir(folder).filePath(base_name));
    setStyle(settings_.value("export/style", "paper-1col").toString());
    const QSize last = settings_.value("export/pixels").toSize();
    if (last.isValid()) setPixels(last);
    else setPixels(widgets::figurePixels(*widgets::FigureStyle::preset(style_->currentData().toString())));
    const QString ext = settings_.value("export/format", "pdf").toString();
    setFormat(format_->findData(ext) >= 0 ? ext : QStringLiteral("pdf"));
    formatChanged();

    connect(format_, &QComboBox::currentIndexChanged, this, &ExportDialog::formatChanged);
    connect(style_, &QComboBox::currentIndexChanged, this, &ExportDialog::styleChanged);
    connect(browse_button, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        remember();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void ExportDialog::formatChanged() {
    const QString ext = format_->currentData().toString();
    style_row_->setEnabled(isFigure(ext));
    size_row_->setEnabled(ext == "png");
    // The file name follows the format.
    QFileInfo info(path_->text());
    if (!info.fileName().isEmpty()) path_->setText(info.dir().filePath(info.completeBaseName() + "." + ext));
    styleChanged();
}

void ExportDialog::styleChanged() { style_note_->setText(styleNote(style_->currentData().toString())); }

void ExportDialog::browse() {
    const QString ext = format_->currentData().toString();
    const QString path =
        QFileDialog::getSaveFileName(this, windowTitle(), path_->text(),
                                     format_->currentText().section(" (", 0, 0) + QStringLiteral(" (*.%1)").arg(ext));
    if (!path.isEmpty()) setPath(path);
}

void ExportDialog::setFormat(const QString& extension) {
    const int i = format_->findData(extension);
    if (i >= 0) format_->setCurrentIndex(i);
    formatChanged();
}

void ExportDialog::setStyle(const QString& preset) {
    const int i = style_->findData(preset);
    style_->setCurrentIndex(i >= 0 ? i : 0);
    styleChanged();
}

void ExportDialog::setPixels(QSize size) {
    width_->setValue(size.width());
    height_->setValue(size.height());
}

void ExportDialog::setPath(const QString& path) {
    path_->setText(path);
    // A typed extension chooses the format.
    const QString ext = QFileInfo(path).suffix().toLower();
    if (format_->findData(ext) >= 0 && ext != format_->currentData().toString()) setFormat(ext);
}

ExportChoice ExportDialog::choice() const {
    ExportChoice c;
    const QString ext = format_->currentData().toString();
    QFileInfo info(path_->text().trimmed());
    c.path = info.suffix().toLower() == ext ? info.filePath() : info.filePath() + "." + ext;
    c.style = *widgets::FigureStyle::preset(style_->currentData().toString());
    if (ext == "png") c.size = QSize(width_->value(), height_->value());
    return c;
}

void ExportDialog::remember() const {
    settings_.setValue("export/format", format_->currentData().toString());
    settings_.setValue("export/style", style_->currentData().toString());
    settings_.setValue("export/pixels", QSize(width_->value(), height_->value()));
    settings_.setValue("export/folder", QFileInfo(choice().path).absolutePath());
}

}  // namespace basin::gui
