#pragma once
// The studies opened most recently, newest first, kept in QSettings under "recentStudies".
#include <QStringList>

class QSettings;

namespace basin::gui {

constexpr int kMaxRecentStudies = 8;

/// `list` with `path` moved (or added) to the front, duplicates removed, at most `max` long.
QStringList withRecent(QStringList list, const QString& path, int max = kMaxRecentStudies);

QStringList recentStudies(const QSettings& settings);
/// Records `path` (made absolute) as the newest recent study.
void addRecentStudy(QSettings& settings, const QString& path);
void removeRecentStudy(QSettings& settings, const QString& path);
/// The newest recent study if its file still exists, else an empty string.
QString lastStudy(const QSettings& settings);

}  // namespace basin::gui
