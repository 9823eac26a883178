#include "main_window.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>

#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/surface_view.h"
#include "engine_controller.h"
#include "jobs_panel.h"
#include "study_panel.h"

namespace basin::gui {

MainWindow::MainWindow(EngineController* controller, QWidget* parent)
    : QMainWindow(parent), controller_(controller) {
    setWindowTitle(tr("Basin"));
    resize(1400, 900);

    auto* tabs = new QTabWidget(this);
    spectrum_ = new widgets::SpectrumView(tabs);
    tabs->addTab(spectrum_, tr("Spectrum"));
    surface_ = new widgets::SurfaceView(tabs);
    tabs->addTab(surface_, tr("Surface"));
    setCentralWidget(tabs);

    study_ = new StudyPanel(this);
    auto* study_dock = new QDockWidget(tr("Study"), this);
    study_dock->setObjectName("studyDock");
    study_dock->setWidget(study_);
    study_dock->setMinimumWidth(300);
    addDockWidget(Qt::LeftDockWidgetArea, study_dock);

    jobs_ = new JobsPanel(this);
    auto* jobs_dock = new QDockWidget(tr("Jobs"), this);
    jobs_dock->setObjectName("jobsDock");
    jobs_dock->setWidget(jobs_);
    addDockWidget(Qt::BottomDockWidgetArea, jobs_dock);
    resizeDocks({jobs_dock}, {150}, Qt::Vertical);

    buildMenus();
    statusBar()->showMessage(tr("Ready"));

    connect(controller_, &EngineController::jobAdded, jobs_, &JobsPanel::addJob);
    connect(controller_, &EngineController::jobChanged, jobs_, &JobsPanel::updateJob);
    connect(jobs_, &JobsPanel::cancelRequested, controller_, &EngineController::cancel);
    connect(controller_, &EngineController::jobChanged, this, [this](const JobInfo& job) {
        QString text = QStringLiteral("%1: %2").arg(job.title, stateName(job.state));
        if (job.state == JobState::Running && !job.stage.isEmpty()) text += QStringLiteral(" (%1)").arg(job.stage);
        if (job.state == JobState::Failed) text += QStringLiteral(": %1").arg(job.error);
        statusBar()->showMessage(text);
        // Until the first spectrum arrives, the empty plot says how far the computation is.
        if (job.kind == "spectrum" && job.state == JobState::Running && spectrum_->data().empty()) {
            QString progress = tr("Computing the spectrum: %1").arg(job.stage.isEmpty() ? tr("starting") : job.stage);
            if (job.total > 0) progress += QStringLiteral(" %1 / %2").arg(job.done).arg(job.total);
            spectrum_->clear(progress);
        }
    });
    connect(controller_, &EngineController::studyOpened, study_, &StudyPanel::showStudy);
    connect(controller_, &EngineController::studyOpened, this, [this](const StudySummary& s) {
        setWindowTitle(tr("Basin — %1").arg(s.name));
        spectrum_->clear(tr("%1: no spectrum yet (Analysis ▸ Run spectrum, Ctrl+R)").arg(s.name));
    });
    connect(controller_, &EngineController::studyFailed, this, [this](const QString&, const QString& message) {
        study_->showError(message);
        spectrum_->clear(tr("No study open"));
        setWindowTitle(tr("Basin"));
    });
    connect(controller_, &EngineController::spectrumReady, spectrum_, &widgets::SpectrumView::setData);
    connect(controller_, &EngineController::surfaceUpdated, surface_, &widgets::SurfaceView::setData);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open study…"), this, &MainWindow::openStudyDialog);
    open->setShortcut(QKeySequence::Open);
    QAction* export_action = file->addAction(tr("&Export spectrum…"), this, &MainWindow::exportSpectrum);
    export_action->setShortcut(QKeySequence(tr("Ctrl+E")));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(tr("Ctrl+Q")));

    QMenu* analysis = menuBar()->addMenu(tr("&Analysis"));
    QAction* run = analysis->addAction(tr("&Run spectrum"), controller_, &EngineController::runSpectrum);
    run->setShortcut(QKeySequence(tr("Ctrl+R")));
    QAction* surface = analysis->addAction(tr("Run loss &surface"), this, [this] {
        if (auto* tabs = qobject_cast<QTabWidget*>(centralWidget())) tabs->setCurrentWidget(surface_);
        controller_->runSurface();
    });
    surface->setShortcut(QKeySequence(tr("Ctrl+L")));
    QAction* cancel = analysis->addAction(tr("&Cancel"), controller_, &EngineController::cancelAll);
    cancel->setShortcut(QKeySequence(Qt::Key_Escape));
}

void MainWindow::openAndAnalyse(const QString& study_path) {
    study_path_ = study_path;
    study_->showOpening(study_path);
    controller_->openStudy(study_path);
    controller_->runSpectrum();
}

void MainWindow::openStudyDialog() {
    const QString dir = study_path_.isEmpty() ? QString() : QFileInfo(study_path_).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open study"), dir,
                                                      tr("Basin studies (*.basin.json *.json);;All files (*)"));
    if (!path.isEmpty()) openAndAnalyse(path);
}

void MainWindow::exportSpectrum() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export spectrum"), QStringLiteral("spectrum.pdf"),
                                                      tr("PDF (*.pdf);;PNG (*.png)"));
    if (path.isEmpty()) return;
    const bool ok = path.endsWith(".png", Qt::CaseInsensitive) ? spectrum_->exportPng(path, 0, 0, 2.0)
                                                                : spectrum_->exportPdf(path);
    statusBar()->showMessage(ok ? tr("Exported %1").arg(path) : tr("Could not write %1").arg(path));
}

}  // namespace basin::gui
