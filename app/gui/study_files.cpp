#include "study_files.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMimeData>
#include <QUrl>

#include "drop_classify.h"
#include "recent_studies.h"
#include "study_file.h"
#include "study_panel.h"

namespace basin::gui {

StudyFiles::StudyFiles(StudyPanel* panel, QWidget* dialogs, QObject* parent)
    : QObject(parent), panel_(panel), dialogs_(dialogs), recent_menu_(new QMenu(tr("Open &Recent"), dialogs)) {
    recent_menu_->setObjectName("recentMenu");
    recent_menu_->setToolTipsVisible(true);  // the full path: two studies may share a file name
    connect(recent_menu_, &QMenu::aboutToShow, this, &StudyFiles::fillRecentMenu);
    fillRecentMenu();  // so the menu is not empty (and disabled) before it is first shown
}

QString StudyFiles::save() {
    if (panel_->studyPath().isEmpty()) {
        saveAsDialog();
        return {};
    }
    return saveAs(panel_->studyPath());
}

QString StudyFiles::saveAs(const QString& path) {
    const QMap<QString, QString> errors = panel_->fieldErrors();
    QString error;
    if (!errors.isEmpty())
        error = tr("Not saved: correct the %1 setting first (%2)").arg(errors.firstKey(), errors.first());
    else error = saveStudyFile(panel_->spec(), panel_->studyPath(), path);
    if (!error.isEmpty()) {
        Q_EMIT statusMessage(error);
        return error;
    }
    if (QFileInfo(path).absoluteFilePath() != QFileInfo(panel_->studyPath()).absoluteFilePath())
        panel_->setStudyPath(QFileInfo(path).absoluteFilePath());
    remember(path);
    Q_EMIT statusMessage(tr("Saved %1").arg(path));
    return {};
}

void StudyFiles::saveAsDialog() {
    const QString current = panel_->studyPath();
    const QString suggestion = current.isEmpty() ? QStringLiteral("study.basin.json") : current;
    QString path = QFileDialog::getSaveFileName(dialogs_, tr("Save study as"), suggestion,
                                                tr("Basin studies (*.basin.json);;All files (*)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(".json")) path += ".basin.json";
    saveAs(path);
}

QStringList StudyFiles::recent() const { return recentStudies(settings_); }

void StudyFiles::remember(const QString& path) {
    if (path.isEmpty()) return;
    addRecentStudy(settings_, path);
    fillRecentMenu();
}

void StudyFiles::openRecent(const QString& path) {
    if (!QFileInfo(path).isFile()) {
        removeRecentStudy(settings_, path);
        fillRecentMenu();
        Q_EMIT statusMessage(tr("%1 no longer exists; removed from Open Recent").arg(path));
        return;
    }
    Q_EMIT openRequested(path);
}

void StudyFiles::fillRecentMenu() {
    recent_menu_->clear();
    const QStringList list = recent();
    for (int i = 0; i < list.size(); ++i) {
        const QString& path = list[i];
        // &1 .. &8: each entry has its own accelerator key while the menu is open.
        QAction* action = recent_menu_->addAction(QStringLiteral("&%1  %2").arg(i + 1).arg(QFileInfo(path).fileName()));
        action->setToolTip(path);
        action->setStatusTip(path);
        connect(action, &QAction::triggered, this, [this, path] { openRecent(path); });
    }
    if (!list.isEmpty()) {
        recent_menu_->addSeparator();
        recent_menu_->addAction(tr("&Clear list"), this, [this] {
            settings_.remove("recentStudies");
            fillRecentMenu();
        });
    }
    recent_menu_->setEnabled(!list.isEmpty());
}

bool StudyFiles::acceptsDrag(const QMimeData* mime) {
    if (!mime || !mime->hasUrls()) return false;
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile()) return true;
    return false;
}

void StudyFiles::drop(const QStringList& paths) {
    QStringList done, refused;
    for (const QString& path : paths) {
        const QString name = QFileInfo(path).fileName();
        const DropClass c = classifyDroppedPath(path, QFileInfo(path).isDir());
        switch (c.kind) {
            case DropKind::Study:
                Q_EMIT openRequested(path);
                return;  // the other files would fill the fields of a study about to be replaced
            case DropKind::Model:
                panel_->setField("model", path);
                done << tr("%1 as the model").arg(name);
                break;
            case DropKind::Data:
                panel_->setField("data", path);
                done << tr("%1 as the data").arg(name);
                break;
            case DropKind::Targets:
                panel_->setField("targets", path);
                done << tr("%1 as the targets").arg(name);
                break;
            case DropKind::Refused:
                refused << c.reason;
                break;
        }
    }
    QString message;
    if (!done.isEmpty()) message = tr("Set %1: Apply (Ctrl+Return) to reopen the study").arg(done.join(", "));
    if (!refused.isEmpty()) message += (message.isEmpty() ? QString() : QStringLiteral(". ")) + refused.join(". ");
    if (!message.isEmpty()) Q_EMIT statusMessage(message);
}

}  // namespace basin::gui
