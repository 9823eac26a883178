#pragma once
/// SpectrumView draws the Hessian spectrum of one model: the top eigenvalues as stems, the smoothed
/// spectral density as a filled curve, the exact spectrum as a histogram when known, the bulk
/// shaded up to its edge and the outliers marked, with a readout of the key numbers. It draws what
/// it is given and computes nothing but the layout.
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "basin/widgets/spectrum_plot_data.h"

class QCustomPlot;

namespace basin::widgets {

class SpectrumView : public QWidget {
    Q_OBJECT
public:
    explicit SpectrumView(QWidget* parent = nullptr);
    ~SpectrumView() override;

    void setData(const SpectrumPlotData& data);
    const SpectrumPlotData& data() const;
    /// Back to the empty plot with `message` in place of a title.
    void clear(const QString& message = {});

    /// Further spectra drawn over this one (curvature probes): each one's density as a line and its
    /// top eigenvalues as markers, in its own colour and dash, named in the legend by its title.
    void setOverlays(const std::vector<SpectrumPlotData>& overlays);
    const std::vector<SpectrumPlotData>& overlays() const;

    /// x as log10|λ| (drawing the log density grid) instead of λ.
    void setLogAbsAxis(bool on);
    bool logAbsAxis() const;
    /// Density on a logarithmic y axis, so the thin tails next to the bulk stay visible.
    void setLogDensity(bool on);
    bool logDensity() const;

    /// Moves the bulk edge by hand (as dragging its dashed line does): the outlier count and the
    /// share of the trace they carry are recounted among the top eigenvalues. Ignored without data.
    void setBulkEdge(double edge);

    QCustomPlot* plot() const;
    /// Number of eigenvalue stems drawn (one graph each, property "basinRole" = "stem").
    int stemCount() const;
    /// The readout as shown, one entry per line.
    QString readoutText() const;

Q_SIGNALS:
    void axisModeChanged();
    /// The user moved the bulk edge to `edge` (in λ).
    void bulkEdgeChanged(double edge);
    /// The user asked for Basin's own edge back (Reset edge, or a double-click on the line).
    void bulkEdgeResetRequested();

private:
    void redraw();
    /// The bulk edge in the x axis' units (log10|λ| in that mode), if there is one to draw.
    std::optional<double> edgeOnAxis() const;
    bool nearEdge(double x_pixel) const;
    struct Private;
    std::unique_ptr<Private> d_;
};

}  // namespace basin::widgets
