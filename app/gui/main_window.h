#pragma once
// The main window assembles the panels and the menus and connects them to the controller; the
// work itself is in EngineController and the panels.
#include <QMainWindow>

namespace basin::widgets {
class SpectrumView;
class SurfaceView;
}

namespace basin::gui {

class EngineController;
class JobsPanel;
class StudyPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(EngineController* controller, QWidget* parent = nullptr);

    /// Opens the study and, once it is open, computes its spectrum.
    void openAndAnalyse(const QString& study_path);

    StudyPanel* studyPanel() const { return study_; }
    JobsPanel* jobsPanel() const { return jobs_; }
    widgets::SpectrumView* spectrumView() const { return spectrum_; }
    widgets::SurfaceView* surfaceView() const { return surface_; }

private:
    void buildMenus();
    void openStudyDialog();
    void exportSpectrum();

    EngineController* controller_ = nullptr;
    StudyPanel* study_ = nullptr;
    JobsPanel* jobs_ = nullptr;
    widgets::SpectrumView* spectrum_ = nullptr;
    widgets::SurfaceView* surface_ = nullptr;
    QString study_path_;
};

}  // namespace basin::gui
