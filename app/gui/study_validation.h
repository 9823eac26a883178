#pragma once
// The study panel's settings as the user typed them, and what is wrong with them: one message per
// field, so the panel can show each next to its field. No widget here, so the rules have unit tests.
#include <QMap>
#include <QString>
#include <optional>

namespace basin::gui {

/// The editable settings of a study, as text, exactly as typed.
struct StudyFields {
    QString model;    ///< TorchScript model file (required)
    QString data;     ///< data file with the inputs, or with inputs and targets (required)
    QString targets;  ///< separate targets file (optional)
    QString samples;  ///< the first N samples; empty means all of them
    QString batch;    ///< samples per forward/backward pass (required)
    QString seed;     ///< seed of every random choice (required, >= 0)
};

/// Field key ("model", "data", "targets", "samples", "batch", "seed") -> what is wrong with it.
/// Empty when every field is valid. Relative paths are looked up in `base_dir` (the study's
/// folder), as the engine resolves them; messages name the path as typed.
QMap<QString, QString> validateStudyFields(const StudyFields& fields, const QString& base_dir);

/// Field key -> a note on settings that are valid but may surprise (a batch larger than the
/// samples: they go in one batch). Notes never stop Apply.
QMap<QString, QString> studyFieldNotes(const StudyFields& fields);

/// The whole number typed in `text` (surrounding spaces ignored), if it is one.
std::optional<qint64> parseWholeNumber(const QString& text);

/// `path` as the engine would resolve it: absolute as is, relative against `base_dir`.
QString resolveStudyPath(const QString& path, const QString& base_dir);

}  // namespace basin::gui
