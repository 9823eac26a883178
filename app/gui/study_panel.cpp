#include "study_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace basin::gui {

namespace {

const QStringList kComputed{"parameters", "inputs", "samples used", "classes", "loss value", "accuracy"};
const Loss kLosses[] = {Loss::CrossEntropy, Loss::MSE, Loss::NLL, Loss::BCEWithLogits, Loss::ModelMethod};
const char* const kErrorStyle = "color: #C0392B;";
const char* const kNoteStyle = "color: #7A5C00;";

QString withCommas(qint64 n) { return QLocale(QLocale::English).toString(n); }

// Long paths have no spaces, so a word-wrapping label could not break them without a hint.
QString breakable(QString path) { return path.replace('/', QStringLiteral("/\u200B")); }

QString lossLabel(Loss loss) {
    switch (loss) {
        case Loss::CrossEntropy:
            return QObject::tr("cross-entropy");
        case Loss::MSE:
            return QObject::tr("mean squared error");
        case Loss::NLL:
            return QObject::tr("negative log-likelihood");
        case Loss::BCEWithLogits:
            return QObject::tr("BCE with logits");
        case Loss::ModelMethod:
            return QObject::tr("the model's loss()");
    }
    return {};
}

QString studyDir(const QString& study_path) {
    return study_path.isEmpty() ? QString() : QFileInfo(study_path).absolutePath();
}

// Shown relative to the study's folder when inside it: shorter, and the file name stays in view.
QString displayPath(const std::string& path, const QString& study_path) {
    const QString p = QString::fromStdString(path);
    const QString dir = studyDir(study_path);
    if (p.isEmpty() || dir.isEmpty()) return p;
    const QString rel = QDir(dir).relativeFilePath(p);
    return rel.startsWith("../") || QFileInfo(rel).isAbsolute() ? p : rel;
}

QLabel* makeMessage(QWidget* parent, const QString& key) {
    auto* label = new QLabel(parent);
    label->setObjectName("study-" + QString(key).replace(' ', '-') + "-error");
    label->setWordWrap(true);
    label->setStyleSheet(kErrorStyle);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setVisible(false);
    return label;
}

}  // namespace

StudyPanel::StudyPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    state_ = new QLabel(this);
    state_->setObjectName("study-state");
    state_->setWordWrap(true);
    layout->addWidget(state_);

    auto* settings = new QGroupBox(tr("Settings"), this);
    auto* form = new QFormLayout(settings);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    form->setLabelAlignment(Qt::AlignLeft);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const QString models = tr("TorchScript models (*.pt *.ptl);;All files (*)");
    const QString data = tr("Data (*.npz *.npy *.pt *.csv *.gz *-ubyte *.idx*);;All files (*)");
    addEditRow(form, "name", tr("Name"), nullptr);
    addPathRow(form, "model", tr("Model"), models);
    addPathRow(form, "data", tr("Data"), data);
    addPathRow(form, "targets", tr("Targets"), data);
    edits_["targets"]->setPlaceholderText(tr("in the data file"));
    edits_["targets"]->setToolTip(tr("A separate file of targets (labels); leave empty when the data file holds them"));

    loss_ = new QComboBox(settings);
    for (Loss l : kLosses) loss_->addItem(lossLabel(l), QString::fromStdString(lossName(l)));
    loss_->setToolTip(tr("The loss whose curvature is analysed"));
    addEditRow(form, "loss", tr("Loss"), loss_);
    addEditRow(form, "samples", tr("Samples"), nullptr);
    edits_["samples"]->setPlaceholderText(tr("all"));
    edits_["samples"]->setToolTip(tr("Use the first N samples of the data; leave empty for all of them"));
    addEditRow(form, "batch", tr("Batch"), nullptr);
    edits_["batch"]->setToolTip(tr("Samples per forward/backward pass: bounds memory, not the result"));
    addEditRow(form, "seed", tr("Seed"), nullptr);
    edits_["seed"]->setToolTip(tr("Seed of every random choice an analysis makes"));
    dtype_ = new QComboBox(settings);
    for (DType d : {DType::Float32, DType::Float64}) dtype_->addItem(QString::fromStdString(dtypeName(d)));
    dtype_->setToolTip(tr("Precision of the model, data and curvature computations"));
    addEditRow(form, "dtype", tr("Precision"), dtype_);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    revert_ = new QPushButton(tr("Revert"), settings);
    revert_->setObjectName("study-revert");
    revert_->setToolTip(tr("Put back the settings of the open study"));
    apply_ = new QPushButton(tr("Apply"), settings);
    apply_->setObjectName("study-apply");
    apply_->setDefault(true);
    buttons->addWidget(revert_);
    buttons->addWidget(apply_);
    form->addRow(buttons);
    layout->addWidget(settings);

    auto* results = new QGroupBox(tr("Computed"), this);
    auto* computed = new QFormLayout(results);
    computed->setRowWrapPolicy(QFormLayout::DontWrapRows);
    for (const QString& key : kComputed) {
        auto* label = new QLabel(results);
        label->setObjectName("study-" + QString(key).replace(' ', '-'));
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        if (key == "inputs") {  // one line per array; names can be long
            label->setWordWrap(true);
            label->setToolTip(
                tr("The arrays fed to the model's forward(), with the shape of one sample and the type "
                   "they are fed as"));
        }
        computed_[key] = label;
        computed->addRow(QString(key.at(0).toUpper()) + key.mid(1), label);
    }
    layout->addWidget(results);

    error_ = new QLabel(this);
    error_->setObjectName("study-error");
    error_->setWordWrap(true);
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    error_->setStyleSheet("color: #C0392B; font-weight: bold;");
    error_->setVisible(false);
    layout->addWidget(error_);
    layout->addStretch(1);

    for (QLineEdit* edit : edits_) {
        connect(edit, &QLineEdit::textChanged, this, &StudyPanel::revalidate);
        connect(edit, &QLineEdit::returnPressed, this, &StudyPanel::apply);
        edit->setAcceptDrops(false);  // a file dropped here goes to the window, which knows what it is for
    }
    connect(loss_, &QComboBox::currentIndexChanged, this, &StudyPanel::revalidate);
    connect(dtype_, &QComboBox::currentIndexChanged, this, &StudyPanel::revalidate);
    connect(apply_, &QPushButton::clicked, this, &StudyPanel::apply);
    connect(revert_, &QPushButton::clicked, this, &StudyPanel::revert);
    setSpec(StudySpec{});  // the defaults, until a study's own settings arrive
}

QWidget* StudyPanel::addEditRow(QFormLayout* form, const QString& key, const QString& label, QWidget* editor) {
    auto* cell = new QWidget(form->parentWidget());
    auto* column = new QVBoxLayout(cell);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    if (!editor) {
        auto* edit = new QLineEdit(cell);
        edits_[key] = edit;
        editor = edit;
    }
    editor->setParent(cell);
    editor->setObjectName("study-" + key);
    column->addWidget(editor);
    messages_[key] = makeMessage(cell, key);
    column->addWidget(messages_[key]);
    form->addRow(label, cell);
    return cell;
}

QWidget* StudyPanel::addPathRow(QFormLayout* form, const QString& key, const QString& label, const QString& filter) {
    auto* row = new QWidget(form->parentWidget());
    auto* line = new QHBoxLayout(row);
    line->setContentsMargins(0, 0, 0, 0);
    line->setSpacing(4);
    auto* edit = new QLineEdit(row);
    edit->setObjectName("study-" + key);
    edits_[key] = edit;
    auto* browse_button = new QToolButton(row);
    browse_button->setObjectName("study-" + key + "-browse");
    browse_button->setText(tr("Browse…"));
    browse_button->setToolTip(tr("Choose the %1 file").arg(label.toLower()));
    connect(browse_button, &QToolButton::clicked, this, [this, key, filter] { browse(key, filter); });
    line->addWidget(edit, 1);
    line->addWidget(browse_button);

    auto* cell = new QWidget(form->parentWidget());
    auto* column = new QVBoxLayout(cell);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    row->setParent(cell);
    column->addWidget(row);
    messages_[key] = makeMessage(cell, key);
    column->addWidget(messages_[key]);
    form->addRow(label, cell);
    return cell;
}

void StudyPanel::browse(const QString& key, const QString& filter) {
    const QString current = resolveStudyPath(edits_[key]->text().trimmed(), studyDir(path_));
    const QString dir = !current.isEmpty() && QFileInfo(current).absoluteDir().exists()
                            ? QFileInfo(current).absolutePath()
                            : studyDir(path_);
    const QString file = QFileDialog::getOpenFileName(this, tr("Choose the %1 file").arg(key), dir, filter);
    if (!file.isEmpty()) setField(key, file);
}

StudyFields StudyPanel::typed() const {
    StudyFields f;
    f.model = edits_["model"]->text();
    f.data = edits_["data"]->text();
    f.targets = edits_["targets"]->text();
    f.samples = edits_["samples"]->text();
    f.batch = edits_["batch"]->text();
    f.seed = edits_["seed"]->text();
    return f;
}

void StudyPanel::revalidate() {
    errors_ = validateStudyFields(typed(), studyDir(path_));
    notes_ = studyFieldNotes(typed());
    for (auto it = messages_.begin(); it != messages_.end(); ++it) {
        const QString error = errors_.value(it.key());
        const QString message = error.isEmpty() ? notes_.value(it.key()) : error;
        it.value()->setText(breakable(message));
        it.value()->setStyleSheet(error.isEmpty() ? kNoteStyle : kErrorStyle);
        it.value()->setVisible(!message.isEmpty());
        if (QLineEdit* edit = edits_.value(it.key()))
            edit->setStyleSheet(error.isEmpty() ? QString() : QStringLiteral("border: 1px solid #C0392B;"));
    }
    const bool modified = isModified();
    apply_->setEnabled(canApply());
    const QString why_not = whyNotApply();
    apply_->setToolTip(why_not.isEmpty() ? tr("Reopen the study with these settings (Ctrl+Return)") : why_not);
    revert_->setEnabled(modified);
    if (modified != was_modified_) {
        was_modified_ = modified;
        Q_EMIT modifiedChanged(modified);
    }
}

bool StudyPanel::canApply() const { return whyNotApply().isEmpty(); }

QString StudyPanel::whyNotApply() const {
    if (!errors_.isEmpty()) return tr("Correct the settings marked in red first");
    if (!isModified() && !open_failed_) return tr("Nothing to apply: the settings are those of the open study");
    return {};
}

bool StudyPanel::isModified() const {
    const StudyFields f = typed();
    const QString samples = spec_.samples > 0 ? QString::number(spec_.samples) : QString();
    return edits_["name"]->text() != QString::fromStdString(spec_.name) ||
           f.model.trimmed() != displayPath(spec_.model, path_) ||
           f.data.trimmed() != displayPath(spec_.data.inputs, path_) ||
           f.targets.trimmed() != displayPath(spec_.data.targets, path_) || f.samples.trimmed() != samples ||
           f.batch.trimmed() != QString::number(spec_.batch_size) || f.seed.trimmed() != QString::number(spec_.seed) ||
           loss_->currentData().toString() != QString::fromStdString(lossName(spec_.loss)) ||
           dtype_->currentText() != QString::fromStdString(dtypeName(spec_.dtype));
}

StudySpec StudyPanel::spec() const {
    StudySpec s = spec_;
    const QString dir = studyDir(path_);
    const StudyFields f = typed();
    s.study_path = path_.toStdString();
    s.name = edits_["name"]->text().trimmed().toStdString();
    s.model = resolveStudyPath(f.model.trimmed(), dir).toStdString();
    s.data.inputs = resolveStudyPath(f.data.trimmed(), dir).toStdString();
    s.data.targets = resolveStudyPath(f.targets.trimmed(), dir).toStdString();
    s.samples = parseWholeNumber(f.samples).value_or(0);
    s.batch_size = parseWholeNumber(f.batch).value_or(s.batch_size);
    s.seed = f.seed.trimmed().toULongLong();
    s.loss = parseLoss(loss_->currentData().toString().toStdString());
    s.dtype = parseDType(dtype_->currentText().toStdString());
    return s;
}

void StudyPanel::setStudyPath(const QString& path) {
    // Relative paths as typed were relative to the old folder: keep them pointing at the same files.
    const QString old_dir = studyDir(path_);
    path_ = path;
    for (const QString key : {"model", "data", "targets"}) {
        QLineEdit* edit = edits_[key];
        const QString abs = resolveStudyPath(edit->text().trimmed(), old_dir);
        edit->blockSignals(true);
        edit->setText(displayPath(abs.toStdString(), path_));
        edit->blockSignals(false);
    }
    revalidate();
}

void StudyPanel::apply() {
    if (canApply()) Q_EMIT applyRequested(spec());
}

void StudyPanel::revert() { setSpec(spec_); }

void StudyPanel::setField(const QString& key, const QString& value) {
    if (key == "loss") {
        loss_->setCurrentIndex(loss_->findData(value));
    } else if (key == "dtype") {
        dtype_->setCurrentText(value);
    } else if (QLineEdit* edit = edits_.value(key)) {
        edit->setText(value);
        const bool is_path = key == "model" || key == "data" || key == "targets";
        if (is_path && !value.isEmpty()) edit->setToolTip(resolveStudyPath(value, studyDir(path_)));
        // A path keeps its end (the file name) in view, a name its beginning.
        if (!is_path) edit->setCursorPosition(0);
    }
}

QString StudyPanel::field(const QString& key) const {
    if (key == "loss") return loss_->currentData().toString();
    if (key == "dtype") return dtype_->currentText();
    if (const QLineEdit* edit = edits_.value(key)) return edit->text();
    if (const QLabel* label = computed_.value(key)) return label->text();
    return {};
}

QString StudyPanel::errorText() const { return error_->isVisible() ? error_->text().remove(QChar(0x200B)) : QString(); }

void StudyPanel::clearComputed() {
    for (QLabel* label : computed_) label->clear();
}

void StudyPanel::showOpening(const QString& path) {
    clearComputed();
    if (path != path_) {
        // Another file: the settings shown so far are not its own, and must not be applied or
        // saved under its name if it cannot be read.
        StudySpec blank;
        blank.study_path = path.toStdString();
        setSpec(blank);
    }
    path_ = path;
    state_->setText(tr("Opening %1…").arg(path.isEmpty() ? tr("the edited study") : QFileInfo(path).fileName()));
    error_->clear();
    error_->setVisible(false);
    revalidate();
}

void StudyPanel::setSpec(const StudySpec& spec) {
    spec_ = spec;
    path_ = QString::fromStdString(spec.study_path);
    // Set the fields with every signal blocked, then check them once.
    for (QLineEdit* edit : edits_) edit->blockSignals(true);
    loss_->blockSignals(true);
    dtype_->blockSignals(true);
    setField("name", QString::fromStdString(spec.name));
    setField("model", displayPath(spec.model, path_));
    setField("data", displayPath(spec.data.inputs, path_));
    setField("targets", displayPath(spec.data.targets, path_));
    setField("samples", spec.samples > 0 ? QString::number(spec.samples) : QString());
    setField("batch", QString::number(spec.batch_size));
    setField("seed", QString::number(spec.seed));
    setField("loss", QString::fromStdString(lossName(spec.loss)));
    setField("dtype", QString::fromStdString(dtypeName(spec.dtype)));
    for (QLineEdit* edit : edits_) edit->blockSignals(false);
    loss_->blockSignals(false);
    dtype_->blockSignals(false);
    revalidate();
}

void StudyPanel::showStudy(const StudySummary& s) {
    open_failed_ = false;
    open_spec_ = spec_;
    open_summary_ = s;
    state_->setText(s.path.isEmpty() ? tr("Open: unsaved study") : tr("Open: %1").arg(QFileInfo(s.path).fileName()));
    state_->setToolTip(s.path);
    showComputed(s);
    error_->clear();
    error_->setVisible(false);
    revalidate();
}

void StudyPanel::showComputed(const StudySummary& s) {
    computed_["parameters"]->setText(withCommas(s.parameters));
    computed_["inputs"]->setText(s.inputs.join('\n'));
    computed_["samples used"]->setText(s.available > s.samples
                                           ? tr("%1 of %2").arg(withCommas(s.samples), withCommas(s.available))
                                           : withCommas(s.samples));
    computed_["classes"]->setText(s.classes > 0 ? withCommas(s.classes) : tr("n/a"));
    computed_["loss value"]->setText(QString::number(s.loss_value, 'g', 6));
    computed_["accuracy"]->setText(s.accuracy < 0 ? tr("n/a") : QString::number(100.0 * s.accuracy, 'f', 2) + " %");
}

void StudyPanel::showError(const QString& message) {
    open_failed_ = true;
    QString advice;
    if (open_spec_ && open_summary_) {
        // The engine still has the study that was open: say so, show its numbers, and let Revert
        // bring its settings back (the fields keep the ones that failed, to be corrected).
        const QString name =
            open_summary_->path.isEmpty() ? tr("the unsaved study") : QFileInfo(open_summary_->path).fileName();
        state_->setText(tr("Open: %1 (the settings below did not open)").arg(name));
        state_->setToolTip(open_summary_->path);
        spec_ = *open_spec_;
        showComputed(*open_summary_);
        advice = tr("%1 stays open with its results. Correct the settings and Apply again, or Revert to its "
                    "settings.")
                     .arg(name);
    } else {
        state_->setText(tr("Not open"));
        clearComputed();
        advice = tr("Correct the settings and Apply again, or open another study (File ▸ Open).");
    }
    error_->setText(breakable(message) + "\n\n" + advice);
    error_->setVisible(true);
    revalidate();
}

}  // namespace basin::gui
