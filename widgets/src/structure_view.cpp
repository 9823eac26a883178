#include "basin/widgets/structure_view.h"

#include <qcustomplot.h>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QResizeEvent>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>

#include "basin/widgets/spectrum_math.h"
#include "plot_layout.h"

namespace basin::widgets {

namespace {

// Sorts by the number behind the text.
class NumberItem : public QTableWidgetItem {
public:
    NumberItem(const QString& text, double value) : QTableWidgetItem(text) {
        setData(Qt::UserRole, value);
        setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    bool operator<(const QTableWidgetItem& other) const override {
        return data(Qt::UserRole).toDouble() < other.data(Qt::UserRole).toDouble();
    }
};

QString num(double v) { return QString::fromStdString(formatNumber(v)); }

// Every column fits the table's width (no sideways scrolling in a third of the tab): `stretch`
// takes what is left (names elide there), the others fit their contents; -1 shares the width.
QTableWidget* makeTable(QWidget* parent, const QStringList& headers, const char* name, int stretch) {
    auto* t = new QTableWidget(0, int(headers.size()), parent);
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->setVisible(false);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    QHeaderView* h = t->horizontalHeader();
    h->setSectionResizeMode(stretch < 0 ? QHeaderView::Stretch : QHeaderView::ResizeToContents);
    if (stretch >= 0) h->setSectionResizeMode(stretch, QHeaderView::Stretch);
    t->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    t->setTextElideMode(Qt::ElideMiddle);
    return t;
}

QCustomPlot* makePlot(QWidget* parent, const char* name) {
    auto* plot = new QCustomPlot(parent);
    plot->setObjectName(name);
    plot->setMinimumSize(260, 200);
    const QFont base = viewFont(parent);
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis, plot->yAxis2}) setAxisFonts(axis, base);
    addTitleRow(plot, base);
    legendBelowAxes(plot, base);
    plot->legend->setVisible(false);
    return plot;
}

QWidget* titled(QWidget* parent, QLabel*& label, QWidget* content) {
    auto* box = new QWidget(parent);
    auto* v = new QVBoxLayout(box);
    v->setContentsMargins(0, 0, 0, 0);
    label = new QLabel(box);
    v->addWidget(label);
    v->addWidget(content, 1);
    return box;
}

}  // namespace

// Narrower than this (a 1280-pixel window's tab), the six parts go in two columns and three rows
// that scroll, each row at least kRowHeight tall, rather than six cramped ones on one screen.
constexpr int kThreeColumnWidth = 1300;
constexpr int kRowHeight = 310;

struct StructureView::Private {
    StructurePlotData data;
    QGridLayout* grid = nullptr;
    QWidget* content = nullptr;
    QWidget *tables = nullptr, *right = nullptr;
    int columns = 0;
    QCustomPlot *bars = nullptr, *localisation = nullptr, *classes = nullptr, *blocks = nullptr;
    QTableWidget *salient = nullptr, *removal = nullptr, *block_table = nullptr;
    QLabel *salient_title = nullptr, *removal_title = nullptr, *block_title = nullptr, *notes = nullptr;
    QString empty_message = QObject::tr("No structure yet: Analysis ▸ Run structure");
};

StructureView::StructureView(QWidget* parent) : QWidget(parent), d_(std::make_unique<Private>()) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setObjectName("structureScroll");
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    outer->addWidget(scroll);
    d_->content = new QWidget(scroll);
    scroll->setWidget(d_->content);
    QWidget* const self = d_->content;
    d_->grid = new QGridLayout(self);
    d_->grid->setContentsMargins(4, 4, 4, 4);
    d_->bars = makePlot(self, "structureBars");
    d_->localisation = makePlot(self, "localisationMap");
    d_->classes = makePlot(self, "classOverlapMap");
    d_->blocks = makePlot(self, "blocksPlot");
    d_->salient = makeTable(self, {tr("structure"), tr("size"), tr("saliency ± s.e."), tr("‖w‖²")}, "salientTable", 0);
    // Rank order first (the header's own default is descending, which would put the most salient on top).
    d_->salient->horizontalHeader()->setSortIndicator(0, Qt::AscendingOrder);
    d_->salient->horizontalHeaderItem(2)->setToolTip(
        tr("OBD saliency Σ diag(H)·w²/2: the loss increase predicted for zeroing it"));
    d_->removal = makeTable(self, {tr("k"), tr("loss (OBD)"), tr("Δ pred."), tr("loss (‖w‖)"), tr("Δ pred.")},
                            "removalTable", -1);
    d_->removal->horizontalHeaderItem(1)->setToolTip(
        tr("The loss measured with the k least salient structures zeroed"));
    d_->removal->horizontalHeaderItem(2)->setToolTip(tr("The increase OBD predicts for zeroing them"));
    d_->removal->horizontalHeaderItem(3)->setToolTip(tr("The loss measured with the k of smallest ‖w‖² zeroed"));
    d_->removal->horizontalHeaderItem(4)->setToolTip(tr("The increase OBD predicts for zeroing those"));
    d_->block_table =
        makeTable(self, {tr("k"), tr("λ of H"), tr("λ of block-diag"), tr("block"), tr("angle")}, "blockTable", 4);
    d_->block_table->horizontalHeaderItem(4)->setToolTip(
        tr("The k-th principal angle between the two top eigenspaces"));
    d_->notes = new QLabel(self);
    d_->notes->setObjectName("structureNotes");
    d_->notes->setWordWrap(true);
    d_->notes->setTextInteractionFlags(Qt::TextSelectableByMouse);
    d_->notes->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    d_->tables = new QWidget(self);
    auto* tv = new QVBoxLayout(d_->tables);
    tv->setContentsMargins(0, 0, 0, 0);
    tv->addWidget(titled(d_->tables, d_->salient_title, d_->salient), 3);
    tv->addWidget(titled(d_->tables, d_->removal_title, d_->removal), 2);
    d_->right = new QWidget(self);
    auto* rv = new QVBoxLayout(d_->right);
    rv->setContentsMargins(0, 0, 0, 0);
    rv->addWidget(titled(d_->right, d_->block_title, d_->block_table), 2);
    rv->addWidget(d_->notes, 1);
    arrange(3);
    redraw();
}

int StructureView::columns() const { return d_->columns; }

void StructureView::arrange(int columns) {
    if (columns == d_->columns) return;
    d_->columns = columns;
    QGridLayout* grid = d_->grid;
    // Wide: the three charts of where curvature lives above the tables and the block chart.
    // Narrow: two by two charts, then the two tables' columns.
    const std::vector<QWidget*> order =
        columns == 3
            ? std::vector<QWidget*>{d_->bars, d_->localisation, d_->classes, d_->tables, d_->blocks, d_->right}
            : std::vector<QWidget*>{d_->bars, d_->localisation, d_->classes, d_->blocks, d_->tables, d_->right};
    for (QWidget* w : order) grid->removeWidget(w);
    for (int i = 0; i < int(order.size()); ++i) grid->addWidget(order[size_t(i)], i / columns, i % columns);
    const int rows = int(order.size()) / columns;
    for (int c = 0; c < 3; ++c) grid->setColumnStretch(c, c < columns ? 1 : 0);
    for (int r = 0; r < 3; ++r) {
        grid->setRowStretch(r, r < rows ? 1 : 0);
        grid->setRowMinimumHeight(r, columns == 2 && r < rows ? kRowHeight : 0);
    }
}

void StructureView::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    arrange(width() >= kThreeColumnWidth ? 3 : 2);
}

StructureView::~StructureView() = default;

void StructureView::setData(const StructurePlotData& data) {
    d_->data = data;
    redraw();
}

const StructurePlotData& StructureView::data() const { return d_->data; }

void StructureView::clear(const QString& message) {
    d_->data = {};
    if (!message.isEmpty()) d_->empty_message = message;
    redraw();
}

QCustomPlot* StructureView::barsPlot() const { return d_->bars; }
QCustomPlot* StructureView::localisationPlot() const { return d_->localisation; }
QCustomPlot* StructureView::classPlot() const { return d_->classes; }
QCustomPlot* StructureView::blocksPlot() const { return d_->blocks; }
QTableWidget* StructureView::salientTable() const { return d_->salient; }
QTableWidget* StructureView::removalTable() const { return d_->removal; }
QTableWidget* StructureView::blockTable() const { return d_->block_table; }
QLabel* StructureView::notesLabel() const { return d_->notes; }

std::vector<QCustomPlot*> StructureView::filledPlots() const {
    std::vector<QCustomPlot*> v;
    const StructurePlotData& d = d_->data;
    if (!d.groups.empty()) v.push_back(d_->bars);
    if (!d.localisation.empty()) v.push_back(d_->localisation);
    if (!d.classes.empty()) v.push_back(d_->classes);
    if (!d.blocks.empty()) v.push_back(d_->blocks);
    return v;
}

std::vector<double> StructureView::saliencyBars() const {
    std::vector<double> v;
    for (int i = 0; i < d_->bars->plottableCount(); ++i)
        if (auto* b = qobject_cast<QCPBars*>(d_->bars->plottable(i)); b && b->valueAxis() == d_->bars->yAxis)
            for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it) v.push_back(it->value);
    return v;
}

std::vector<double> StructureView::meanDiagBars() const {
    std::vector<double> v;
    for (int i = 0; i < d_->bars->plottableCount(); ++i)
        if (auto* b = qobject_cast<QCPBars*>(d_->bars->plottable(i)); b && b->valueAxis() == d_->bars->yAxis2)
            for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it) v.push_back(it->value);
    return v;
}

void StructureView::redraw() {
    const StructurePlotData& d = d_->data;
    const QString none = d.empty() ? d_->empty_message : QString();
    drawStructureBars(d_->bars, d, none.isEmpty() ? tr("Diagonal not computed (--diag)") : none);
    drawHeatmap(d_->localisation, d.localisation, none.isEmpty() ? tr("Localisation not computed") : QString());
    drawHeatmap(d_->classes, d.classes,
                none.isEmpty() ? tr("Class structure not computed (cross-entropy models)") : QString());
    drawBlocks(d_->blocks, d, none.isEmpty() ? tr("Block-diagonal view not computed") : QString());

    QTableWidget* t = d_->salient;
    t->setSortingEnabled(false);
    t->setRowCount(int(d.least_salient.size()));
    for (int i = 0; i < int(d.least_salient.size()); ++i) {
        const SaliencyRow& r = d.least_salient[size_t(i)];
        auto* name = new NumberItem(QString::fromStdString(r.name), i);  // sorts in rank order
        name->setTextAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        t->setItem(i, 0, name);
        t->setItem(i, 1, new NumberItem(QLocale().toString(qlonglong(r.size)), double(r.size)));
        t->setItem(i, 2, new NumberItem(num(r.saliency) + " ± " + num(r.saliency_err), r.saliency));
        t->setItem(i, 3, new NumberItem(num(r.weight_sq), r.weight_sq));
    }
    t->setSortingEnabled(true);
    d_->salient_title->setText(
        d.least_salient.empty()
            ? tr("<b>Least salient structures</b>: not computed")
            : tr("<b>Least salient %1s</b> (OBD, ranked)").arg(QString::fromStdString(d.prune_level)));

    QTableWidget* r = d_->removal;
    r->setRowCount(int(d.removal.size()));
    for (int i = 0; i < int(d.removal.size()); ++i) {
        const RemovalPoint& p = d.removal[size_t(i)];
        r->setItem(i, 0, new NumberItem(QString::number(p.k), p.k));
        r->setItem(i, 1, new NumberItem(num(p.loss_saliency), p.loss_saliency));
        r->setItem(i, 2, new NumberItem(num(p.predicted_saliency), p.predicted_saliency));
        r->setItem(i, 3, new NumberItem(num(p.loss_magnitude), p.loss_magnitude));
        r->setItem(i, 4, new NumberItem(num(p.predicted_magnitude), p.predicted_magnitude));
    }
    d_->removal_title->setText(d.removal.empty() ? tr("<b>Zeroing k structures</b>: not computed")
                                                 : tr("<b>Zeroing k %1s</b>, measured (loss as is %2)")
                                                       .arg(QString::fromStdString(d.prune_level), num(d.base_loss)));

    QTableWidget* b = d_->block_table;
    b->setRowCount(int(d.blocks.size()));
    for (int i = 0; i < int(d.blocks.size()); ++i) {
        const BlockRow& row = d.blocks[size_t(i)];
        auto cell = [](const std::optional<double>& v, const QString& suffix = {}) {
            return v ? new NumberItem(num(*v) + suffix, *v) : new NumberItem(QStringLiteral("—"), 0);
        };
        b->setItem(i, 0, new NumberItem(QString::number(row.rank), row.rank));
        b->setItem(i, 1, cell(row.full));
        b->setItem(i, 2, cell(row.block));
        b->setItem(i, 3, new QTableWidgetItem(QString::fromStdString(row.block_name)));
        b->setItem(i, 4, cell(row.angle_deg, QStringLiteral("°")));
    }
    d_->block_title->setText(d.blocks.empty() ? tr("<b>Block-diagonal against full</b>: not computed")
                                              : tr("<b>Block-diagonal against full</b>"));
    QStringList notes;
    for (const std::string& n : d.notes) notes << QString::fromStdString(n).toHtmlEscaped();
    d_->notes->setText(notes.join("<br>"));
}

}  // namespace basin::widgets
