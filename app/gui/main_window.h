#pragma once
// The main window assembles the panels and the menus and connects them to the controller; the
// work itself is in EngineController, the panels and view_export.
#include <QMainWindow>

#include "basin/study.h"
#include "basin/surface.h"

class QTabWidget;

namespace basin::widgets {
class CompareView;
struct FigureStyle;
class LayerView;
class SpectrumView;
class SurfacePanel;
class SurfaceView;
}  // namespace basin::widgets

namespace basin::gui {

class CompareBar;
class ResultViews;
class EngineController;
class JobsPanel;
class StudyPanel;
class StudyFiles;
class SurfaceOptionsBar;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(EngineController* controller, QWidget* parent = nullptr);

    /// Opens the study and, once it is open, computes its spectrum and a loss surface (with the
    /// controller's surface options), so a first run shows both without a click.
    void openAndAnalyse(const QString& study_path);
    /// The same for the study panel's edited settings (what Apply does).
    void applyAndAnalyse(const StudySpec& spec);
    /// Compares the checkpoints with the compare options, this many path points and directions.
    void runCompare(const QStringList& checkpoints, int path_points, bool same_directions);

    StudyPanel* studyPanel() const { return study_; }
    JobsPanel* jobsPanel() const { return jobs_; }
    widgets::SpectrumView* spectrumView() const { return spectrum_; }
    widgets::SurfacePanel* surfacePanel() const { return surface_; }
    /// The 3D view inside the surface panel.
    widgets::SurfaceView* surfaceView() const;
    widgets::LayerView* layerView() const { return layers_; }
    SurfaceOptionsBar* surfaceOptionsBar() const { return surface_options_; }
    widgets::CompareView* compareView() const { return compare_; }
    CompareBar* compareBar() const { return compare_bar_; }
    /// Save, save as, recent studies and dropped files.
    StudyFiles* studyFiles() const { return files_; }
    QTabWidget* tabs() const { return tabs_; }

    /// Exports the view on the current tab to `path` (by extension; `size` in pixels for PNG) in
    /// `style`. Returns an empty string on success, else why not. The File menu asks for all three.
    QString exportCurrentView(const QString& path, QSize size = {});
    QString exportCurrentView(const QString& path, QSize size, const widgets::FigureStyle& style);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildMenus();
    void analyse();
    void connectController();
    void openStudyDialog();
    void exportDialog();
    void runSurface(const SurfaceJobOptions& options);

    EngineController* controller_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    StudyPanel* study_ = nullptr;
    JobsPanel* jobs_ = nullptr;
    widgets::SpectrumView* spectrum_ = nullptr;
    widgets::SurfacePanel* surface_ = nullptr;
    widgets::LayerView* layers_ = nullptr;
    SurfaceOptionsBar* surface_options_ = nullptr;
    StudyFiles* files_ = nullptr;
    QWidget* surface_tab_ = nullptr;
    QWidget* spectrum_tab_ = nullptr;
    QWidget* layers_tab_ = nullptr;
    ResultViews* result_views_ = nullptr;
    widgets::CompareView* compare_ = nullptr;
    CompareBar* compare_bar_ = nullptr;
    QWidget* compare_tab_ = nullptr;
    QString last_style_ = QStringLiteral("paper-1col");
};

}  // namespace basin::gui
