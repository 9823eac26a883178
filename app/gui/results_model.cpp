#include "results_model.h"

#include <algorithm>

#include "basin/error.h"
#include "basin/results_store.h"

namespace basin::gui {

ResultsModel::ResultsModel(QObject* parent) : QObject(parent) {
    store_timer_.setSingleShot(true);
    store_timer_.setInterval(300);
    connect(&store_timer_, &QTimer::timeout, this, &ResultsModel::flushPending);
}

ResultsModel::~ResultsModel() { flushPending(); }

void ResultsModel::flushPending() {
    store_timer_.stop();
    if (!edge_pending_) return;
    edge_pending_ = false;
    const auto& r = spectrum_.result;
    if (study_path_.isEmpty() || !r || r->provenance.empty()) return;
    try {
        storeResult(study_path_.toStdString(), r->provenance, spectrumJson(*r));
    } catch (const Error& e) {
        reportNotSaved(QString::fromStdString(e.what()));
    }
}

void ResultsModel::reset(const QString& study_path) {
    flushPending();
    study_path_ = study_path;
    not_saved_.clear();
    spectrum_ = {};
    surface_ = {};
    sensitivity_ = {};
    compare_ = {};
    curvature_map_ = {};
    map_shown_ = false;
    probes_.clear();
    structure_ = {};
    stability_ = {};
    batch_scaling_ = {};
    batch_spectra_ = {};
    resample_ = {};
    Q_EMIT spectrumChanged();
    Q_EMIT surfaceChanged();
    Q_EMIT sensitivityChanged();
    Q_EMIT compareChanged();
    Q_EMIT curvatureMapChanged();
    Q_EMIT probesChanged();
    Q_EMIT structureChanged();
    Q_EMIT stabilityChanged();
    Q_EMIT batchScalingChanged();
    Q_EMIT batchSpectraChanged();
    Q_EMIT resampleChanged();
}

void ResultsModel::setSpectrum(std::shared_ptr<const SpectrumResult> r, ResultState state, const QString& saved) {
    spectrum_ = {std::move(r), state, saved};
    Q_EMIT spectrumChanged();
}

void ResultsModel::setSurface(std::shared_ptr<const SurfaceGrid> r, ResultState state, const QString& saved) {
    surface_ = {std::move(r), state, saved};
    if (surface_.result) map_shown_ = false;
    Q_EMIT surfaceChanged();
}

void ResultsModel::setCurvatureMap(std::shared_ptr<const SurfaceGrid> r, ResultState state, const QString& saved) {
    curvature_map_ = {std::move(r), state, saved};
    map_shown_ = bool(curvature_map_.result);
    Q_EMIT curvatureMapChanged();
}

void ResultsModel::addProbe(int ticket, int job, double x, double y) {
    ProbeEntry e;
    e.ticket = ticket;
    e.job = job;
    e.x = x;
    e.y = y;
    probes_.push_back(e);
    Q_EMIT probesChanged();
}

void ResultsModel::setProbe(int ticket, std::shared_ptr<const ProbeResult> r, ResultState state, const QString& saved) {
    auto it =
        std::find_if(probes_.begin(), probes_.end(), [ticket](const ProbeEntry& e) { return e.ticket == ticket; });
    if (it == probes_.end()) {
        probes_.push_back({});
        it = probes_.end() - 1;
        it->ticket = ticket;
    }
    if (r) {
        it->x = r->x;
        it->y = r->y;
    }
    it->result = std::move(r);
    it->state = state;
    it->saved = saved;
    Q_EMIT probesChanged();
}

void ResultsModel::removeProbe(int ticket) {
    const auto before = probes_.size();
    probes_.erase(
        std::remove_if(probes_.begin(), probes_.end(), [ticket](const ProbeEntry& e) { return e.ticket == ticket; }),
        probes_.end());
    if (probes_.size() != before) Q_EMIT probesChanged();
}

void ResultsModel::removeProbeOfJob(int job) {
    for (const ProbeEntry& e : probes_)
        if (e.job == job && !e.result) return removeProbe(e.ticket);
}

void ResultsModel::clearProbes() {
    probes_.clear();
    Q_EMIT probesChanged();
}

void ResultsModel::setSensitivity(std::shared_ptr<const SensitivityResult> r, ResultState state, const QString& saved) {
    sensitivity_ = {std::move(r), state, saved};
    Q_EMIT sensitivityChanged();
}

void ResultsModel::setStructure(std::shared_ptr<const StructureResult> r, ResultState state, const QString& saved) {
    structure_ = {std::move(r), state, saved};
    Q_EMIT structureChanged();
}

void ResultsModel::setStability(std::shared_ptr<const StabilityResult> r, ResultState state, const QString& saved) {
    stability_ = {std::move(r), state, saved};
    Q_EMIT stabilityChanged();
}

void ResultsModel::setBatchScaling(std::shared_ptr<const BatchScalingResult> r, ResultState state,
                                   const QString& saved) {
    batch_scaling_ = {std::move(r), state, saved};
    Q_EMIT batchScalingChanged();
}

void ResultsModel::setBatchSpectra(std::shared_ptr<const std::vector<BatchSpectraResult>> r, ResultState state,
                                   const QString& saved) {
    batch_spectra_ = {std::move(r), state, saved};
    Q_EMIT batchSpectraChanged();
}

void ResultsModel::setResample(std::shared_ptr<const ResampleResult> r, ResultState state, const QString& saved) {
    resample_ = {std::move(r), state, saved};
    Q_EMIT resampleChanged();
}

void ResultsModel::startCompare(const CompareOptions& options) {
    compare_ = {};
    compare_.options = options;
    compare_.surfaces.resize(options.checkpoints.size());
    Q_EMIT compareChanged();
}

void ResultsModel::setCompareRow(int index, const CheckpointRow& row) {
    if (index < 0) return;
    if (size_t(index) >= compare_.rows.size()) compare_.rows.resize(size_t(index) + 1);
    compare_.rows[size_t(index)] = row;
    Q_EMIT compareChanged();
}

void ResultsModel::setCompareSurface(int index, std::shared_ptr<const SurfaceGrid> grid) {
    if (index < 0) return;
    if (size_t(index) >= compare_.surfaces.size()) compare_.surfaces.resize(size_t(index) + 1);
    compare_.surfaces[size_t(index)] = std::move(grid);
    Q_EMIT compareChanged();
}

void ResultsModel::setComparePath(std::shared_ptr<const PathResult> path) {
    compare_.path = std::move(path);
    Q_EMIT compareChanged();
}

void ResultsModel::setCompareComputed(int computed) { compare_.computed = computed; }

void ResultsModel::setBulkEdge(std::optional<double> edge) {
    if (!spectrum_.result) return;
    auto changed = std::make_shared<SpectrumResult>(*spectrum_.result);
    basin::setBulkEdge(*changed, edge);
    spectrum_.result = changed;
    edge_pending_ = true;
    store_timer_.start();
    Q_EMIT spectrumChanged();
}

void ResultsModel::reportNotSaved(const QString& why) {
    not_saved_ = why;
    Q_EMIT notSaved(why);
}

QString describeState(ResultState state, const QString& saved, const std::string& computed_at) {
    const QString when = QString::fromStdString(computed_at).replace('T', ' ').replace('Z', QStringLiteral(" UTC"));
    switch (state) {
        case ResultState::None:
            return {};
        case ResultState::Partial:
            return QObject::tr("computing…");
        case ResultState::Computed:
            return QObject::tr("computed %1").arg(when);
        case ResultState::Stored:
            return QObject::tr("reopened from the study file, nothing recomputed (computed %1)").arg(when);
        case ResultState::Stale:
            return QObject::tr(
                       "STALE: stored %1 for other model or data bytes than the study's now; "
                       "run the analysis again to recompute")
                .arg(QString(saved).replace('T', ' ').replace('Z', QStringLiteral(" UTC")));
    }
    return {};
}

}  // namespace basin::gui
