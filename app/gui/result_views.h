#pragma once
// ResultViews draws what the results model holds: each change of a result becomes its view's plot
// data (through the converters of app/figure) and a line above the view saying how the result came
// to be shown (computed now, reopened from the study file, stale). The Surface tab shows the loss
// surface or the curvature map, whichever came last, with the probes marked; the Spectrum tab
// lays the probes' spectra over the centre's. While a view has nothing yet it
// says how far its job is, or why it stopped. Dragging the bulk edge goes back into the model.
#include <QLabel>
#include <QObject>
#include <QString>

#include "job_types.h"
#include "results_model.h"

namespace basin::widgets {
class CompareView;
class DynamicsView;
class LayerView;
class SpectrumView;
class StructureView;
class SurfacePanel;
}  // namespace basin::widgets

namespace basin::gui {

/// The line above a view: hidden when there is nothing to say.
class ResultBanner : public QLabel {
    Q_OBJECT
public:
    explicit ResultBanner(QWidget* parent = nullptr);
    void say(const QString& text, bool warning = false);
};

struct ResultViewSet {
    widgets::SpectrumView* spectrum = nullptr;
    widgets::SurfacePanel* surface = nullptr;
    widgets::LayerView* layers = nullptr;
    widgets::CompareView* compare = nullptr;
    widgets::StructureView* structure = nullptr;
    widgets::DynamicsView* dynamics = nullptr;
    ResultBanner* spectrum_banner = nullptr;
    ResultBanner* surface_banner = nullptr;
    ResultBanner* layers_banner = nullptr;
    ResultBanner* compare_banner = nullptr;
    ResultBanner* structure_banner = nullptr;
    ResultBanner* dynamics_banner = nullptr;
};

class ResultViews : public QObject {
    Q_OBJECT
public:
    ResultViews(ResultsModel* model, const ResultViewSet& views, QObject* parent = nullptr);
    /// The open study's name, the views' title.
    void setStudyName(const QString& name);
    /// Until its first result, a view says how far its job is, or why it stopped.
    void showJob(const JobInfo& job);

private:
    void drawSpectrum();
    void drawSurface();
    void drawSensitivity();
    void drawCompare();
    void drawProbes();
    void drawStructure();
    void drawStability();
    void drawBatchScaling();
    void drawBatchSpectra();
    void drawResample();
    void sayDynamics();

    ResultsModel* model_;
    ResultViewSet v_;
    std::string name_;
};

}  // namespace basin::gui
