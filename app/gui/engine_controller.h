#pragma once
// EngineController runs engine jobs on one worker thread, one after another, and turns what they
// report into signals on the GUI thread. The GUI thread never waits for the engine: every call
// here returns at once, and results arrive as queued signals.
#include <QMap>
#include <QObject>
#include <QString>
#include <QTimer>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "basin/compare.h"
#include "basin/curvature.h"
#include "basin/sensitivity.h"
#include "basin/study.h"
#include "basin/surface.h"
#include "basin/widgets/compare_plots.h"
#include "basin/widgets/layer_plot_data.h"
#include "basin/widgets/spectrum_plot_data.h"
#include "basin/widgets/surface_plot_data.h"
#include "job_types.h"
#include "surface_convert.h"

class QThread;

namespace basin::gui {

class EngineController : public QObject {
    Q_OBJECT
public:
    explicit EngineController(QObject* parent = nullptr);
    /// Cancels every job and waits for the worker to finish its current H·v product.
    ~EngineController() override;

    /// Queues loading the study, its model and data, and evaluating the loss. Returns the job id.
    /// specLoaded() fires once the file is read, then studyOpened() or studyFailed().
    int openStudy(const QString& path);
    /// The same job for a spec already in hand (the study panel's edited settings): its model
    /// and data are loaded and the loss evaluated; `spec.study_path` is the file it belongs to
    /// (empty for a study not saved yet). Paths in `spec` must be absolute or relative to the
    /// working directory, as loadStudy() leaves them.
    int openSpec(const StudySpec& spec);
    /// Queues the spectrum of the open study's Hessian with spectrumOptions(), seeded by the study.
    int runSpectrum();
    /// Queues a loss surface of the open study along two random filter-normalised directions
    /// (seeded by the study), computed coarse to fine; surfaceUpdated() fires as it fills in.
    int runSurface();
    /// Queues the per-layer sensitivity of the open study (defaultSensitivityOptions() unless
    /// setSensitivityOptions() was called; the seed is always the study's).
    int runSensitivity();
    /// Queues a comparison of 2 to 4 checkpoints (model files of the open study's architecture):
    /// for each, its loss, accuracy and spectrum (compareSpectrumOptions()) and its loss surface
    /// (surfaceOptions(); random directions from the study's seed, normalised at that checkpoint),
    /// then, when `path_points` >= 2, the linear path from the first to the last. A checkpoint
    /// compared before with the same study and options is not computed again.
    /// With `same_directions`, every surface uses the directions planned (and normalised) at the
    /// first checkpoint, literally the same vectors, around each checkpoint's weights.
    int runCompare(const QStringList& checkpoints, int path_points, bool same_directions = false);
    /// How many checkpoints the last compare job computed (the others were reused).
    int compareComputed() const;
    /// The last compare job's rows (checkpointRowJson) and path (null without one).
    std::vector<std::string> lastCompareRows() const;
    std::shared_ptr<const PathResult> lastComparePath() const;
    /// Cancels one job: a queued one never runs, a running one stops within one H·v product.
    void cancel(int id);
    /// Cancels every job not yet finished.
    void cancelAll();

    void setSpectrumOptions(const SpectrumOptions& options);
    SpectrumOptions spectrumOptions() const;
    void setSurfaceOptions(const SurfaceJobOptions& options);
    SurfaceJobOptions surfaceOptions() const;
    void setSensitivityOptions(const SensitivityOptions& options);
    /// The spectrum options of compare jobs (compareSpectrumOptions() unless set; seeded by the study).
    void setCompareOptions(const SpectrumOptions& options);

    JobInfo job(int id) const;
    QList<JobInfo> jobs() const;
    bool busy() const;
    /// The last spectrum the engine returned, exactly as it returned it (null before the first).
    std::shared_ptr<const SpectrumResult> lastSpectrum() const;
    /// The last surface grid the engine reported (partial while the job runs), as it reported it.
    std::shared_ptr<const SurfaceGrid> lastSurface() const;
    /// The last sensitivity result and the options it ran with (null before the first).
    std::shared_ptr<const SensitivityResult> lastSensitivity() const;
    SensitivityOptions lastSensitivityOptions() const;

Q_SIGNALS:
    void jobAdded(const basin::gui::JobInfo& job);
    void jobChanged(const basin::gui::JobInfo& job);
    /// The settings of the study being opened, read from its file (or given to openSpec()).
    void specLoaded(const basin::StudySpec& spec);
    void studyOpened(const basin::gui::StudySummary& summary);
    void studyFailed(const QString& path, const QString& message);
    void spectrumReady(const basin::widgets::SpectrumPlotData& data);
    /// A surface grid with more points computed (the last one of a job is complete).
    void surfaceUpdated(const basin::widgets::SurfacePlotData& data);
    void sensitivityReady(const basin::widgets::LayerPlotData& data);
    /// A compare job was queued for these checkpoints (the view empties and makes room for them).
    void compareStarted(const QStringList& checkpoints);
    /// The compare rows so far (checkpointRowJson), and their spectra, in the checkpoints' order.
    void compareTableReady(const std::vector<std::string>& rows);
    void compareSpectraReady(const std::vector<basin::widgets::SpectrumPlotData>& spectra);
    void compareSurfaceReady(int index, const basin::widgets::SurfacePlotData& data);
    void comparePathReady(const basin::widgets::PathPlotData& data);
    /// Every job has finished (done, failed or cancelled).
    void idle();

private:
    struct EngineState;
    using Work = std::function<void(JobContext& job)>;
    int enqueue(const QString& kind, const QString& title, Work work);
    int enqueueOpen(const QString& path, std::function<StudySpec()> load);
    void post(std::function<void()> gui_work);
    void finish(int id, JobState state, const QString& error = {});
    void flushProgress();

    QThread* thread_ = nullptr;
    QObject* worker_ = nullptr;                 // lives on thread_; receives the queued jobs
    std::unique_ptr<EngineState> engine_;       // touched only on thread_
    QMap<int, JobInfo> jobs_;                   // GUI thread
    std::map<int, std::shared_ptr<JobContext>> contexts_;  // GUI thread
    int next_id_ = 1;
    SpectrumOptions options_;
    std::shared_ptr<const SpectrumResult> last_spectrum_;
    SurfaceJobOptions surface_options_;
    std::shared_ptr<const SurfaceGrid> last_surface_;
    std::optional<SensitivityOptions> sensitivity_options_;
    std::shared_ptr<const SensitivityResult> last_sensitivity_;
    SensitivityOptions last_sensitivity_options_;
    int compare_computed_ = 0;
    std::optional<SpectrumOptions> compare_options_;
    std::vector<std::string> last_compare_rows_;
    std::shared_ptr<const PathResult> last_compare_path_;

    // Progress is coalesced: the worker leaves the latest report per job here and the GUI thread
    // picks them up at most every 40 ms, however often the engine reports.
    std::mutex pending_mutex_;
    std::map<int, Progress> pending_;
    std::atomic<bool> flush_posted_{false};
    QTimer coalesce_timer_;
};

}  // namespace basin::gui
