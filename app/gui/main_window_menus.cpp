// The main window's menus, Help, what closing asks, and the state kept between runs.
#include <QAction>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/surface_panel.h"
#include "compare_bar.h"
#include "engine_controller.h"
#include "help_text.h"
#include "jobs_panel.h"
#include "main_window.h"
#include "study_files.h"
#include "study_panel.h"
#include "surface_options_bar.h"

namespace basin::gui {

namespace {

// A text in a window of its own that stays open beside the main one (shortcuts, the guide).
void showText(QWidget* parent, const QString& name, const QString& title, const QString& html) {
    auto* dialog = parent->findChild<QDialog*>(name);
    if (!dialog) {
        dialog = new QDialog(parent);
        dialog->setObjectName(name);
        dialog->setWindowTitle(title);
        auto* layout = new QVBoxLayout(dialog);
        auto* text = new QTextBrowser(dialog);
        text->setObjectName(name + "Text");
        text->setOpenExternalLinks(true);
        layout->addWidget(text);
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
        QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
        layout->addWidget(buttons);
        dialog->resize(640, 520);
    }
    dialog->findChild<QTextBrowser*>(name + "Text")->setHtml(html);
    dialog->show();
    dialog->raise();
}

}  // namespace

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open study…"), this, &MainWindow::openStudyDialog);
    open->setShortcut(QKeySequence::Open);
    file->addMenu(files_->recentMenu());
    QAction* save = file->addAction(tr("&Save study"), files_, &StudyFiles::save);
    save->setShortcut(QKeySequence::Save);
    QAction* save_as = file->addAction(tr("Save study &as…"), files_, &StudyFiles::saveAsDialog);
    save_as->setShortcut(QKeySequence(tr("Ctrl+Shift+S")));
    file->addSeparator();
    QAction* export_action = file->addAction(tr("&Export current view…"), this, &MainWindow::exportDialog);
    export_action->setShortcut(QKeySequence(tr("Ctrl+E")));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(tr("Ctrl+Q")));

    QMenu* study = menuBar()->addMenu(tr("&Study"));
    // Always enabled, so the shortcuts always answer: with a message when there is nothing to do.
    QAction* apply = study->addAction(tr("&Apply settings"), this, [this] {
        const QString why_not = study_->whyNotApply();
        if (why_not.isEmpty()) return study_->apply();
        statusBar()->showMessage(why_not);
    });
    apply->setShortcut(QKeySequence(tr("Ctrl+Return")));
    QAction* revert = study->addAction(tr("&Revert settings"), this, [this] {
        study_->revert();
        statusBar()->showMessage(tr("Settings reverted to those of the open study"));
    });
    revert->setShortcut(QKeySequence(tr("Ctrl+Alt+Z")));

    QMenu* analysis = menuBar()->addMenu(tr("&Analysis"));
    QAction* run = analysis->addAction(tr("&Run spectrum"), this, [this] {
        tabs_->setCurrentWidget(spectrum_tab_);
        controller_->runSpectrum();
    });
    run->setShortcut(QKeySequence(tr("Ctrl+R")));
    QAction* surface =
        analysis->addAction(tr("Run loss &surface"), this, [this] { runSurface(surface_options_->options()); });
    surface->setShortcut(QKeySequence(tr("Ctrl+L")));
    QAction* layers = analysis->addAction(tr("Run &layer sensitivity"), this, &MainWindow::runLayers);
    layers->setShortcut(QKeySequence(tr("Ctrl+Shift+L")));
    QAction* compare = analysis->addAction(tr("&Compare checkpoints"), this, [this] {
        tabs_->setCurrentWidget(compare_tab_);
        runCompareFromBar();
    });
    compare->setShortcut(QKeySequence(tr("Ctrl+K")));
    QAction* map =
        analysis->addAction(tr("Run curvature &map"), this, [this] { runCurvatureMap(surface_options_->options()); });
    map->setShortcut(QKeySequence(tr("Ctrl+M")));
    QAction* probe = analysis->addAction(tr("&Probe curvature at the typed point"), this, [this] {
        tabs_->setCurrentWidget(surface_tab_);
        if (const auto p = surface_options_->typedProbe()) return runProbe((*p)[0], (*p)[1]);
        statusBar()->showMessage(tr("Type the point as x, y beside \"probe at\" (or click the 3D view or the map)"));
    });
    probe->setShortcut(QKeySequence(tr("Ctrl+Shift+P")));
    analysis->addAction(tr("Clear probes"), controller_->results(), &ResultsModel::clearProbes);
    QAction* structure = analysis->addAction(tr("Run curvature s&tructure"), this, [this] {
        tabs_->setCurrentWidget(structure_tab_);
        controller_->runStructure();
    });
    structure->setShortcut(QKeySequence(tr("Ctrl+Shift+T")));
    QAction* stability = analysis->addAction(tr("Run stability across c&heckpoints"), this, [this] {
        tabs_->setCurrentWidget(dynamics_tab_);
        controller_->runStability();
    });
    stability->setShortcut(QKeySequence(tr("Ctrl+Shift+D")));
    QAction* scaling = analysis->addAction(tr("Run &batch-size scaling"), this, [this] {
        tabs_->setCurrentWidget(dynamics_tab_);
        controller_->runBatchScaling();
    });
    scaling->setShortcut(QKeySequence(tr("Ctrl+Shift+B")));
    analysis->addAction(tr("Run per-batch spectra"), this, [this] {
        tabs_->setCurrentWidget(dynamics_tab_);
        controller_->runBatchSpectra();
    });
    // Opt-in and not cheap: its job says what it costs before the first product.
    analysis->addAction(tr("Run sampling uncertainty (resampling)"), this, [this] {
        tabs_->setCurrentWidget(dynamics_tab_);
        controller_->runResample();
    });
    analysis->addSeparator();
    // Not Esc: Esc closes drop-downs and dialogs, and must never stop an hour of work on the way
    // (in the Jobs panel, Esc cancels the job in focus).
    QAction* cancel = analysis->addAction(tr("&Cancel all jobs"), controller_, &EngineController::cancelAll);
    cancel->setObjectName("cancelAllAction");
    cancel->setShortcut(QKeySequence(tr("Ctrl+.")));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList tab_names{tr("&Spectrum"), tr("S&urface"),   tr("&Layers"),
                                tr("&Compare"),  tr("S&tructure"), tr("&Dynamics")};
    for (int i = 0; i < tabs_->count() && i < tab_names.size(); ++i) {
        QAction* show = view->addAction(tab_names[i], this, [this, i] { tabs_->setCurrentIndex(i); });
        show->setShortcut(QKeySequence(tr("Ctrl+%1").arg(i + 1)));
    }
    view->addSeparator();
    // The docks' own toggles: a closed dock comes back from here.
    QAction* study_toggle = study_dock_->toggleViewAction();
    study_toggle->setText(tr("Study &panel"));
    study_toggle->setShortcut(QKeySequence(tr("Ctrl+Shift+1")));
    view->addAction(study_toggle);
    QAction* jobs_toggle = jobs_dock_->toggleViewAction();
    jobs_toggle->setText(tr("&Jobs panel"));
    jobs_toggle->setShortcut(QKeySequence(tr("Ctrl+Shift+2")));
    view->addAction(jobs_toggle);
    view->addSeparator();
    view->addAction(tr("&Reset layout"), this, [this] {
        for (QDockWidget* d : {study_dock_, jobs_dock_}) {
            d->setFloating(false);
            d->show();
        }
        addDockWidget(Qt::LeftDockWidgetArea, study_dock_);
        addDockWidget(Qt::BottomDockWidgetArea, jobs_dock_);
        resizeDocks({jobs_dock_}, {100}, Qt::Vertical);
    });
    buildHelpMenu();
}

void MainWindow::buildHelpMenu() {
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* keys = help->addAction(tr("&Keyboard shortcuts"), this, [this] {
        showText(this, "shortcutsDialog", tr("Basin: keyboard shortcuts"), shortcutsHtml(menuBar()->actions()));
    });
    keys->setShortcut(QKeySequence::HelpContents);  // F1
    help->addAction(tr("&Guide to the tabs"), this,
                    [this] { showText(this, "guideDialog", tr("Basin: the tabs"), guideHtml()); });
    help->addSeparator();
    help->addAction(tr("&About Basin"), this, [this] { QMessageBox::about(this, tr("About Basin"), aboutHtml()); });
}

QString MainWindow::reasonToAskBeforeQuitting() const {
    QStringList reasons;
    int running = 0;
    for (const JobInfo& j : controller_->jobs())
        if (!isFinished(j.state)) ++running;
    if (running) reasons << tr("%n job(s) are still running or queued; quitting cancels them.", nullptr, running);
    if (study_->isModified()) reasons << tr("The study settings have edits that were not applied or saved.");
    return reasons.join('\n');
}

void MainWindow::closeEvent(QCloseEvent* event) {
    const QString reason = reasonToAskBeforeQuitting();
    if (!reason.isEmpty()) {
        QMessageBox ask(QMessageBox::Question, tr("Quit Basin?"), reason, QMessageBox::NoButton, this);
        ask.setObjectName("quitQuestion");
        QPushButton* quit = ask.addButton(tr("Quit"), QMessageBox::DestructiveRole);
        quit->setObjectName("quitQuestionQuit");
        QPushButton* stay = ask.addButton(tr("Keep working"), QMessageBox::RejectRole);
        stay->setObjectName("quitQuestionStay");
        ask.setDefaultButton(stay);
        ask.exec();
        if (ask.clickedButton() != quit) return event->ignore();
    }
    controller_->cancelAll();
    saveWindowState();
    event->accept();
}

void MainWindow::saveWindowState() const {
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    s.setValue("window/tab", tabs_->currentIndex());
    s.setValue("view/spectrumLogAbs", spectrum_->logAbsAxis());
    s.setValue("view/spectrumLogDensity", spectrum_->logDensity());
    s.setValue("view/surfaceLog", surface_->logScale());
    s.setValue("view/surfaceClip", surface_->clip() ? QVariant(*surface_->clip()) : QVariant());
    s.setValue("view/surfaceColours", surface_->colormapName());
    s.setValue("view/jobsHistory", jobs_->historyShown());
}

void MainWindow::restoreWindowState() {
    QSettings s;
    if (s.contains("window/geometry")) restoreGeometry(s.value("window/geometry").toByteArray());
    if (s.contains("window/state")) restoreState(s.value("window/state").toByteArray());
    tabs_->setCurrentIndex(s.value("window/tab", 0).toInt());
    spectrum_->setLogAbsAxis(s.value("view/spectrumLogAbs", false).toBool());
    spectrum_->setLogDensity(s.value("view/spectrumLogDensity", false).toBool());
    surface_->setLogScale(s.value("view/surfaceLog", false).toBool());
    const QVariant clip = s.value("view/surfaceClip");
    surface_->setClip(clip.isValid() && !clip.isNull() ? std::optional<double>(clip.toDouble()) : std::nullopt);
    surface_->setColormap(s.value("view/surfaceColours", "viridis").toString());
    jobs_->setHistoryShown(s.value("view/jobsHistory", false).toBool());
}

}  // namespace basin::gui
