#pragma once
// The File menu's work on study files: save and save as (keeping the results the file holds),
// the recent studies (QSettings), and files dropped on the window. The main window wires it to
// its menus and to the study panel; opening itself is the window's (it also starts the analyses).
#include <QObject>
#include <QSettings>
#include <QStringList>

class QMenu;
class QMimeData;
class QWidget;

namespace basin::gui {

class StudyPanel;

class StudyFiles : public QObject {
    Q_OBJECT
public:
    /// `dialogs` parents the file dialogs; the panel holds the settings that are saved.
    StudyFiles(StudyPanel* panel, QWidget* dialogs, QObject* parent = nullptr);

    /// Writes the panel's settings to its study file (asks for a name when it has none).
    /// Returns an empty string on success, else why not; statusMessage() says the same.
    QString save();
    /// Writes the panel's settings to `path`, with the results of the study file they came from,
    /// and makes `path` the panel's study file.
    QString saveAs(const QString& path);
    void saveAsDialog();

    /// The "Open Recent" submenu; it lists recentStudies() each time it is shown.
    QMenu* recentMenu() const { return recent_menu_; }
    QStringList recent() const;
    /// A study was opened: it becomes the newest recent study.
    void remember(const QString& path);
    /// Opens a recent study, or when its file is gone, removes it from the list and says so.
    void openRecent(const QString& path);

    /// Whether a drag carries local files (the window then accepts it).
    static bool acceptsDrag(const QMimeData* mime);
    /// Acts on dropped local files (see classifyDroppedPath): a study is opened, a model or data
    /// file fills its field in the study panel, anything else is refused with a message.
    void drop(const QStringList& paths);

Q_SIGNALS:
    void openRequested(const QString& path);
    void statusMessage(const QString& text);

private:
    void fillRecentMenu();

    StudyPanel* panel_;
    QWidget* dialogs_;
    QMenu* recent_menu_;
    QSettings settings_;
};

}  // namespace basin::gui
