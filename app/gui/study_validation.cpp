#include "study_validation.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace basin::gui {

namespace {

QString quoted(const QString& s) { return QStringLiteral("“%1”").arg(s); }

// Empty when the file is there and readable, else why not.
QString fileProblem(const QString& typed, const QString& base_dir, const QString& what, bool required) {
    const QString path = typed.trimmed();
    if (path.isEmpty()) return required ? QObject::tr("Required: the %1 file").arg(what) : QString();
    const QFileInfo info(resolveStudyPath(path, base_dir));
    if (!info.exists()) return QObject::tr("%1 does not exist").arg(quoted(path));
    if (info.isDir()) return QObject::tr("%1 is a folder, not a file").arg(quoted(path));
    if (!info.isReadable()) return QObject::tr("%1 cannot be read (no permission)").arg(quoted(path));
    return {};
}

// Empty when `text` is a positive whole number, else why not.
QString countProblem(const QString& text, const QString& empty_hint) {
    const QString t = text.trimmed();
    if (t.isEmpty()) return empty_hint;
    const auto n = parseWholeNumber(t);
    if (!n) {
        static const QRegularExpression digits(QStringLiteral("^[+-]?[0-9]+$"));
        return digits.match(t).hasMatch() ? QObject::tr("%1 is too large").arg(quoted(t))
                                          : QObject::tr("%1 is not a whole number").arg(quoted(t));
    }
    if (*n <= 0) return QObject::tr("Must be a positive whole number, not %1").arg(*n);
    return {};
}

}  // namespace

std::optional<qint64> parseWholeNumber(const QString& text) {
    bool ok = false;
    const qint64 n = text.trimmed().toLongLong(&ok);
    if (!ok) return std::nullopt;
    return n;
}

QString resolveStudyPath(const QString& path, const QString& base_dir) {
    if (path.isEmpty() || base_dir.isEmpty() || QFileInfo(path).isAbsolute()) return path;
    return QDir::cleanPath(QDir(base_dir).filePath(path));
}

QMap<QString, QString> validateStudyFields(const StudyFields& f, const QString& base_dir) {
    QMap<QString, QString> errors;
    auto note = [&errors](const QString& key, const QString& message) {
        if (!message.isEmpty()) errors.insert(key, message);
    };
    note("model", fileProblem(f.model, base_dir, QObject::tr("model"), true));
    note("data", fileProblem(f.data, base_dir, QObject::tr("data"), true));
    note("targets", fileProblem(f.targets, base_dir, QObject::tr("targets"), false));
    // Empty samples means all of them, so only a typed value is checked.
    if (!f.samples.trimmed().isEmpty()) note("samples", countProblem(f.samples, {}));
    note("batch", countProblem(f.batch, QObject::tr("Required: samples per batch")));
    const QString seed = f.seed.trimmed();
    bool seed_ok = false;
    seed.toULongLong(&seed_ok);
    if (seed.isEmpty()) note("seed", QObject::tr("Required: a whole number ≥ 0"));
    else if (!seed_ok || seed.startsWith('-') || seed.startsWith('+'))
        note("seed", QObject::tr("%1 is not a whole number ≥ 0").arg(quoted(seed)));
    return errors;
}

QMap<QString, QString> studyFieldNotes(const StudyFields& f) {
    QMap<QString, QString> notes;
    const auto samples = parseWholeNumber(f.samples), batch = parseWholeNumber(f.batch);
    // The engine takes every sample in one batch then: nothing is wrong, but the user may not know.
    if (samples && batch && *samples > 0 && *batch > *samples)
        notes.insert("batch", QObject::tr("Batch size %1 is larger than the %2 samples: they go in one batch of %2")
                                  .arg(*batch)
                                  .arg(*samples));
    return notes;
}

}  // namespace basin::gui
