#pragma once
// The left dock: the open study's settings, editable and checked as they are typed (the rules are
// in study_validation), what the engine computed at those settings, and why the study failed to
// open when it did. Apply asks for the study to be reopened with the edited settings.
#include <QMap>
#include <QWidget>
#include <optional>

#include "basin/study.h"
#include "job_types.h"
#include "study_validation.h"

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace basin::gui {

class StudyPanel : public QWidget {
    Q_OBJECT
public:
    explicit StudyPanel(QWidget* parent = nullptr);

    /// A study file is being opened: the computed values are cleared, the settings kept until
    /// the file's own arrive with setSpec().
    void showOpening(const QString& path);
    /// The settings of the study being opened; they become what Revert returns to.
    void setSpec(const StudySpec& spec);
    /// The values computed at the study's settings: it is the open study now, the one Revert
    /// returns to when another fails to open.
    void showStudy(const StudySummary& summary);
    /// The engine's message, in red, with what to do. The settings that failed stay so they can
    /// be corrected and applied. When a study was open before, it still is (the engine keeps it):
    /// its computed values are shown again and Revert puts its settings back; else the computed
    /// values stay empty.
    void showError(const QString& message);

    /// The settings as edited: the spec last given to setSpec() with the edited fields in place,
    /// relative paths resolved against the study's folder.
    StudySpec spec() const;
    /// The study file the settings belong to (empty for none).
    QString studyPath() const { return path_; }
    void setStudyPath(const QString& path);
    /// Whether a field differs from what setSpec() gave.
    bool isModified() const;
    /// Field key -> what is wrong with it (see validateStudyFields), as shown next to the fields.
    QMap<QString, QString> fieldErrors() const { return errors_; }
    /// Field key -> a note on a valid setting (see studyFieldNotes); notes do not stop Apply.
    QMap<QString, QString> fieldNotes() const { return notes_; }
    bool canApply() const;
    /// Why Apply is not possible now (empty when it is).
    QString whyNotApply() const;
    /// Emits applyRequested() with spec() when canApply().
    void apply();
    /// Puts back the settings setSpec() gave.
    void revert();

    /// Sets an editable field as if typed: "name", "model", "data", "targets", "samples", "batch",
    /// "seed", or "loss" and "dtype" by their engine names ("cross_entropy", "float64").
    void setField(const QString& key, const QString& value);
    QString errorText() const;
    /// The value shown for a field: the editable ones above, and the computed "parameters",
    /// "inputs" (one line per input: "name: shape dtype"), "samples used", "classes", "loss value"
    /// and "accuracy".
    QString field(const QString& key) const;

Q_SIGNALS:
    /// Apply was pressed with valid settings.
    void applyRequested(const basin::StudySpec& spec);
    void modifiedChanged(bool modified);

private:
    QWidget* addPathRow(QFormLayout* form, const QString& key, const QString& label, const QString& filter);
    QWidget* addEditRow(QFormLayout* form, const QString& key, const QString& label, QWidget* editor);
    void browse(const QString& key, const QString& filter);
    StudyFields typed() const;
    void revalidate();
    void clearComputed();

    QMap<QString, QLineEdit*> edits_;
    QMap<QString, QLabel*> messages_;
    QMap<QString, QLabel*> computed_;
    QComboBox* loss_ = nullptr;
    QComboBox* dtype_ = nullptr;
    QPushButton* apply_ = nullptr;
    QPushButton* revert_ = nullptr;
    QLabel* state_ = nullptr;
    QLabel* error_ = nullptr;
    void showComputed(const StudySummary& summary);

    StudySpec spec_;  // what Revert returns to: as last given to setSpec(), or the open study's after a failure
    QString path_;
    // The study the engine has open (it stays open when another fails to open).
    std::optional<StudySpec> open_spec_;
    std::optional<StudySummary> open_summary_;
    QMap<QString, QString> errors_, notes_;
    bool open_failed_ = false;
    bool was_modified_ = false;
};

}  // namespace basin::gui
