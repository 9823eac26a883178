#include "recent_studies.h"

#include <QFileInfo>
#include <QSettings>

namespace basin::gui {

namespace {
const QString kKey = QStringLiteral("recentStudies");
}

QStringList withRecent(QStringList list, const QString& path, int max) {
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > max) list.removeLast();
    return list;
}

QStringList recentStudies(const QSettings& settings) { return settings.value(kKey).toStringList(); }

void addRecentStudy(QSettings& settings, const QString& path) {
    settings.setValue(kKey, withRecent(recentStudies(settings), QFileInfo(path).absoluteFilePath()));
}

void removeRecentStudy(QSettings& settings, const QString& path) {
    QStringList list = recentStudies(settings);
    list.removeAll(path);
    settings.setValue(kKey, list);
}

QString lastStudy(const QSettings& settings) {
    const QStringList list = recentStudies(settings);
    return !list.isEmpty() && QFileInfo(list.first()).isFile() ? list.first() : QString();
}

}  // namespace basin::gui
