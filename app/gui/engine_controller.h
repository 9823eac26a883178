#pragma once
// EngineController gives the engine's analyses to the job queue and their results to the results
// model. Every call returns at once; the work runs on the queue's worker thread. Each analysis
// first looks in the study file for a stored result of the same inputs and options (reopening a
// study computes nothing), and stores what it computes there as it completes.
#include <QObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <map>
#include <memory>
#include <optional>

#include "basin/compare.h"
#include "basin/curvature.h"
#include "basin/curvature_map.h"
#include "basin/probe.h"
#include "basin/sampling.h"
#include "basin/sensitivity.h"
#include "basin/stability.h"
#include "basin/structure.h"
#include "basin/study.h"
#include "basin/surface.h"
#include "job_queue.h"
#include "job_types.h"
#include "results_model.h"

namespace basin::gui {

class EngineController : public QObject {
    Q_OBJECT
public:
    explicit EngineController(QObject* parent = nullptr);
    /// Cancels every job and waits for the worker to stop at its next check.
    ~EngineController() override;

    JobQueue* queue() const { return queue_; }
    ResultsModel* results() const { return results_; }

    /// Queues loading the study, its model and data, and evaluating the loss. Returns the job id.
    /// The job also shows what the study holds of the analyses too costly to start unasked: the
    /// curvature map of curvatureMapOptions() and the probes on the plane of surfaceOptions() whose
    /// keys still match (the same bytes, settings and options); it computes neither.
    /// specLoaded() fires once the file is read, then studyOpened() or studyFailed(). A study that
    /// fails to open leaves the one open before it open (its results stay).
    int openStudy(const QString& path);
    /// The same job for a spec already in hand (the study panel's edited settings); paths in `spec`
    /// must be absolute or relative to the working directory; `spec.study_path` is the file it
    /// belongs to (empty for a study not saved yet: nothing is stored).
    int openSpec(const StudySpec& spec);

    /// What a run does with a result the study file already holds. A result with the same key is
    /// always reused (nothing computed). One stored for other model or data bytes (stale) is shown,
    /// marked, without computing (Show), or recomputed (Recompute: the user asked for the analysis).
    enum class Stale { Show, Recompute };
    int runSpectrum(Stale stale = Stale::Recompute);
    /// Coarse to fine; the results model's surface fills in as points arrive.
    int runSurface(Stale stale = Stale::Recompute);
    int runSensitivity(Stale stale = Stale::Recompute);
    /// 2 to 4 checkpoints with compareOptions(): rows, their surfaces (the compare options' own
    /// grid) and the path. A checkpoint stored or compared before is not computed again.
    int runCompare(const QStringList& checkpoints, Stale stale = Stale::Recompute);
    /// λmax, λmin (and the trace) over the surface's grid with curvatureMapOptions(), coarse to
    /// fine; the results model's curvature map fills in as points arrive.
    int runCurvatureMap(Stale stale = Stale::Recompute);
    /// The spectrum at (x, y) of the plane of probeOptions() (the Surface tab's directions): a
    /// job of its own, so several can be queued, each cancelled alone. The results model shows it
    /// asked for at once and its spectrum once computed; a probe stored in the study is reused.
    int runProbe(double x, double y);
    /// Where curvature lives (structure.h) with structureOptions().
    int runStructure(Stale stale = Stale::Recompute);
    /// Each checkpoint's sharpness against its optimizer's threshold with stabilityOptions(): the
    /// study's checkpoints (else its model), each with its optimizer state (stabilityInputs). Rows
    /// are keyed per checkpoint: a row stored in the study is not computed again, and the table
    /// fills in as rows are done.
    int runStability();
    /// λmax of mini-batch Hessians against the batch size with batchScalingOptions().
    int runBatchScaling(Stale stale = Stale::Recompute);
    /// The top eigenvalues of K mini-batch Hessians with batchSpectraOptions(), for each of the
    /// study's checkpoints (else its model): the overlay. Keyed per checkpoint like stability's
    /// rows; the set fills in as checkpoints are done.
    int runBatchSpectra();
    /// λmax and the trace on R subsamples beside their estimator error, with resampleOptions(), at
    /// the open model. Its first progress line is what it will cost.
    int runResample(Stale stale = Stale::Recompute);

    void cancel(int id);
    void cancelAll();

    /// Options set here replace the window's defaults for every study (window_options.h); the seed
    /// is always the open study's. The getters give what a run would use for the open study.
    void setSpectrumOptions(const SpectrumOptions& options);
    SpectrumOptions spectrumOptions() const;
    void setSurfaceOptions(const SurfaceJobOptions& options);
    SurfaceJobOptions surfaceOptions() const;
    void setSensitivityOptions(const SensitivityOptions& options);
    SensitivityOptions sensitivityOptions() const;
    void setCompareOptions(const CompareOptions& options);
    CompareOptions compareOptions() const;
    void setCurvatureMapOptions(const CurvatureMapOptions& options);
    CurvatureMapOptions curvatureMapOptions() const;
    /// The point (x, y) of these options is ignored: runProbe() gives it.
    void setProbeOptions(const ProbeOptions& options);
    ProbeOptions probeOptions() const;
    void setStructureOptions(const StructureOptions& options);
    StructureOptions structureOptions() const;
    void setStabilityOptions(const StabilityOptions& options);
    StabilityOptions stabilityOptions() const;
    void setBatchScalingOptions(const BatchScalingOptions& options);
    BatchScalingOptions batchScalingOptions() const;
    void setBatchSpectraOptions(const BatchSpectraOptions& options);
    BatchSpectraOptions batchSpectraOptions() const;
    void setResampleOptions(const ResampleOptions& options);
    ResampleOptions resampleOptions() const;

    JobInfo job(int id) const { return queue_->job(id); }
    QList<JobInfo> jobs() const { return queue_->jobs(); }
    bool busy() const { return queue_->busy(); }
    /// The spec of the open study (default-constructed before one opened).
    const StudySpec& openStudySpec() const { return spec_; }
    /// H·v products and loss-surface points the engine computed since this controller started
    /// (reopened results add nothing): what the reopening tests count.
    int64_t productsComputed() const { return products_.load(); }
    int64_t pointsComputed() const { return points_.load(); }

Q_SIGNALS:
    void jobAdded(const basin::gui::JobInfo& job);
    void jobChanged(const basin::gui::JobInfo& job);
    void idle();
    /// The settings of the study being opened, read from its file (or given to openSpec()).
    void specLoaded(const basin::StudySpec& spec);
    void studyOpened(const basin::gui::StudySummary& summary);
    void studyFailed(const QString& path, const QString& message);

private:
    struct EngineState;
    int enqueueOpen(const QString& path, std::function<StudySpec()> load);
    // On the worker, once a study is open: its stored curvature map and probes (see openStudy()).
    struct ShownOnOpen;
    void showStored(const ShownOnOpen& asked);
    // Results computed by a job are stored in the study file on the worker; a failure is reported.
    void storeOnWorker(const StudySpec& spec, const Provenance& p, const std::string& json);

    JobQueue* queue_ = nullptr;
    ResultsModel* results_ = nullptr;
    std::unique_ptr<EngineState> engine_;  // touched only on the worker thread
    StudySpec spec_;                       // GUI thread: the open study's spec
    std::optional<SpectrumOptions> spectrum_options_;
    std::optional<SurfaceJobOptions> surface_options_;
    std::optional<SensitivityOptions> sensitivity_options_;
    std::optional<CompareOptions> compare_options_;
    std::optional<CurvatureMapOptions> curvature_map_options_;
    std::optional<ProbeOptions> probe_options_;
    std::optional<StructureOptions> structure_options_;
    std::optional<StabilityOptions> stability_options_;
    std::optional<BatchScalingOptions> batch_scaling_options_;
    std::optional<BatchSpectraOptions> batch_spectra_options_;
    std::optional<ResampleOptions> resample_options_;
    std::atomic<int64_t> products_{0}, points_{0};
    // Open requests are numbered; a job runs only on the study it was asked for (GUI thread).
    int requested_generation_ = 0, opened_generation_ = 0;
    std::map<int, int> open_generations_;  // open job id -> its request number
    int64_t parameters_ = 0;               // of the open model
    int64_t samples_ = 0;                  // of the open study
    int probe_tickets_ = 0;                // names of probes in the results model (GUI thread)
};

}  // namespace basin::gui
