#pragma once
/// The plots of the compare view. SpectraOverlayView draws the spectra of several checkpoints in
/// one plot: each one's smoothed density as a line and its top eigenvalues as markers along the
/// top, in colours (and dash patterns, for grey print) a colour-blind reader tells apart, with a
/// legend. PathView draws the linear path between two checkpoints: loss, accuracy and the top
/// Hessian eigenvalue on one t axis (three value axes), with the loss barrier marked.
#include <QWidget>
#include <memory>
#include <string>
#include <vector>

#include "basin/widgets/spectrum_plot_data.h"

class QCustomPlot;

namespace basin::widgets {

class SpectraOverlayView : public QWidget {
    Q_OBJECT
public:
    explicit SpectraOverlayView(QWidget* parent = nullptr);
    ~SpectraOverlayView() override;
    /// One entry per checkpoint; its title is its name in the legend.
    void setData(const std::vector<SpectrumPlotData>& spectra);
    const std::vector<SpectrumPlotData>& data() const;
    QCustomPlot* plot() const;

private:
    struct Private;
    std::unique_ptr<Private> d_;
};

struct PathPlotData {
    std::string title;
    std::vector<double> t;               ///< 0 at the first checkpoint, 1 at the last
    std::vector<double> loss, accuracy;  ///< accuracy as a fraction; empty when unknown
    std::vector<double> top_eigenvalue;  ///< empty when not computed
    double barrier_over_ends = 0, barrier_over_line = 0, t_max = 0;
    bool empty() const { return t.size() < 2 || loss.size() != t.size(); }
};

class PathView : public QWidget {
    Q_OBJECT
public:
    explicit PathView(QWidget* parent = nullptr);
    ~PathView() override;
    void setData(const PathPlotData& data);
    const PathPlotData& data() const;
    QCustomPlot* plot() const;
    /// "barrier 0.012 above the higher end, 0.034 above the line, at t = 0.55" (empty without data).
    QString barrierText() const;

private:
    struct Private;
    std::unique_ptr<Private> d_;
};

}  // namespace basin::widgets
