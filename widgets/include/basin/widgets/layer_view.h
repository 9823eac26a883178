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


private:
    void redraw();
    struct Private;
    std::unique_ptr<Private> d_;
};

}  // namespace basin::widgets
