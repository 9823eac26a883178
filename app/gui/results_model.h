#pragma once
// ResultsModel holds the open study's results, each with the options and provenance it carries,
// and how it came to be shown: computed now, reopened from the study file, or stale (stored for
// other model or data bytes). The views, the exports, the figures and the study file all read it;
// nothing else keeps a copy of a result. Opening another study empties it.
#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>
#include <optional>
#include <vector>

#include "basin/compare.h"
#include "basin/curvature.h"
#include "basin/curvature_map.h"
#include "basin/probe.h"
#include "basin/sampling.h"
#include "basin/sensitivity.h"
#include "basin/stability.h"
#include "basin/structure.h"
#include "basin/surface.h"

namespace basin::gui {

enum class ResultState {
    None,      ///< nothing to show
    Partial,   ///< being computed; what is shown so far (a surface filling in)
    Computed,  ///< computed in this session
    Stored,    ///< reopened from the study file, as computed then (nothing was computed)
    Stale,     ///< stored for other model or data bytes: shown marked, recomputed on request
};

template <class Result>
struct ResultSlot {
    std::shared_ptr<const Result> result;
    ResultState state = ResultState::None;
    QString saved;  ///< when it was stored (Stored and Stale), ISO 8601

    explicit operator bool() const { return bool(result); }
};

/// The compare tab's results: one row (and surface, when asked) per checkpoint, and the path.
struct CompareResults {
    CompareOptions options;
    std::vector<CheckpointRow> rows;
    std::vector<std::shared_ptr<const SurfaceGrid>> surfaces;  ///< one per checkpoint (null until done)
    std::shared_ptr<const PathResult> path;
    int computed = 0;  ///< checkpoints computed by the last job (the others were stored or reused)
};

/// One curvature probe of the open study, asked for at (x, y), computed by job `job`.
struct ProbeEntry {
    int ticket = 0;  ///< its name in the model
    int job = 0;
    double x = 0, y = 0;
    std::shared_ptr<const ProbeResult> result;  ///< null while it is computed
    ResultState state = ResultState::Partial;
    QString saved;
};

class ResultsModel : public QObject {
    Q_OBJECT
public:
    explicit ResultsModel(QObject* parent = nullptr);
    /// Writes a pending change (a dragged bulk edge) to the study file first.
    ~ResultsModel() override;

    /// A study is open: every result is forgotten; those computed next are stored in `study_path`
    /// (empty for a study not saved yet: nothing is stored).
    void reset(const QString& study_path);
    QString studyPath() const { return study_path_; }

    const ResultSlot<SpectrumResult>& spectrum() const { return spectrum_; }
    const ResultSlot<SurfaceGrid>& surface() const { return surface_; }
    const ResultSlot<SensitivityResult>& sensitivity() const { return sensitivity_; }
    const CompareResults& compare() const { return compare_; }
    const ResultSlot<SurfaceGrid>& curvatureMap() const { return curvature_map_; }
    /// What the Surface tab shows: the loss surface or the curvature map, whichever was set last.
    const ResultSlot<SurfaceGrid>& shownSurface() const { return map_shown_ ? curvature_map_ : surface_; }
    /// The probes asked for, in the order asked; several are kept side by side.
    const std::vector<ProbeEntry>& probes() const { return probes_; }
    const ResultSlot<StructureResult>& structure() const { return structure_; }
    /// The Dynamics tab: the stability table (its rows fill in as checkpoints are done; each row
    /// carries its own provenance) and the batch-scaling result.
    const ResultSlot<StabilityResult>& stability() const { return stability_; }
    const ResultSlot<BatchScalingResult>& batchScaling() const { return batch_scaling_; }
    /// Per-batch spectra, one result per checkpoint (the overlay), filling in as checkpoints are done.
    const ResultSlot<std::vector<BatchSpectraResult>>& batchSpectra() const { return batch_spectra_; }
    const ResultSlot<ResampleResult>& resample() const { return resample_; }

    void setSpectrum(std::shared_ptr<const SpectrumResult> r, ResultState state, const QString& saved = {});
    void setSurface(std::shared_ptr<const SurfaceGrid> r, ResultState state, const QString& saved = {});
    void setSensitivity(std::shared_ptr<const SensitivityResult> r, ResultState state, const QString& saved = {});
    void setCurvatureMap(std::shared_ptr<const SurfaceGrid> r, ResultState state, const QString& saved = {});
    /// A probe was asked for at (x, y), named `ticket`, computed by job `job` (shown marked until
    /// it is computed).
    void addProbe(int ticket, int job, double x, double y);
    /// Its result; a probe not asked for is added.
    void setProbe(int ticket, std::shared_ptr<const ProbeResult> r, ResultState state, const QString& saved = {});
    /// A probe removed by the user, or whose job was cancelled or failed.
    void removeProbe(int ticket);
    void removeProbeOfJob(int job);
    void clearProbes();
    void setStructure(std::shared_ptr<const StructureResult> r, ResultState state, const QString& saved = {});
    void setStability(std::shared_ptr<const StabilityResult> r, ResultState state, const QString& saved = {});
    void setBatchScaling(std::shared_ptr<const BatchScalingResult> r, ResultState state, const QString& saved = {});
    void setBatchSpectra(std::shared_ptr<const std::vector<BatchSpectraResult>> r, ResultState state,
                         const QString& saved = {});
    void setResample(std::shared_ptr<const ResampleResult> r, ResultState state, const QString& saved = {});
    /// A new comparison of `options.checkpoints` begins (the compare tab empties).
    void startCompare(const CompareOptions& options);
    void setCompareRow(int index, const CheckpointRow& row);
    void setCompareSurface(int index, std::shared_ptr<const SurfaceGrid> grid);
    void setComparePath(std::shared_ptr<const PathResult> path);
    void setCompareComputed(int computed);

    /// The bulk edge set by hand (nullopt: back to Basin's rule). The shown spectrum result changes
    /// at once (its outliers split again, no product made), and every view, export and figure then
    /// shows the new edge; it is stored again in the study file when the dragging pauses (300 ms),
    /// or at the latest when another study opens. Ignored without a spectrum.
    void setBulkEdge(std::optional<double> edge);
    /// Writes what is waiting to be stored now.
    void flushPending();

    /// A result could not be stored (a read-only study file): the window says so.
    void reportNotSaved(const QString& why);
    QString lastNotSaved() const { return not_saved_; }

Q_SIGNALS:
    void spectrumChanged();
    void surfaceChanged();
    void sensitivityChanged();
    void compareChanged();
    void curvatureMapChanged();
    void probesChanged();
    void structureChanged();
    void stabilityChanged();
    void batchScalingChanged();
    void batchSpectraChanged();
    void resampleChanged();
    void notSaved(const QString& why);

private:
    QString study_path_, not_saved_;
    QTimer store_timer_;
    bool edge_pending_ = false;
    ResultSlot<SpectrumResult> spectrum_;
    ResultSlot<SurfaceGrid> surface_;
    ResultSlot<SensitivityResult> sensitivity_;
    CompareResults compare_;
    ResultSlot<SurfaceGrid> curvature_map_;
    bool map_shown_ = false;
    std::vector<ProbeEntry> probes_;
    ResultSlot<StructureResult> structure_;
    ResultSlot<StabilityResult> stability_;
    ResultSlot<BatchScalingResult> batch_scaling_;
    ResultSlot<std::vector<BatchSpectraResult>> batch_spectra_;
    ResultSlot<ResampleResult> resample_;
};

/// A line saying how a result came to be shown ("computed 08:37", "reopened from the study file
/// (computed 2026-12-01 08:37 UTC)", "stale: ..."), empty for None.
QString describeState(ResultState state, const QString& saved, const std::string& computed_at);

}  // namespace basin::gui
