#include "result_views.h"

#include <QFileInfo>

#include "basin/widgets/compare_view.h"
#include "basin/widgets/dynamics_view.h"
#include "basin/widgets/layer_view.h"
#include "basin/widgets/spectrum_view.h"
#include "basin/widgets/structure_view.h"
#include "basin/widgets/surface_panel.h"
#include "compare_convert.h"
#include "dynamics_convert.h"
#include "layer_convert.h"
#include "probe_convert.h"
#include "spectrum_convert.h"
#include "structure_convert.h"
#include "surface_convert.h"

namespace basin::gui {

ResultBanner::ResultBanner(QWidget* parent) : QLabel(parent) {
    setObjectName("resultBanner");
    setWordWrap(true);
    setContentsMargins(6, 2, 6, 2);
    hide();
}

void ResultBanner::say(const QString& text, bool warning) {
    setText(text);
    setStyleSheet(warning ? QStringLiteral("QLabel { background: #fff3cd; color: #664d03; }") : QString());
    setVisible(!text.isEmpty());
}

namespace {

template <class Slot>
void sayState(ResultBanner* banner, const Slot& slot) {
    if (!banner) return;
    const std::string when = slot.result ? slot.result->provenance.computed_at : std::string();
    banner->say(describeState(slot.state, slot.saved, when), slot.state == ResultState::Stale);
}

}  // namespace

ResultViews::ResultViews(ResultsModel* model, const ResultViewSet& views, QObject* parent)
    : QObject(parent), model_(model), v_(views) {
    connect(model_, &ResultsModel::spectrumChanged, this, &ResultViews::drawSpectrum);
    connect(model_, &ResultsModel::surfaceChanged, this, &ResultViews::drawSurface);
    connect(model_, &ResultsModel::sensitivityChanged, this, &ResultViews::drawSensitivity);
    connect(model_, &ResultsModel::compareChanged, this, &ResultViews::drawCompare);
    connect(model_, &ResultsModel::curvatureMapChanged, this, &ResultViews::drawSurface);
    connect(model_, &ResultsModel::probesChanged, this, &ResultViews::drawSurface);
    connect(model_, &ResultsModel::probesChanged, this, &ResultViews::drawProbes);
    if (v_.structure) connect(model_, &ResultsModel::structureChanged, this, &ResultViews::drawStructure);
    if (v_.dynamics) {
        connect(model_, &ResultsModel::stabilityChanged, this, &ResultViews::drawStability);
        connect(model_, &ResultsModel::batchScalingChanged, this, &ResultViews::drawBatchScaling);
        connect(model_, &ResultsModel::batchSpectraChanged, this, &ResultViews::drawBatchSpectra);
        connect(model_, &ResultsModel::resampleChanged, this, &ResultViews::drawResample);
    }
    connect(v_.spectrum, &widgets::SpectrumView::bulkEdgeChanged, model_,
            [this](double edge) { model_->setBulkEdge(edge); });
    connect(v_.spectrum, &widgets::SpectrumView::bulkEdgeResetRequested, model_,
            [this] { model_->setBulkEdge(std::nullopt); });
    connect(model_, &ResultsModel::notSaved, this, [this](const QString& why) {
        if (v_.spectrum_banner) v_.spectrum_banner->say(tr("Not saved in the study file: %1").arg(why), true);
    });
}

void ResultViews::setStudyName(const QString& name) { name_ = name.toStdString(); }

void ResultViews::drawSpectrum() {
    const auto& slot = model_->spectrum();
    sayState(v_.spectrum_banner, slot);
    if (!slot.result)
        return v_.spectrum->clear(
            tr("%1: no spectrum yet (Analysis ▸ Run spectrum, Ctrl+R)").arg(QString::fromStdString(name_)));
    v_.spectrum->setData(toPlotData(*slot.result, name_));
}

void ResultViews::drawSurface() {
    // The loss surface or the curvature map, whichever came last; the probes on its plane marked.
    const auto& slot = model_->shownSurface();
    sayState(v_.surface_banner, slot);
    if (!slot.result) return v_.surface->setData({});
    const SurfaceGrid& grid = *slot.result;
    if (grid.curvature && v_.surface_banner) {
        const CurvatureMapCost cost = curvatureMapCost(grid);
        QString line = describeState(slot.state, slot.saved, grid.provenance.computed_at);
        line += tr(" — curvature map: %1 of %2 points, %3 H·v per point")
                    .arg(cost.points)
                    .arg(grid.loss.size())
                    .arg(cost.perPoint(), 0, 'f', 1);
        if (cost.warm_points > 0 && cost.points > cost.warm_points)
            line += tr(" (warm-started %1, cold %2)")
                        .arg(double(cost.warm_hvp) / double(cost.warm_points), 0, 'f', 1)
                        .arg(double(cost.cold_hvp) / double(cost.points - cost.warm_points), 0, 'f', 1);
        v_.surface_banner->say(line, slot.state == ResultState::Stale);
    }
    widgets::SurfacePlotData data = toPlotData(grid, name_);
    std::vector<std::array<double, 2>> marks;
    for (const ProbeEntry& p : model_->probes())
        if (!p.result || p.result->directions_key == grid.directions_key) marks.push_back({p.x, p.y});
    markProbes(data, marks);
    v_.surface->setData(data);
}

void ResultViews::drawProbes() {
    std::vector<widgets::SpectrumPlotData> overlays;
    for (const ProbeEntry& p : model_->probes())
        if (p.result) overlays.push_back(probeToSpectrum(*p.result));
    v_.spectrum->setOverlays(overlays);
}

void ResultViews::drawSensitivity() {
    const auto& slot = model_->sensitivity();
    sayState(v_.layers_banner, slot);
    if (!slot.result)
        return v_.layers->clear(tr("No layer sensitivity yet (Analysis ▸ Run layer sensitivity, Ctrl+Shift+L)"));
    v_.layers->setData(toPlotData(*slot.result, name_));
}

void ResultViews::drawStructure() {
    const auto& slot = model_->structure();
    sayState(v_.structure_banner, slot);
    if (!slot.result) return v_.structure->clear(tr("No structure yet (Analysis ▸ Run structure, Ctrl+Shift+T)"));
    v_.structure->setData(toPlotData(*slot.result, name_));
}

void ResultViews::drawStability() {
    const auto& slot = model_->stability();
    sayDynamics();
    if (!slot.result || slot.result->rows.empty())
        return v_.dynamics->clearStability(
            tr("No stability readout yet (Analysis ▸ Run stability across checkpoints, Ctrl+Shift+D)"));
    v_.dynamics->setStability(toPlotData(*slot.result, name_));
}

void ResultViews::drawBatchScaling() {
    const auto& slot = model_->batchScaling();
    sayDynamics();
    if (!slot.result)
        return v_.dynamics->clearBatchScaling(
            tr("No batch scaling yet (Analysis ▸ Run batch-size scaling, Ctrl+Shift+B)"));
    v_.dynamics->setBatchScaling(toPlotData(*slot.result, name_));
}

void ResultViews::drawBatchSpectra() {
    const auto& slot = model_->batchSpectra();
    sayDynamics();
    if (!slot.result || slot.result->empty())
        return v_.dynamics->clearBatchSpectra(tr("No per-batch spectra yet (Analysis ▸ Run per-batch spectra)"));
    v_.dynamics->setBatchSpectra(toPlotData(*slot.result, name_));
}

void ResultViews::drawResample() {
    const auto& slot = model_->resample();
    sayDynamics();
    if (!slot.result)
        return v_.dynamics->clearResample(
            tr("No sampling uncertainty yet (Analysis ▸ Run sampling uncertainty (resampling))"));
    v_.dynamics->setResample(toPlotData(*slot.result, name_));
}

void ResultViews::sayDynamics() {
    // The two results of the tab, each with how it came to be shown; a stability row carries its
    // own provenance, the table's state is its rows' (computed when any was).
    if (!v_.dynamics_banner) return;
    QStringList parts;
    bool stale = false;
    const auto& st = model_->stability();
    if (st.result && !st.result->rows.empty())
        parts << tr("Stability: %1")
                     .arg(describeState(st.state, st.saved, st.result->rows.back().provenance.computed_at));
    const auto& bs = model_->batchScaling();
    if (bs.result) {
        parts << tr("Batch scaling: %1").arg(describeState(bs.state, bs.saved, bs.result->provenance.computed_at));
        stale = bs.state == ResultState::Stale;
    }
    const auto& sp = model_->batchSpectra();
    if (sp.result && !sp.result->empty())
        parts << tr("Per-batch spectra: %1")
                     .arg(describeState(sp.state, sp.saved, sp.result->back().provenance.computed_at));
    const auto& rs = model_->resample();
    if (rs.result) {
        parts
            << tr("Sampling uncertainty: %1").arg(describeState(rs.state, rs.saved, rs.result->provenance.computed_at));
        stale = stale || rs.state == ResultState::Stale;
    }
    v_.dynamics_banner->say(parts.join(QStringLiteral(" · ")), stale);
}

void ResultViews::drawCompare() {
    const CompareResults& c = model_->compare();
    const int count = int(c.options.checkpoints.size());
    if (v_.compare->count() != count && count >= 2) v_.compare->reset(count);
    std::vector<widgets::SpectrumPlotData> spectra;
    for (const CheckpointRow& row : c.rows)
        if (!row.model.empty()) spectra.push_back(rowToSpectrum(row));
    v_.compare->setSpectra(spectra);
    v_.compare->setTable(compareTableHeader(), compareTable(c.rows));
    for (size_t i = 0; i < c.surfaces.size() && i < c.options.checkpoints.size(); ++i)
        if (c.surfaces[i] && int(i) < v_.compare->count())
            v_.compare->setSurface(
                int(i),
                toPlotData(*c.surfaces[i],
                           QFileInfo(QString::fromStdString(c.options.checkpoints[i])).fileName().toStdString()));
    if (c.path) v_.compare->setPath(toPlotData(*c.path));
    if (v_.compare_banner) {
        QString text;
        if (c.path) text = tr("Path: %1").arg(QString::fromStdString(c.path->bn));
        v_.compare_banner->say(text);
    }
}

void ResultViews::showJob(const JobInfo& job) {
    // An empty plot must not go on saying "Computing…" once its job has stopped.
    if (job.state == JobState::Failed || job.state == JobState::Cancelled) {
        const QString why = job.state == JobState::Failed ? job.error : tr("cancelled");
        if (job.kind == JobKind::Spectrum && !model_->spectrum().result)
            v_.spectrum->clear(tr("No spectrum: %1").arg(why));
        if (job.kind == JobKind::Sensitivity && !model_->sensitivity().result)
            v_.layers->clear(tr("No layer sensitivity: %1").arg(why));
        if ((job.kind == JobKind::CurvatureMap || job.kind == JobKind::Probe) && v_.surface_banner)
            v_.surface_banner->say(tr("%1: %2").arg(job.title, why), job.state == JobState::Failed);
        if (job.kind == JobKind::Structure && v_.structure && !model_->structure().result)
            v_.structure->clear(tr("No structure: %1").arg(why));
        if (job.kind == JobKind::Stability && v_.dynamics && !model_->stability().result)
            v_.dynamics->clearStability(tr("No stability readout: %1").arg(why));
        if (job.kind == JobKind::BatchScaling && v_.dynamics && !model_->batchScaling().result)
            v_.dynamics->clearBatchScaling(tr("No batch scaling: %1").arg(why));
        if (job.kind == JobKind::BatchSpectra && v_.dynamics && !model_->batchSpectra().result)
            v_.dynamics->clearBatchSpectra(tr("No per-batch spectra: %1").arg(why));
        if (job.kind == JobKind::Resample && v_.dynamics && !model_->resample().result)
            v_.dynamics->clearResample(tr("No sampling uncertainty: %1").arg(why));
        return;
    }
    if (job.state != JobState::Running) return;
    QString progress = job.stage.isEmpty() ? tr("starting") : job.stage;
    if (job.total > 0) progress += QStringLiteral(" %1 / %2").arg(job.done).arg(job.total);
    if (job.kind == JobKind::Spectrum && !model_->spectrum().result)
        v_.spectrum->clear(tr("Computing the spectrum: %1").arg(progress));
    if (job.kind == JobKind::Sensitivity && !model_->sensitivity().result)
        v_.layers->clear(tr("Computing layer sensitivity: %1").arg(progress));
    if (job.kind == JobKind::Structure && v_.structure && !model_->structure().result)
        v_.structure->clear(tr("Computing the structure: %1").arg(progress));
    if (job.kind == JobKind::Stability && v_.dynamics && !model_->stability().result)
        v_.dynamics->clearStability(tr("Computing the stability readout: %1").arg(progress));
    if (job.kind == JobKind::BatchScaling && v_.dynamics && !model_->batchScaling().result)
        v_.dynamics->clearBatchScaling(tr("Computing the batch scaling: %1").arg(progress));
    if (job.kind == JobKind::BatchSpectra && v_.dynamics && !model_->batchSpectra().result)
        v_.dynamics->clearBatchSpectra(tr("Computing the per-batch spectra: %1").arg(progress));
    // The job's title holds what it costs, said before the first product.
    if (job.kind == JobKind::Resample && v_.dynamics && !model_->resample().result)
        v_.dynamics->clearResample(tr("%1. Computing: %2").arg(job.title, progress));
}

}  // namespace basin::gui
