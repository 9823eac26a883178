#include "main_window.h"

#include <QAction>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMimeData>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "basin/widgets/compare_view.h"
#include "basin/widgets/dynamics_view.h"
#include "basin/widgets/figure.h"
#include "basin/widgets/layer_view.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/structure_view.h"
#include "basin/widgets/surface_panel.h"
#include "basin/widgets/surface_view.h"
#include "compare_bar.h"
#include "compare_convert.h"
#include "engine_controller.h"
#include "export_dialog.h"
#include "job_queue.h"
#include "jobs_panel.h"
#include "layer_options_bar.h"
#include "result_views.h"
#include "results_model.h"
#include "study_files.h"
#include "study_panel.h"
#include "surface_options_bar.h"
#include "view_export.h"

namespace basin::gui {

MainWindow::MainWindow(EngineController* controller, QWidget* parent)
    : QMainWindow(parent), controller_(controller), settings_(std::make_unique<QSettings>()) {
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
    layer_options_ = new LayerOptionsBar(tabs_);
    layers_ = new widgets::LayerView(tabs_);
    views.layers = layers_;
    layers_tab_ = tab(layer_options_, layers_, views.layers_banner);
    tabs_->addTab(layers_tab_, tr("Layers"));
    compare_bar_ = new CompareBar(tabs_);
    compare_ = new widgets::CompareView(tabs_);
    views.compare = compare_;
    compare_tab_ = tab(compare_bar_, compare_, views.compare_banner);
    tabs_->addTab(compare_tab_, tr("Compare"));
    structure_ = new widgets::StructureView(tabs_);
    views.structure = structure_;
    structure_tab_ = tab(nullptr, structure_, views.structure_banner);
    tabs_->addTab(structure_tab_, tr("Structure"));
    dynamics_ = new widgets::DynamicsView(tabs_);
    views.dynamics = dynamics_;
    dynamics_tab_ = tab(nullptr, dynamics_, views.dynamics_banner);
    tabs_->addTab(dynamics_tab_, tr("Dynamics"));
    setCentralWidget(tabs_);
    result_views_ = new ResultViews(controller_->results(), views, this);

    study_ = new StudyPanel(this);
    study_dock_ = new QDockWidget(tr("Study"), this);
    study_dock_->setObjectName("studyDock");
    // The panel scrolls inside its dock when the window is short (1280 x 800 with a message shown).
    auto* study_scroll = new QScrollArea(study_dock_);
    study_scroll->setWidget(study_);
    study_scroll->setWidgetResizable(true);
    study_scroll->setFrameShape(QFrame::NoFrame);
    study_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    study_dock_->setWidget(study_scroll);
    study_dock_->setMinimumWidth(330);  // room for a file name beside each Browse… button
    addDockWidget(Qt::LeftDockWidgetArea, study_dock_);

    jobs_ = new JobsPanel(this);
    jobs_dock_ = new QDockWidget(tr("Jobs"), this);
    jobs_dock_->setObjectName("jobsDock");
    jobs_dock_->setWidget(jobs_);
    addDockWidget(Qt::BottomDockWidgetArea, jobs_dock_);
    resizeDocks({jobs_dock_}, {100}, Qt::Vertical);

    files_ = new StudyFiles(study_, this, this);
    connect(files_, &StudyFiles::openRequested, this, &MainWindow::openAndAnalyse);
    connect(files_, &StudyFiles::statusMessage, this, [this](const QString& text) { statusBar()->showMessage(text); });
    connect(study_, &StudyPanel::applyRequested, this, &MainWindow::applyAndAnalyse);
    setAcceptDrops(true);

    buildMenus();
    statusBar()->showMessage(tr("Ready"));
    connectController();
    connect(surface_options_, &SurfaceOptionsBar::runRequested, this, &MainWindow::runSurface);
    connect(layer_options_, &LayerOptionsBar::runRequested, this, &MainWindow::runLayers);
    connect(compare_bar_, &CompareBar::runRequested, this, &MainWindow::runCompareFromBar);
    restoreWindowState();
    connect(surface_options_, &SurfaceOptionsBar::curvatureMapRequested, this, &MainWindow::runCurvatureMap);
    connect(surface_options_, &SurfaceOptionsBar::probeRequested, this, &MainWindow::runProbe);
    connect(surface_, &widgets::SurfacePanel::probeRequested, this, &MainWindow::runProbe);
    connect(layers_->layerTable(), &QTableWidget::cellDoubleClicked, this,
            [this](int row, int) { chooseGroupFromLayers(row); });
    connect(surface_, &widgets::SurfacePanel::statusMessage, this, [this](const QString& text) {
        if (!text.isEmpty()) statusBar()->showMessage(text);
    });
}

MainWindow::~MainWindow() = default;

widgets::SurfaceView* MainWindow::surfaceView() const { return surface_->surfaceView(); }

void MainWindow::connectController() {
    connect(controller_, &EngineController::jobAdded, jobs_, &JobsPanel::addJob);
    connect(controller_, &EngineController::jobChanged, jobs_, &JobsPanel::updateJob);
    connect(jobs_, &JobsPanel::cancelRequested, controller_, &EngineController::cancel);
    connect(jobs_, &JobsPanel::cancelAllRequested, controller_, &EngineController::cancelAll);
    connect(jobs_, &JobsPanel::clearRequested, controller_->queue(), &JobQueue::forgetFinished);
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
        const CompareOptions compare = controller_->compareOptions();
        compare_bar_->setGridPoints(compare.surfaces ? compare.surface.nx : 0);
        compare_bar_->setPathPoints(compare.path_points);
        surface_options_->setGroups(s.groups);
        surface_options_->setOptions(controller_->surfaceOptions());
        layer_options_->setOptions(controller_->sensitivityOptions(), 4.0 * double(s.parameters));
    });
    connect(controller_, &EngineController::studyFailed, this, [this](const QString&, const QString& message) {
        study_->showError(message);
        statusBar()->showMessage(message);
    });
    connect(controller_->results(), &ResultsModel::notSaved, this,
            [this](const QString& why) { statusBar()->showMessage(tr("Results are not saved: %1").arg(why)); });
}

void MainWindow::runCompare(const QStringList& checkpoints, int path_points, bool same_directions, int grid) {
    tabs_->setCurrentWidget(compare_tab_);
    CompareOptions options = controller_->compareOptions();
    options.path_points = path_points >= 2 ? path_points : 0;
    options.same_directions = same_directions;
    if (grid < 0) options.surfaces = false;
    else if (grid >= 2) {
        options.surfaces = true;
        options.surface.nx = options.surface.ny = grid;
    }
    controller_->setCompareOptions(options);
    controller_->runCompare(checkpoints);
}

void MainWindow::runCompareFromBar() {
    if (!compare_bar_->problem().isEmpty())
        return statusBar()->showMessage(tr("Compare: %1").arg(compare_bar_->problem()));
    const int grid = compare_bar_->gridPoints();
    runCompare(compare_bar_->chosen(), compare_bar_->pathPoints(), compare_bar_->sameDirections(),
               grid >= 2 ? grid : -1);
}

void MainWindow::runLayers() {
    tabs_->setCurrentWidget(layers_tab_);
    if (!layer_options_->problem().isEmpty())
        return statusBar()->showMessage(tr("Layers: %1").arg(layer_options_->problem()));
    controller_->setSensitivityOptions(layer_options_->options());
    controller_->runSensitivity();
}

void MainWindow::runSurface(const SurfaceJobOptions& options) {
    tabs_->setCurrentWidget(surface_tab_);
    controller_->setSurfaceOptions(options);
    controller_->runSurface();
}

void MainWindow::runCurvatureMap(const SurfaceJobOptions& options) {
    tabs_->setCurrentWidget(surface_tab_);
    CurvatureMapOptions map = controller_->curvatureMapOptions();
    map.surface = options;
    controller_->setCurvatureMapOptions(map);
    controller_->runCurvatureMap();
}

void MainWindow::runProbe(double x, double y) {
    ProbeOptions probe = controller_->probeOptions();
    const auto& shown = controller_->results()->shownSurface();
    probe.directions = shown.result ? shown.result->options : surface_options_->options();
    controller_->setProbeOptions(probe);
    controller_->runProbe(x, y);
    statusBar()->showMessage(
        tr("Probing the curvature at (%1, %2); its spectrum goes beside the centre's in the Spectrum tab")
            .arg(x, 0, 'g', 4)
            .arg(y, 0, 'g', 4));
}

void MainWindow::chooseGroupFromLayers(int row) {
    const QTableWidgetItem* item = layers_->layerTable()->item(row, 0);
    if (!item) return;
    surface_options_->setGroup(item->text());
    tabs_->setCurrentWidget(surface_tab_);
    statusBar()->showMessage(
        tr("One layer's landscape: the next surface or curvature map moves only %1").arg(item->text()));
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
    // (The open job itself shows a stored curvature map and probes: they are never started unasked.)
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
    if (current == surface_tab_)
        return exportSurface(*surface_, results.shownSurface().result.get(), path, size, style, source);
    if (current == layers_tab_)
        return exportLayers(*layers_, results.sensitivity().result.get(), path, size, style, source);
    if (current == compare_tab_) return exportCompare(*compare_, results.compare(), path, size, style, source);
    if (current == structure_tab_)
        return exportStructure(*structure_, results.structure().result.get(), path, size, style, source);
    if (current == dynamics_tab_)
        return exportDynamics(*dynamics_,
                              {results.stability().result.get(), results.batchScaling().result.get(),
                               results.batchSpectra().result.get(), results.resample().result.get()},
                              path, size, style, source);
    std::vector<const ProbeResult*> probes;
    for (const ProbeEntry& p : results.probes())
        if (p.result) probes.push_back(p.result.get());
    return exportSpectrum(*spectrum_, results.spectrum().result.get(), path, size, style, source, probes);
}

std::unique_ptr<ExportDialog> MainWindow::makeExportDialog() {
    QWidget* current = tabs_->currentWidget();
    const QString filter = current == surface_tab_     ? surfaceExportFilter()
                           : current == layers_tab_    ? layerExportFilter()
                           : current == compare_tab_   ? compareExportFilter()
                           : current == structure_tab_ ? structureExportFilter()
                           : current == dynamics_tab_  ? dynamicsExportFilter()
                                                       : spectrumExportFilter();
    const QString name = current == surface_tab_     ? "surface"
                         : current == layers_tab_    ? "layers"
                         : current == compare_tab_   ? "compare"
                         : current == structure_tab_ ? "structure"
                         : current == dynamics_tab_  ? "dynamics"
                                                     : "spectrum";
    return std::make_unique<ExportDialog>(tabs_->tabText(tabs_->currentIndex()).remove('&'), filter, name, *settings_,
                                          this);
}

QString MainWindow::exportChosen(const ExportChoice& choice) {
    const QString error = exportCurrentView(choice.path, choice.size, choice.style);
    statusBar()->showMessage(error.isEmpty() ? tr("Exported %1").arg(choice.path) : error);
    return error;
}

void MainWindow::exportDialog() {
    const auto dialog = makeExportDialog();
    if (dialog->exec() == QDialog::Accepted) exportChosen(dialog->choice());
}

}  // namespace basin::gui
