#pragma once
/// CompareView shows 2 to 4 checkpoints side by side: one 3D loss surface each, all looking through
/// one camera (turn one, all turn) and coloured on one shared loss scale; their spectra overlaid in
/// one plot; a table of loss, accuracy, λmax, λmin, trace, outliers and bulk edge; and the path
/// between the first and last checkpoint with its barrier. It draws what it is given.
#include <QWidget>
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "basin/widgets/compare_plots.h"
#include "basin/widgets/surface_plot_data.h"

class QLabel;
class QTableWidget;

namespace basin::widgets {

class SurfaceView;

class CompareView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxCheckpoints = 4;
    explicit CompareView(QWidget* parent = nullptr);
    ~CompareView() override;

    /// Empties every part and shows `count` surface views (2 to 4).
    void reset(int count);
    int count() const;
    /// Checkpoint `index`'s surface; every surface is redrawn on the scale shared by all.
    void setSurface(int index, const SurfacePlotData& data);
    void setSpectra(const std::vector<SpectrumPlotData>& spectra);
    void setTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
    void setPath(const PathPlotData& path);

    SurfaceView* surfaceView(int index) const;
    /// The surfaces as given (true values; the shared range is in each drawn copy).
    std::vector<SurfacePlotData> surfaces() const;
    /// The loss scale the surfaces share (lowest and highest loss of all of them).
    std::array<double, 2> sharedScale() const;
    SpectraOverlayView* spectraView() const;
    PathView* pathView() const;
    QTableWidget* table() const;
    QString barrierText() const;

private:
    struct Private;
    std::unique_ptr<Private> d_;
};

}  // namespace basin::widgets
