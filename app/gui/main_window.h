#pragma once
// The main window assembles the panels and the menus and connects them to the controller; the
// work itself is in EngineController, the panels, view_export and export_dialog. Its geometry,
// dock layout, tab and view toggles are kept in QSettings between runs (window_state).
#include <QMainWindow>
#include <memory>

#include "basin/study.h"
#include "basin/surface.h"

class QDockWidget;
class QSettings;
class QTabWidget;

namespace basin::widgets {
class CompareView;
class DynamicsView;
struct FigureStyle;
class LayerView;
class SpectrumView;
class StructureView;
class SurfacePanel;
class SurfaceView;
}  // namespace basin::widgets

namespace basin::gui {

class CompareBar;
class ExportDialog;
class ResultViews;
class EngineController;
class JobsPanel;
class LayerOptionsBar;
class StudyPanel;
class StudyFiles;
class SurfaceOptionsBar;
struct ExportChoice;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(EngineController* controller, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens the study and, once it is open, computes its spectrum and a loss surface (with the
    /// controller's surface options), so a first run shows both without a click.
    void openAndAnalyse(const QString& study_path);
    /// The same for the study panel's edited settings (what Apply does).
    void applyAndAnalyse(const StudySpec& spec);
    /// Compares the checkpoints with the compare options, this many path points and directions,
    /// and surfaces of `grid` x `grid` points (0: the compare options' own grid; -1: no surfaces).
    void runCompare(const QStringList& checkpoints, int path_points, bool same_directions, int grid = 0);

    StudyPanel* studyPanel() const { return study_; }
    JobsPanel* jobsPanel() const { return jobs_; }
    QDockWidget* studyDock() const { return study_dock_; }
    QDockWidget* jobsDock() const { return jobs_dock_; }
    widgets::SpectrumView* spectrumView() const { return spectrum_; }
    widgets::SurfacePanel* surfacePanel() const { return surface_; }
    /// The 3D view inside the surface panel.
    widgets::SurfaceView* surfaceView() const;
    widgets::LayerView* layerView() const { return layers_; }
    SurfaceOptionsBar* surfaceOptionsBar() const { return surface_options_; }
    LayerOptionsBar* layerOptionsBar() const { return layer_options_; }
    widgets::CompareView* compareView() const { return compare_; }
    widgets::StructureView* structureView() const { return structure_; }
    widgets::DynamicsView* dynamicsView() const { return dynamics_; }
    CompareBar* compareBar() const { return compare_bar_; }
    /// Save, save as, recent studies and dropped files.
    StudyFiles* studyFiles() const { return files_; }
    QTabWidget* tabs() const { return tabs_; }

    /// Exports the view on the current tab to `path` (by extension; `size` in pixels for PNG) in
    /// `style`. Returns an empty string on success, else why not. File ▸ Export asks for all three
    /// in one dialog (makeExportDialog).
    QString exportCurrentView(const QString& path, QSize size = {});
    QString exportCurrentView(const QString& path, QSize size, const widgets::FigureStyle& style);
    /// The export dialog for the current tab, filled with the last choice (not shown).
    std::unique_ptr<ExportDialog> makeExportDialog();
    /// Exports what the dialog chose; the status bar says how it went. Returns the same as exportCurrentView.
    QString exportChosen(const ExportChoice& choice);

    /// Why closing the window needs a question (jobs running, settings not applied); empty when
    /// it does not.
    QString reasonToAskBeforeQuitting() const;
    /// Writes the window's geometry, docks, tab and view toggles to QSettings (done on close).
    void saveWindowState() const;

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void buildHelpMenu();
    void restoreWindowState();
    void analyse();
    void connectController();
    void openStudyDialog();
    void exportDialog();
    void runSurface(const SurfaceJobOptions& options);
    void runLayers();
    void runCompareFromBar();
    void runCurvatureMap(const SurfaceJobOptions& options);
    /// A probe at (x, y) of the plane the Surface tab shows (or, before one, of the bar's options).
    void runProbe(double x, double y);
    /// One layer's landscape: the Layers table's row (double-clicked) becomes the Surface bar's group.
    void chooseGroupFromLayers(int row);

    EngineController* controller_ = nullptr;
    std::unique_ptr<QSettings> settings_;  // the application's (in tests, the test folder's)
    QTabWidget* tabs_ = nullptr;
    StudyPanel* study_ = nullptr;
    JobsPanel* jobs_ = nullptr;
    QDockWidget* study_dock_ = nullptr;
    QDockWidget* jobs_dock_ = nullptr;
    widgets::SpectrumView* spectrum_ = nullptr;
    widgets::SurfacePanel* surface_ = nullptr;
    widgets::LayerView* layers_ = nullptr;
    SurfaceOptionsBar* surface_options_ = nullptr;
    LayerOptionsBar* layer_options_ = nullptr;
    StudyFiles* files_ = nullptr;
    QWidget* surface_tab_ = nullptr;
    QWidget* spectrum_tab_ = nullptr;
    QWidget* layers_tab_ = nullptr;
    ResultViews* result_views_ = nullptr;
    widgets::CompareView* compare_ = nullptr;
    CompareBar* compare_bar_ = nullptr;
    QWidget* compare_tab_ = nullptr;
    widgets::StructureView* structure_ = nullptr;
    QWidget* structure_tab_ = nullptr;
    widgets::DynamicsView* dynamics_ = nullptr;
    QWidget* dynamics_tab_ = nullptr;
};

}  // namespace basin::gui
