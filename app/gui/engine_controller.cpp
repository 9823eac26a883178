#include "engine_controller.h"

#include <QFileInfo>
#include <QThread>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

#include "basin/error.h"
#include "basin/objective.h"
#include "basin/study.h"
#include "compare_convert.h"
#include "layer_convert.h"
#include "spectrum_convert.h"
#include "surface_job.h"

namespace basin::gui {

struct EngineController::EngineState {
    std::unique_ptr<Objective> objective;
    // What the compare view computed per checkpoint, keyed by checkpointKey(): adding a checkpoint
    // to a comparison computes only that one.
    std::map<std::string, std::string> compare_rows;
    std::map<std::string, SurfaceGrid> compare_surfaces;
};

namespace {

// The engine's threads (this one and the compute threads LibTorch starts from it, which inherit
// its niceness) yield to the GUI thread when the cores are busy, so the window stays responsive
// even while other programs compete for the CPU. QThread priorities do nothing on Linux.
void yieldToTheGui() {
#ifdef __linux__
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
#endif
}

StudySummary summarise(const QString& path, const Objective& objective, const Evaluation& eval) {
    const StudySpec& spec = objective.spec();
    const DataSummary& data = objective.data();
    StudySummary s;
    s.path = path;
    s.name = QString::fromStdString(spec.name);
    s.model = QString::fromStdString(objective.modelPath());
    s.data = QString::fromStdString(data.inputs_path);
    if (!data.targets_path.empty() && data.targets_path != data.inputs_path)
        s.data += "\n" + QString::fromStdString(data.targets_path);
    s.loss = QString::fromStdString(lossName(spec.loss));
    for (const std::string& c : spec.checkpoints) s.checkpoints << QString::fromStdString(c);
    s.samples = data.samples;
    s.available = data.available;
    s.batch = spec.batch_size;
    s.parameters = objective.parameterCount();
    s.classes = data.classes;
    s.loss_value = eval.loss;
    s.accuracy = eval.accuracy;
    return s;
}

// Everything that changes a checkpoint's numbers: the checkpoint, the study's data and settings,
// and the options of the analysis.
std::string checkpointKey(const StudySpec& spec, const std::string& checkpoint, const std::string& what) {
    return checkpoint + "|" + studyToJson(spec) + "|" + what;
}

std::string surfaceOptionsText(const SurfaceJobOptions& o) {
    return std::to_string(o.nx) + "x" + std::to_string(o.ny) + " " + std::to_string(o.range) + " " + o.dirs +
           (o.recompute_bn ? " bn" : "");
}

}  // namespace

EngineController::EngineController(QObject* parent)
    : QObject(parent), engine_(std::make_unique<EngineState>()), options_(defaultSpectrumOptions()) {
    thread_ = new QThread(this);
    thread_->setObjectName("basin-engine");
    worker_ = new QObject;
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_->start();
    QMetaObject::invokeMethod(worker_, &yieldToTheGui, Qt::QueuedConnection);
    coalesce_timer_.setSingleShot(true);
    coalesce_timer_.setInterval(40);
    connect(&coalesce_timer_, &QTimer::timeout, this, &EngineController::flushProgress);
}

EngineController::~EngineController() {
    for (auto& [id, ctx] : contexts_) ctx->cancel();
    thread_->quit();
    thread_->wait();
}

void EngineController::post(std::function<void()> gui_work) {
    QMetaObject::invokeMethod(this, std::move(gui_work), Qt::QueuedConnection);
}

int EngineController::enqueue(const QString& kind, const QString& title, Work work) {
    const int id = next_id_++;
    JobInfo info;
    info.id = id;
    info.kind = kind;
    info.title = title;
    jobs_.insert(id, info);
    auto ctx = std::make_shared<JobContext>([this, id](const Progress& p) {
        {
            std::lock_guard lock(pending_mutex_);
            pending_[id] = p;
        }
        if (!flush_posted_.exchange(true))
            post([this] {
                if (!coalesce_timer_.isActive()) coalesce_timer_.start();
            });
    });
    contexts_[id] = ctx;
    Q_EMIT jobAdded(info);

    QMetaObject::invokeMethod(
        worker_,
        [this, id, ctx, work = std::move(work)] {
            if (ctx->cancelled()) return post([this, id] { finish(id, JobState::Cancelled); });
            post([this, id] {
                if (jobs_[id].state != JobState::Queued) return;
                jobs_[id].state = JobState::Running;
                Q_EMIT jobChanged(jobs_[id]);
            });
            try {
                work(*ctx);
                post([this, id] { finish(id, JobState::Done); });
            } catch (const Cancelled&) {
                post([this, id] { finish(id, JobState::Cancelled); });
            } catch (const std::exception& e) {
                const QString message = QString::fromStdString(e.what());
                post([this, id, message] { finish(id, JobState::Failed, message); });
            }
        },
        Qt::QueuedConnection);
    return id;
}

void EngineController::finish(int id, JobState state, const QString& error) {
    JobInfo& info = jobs_[id];
    if (isFinished(info.state)) return;  // a queued job cancelled by the user is already final
    flushProgress();                     // the last report before the final state, never after it
    info.state = state;
    info.error = error;
    if (state == JobState::Done && info.total > 0) info.done = info.total;
    info.eta_s = -1;
    contexts_.erase(id);
    Q_EMIT jobChanged(info);
    if (!busy()) Q_EMIT idle();
}

void EngineController::flushProgress() {
    flush_posted_.store(false);
    std::map<int, Progress> reports;
    {
        std::lock_guard lock(pending_mutex_);
        reports.swap(pending_);
    }
    for (const auto& [id, p] : reports) {
        auto it = jobs_.find(id);
        if (it == jobs_.end() || isFinished(it->state)) continue;
        it->stage = QString::fromStdString(p.stage);
        it->done = p.done;
        it->total = p.total;
        it->eta_s = p.eta_s;
        Q_EMIT jobChanged(*it);
    }
}

int EngineController::openStudy(const QString& path) {
    return enqueueOpen(path, [path] { return loadStudy(path.toStdString()); });
}

int EngineController::openSpec(const StudySpec& spec) {
    return enqueueOpen(QString::fromStdString(spec.study_path), [spec] { return spec; });
}

int EngineController::enqueueOpen(const QString& path, std::function<StudySpec()> load) {
    const QString file = path.isEmpty() ? tr("unsaved study") : QFileInfo(path).fileName();
    return enqueue("open", tr("Open %1").arg(file), [this, path, load = std::move(load)](JobContext& job) {
        engine_->objective.reset();  // a failed open must not leave the previous study in use
        try {
            job.stage("loading model and data", 0);
            const StudySpec spec = load();
            post([this, spec] { Q_EMIT specLoaded(spec); });
            auto objective = std::make_unique<Objective>(Objective::open(spec));
            const Evaluation eval = objective->evaluate(&job);
            const StudySummary summary = summarise(path, *objective, eval);
            engine_->objective = std::move(objective);
            post([this, summary] { Q_EMIT studyOpened(summary); });
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            const QString message = QString::fromStdString(e.what());
            post([this, path, message] { Q_EMIT studyFailed(path, message); });
            throw;
        }
    });
}

int EngineController::runSpectrum() {
    const SpectrumOptions options = options_;
    return enqueue("spectrum", tr("Hessian spectrum"), [this, options](JobContext& job) {
        if (!engine_->objective) throw Error("No study is open: open a study first (File > Open study...)");
        Objective& objective = *engine_->objective;
        const SpectrumOptions seeded = withSeed(options, objective.spec().seed);
        auto result = std::make_shared<const SpectrumResult>(computeSpectrum(objective, seeded, &job));
        const widgets::SpectrumPlotData data = toPlotData(*result, objective.spec().name);
        post([this, result, data] {
            last_spectrum_ = result;
            Q_EMIT spectrumReady(data);
        });
    });
}

int EngineController::runSurface() {
    const SurfaceJobOptions options = surface_options_;
    return enqueue("surface", tr("Loss surface"), [this, options](JobContext& job) {
        if (!engine_->objective) throw Error("No study is open: open a study first (File > Open study...)");
        Objective& objective = *engine_->objective;
        const std::string title = objective.spec().name;
        computeSurfaceJob(objective, options, &job, [this, title](const SurfaceGrid& g) {
            auto copy = std::make_shared<const SurfaceGrid>(g);
            const widgets::SurfacePlotData data = toPlotData(*copy, title);
            post([this, copy, data] {
                last_surface_ = copy;
                Q_EMIT surfaceUpdated(data);
            });
        });
    });
}

int EngineController::runSensitivity() {
    const std::optional<SensitivityOptions> given = sensitivity_options_;
    return enqueue("sensitivity", tr("Layer sensitivity"), [this, given](JobContext& job) {
        if (!engine_->objective) throw Error("No study is open: open a study first (File > Open study...)");
        Objective& objective = *engine_->objective;
        SensitivityOptions options = given ? *given : defaultSensitivityOptions(0, objective.parameterCount());
        options.seed = objective.spec().seed;
        auto result = std::make_shared<const SensitivityResult>(computeSensitivity(objective, options, &job));
        const widgets::LayerPlotData data = toPlotData(*result, objective.spec().name);
        post([this, result, options, data] {
            last_sensitivity_ = result;
            last_sensitivity_options_ = options;
            Q_EMIT sensitivityReady(data);
        });
    });
}

int EngineController::runCompare(const QStringList& checkpoints, int path_points, bool same_directions) {
    std::vector<std::string> ckpts;
    for (const QString& c : checkpoints) ckpts.push_back(c.toStdString());
    const SurfaceJobOptions surface = surface_options_;
    const std::optional<SpectrumOptions> given = compare_options_;
    last_compare_rows_.clear();
    last_compare_path_.reset();
    Q_EMIT compareStarted(checkpoints);
    const QString title = tr("Compare %n checkpoint(s)", nullptr, int(ckpts.size()));
    return enqueue("compare", title, [this, ckpts, surface, path_points, given, same_directions](JobContext& job) {
        if (!engine_->objective) throw Error("No study is open: open a study first (File > Open study...)");
        if (ckpts.size() < 2 || ckpts.size() > 4) throw Error("Compare needs 2 to 4 checkpoints");
        const StudySpec spec = engine_->objective->spec();
        const SpectrumOptions options = given ? withSeed(*given, spec.seed) : compareSpectrumOptions(spec.seed);
        const std::string row_what = spectrumJson(SpectrumResult{}, options);
        int computed = 0;
        std::vector<widgets::SpectrumPlotData> spectra;
        std::vector<std::string> rows;
        const std::string surface_what = surfaceOptionsText(surface) + (same_directions ? " same as " + ckpts[0] : "");
        std::optional<SurfacePlan> shared;  // planned at the first checkpoint, when asked for
        for (std::size_t i = 0; i < ckpts.size(); ++i) {
            StudySpec one = spec;
            one.model = ckpts[i];
            const std::string row_key = checkpointKey(spec, ckpts[i], row_what);
            const std::string surface_key = checkpointKey(spec, ckpts[i], surface_what);
            const bool reused = engine_->compare_rows.count(row_key) && engine_->compare_surfaces.count(surface_key);
            if (!engine_->compare_rows.count(row_key))
                engine_->compare_rows[row_key] = checkpointRowJson(compareCheckpoints(spec, {ckpts[i]}, options, &job).front());
            rows.push_back(engine_->compare_rows[row_key]);
            spectra.push_back(rowToSpectrum(rows.back()));
            post([this, spectra, rows] {
                last_compare_rows_ = rows;
                Q_EMIT compareSpectraReady(spectra);
                Q_EMIT compareTableReady(rows);
            });
            if (!engine_->compare_surfaces.count(surface_key)) {
                // Random directions from the study's seed, normalised at this checkpoint's weights
                // (or, asked for, those of the first checkpoint, literally the same vectors).
                Objective objective = Objective::open(one);
                if (same_directions && !shared) {
                    StudySpec first = spec;
                    first.model = ckpts[0];
                    Objective reference = Objective::open(first);
                    shared = planSurfaceJob(reference, surface, &job);
                }
                engine_->compare_surfaces[surface_key] =
                    computeSurfaceJob(objective, surface, &job, {}, shared ? &*shared : nullptr);
            }
            const std::string name = QFileInfo(QString::fromStdString(ckpts[i])).fileName().toStdString();
            const widgets::SurfacePlotData data = toPlotData(engine_->compare_surfaces[surface_key], name);
            post([this, i, data] { Q_EMIT compareSurfaceReady(int(i), data); });
            if (!reused) ++computed;
        }
        post([this, computed] { compare_computed_ = computed; });
        if (path_points >= 2) {
            EigenOptions eigen = options.eigen;
            eigen.max_hvp = 100;
            auto result = std::make_shared<const PathResult>(
                interpolationPath(spec, ckpts.front(), ckpts.back(), path_points, eigen, &job));
            const widgets::PathPlotData path = toPlotData(*result);
            post([this, result, path] {
                last_compare_path_ = result;
                Q_EMIT comparePathReady(path);
            });
        }
    });
}

void EngineController::setCompareOptions(const SpectrumOptions& options) { compare_options_ = options; }

int EngineController::compareComputed() const { return compare_computed_; }
std::vector<std::string> EngineController::lastCompareRows() const { return last_compare_rows_; }
std::shared_ptr<const PathResult> EngineController::lastComparePath() const { return last_compare_path_; }

void EngineController::cancel(int id) {
    auto it = contexts_.find(id);
    if (it == contexts_.end()) return;
    it->second->cancel();
    JobInfo& info = jobs_[id];
    if (info.state == JobState::Queued) return finish(id, JobState::Cancelled);
    if (info.state == JobState::Running) {
        info.state = JobState::Cancelling;
        Q_EMIT jobChanged(info);
    }
}

void EngineController::cancelAll() {
    const auto ids = jobs_.keys();
    for (int id : ids) cancel(id);
}

void EngineController::setSpectrumOptions(const SpectrumOptions& options) { options_ = options; }
SpectrumOptions EngineController::spectrumOptions() const { return options_; }
void EngineController::setSurfaceOptions(const SurfaceJobOptions& options) { surface_options_ = options; }
SurfaceJobOptions EngineController::surfaceOptions() const { return surface_options_; }
void EngineController::setSensitivityOptions(const SensitivityOptions& options) { sensitivity_options_ = options; }
std::shared_ptr<const SurfaceGrid> EngineController::lastSurface() const { return last_surface_; }
std::shared_ptr<const SensitivityResult> EngineController::lastSensitivity() const { return last_sensitivity_; }
SensitivityOptions EngineController::lastSensitivityOptions() const { return last_sensitivity_options_; }
JobInfo EngineController::job(int id) const { return jobs_.value(id); }
QList<JobInfo> EngineController::jobs() const { return jobs_.values(); }
std::shared_ptr<const SpectrumResult> EngineController::lastSpectrum() const { return last_spectrum_; }

bool EngineController::busy() const {
    for (const JobInfo& j : jobs_)
        if (!isFinished(j.state)) return true;
    return false;
}

}  // namespace basin::gui
