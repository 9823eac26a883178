#pragma once
/// StructureView shows where curvature lives: per-layer bars of OBD saliency and mean Hessian
/// diagonal, the ranked table of least salient structures with the measured removal losses, the
/// localisation heatmap (eigenvector × layer), the class-overlap heatmap (outlier × class), and
/// block-diag(H) against H (a chart and a table with the principal angles). It draws what it is
/// given; a part that was not computed says so.
#include <QWidget>
#include <memory>

#include "basin/widgets/structure_plot_data.h"

class QCustomPlot;
class QLabel;
class QTableWidget;

namespace basin::widgets {

class StructureView : public QWidget {
    Q_OBJECT
public:
    explicit StructureView(QWidget* parent = nullptr);
    ~StructureView() override;

    void setData(const StructurePlotData& data);
    const StructurePlotData& data() const;
    /// Back to the empty view with `message` as its title.
    void clear(const QString& message = {});

    QCustomPlot* barsPlot() const;
    QCustomPlot* localisationPlot() const;
    QCustomPlot* classPlot() const;
    QCustomPlot* blocksPlot() const;
    QTableWidget* salientTable() const;
    QTableWidget* removalTable() const;
    QTableWidget* blockTable() const;
    QLabel* notesLabel() const;
    /// The plots that have something to draw, in the order a figure lays them out.
    std::vector<QCustomPlot*> filledPlots() const;
    /// The bar heights as drawn (saliency, mean diagonal), one per group in model order.
    std::vector<double> saliencyBars() const;
    std::vector<double> meanDiagBars() const;

    /// The columns the parts are laid out in: 3 when the view is wide, else 2 (three rows that scroll).
    int columns() const;

protected:
    void resizeEvent(QResizeEvent* e) override;

private:
    void redraw();
    void arrange(int columns);
    struct Private;
    std::unique_ptr<Private> d_;
};

/// The drawing of each chart, shared by the view and by figures.
void drawStructureBars(QCustomPlot* plot, const StructurePlotData& data, const QString& empty_message);
void drawHeatmap(QCustomPlot* plot, const Heatmap& map, const QString& empty_message);
void drawBlocks(QCustomPlot* plot, const StructurePlotData& data, const QString& empty_message);

}  // namespace basin::widgets
