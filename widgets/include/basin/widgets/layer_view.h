#pragma once
/// LayerView shows how sensitive each layer is: its top Hessian eigenvalue and mean trace
/// Tr(H_i)/n_i as bars on a log axis (the trace with its standard error), a sortable table of the
/// numbers with Omega at 4 bits, and the mixed-precision proposal against float32 and uniform
/// quantisation. It draws what it is given.
#include <QWidget>
#include <memory>

#include "basin/widgets/layer_plot_data.h"

class QCustomPlot;
class QTableWidget;

namespace basin::widgets {

class LayerView : public QWidget {
    Q_OBJECT
public:
    explicit LayerView(QWidget* parent = nullptr);
    ~LayerView() override;

    void setData(const LayerPlotData& data);
    const LayerPlotData& data() const;
    /// Back to the empty view with `message` as its title.
    void clear(const QString& message = {});

    QCustomPlot* plot() const;
    QTableWidget* layerTable() const;
    QTableWidget* precisionTable() const;
    /// The bar heights as drawn (top eigenvalue, mean trace), one per layer in model order.
    std::vector<double> eigenvalueBars() const;
    std::vector<double> traceBars() const;
    /// How the layer names under the bars are drawn at the chart's width: level (0), turned (-45)
    /// or upright (-90), and every how-many-th layer is named (1: all), so no two names overlap.
    double layerNameRotation() const;
    int layerNameStep() const;

private:
    void redraw();
    void setNameTicks();
    void fitLayerNames();
    struct Private;
    std::unique_ptr<Private> d_;
};

}  // namespace basin::widgets
