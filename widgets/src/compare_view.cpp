#include "basin/widgets/compare_view.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "basin/widgets/surface_math.h"
#include "basin/widgets/surface_view.h"

namespace basin::widgets {

struct CompareView::Private {
    std::array<SurfaceView*, kMaxCheckpoints> views{};
    std::vector<SurfacePlotData> surfaces;  // as given, one per shown view (empty values until computed)
    std::array<double, 2> shared{0, 1};
    SpectraOverlayView* spectra = nullptr;
    PathView* path = nullptr;
    QTableWidget* table = nullptr;
    QLabel* barrier = nullptr;
    int count = 0;
};

CompareView::CompareView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* split = new QSplitter(Qt::Vertical, this);
    auto* surfaces = new QWidget(split);
    auto* grid = new QGridLayout(surfaces);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(2);
    for (int i = 0; i < kMaxCheckpoints; ++i) {
        d_->views[i] = new SurfaceView(surfaces);
        d_->views[i]->setObjectName(QStringLiteral("compareSurface%1").arg(i));
        d_->views[i]->setMinimumSize(200, 160);
        d_->views[i]->setToolTip(
            tr("Vermillion ball: the lowest loss on the grid; white ball: the checkpoint's own "
               "weights. Drag to turn all of them, wheel to zoom."));
        grid->addWidget(d_->views[i], 0, i);
        // One camera for all: turning any of them turns every one.
        if (i > 0) d_->views[i]->linkCamera(d_->views[0]);
    }
    // The table across the whole width (its columns never scroll sideways), then the overlaid
    // spectra beside the path: three side by side left each too little room at 1280 pixels.
    auto* middle = new QWidget(split);
    auto* middle_layout = new QVBoxLayout(middle);
    middle_layout->setContentsMargins(0, 0, 0, 0);
    middle_layout->setSpacing(0);
    d_->table = new QTableWidget(middle);
    d_->table->setObjectName("compareTable");
    d_->table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    d_->table->verticalHeader()->setVisible(false);
    d_->table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    d_->table->setSortingEnabled(false);
    middle_layout->addWidget(d_->table, 1);
    d_->barrier = new QLabel(middle);
    d_->barrier->setObjectName("compareBarrier");
    d_->barrier->setWordWrap(true);
    middle_layout->addWidget(d_->barrier);
    auto* lower = new QSplitter(Qt::Horizontal, split);
    d_->spectra = new SpectraOverlayView(lower);
    d_->path = new PathView(lower);
    lower->addWidget(d_->spectra);
    lower->addWidget(d_->path);
    lower->setSizes({500, 500});
    split->addWidget(surfaces);
    split->addWidget(middle);
    split->addWidget(lower);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 2);
    split->setStretchFactor(2, 5);
    split->setSizes({360, 150, 450});
    layout->addWidget(split);
    reset(2);
}

CompareView::~CompareView() = default;

void CompareView::reset(int count) {
    d_->count = std::clamp(count, 2, int(kMaxCheckpoints));
    d_->surfaces.assign(std::size_t(d_->count), SurfacePlotData{});
    for (int i = 0; i < kMaxCheckpoints; ++i) {
        d_->views[i]->clear();
        d_->views[i]->setVisible(i < d_->count);
    }
    d_->spectra->setData({});
    d_->path->setData({});
    d_->table->clear();
    d_->table->setRowCount(0);
    d_->table->setColumnCount(0);
    d_->barrier->clear();
}

int CompareView::count() const { return d_->count; }

void CompareView::setSurface(int index, const SurfacePlotData& data) {
    if (index < 0 || index >= d_->count) return;
    d_->surfaces[std::size_t(index)] = data;
    std::vector<const std::vector<double>*> grids;
    for (const auto& s : d_->surfaces)
        if (!s.values.empty()) grids.push_back(&s.values);
    d_->shared = sharedRange(grids);
    for (int i = 0; i < d_->count; ++i) {
        if (d_->surfaces[std::size_t(i)].values.empty()) continue;
        SurfacePlotData drawn = d_->surfaces[std::size_t(i)];
        drawn.value_range = d_->shared;
        d_->views[i]->setData(drawn);
    }
    // Every new surface puts the shared camera back where Basin's default view is (reset through a
    // view that has a surface: the camera frames what its own renderer shows).
    for (int i = 0; i < d_->count; ++i)
        if (!d_->surfaces[std::size_t(i)].values.empty()) {
            d_->views[i]->resetCamera();
            break;
        }
}

void CompareView::setSpectra(const std::vector<SpectrumPlotData>& spectra) { d_->spectra->setData(spectra); }

void CompareView::setTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    d_->table->clear();
    d_->table->setColumnCount(int(header.size()));
    d_->table->setRowCount(int(rows.size()));
    QStringList labels;
    for (const auto& h : header) labels << QString::fromStdString(h);
    d_->table->setHorizontalHeaderLabels(labels);
    for (int r = 0; r < int(rows.size()); ++r)
        for (int c = 0; c < int(rows[std::size_t(r)].size()); ++c) {
            auto* item = new QTableWidgetItem(QString::fromStdString(rows[std::size_t(r)][std::size_t(c)]));
            if (c > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            d_->table->setItem(r, c, item);
        }
}

void CompareView::setPath(const PathPlotData& path) {
    d_->path->setData(path);
    d_->barrier->setText(d_->path->barrierText());
}

SurfaceView* CompareView::surfaceView(int index) const {
    return index >= 0 && index < kMaxCheckpoints ? d_->views[std::size_t(index)] : nullptr;
}
std::vector<SurfacePlotData> CompareView::surfaces() const { return d_->surfaces; }
std::array<double, 2> CompareView::sharedScale() const { return d_->shared; }
SpectraOverlayView* CompareView::spectraView() const { return d_->spectra; }
PathView* CompareView::pathView() const { return d_->path; }
QTableWidget* CompareView::table() const { return d_->table; }
QString CompareView::barrierText() const { return d_->barrier->text(); }

}  // namespace basin::widgets
