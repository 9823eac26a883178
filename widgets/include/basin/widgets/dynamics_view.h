#pragma once
/// DynamicsView: curvature and training. Left, the sharpness of each checkpoint against its
/// optimizer's stability threshold (dashed; the edge of stability of Cohen et al.); right, the
/// mean λmax of mini-batch Hessians against the batch size on log-log axes with their spread, the
/// full-sample λmax as a horizontal line and the fitted slope in the legend; below, the density of
/// the per-batch top eigenvalues (one curve per checkpoint) and the sampling uncertainty of λmax and
/// the trace (subsample estimates, data error and estimator error, in % of the full value). It
/// draws what it is given; a part not computed says so.
#include <QWidget>
#include <memory>

#include "basin/widgets/dynamics_plot_data.h"

class QCustomPlot;
class QLabel;

namespace basin::widgets {

class DynamicsView : public QWidget {
    Q_OBJECT
public:
    explicit DynamicsView(QWidget* parent = nullptr);
    ~DynamicsView() override;

    void setStability(const StabilityPlotData& data);
    void setBatchScaling(const BatchScalingPlotData& data);
    void setBatchSpectra(const BatchSpectraPlotData& data);
    void setResample(const ResamplePlotData& data);
    const DynamicsPlotData& data() const;
    /// Both parts back to empty, `message` as their titles.
    void clear(const QString& message = {});
    void clearStability(const QString& message);
    void clearBatchScaling(const QString& message);
    void clearBatchSpectra(const QString& message);
    void clearResample(const QString& message);

    QCustomPlot* stabilityPlot() const;
    QCustomPlot* scalingPlot() const;
    QCustomPlot* spectraPlot() const;
    QCustomPlot* resamplePlot() const;
    QLabel* notesLabel() const;
    /// The plots that have something to draw, in the order a figure lays them out.
    std::vector<QCustomPlot*> filledPlots() const;

private:
    void redraw();
    struct Private;
    std::unique_ptr<Private> d_;
};

/// The drawing of each chart, shared by the view and by figures. The sharpness is graph 0, the
/// threshold graph 1 (dashed); the mean λmax(H_B) graph 0 with error bars, the full-sample line
/// graph 1 (dashed), the fit graph 2.
void drawStability(QCustomPlot* plot, const StabilityPlotData& data, const QString& empty_message);
void drawBatchScaling(QCustomPlot* plot, const BatchScalingPlotData& data, const QString& empty_message);
/// Each set's density as a step line over the shared bins (graph i for set i, filled when alone).
void drawBatchSpectra(QCustomPlot* plot, const BatchSpectraPlotData& data, const QString& empty_message);
/// Quantity i at x = i: the subsample deviations (graph 0, dots), the target (graph 1, dashed),
/// and two QCPBars beside the dots: the data error at N, then the estimator error at N.
void drawResample(QCustomPlot* plot, const ResamplePlotData& data, const QString& empty_message);

}  // namespace basin::widgets
