#include "main_window.h"

#include <QAction>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenuBar>
#include <QMimeData>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <cmath>

#include "basin/widgets/compare_view.h"
#include "basin/widgets/figure.h"
#include "basin/widgets/layer_view.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/surface_panel.h"
#include "basin/widgets/surface_view.h"
#include "compare_bar.h"
#include "compare_convert.h"
#include "engine_controller.h"
#include "jobs_panel.h"
#include "result_views.h"
#include "results_model.h"
#include "study_files.h"
#include "study_panel.h"
#include "surface_options_bar.h"
#include "view_export.h"

namespace basin::gui {

MainWindow::MainWindow(EngineController* controller, QWidget* parent)
    : QMainWindow(parent), controller_(controller) {
    setWindowTitle(tr("Basin"));
    resize(1400, 900);

    tabs_ = new QTabWidget(this);
    ResultViewSet views;
    // Each tab: a line saying how its result came to be shown, above the views.
    auto tab = [this](QWidget* above, QWidget* view, ResultBanner*& banner) {
        auto* page = new QWidget(tabs_);
        auto* layout = new QVBoxLayout(page);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(0);
        if (above) layout->addWidget(above);
        banner = new ResultBanner(page);
        layout->addWidget(banner);
        layout->addWidget(view, 1);
        return page;
    };
    spectrum_ = new widgets::SpectrumView(tabs_);
    views.spectrum = spectrum_;
    spectrum_tab_ = tab(nullptr, spectrum_, views.spectrum_banner);
    tabs_->addTab(spectrum_tab_, tr("Spectrum"));
    surface_options_ = new SurfaceOptionsBar(tabs_);
    surface_options_->setOptions(controller_->surfaceOptions());
    surface_ = new widgets::SurfacePanel(tabs_);
    views.surface = surface_;
    surface_tab_ = tab(surface_options_, surface_, views.surface_banner);
    tabs_->addTab(surface_tab_, tr("Surface"));
    layers_ = new widgets::LayerView(tabs_);
    views.layers = layers_;
    layers_tab_ = tab(nullptr, layers_, views.layers_banner);
    tabs_->addTab(layers_tab_, tr("Layers"));
    compare_bar_ = new CompareBar(tabs_);
    compare_ = new widgets::CompareView(tabs_);
    views.compare = compare_;
    compare_tab_ = tab(compare_bar_, compare_, views.compare_banner);
    tabs_->addTab(compare_tab_, tr("Compare"));
    setCentralWidget(tabs_);
    result_views_ = new ResultViews(controller_->results(), views, this);

    study_ = new StudyPanel(this);
    auto* study_dock = new QDockWidget(tr("Study"), this);
    study_dock->setObjectName("studyDock");
    study_dock->setWidget(study_);
    study_dock->setMinimumWidth(330);  // room for a file name beside each Browse… button
    addDockWidget(Qt::LeftDockWidgetArea, study_dock);

    jobs_ = new JobsPanel(this);
    auto* jobs_dock = new QDockWidget(tr("Jobs"), this);
    jobs_dock->setObjectName("jobsDock");
    jobs_dock->setWidget(jobs_);
    addDockWidget(Qt::BottomDockWidgetArea, jobs_dock);
    resizeDocks({jobs_dock}, {150}, Qt::Vertical);

    files_ = new StudyFiles(study_, this, this);
    connect(files_, &StudyFiles::openRequested, this, &MainWindow::openAndAnalyse);
    connect(files_, &StudyFiles::statusMessage, this, [this](const QString& text) { statusBar()->showMessage(text); });
    connect(study_, &StudyPanel::applyRequested, this, &MainWindow::applyAndAnalyse);
    setAcceptDrops(true);

    buildMenus();
    statusBar()->showMessage(tr("Ready"));
    connectController();
    connect(surface_options_, &SurfaceOptionsBar::runRequested, this, &MainWindow::runSurface);
    connect(compare_bar_, &CompareBar::runRequested, this, &MainWindow::runCompare);
    connect(surface_, &widgets::SurfacePanel::statusMessage, this, [this](const QString& text) {
        if (!text.isEmpty()) statusBar()->showMessage(text);
    });
}

widgets::SurfaceView* MainWindow::surfaceView() const { return surface_->surfaceView(); }

void MainWindow::connectController() {
    connect(controller_, &EngineController::jobAdded, jobs_, &JobsPanel::addJob);
    connect(controller_, &EngineController::jobChanged, jobs_, &JobsPanel::updateJob);
    connect(jobs_, &JobsPanel::cancelRequested, controller_, &EngineController::cancel);
    connect(controller_, &EngineController::jobChanged, result_views_, &ResultViews::showJob);
    connect(controller_, &EngineController::jobChanged, this, [this](const JobInfo& job) {
        QString text = QStringLiteral("%1: %2").arg(job.title, stateName(job.state));
        if (job.state == JobState::Running && !job.stage.isEmpty()) text += QStringLiteral(" (%1)").arg(job.stage);
        if (job.state == JobState::Failed) text += QStringLiteral(": %1").arg(job.error);
        statusBar()->showMessage(text);
    });
    connect(controller_, &EngineController::specLoaded, study_, &StudyPanel::setSpec);
    connect(controller_, &EngineController::studyOpened, study_, &StudyPanel::showStudy);
    connect(controller_, &EngineController::studyOpened, this, [this](const StudySummary& s) {
        files_->remember(s.path);
        setWindowTitle(tr("Basin — %1").arg(s.name));
        result_views_->setStudyName(s.name);
        spectrum_->clear(tr("%1: no spectrum yet (Analysis ▸ Run spectrum, Ctrl+R)").arg(s.name));
        compare_bar_->setCheckpoints(s.checkpoints);
        surface_options_->setOptions(controller_->surfaceOptions());
    });
    connect(controller_, &EngineController::studyFailed, this, [this](const QString&, const QString& message) {
        study_->showError(message);
        statusBar()->showMessage(message);
    });
    connect(controller_->results(), &ResultsModel::notSaved, this,
            [this](const QString& why) { statusBar()->showMessage(tr("Results are not saved: %1").arg(why)); });
}

void MainWindow::runCompare(const QStringList& checkpoints, int path_points, bool same_directions) {
    tabs_->setCurrentWidget(compare_tab_);
    CompareOptions options = controller_->compareOptions();
    options.path_points = path_points >= 2 ? path_points : 0;
    options.same_directions = same_directions;
    controller_->setCompareOptions(options);
    controller_->runCompare(checkpoints);
}

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
    QAction* surface = analysis->addAction(tr("Run loss &surface"), this,
                                           [this] { runSurface(surface_options_->options()); });
    surface->setShortcut(QKeySequence(tr("Ctrl+L")));
    QAction* layers = analysis->addAction(tr("Run &layer sensitivity"), this, [this] {
        tabs_->setCurrentWidget(layers_tab_);
        controller_->runSensitivity();
    });
    layers->setShortcut(QKeySequence(tr("Ctrl+Shift+L")));
    QAction* compare = analysis->addAction(tr("&Compare checkpoints"), this, [this] {
        tabs_->setCurrentWidget(compare_tab_);
        if (compare_bar_->problem().isEmpty())
            runCompare(compare_bar_->chosen(), compare_bar_->pathPoints(), compare_bar_->sameDirections());
        else
            statusBar()->showMessage(tr("Compare: %1").arg(compare_bar_->problem()));
    });
    compare->setShortcut(QKeySequence(tr("Ctrl+K")));
    QAction* cancel = analysis->addAction(tr("&Cancel"), controller_, &EngineController::cancelAll);
    cancel->setShortcut(QKeySequence(Qt::Key_Escape));
}

void MainWindow::runSurface(const SurfaceJobOptions& options) {
    tabs_->setCurrentWidget(surface_tab_);
    controller_->setSurfaceOptions(options);
    controller_->runSurface();
}

void MainWindow::openAndAnalyse(const QString& study_path) {
    controller_->cancelAll();  // the analyses of the study being replaced are of no further use
    study_->showOpening(study_path);
    controller_->openStudy(study_path);
    analyse();
}

void MainWindow::applyAndAnalyse(const StudySpec& spec) {
    controller_->cancelAll();
    study_->showOpening(QString::fromStdString(spec.study_path));
    controller_->openSpec(spec);
    analyse();
}

void MainWindow::analyse() {
    // Results the study file holds for the same inputs and options are shown as stored; stale
    // ones are shown marked, and recomputed only when asked for.
    controller_->runSpectrum(EngineController::Stale::Show);
    controller_->runSurface(EngineController::Stale::Show);
}

void MainWindow::openStudyDialog() {
    const QString current = study_->studyPath();
    const QString dir = current.isEmpty() ? QString() : QFileInfo(current).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open study"), dir,
                                                      tr("Basin studies (*.basin.json *.json);;All files (*)"));
    if (!path.isEmpty()) openAndAnalyse(path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (StudyFiles::acceptsDrag(event->mimeData())) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) paths << url.toLocalFile();
    if (paths.isEmpty()) return;
    event->acceptProposedAction();
    files_->drop(paths);
}

QString MainWindow::exportCurrentView(const QString& path, QSize size) {
    return exportCurrentView(path, size, widgets::FigureStyle());
}

QString MainWindow::exportCurrentView(const QString& path, QSize size, const widgets::FigureStyle& style) {
    QWidget* current = tabs_->currentWidget();
    const ResultsModel& results = *controller_->results();
    const std::string source = results.studyPath().toStdString();
    if (current == surface_tab_) return exportSurface(*surface_, results.surface().result.get(), path, size, style, source);
    if (current == layers_tab_) return exportLayers(*layers_, results.sensitivity().result.get(), path, size, style, source);
    if (current == compare_tab_) return exportCompare(*compare_, results.compare(), path, size, style, source);
    return exportSpectrum(*spectrum_, results.spectrum().result.get(), path, size, style, source);
}

void MainWindow::exportDialog() {
    QWidget* current = tabs_->currentWidget();
    const QString filter = current == surface_tab_ ? surfaceExportFilter()
                           : current == layers_tab_ ? layerExportFilter()
                           : current == compare_tab_ ? compareExportFilter()
                                                   : spectrumExportFilter();
    const QString name = current == surface_tab_ ? "surface.pdf"
                         : current == layers_tab_ ? "layers.pdf"
                         : current == compare_tab_ ? "compare.pdf"
                                                 : "spectrum.pdf";
    const QString path = QFileDialog::getSaveFileName(this, tr("Export %1").arg(tabs_->tabText(tabs_->currentIndex())),
                                                      name, filter);
    if (path.isEmpty()) return;
    widgets::FigureStyle style;
    if (isFigurePath(path)) {
        bool ok = false;
        const QStringList styles = widgets::FigureStyle::presetNames();
        const QString chosen = QInputDialog::getItem(
            this, tr("Figure style"),
            tr("paper-1col: 3.5 in wide, 8 pt; paper-2col: 7 in wide, 8 pt; screen: 900 x 600 px.\n"
               "The settings are written beside the figure (%1.json).")
                .arg(QFileInfo(path).fileName()),
            styles, int(styles.indexOf(last_style_)), false, &ok);
        if (!ok) return;
        last_style_ = chosen;
        style = *widgets::FigureStyle::preset(chosen);
    }
    QSize size;
    if (isRasterPath(path)) {
        bool ok = false;
        const QSize suggested = widgets::figurePixels(style);
        const int w = QInputDialog::getInt(this, tr("PNG size"), tr("Width in pixels"), suggested.width(), 100, 20000, 100, &ok);
        if (!ok) return;
        const int h = QInputDialog::getInt(this, tr("PNG size"), tr("Height in pixels"),
                                           int(std::lround(double(w) * style.height_in / style.width_in)), 100, 20000,
                                           100, &ok);
        if (!ok) return;
        size = QSize(w, h);
    }
    const QString error = exportCurrentView(path, size, style);
    statusBar()->showMessage(error.isEmpty() ? tr("Exported %1").arg(path) : error);
}

}  // namespace basin::gui
