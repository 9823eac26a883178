#include "engine_controller.h"

#include <QFileInfo>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "basin/error.h"
#include "basin/objective.h"
#include "basin/options.h"
#include "basin/results_store.h"
#include "basin/study.h"
#include "basin/surface_job.h"
#include "window_options.h"

namespace basin::gui {

struct EngineController::EngineState {
    std::unique_ptr<Objective> objective;
    StudySpec spec;
    int generation = 0;  // the open request the objective answers
    // What was computed for an unsaved (or read-only) study, by result key: compare does not
    // compute a checkpoint twice in a session even when nothing can be stored.
    std::map<std::string, CheckpointRow> rows;
    std::map<std::string, std::shared_ptr<const SurfaceGrid>> surfaces;
    // Planes already planned for probes, by their directions' options: a probe on an eigenvector
    // plane does not run Lanczos again for its directions.
    std::map<std::string, SurfacePlan> planes;
};

namespace {

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
    for (const InputSummary& in : data.inputs) {
        QStringList dims;
        for (int64_t n : in.shape) dims << QString::number(n);
        s.inputs << QString("%1: %2 %3")
                        .arg(in.name.empty() ? QStringLiteral("inputs") : QString::fromStdString(in.name),
                             dims.isEmpty() ? QStringLiteral("scalar") : dims.join('x'),
                             QString::fromStdString(in.dtype));
    }
    for (const ParameterGroup& g : objective.groups()) s.groups << QString::fromStdString(g.name);
    s.samples = data.samples;
    s.available = data.available;
    s.batch = spec.batch_size;
    s.parameters = objective.parameterCount();
    s.classes = data.classes;
    s.loss_value = eval.loss;
    s.accuracy = eval.accuracy;
    return s;
}

// The worker's current objective, refusing a job that was asked for a study that did not open.
Objective& current(const std::unique_ptr<Objective>& objective, int generation, int wanted) {
    if (!objective) throw Error("No study is open: open a study first (File > Open study...)");
    if (generation != wanted) throw Error("not run: the study it was asked for did not open");
    return *objective;
}

template <class T>
T seeded(T options, uint64_t seed) {
    options.seed = seed;
    return options;
}

QString qs(const std::string& s) { return QString::fromStdString(s); }

// A stored result of the same options whose inputs differ is stale only when it is of the same
// model and data files (their bytes changed): shown, marked, until recomputed. One of another
// model (Apply with another model file) is that model's result, never shown for this one.
bool ofTheSameFiles(const StoredResult& r, const StudySpec& spec) {
    const nlohmann::json j = nlohmann::json::parse(r.result, nullptr, false);
    if (j.is_discarded() || !j.contains("provenance") || !j["provenance"].is_object()) return false;
    const nlohmann::json& p = j["provenance"];
    auto same = [](const std::string& stored, const std::string& now) {
        return stored.empty() || now.empty() ||
               QFileInfo(qs(stored)).absoluteFilePath() == QFileInfo(qs(now)).absoluteFilePath();
    };
    return same(p.value("model", ""), spec.model) && same(p.value("inputs", ""), spec.data.inputs) &&
           same(p.value("targets", ""), spec.data.targets);
}

// What a run shows without computing: the result stored for these inputs, else (when asked to
// show stale ones) one stored for other bytes of the same files; null: compute.
const StoredResult* reusable(const ResultLookup& found, EngineController::Stale stale, const StudySpec& spec) {
    if (found.stored) return &*found.stored;
    if (stale == EngineController::Stale::Show && found.stale && ofTheSameFiles(*found.stale, spec))
        return &*found.stale;
    return nullptr;
}

// The compare job's progress as one count over the whole comparison: its parts are each
// checkpoint's row and surface and the path. The engine's calls report to `inner`; the job's bar
// gets a stage per part, named by its checkpoint and the engine's own stage, with the parts
// done so far of all of them. Cancelling the job stops the engine at its next step.
class WholeJob {
public:
    WholeJob(JobContext& outer, int parts)
        : outer_(outer), parts_(parts), inner_([this](const Progress& p) { report(p); }) {}

    JobContext* inner() { return &inner_; }
    /// The part about to run, e.g. "ckpt_3.pt (2 of 3) spectrum".
    void begin(const std::string& name) {
        name_ = name;
        outer_.stage(name_, parts_);
        outer_.step(done_);
    }
    /// The part just begun is finished (computed or found stored).
    void finish() { outer_.step(++done_); }

private:
    void report(const Progress& p) {
        std::string detail = name_ + ": " + p.stage;
        if (p.total > 0) detail += " " + std::to_string(p.done) + "/" + std::to_string(p.total);
        outer_.stage(detail, parts_);  // throws Cancelled when the job was cancelled
        outer_.step(done_);
    }

    JobContext& outer_;
    int parts_, done_ = 0;
    std::string name_;
    JobContext inner_;
};

std::string fileName(const std::string& path) {
    return QFileInfo(QString::fromStdString(path)).fileName().toStdString();
}

}  // namespace

EngineController::EngineController(QObject* parent)
    : QObject(parent),
      queue_(new JobQueue(true, this)),
      results_(new ResultsModel(this)),
      engine_(std::make_unique<EngineState>()) {
    connect(queue_, &JobQueue::jobAdded, this, &EngineController::jobAdded);
    connect(queue_, &JobQueue::jobChanged, this, &EngineController::jobChanged);
    // An open that failed or was cancelled (even before it ran): jobs asked for from now on go to
    // the study still open; those asked for the one that did not open are refused in their turn.
    connect(queue_, &JobQueue::jobChanged, this, [this](const JobInfo& job) {
        if (job.kind != JobKind::Open || !isFinished(job.state)) return;
        const auto it = open_generations_.find(job.id);
        if (it == open_generations_.end()) return;
        if (job.state != JobState::Done && requested_generation_ == it->second)
            requested_generation_ = opened_generation_;
        open_generations_.erase(it);
    });
    connect(queue_, &JobQueue::idle, this, &EngineController::idle);
    // A probe that was cancelled or failed is no longer marked as coming.
    connect(queue_, &JobQueue::jobChanged, this, [this](const JobInfo& job) {
        if (job.kind == JobKind::Probe && (job.state == JobState::Cancelled || job.state == JobState::Failed))
            results_->removeProbeOfJob(job.id);
    });
}

EngineController::~EngineController() {
    // The queue (a child) stops its worker first, so no job touches engine_ after this.
    delete queue_;
    queue_ = nullptr;
}

int EngineController::openStudy(const QString& path) {
    return enqueueOpen(path, [path] { return loadStudy(path.toStdString()); });
}

int EngineController::openSpec(const StudySpec& spec) {
    return enqueueOpen(qs(spec.study_path), [spec] { return spec; });
}

struct EngineController::ShownOnOpen {
    std::optional<SurfaceJobOptions> surface;
    std::optional<CurvatureMapOptions> map;
    std::optional<ProbeOptions> probe;
};

void EngineController::showStored(const ShownOnOpen& asked) {
    const StudySpec& spec = engine_->spec;
    if (spec.study_path.empty()) return;
    CurvatureMapOptions map = asked.map ? *asked.map : windowCurvatureMapOptions(spec);
    map.seed = map.surface.seed = spec.seed;
    const ResultLookup found = lookUpResult(spec, "curvature-map", toJson(map), referencedFiles(map, spec));
    if (const StoredResult* reuse = reusable(found, Stale::Show, spec)) {
        auto shown = std::make_shared<const SurfaceGrid>(curvatureMapFromJson(reuse->result, spec.study_path));
        const ResultState state = found.stored ? ResultState::Stored : ResultState::Stale;
        const QString saved = qs(reuse->saved);
        queue_->post([this, shown, state, saved] { results_->setCurvatureMap(shown, state, saved); });
    }
    // The probes on the plane of the surface about to be shown (as a click there makes them),
    // each shown only when this plane's options at its point give the very key it was stored under.
    ProbeOptions plane = asked.probe ? *asked.probe : windowProbeOptions(spec);
    plane.directions = asked.surface ? *asked.surface : windowSurfaceOptions(spec);
    plane.seed = plane.spectrum.seed = plane.directions.seed = spec.seed;
    const std::string& inputs_key = found.keys.inputs_key;  // the study's model and data, hashed once
    for (const StoredResult& r : storedResults(spec.study_path)) {
        if (r.analysis != "probe" || r.inputs_key != inputs_key) continue;
        auto probe = std::make_shared<const ProbeResult>(probeFromJson(r.result, spec.study_path));
        ProbeOptions at = plane;
        at.x = probe->x;
        at.y = at.directions.isLine() ? 0.0 : probe->y;
        if (resultKey(inputs_key, optionsKey("probe", toJson(at), referencedFiles(at, spec))) != r.key) continue;
        const QString saved = qs(r.saved);
        queue_->post([this, probe, saved] { results_->setProbe(++probe_tickets_, probe, ResultState::Stored, saved); });
    }
}

int EngineController::enqueueOpen(const QString& path, std::function<StudySpec()> load) {
    const QString file = path.isEmpty() ? tr("unsaved study") : QFileInfo(path).fileName();
    const int generation = ++requested_generation_;
    const ShownOnOpen asked{surface_options_, curvature_map_options_, probe_options_};
    const int id =
        queue_->enqueue(JobKind::Open, tr("Open %1").arg(file),
                        [this, path, generation, asked, load = std::move(load)](JobContext& job) {
                            try {
                                job.stage("loading model and data", 0);
                                const StudySpec spec = load();
                                queue_->post([this, spec] { Q_EMIT specLoaded(spec); });
                                auto objective = std::make_unique<Objective>(Objective::open(spec));
                                const Evaluation eval = objective->evaluate(&job);
                                const StudySummary summary = summarise(path, *objective, eval);
                                // Only now is the previous study replaced: a study that fails to open leaves it open.
                                engine_->objective = std::move(objective);
                                engine_->spec = spec;
                                engine_->generation = generation;
                                engine_->rows.clear();
                                engine_->surfaces.clear();
                                engine_->planes.clear();
                                queue_->post([this, spec, summary, generation] {
                                    spec_ = spec;
                                    parameters_ = summary.parameters;
                                    samples_ = summary.samples;
                                    opened_generation_ = generation;
                                    results_->reset(qs(spec.study_path));
                                    Q_EMIT studyOpened(summary);
                                });
                                try {
                                    showStored(asked);
                                } catch (const Error&) {
                                    // A stored map or probe that cannot be read is not shown; computing it again says
                                    // why.
                                }
                            } catch (const std::exception& e) {
                                const bool cancelled = dynamic_cast<const Cancelled*>(&e) != nullptr;
                                const QString message = QString::fromStdString(e.what());
                                if (!cancelled)
                                    queue_->post([this, path, message] { Q_EMIT studyFailed(path, message); });
                                throw;
                            }
                        });
    open_generations_[id] = generation;
    return id;
}

void EngineController::storeOnWorker(const StudySpec& spec, const Provenance& p, const std::string& json) {
    if (spec.study_path.empty()) return;
    try {
        storeResult(spec.study_path, p, json);
    } catch (const Error& e) {
        const QString why = QString::fromStdString(e.what());
        queue_->post([this, why] { results_->reportNotSaved(why); });
    }
}

int EngineController::runSpectrum(Stale stale) {
    const auto given = spectrum_options_;
    const int wanted = requested_generation_;
    return queue_->enqueue(JobKind::Spectrum, tr("Hessian spectrum"), [this, given, wanted, stale](JobContext& job) {
        Objective& objective = current(engine_->objective, engine_->generation, wanted);
        const StudySpec& spec = engine_->spec;
        const SpectrumOptions options = given ? seeded(*given, spec.seed) : windowSpectrumOptions(spec);
        const ResultLookup found = lookUpResult(spec, "spectrum", toJson(options));
        const StoredResult* reuse = reusable(found, stale, spec);
        if (reuse) {
            auto result = std::make_shared<const SpectrumResult>(spectrumFromJson(reuse->result, spec.study_path));
            const ResultState state = found.stored ? ResultState::Stored : ResultState::Stale;
            const QString saved = qs(reuse->saved);
            return queue_->post([this, result, state, saved] { results_->setSpectrum(result, state, saved); });
        }
        auto result = std::make_shared<const SpectrumResult>(computeSpectrum(objective, options, &job));
        products_ += result->hvp_count;
        storeOnWorker(spec, result->provenance, spectrumJson(*result));
        queue_->post([this, result] { results_->setSpectrum(result, ResultState::Computed); });
    });
}

int EngineController::runSurface(Stale stale) {
    const auto given = surface_options_;
    const int wanted = requested_generation_;
    return queue_->enqueue(JobKind::Surface, tr("Loss surface"), [this, given, wanted, stale](JobContext& job) {
        Objective& objective = current(engine_->objective, engine_->generation, wanted);
        const StudySpec& spec = engine_->spec;
        const SurfaceJobOptions options = given ? seeded(*given, spec.seed) : windowSurfaceOptions(spec);
        const ResultLookup found = lookUpResult(spec, "surface", toJson(options), referencedFiles(options, spec));
        const StoredResult* reuse = reusable(found, stale, spec);
        if (reuse) {
            auto grid = std::make_shared<const SurfaceGrid>(surfaceFromJson(reuse->result, spec.study_path));
            const ResultState state = found.stored ? ResultState::Stored : ResultState::Stale;
            const QString saved = qs(reuse->saved);
            return queue_->post([this, grid, state, saved] { results_->setSurface(grid, state, saved); });
        }
        int64_t last = 0;
        const SurfaceGrid grid = computeSurfaceJob(objective, options, &job, [this, &last](const SurfaceGrid& g) {
            points_ += g.computed() - last;
            last = g.computed();
            auto copy = std::make_shared<const SurfaceGrid>(g);
            queue_->post([this, copy] {
                results_->setSurface(copy, copy->complete() ? ResultState::Computed : ResultState::Partial);
            });
        });
        storeOnWorker(spec, grid.provenance, surfaceJson(grid));
        auto done = std::make_shared<const SurfaceGrid>(grid);
        queue_->post([this, done] { results_->setSurface(done, ResultState::Computed); });
    });
}

int EngineController::runSensitivity(Stale stale) {
    const auto given = sensitivity_options_;
    const int wanted = requested_generation_;
    return queue_->enqueue(
        JobKind::Sensitivity, tr("Layer sensitivity"), [this, given, wanted, stale](JobContext& job) {
            Objective& objective = current(engine_->objective, engine_->generation, wanted);
            const StudySpec& spec = engine_->spec;
            const SensitivityOptions options =
                given ? seeded(*given, spec.seed) : windowSensitivityOptions(spec, objective.parameterCount());
            const ResultLookup found = lookUpResult(spec, "sensitivity", toJson(options));
            const StoredResult* reuse = reusable(found, stale, spec);
            if (reuse) {
                auto result =
                    std::make_shared<const SensitivityResult>(sensitivityFromJson(reuse->result, spec.study_path));
                const ResultState state = found.stored ? ResultState::Stored : ResultState::Stale;
                const QString saved = qs(reuse->saved);
                return queue_->post([this, result, state, saved] { results_->setSensitivity(result, state, saved); });
            }
            auto result = std::make_shared<const SensitivityResult>(computeSensitivity(objective, options, &job));
            products_ += result->hvp_count;
            storeOnWorker(spec, result->provenance, sensitivityJson(*result));
            queue_->post([this, result] { results_->setSensitivity(result, ResultState::Computed); });
        });
}

int EngineController::runStructure(Stale stale) {
    const auto given = structure_options_;
    const int wanted = requested_generation_;
    return queue_->enqueue(
        JobKind::Structure, tr("Curvature structure"), [this, given, wanted, stale](JobContext& job) {
            Objective& objective = current(engine_->objective, engine_->generation, wanted);
            const StudySpec& spec = engine_->spec;
            const StructureOptions options = given ? seeded(*given, spec.seed) : windowStructureOptions(spec);
            validate(options);
            const ResultLookup found = lookUpResult(spec, "structure", toJson(options), referencedFiles(options));
            if (const StoredResult* reuse = reusable(found, stale, spec)) {
                auto result =
                    std::make_shared<const StructureResult>(structureFromJson(reuse->result, spec.study_path));
                const ResultState state = found.stored ? ResultState::Stored : ResultState::Stale;
                const QString saved = qs(reuse->saved);
                return queue_->post([this, result, state, saved] { results_->setStructure(result, state, saved); });
            }
            auto result = std::make_shared<const StructureResult>(computeStructure(objective, options, &job));
            products_ += result->hvp_count;
            storeOnWorker(spec, result->provenance, structureJson(*result));
            queue_->post([this, result] { results_->setStructure(result, ResultState::Computed); });
        });
}

int EngineController::runStability() {
    const auto given = stability_options_;
    const int wanted = requested_generation_;
    return queue_->enqueue(
        JobKind::Stability, tr("Stability across checkpoints"), [this, given, wanted](JobContext& job) {
            Objective& open = current(engine_->objective, engine_->generation, wanted);
            const StudySpec spec = engine_->spec;
            auto table = std::make_shared<StabilityResult>();
            table->options = given ? seeded(*given, spec.seed) : windowStabilityOptions(spec);
            validate(table->options);
            const std::vector<StabilityInput> inputs = stabilityInputs(spec, table->options);
            WholeJob whole(job, int(inputs.size()));
            bool computed = false;
            QString saved;
            for (size_t i = 0; i < inputs.size(); ++i) {
                const StabilityInput& in = inputs[i];
                whole.begin(fileName(in.checkpoint) + " (" + std::to_string(i + 1) + " of " +
                            std::to_string(inputs.size()) + ")");
                // Each row is stored on its own: its checkpoint's bytes, its optimizer file's and the options.
                const ResultLookup found =
                    lookUpResult(spec, "stability", toJson(table->options), referencedFiles(in), in.checkpoint);
                if (found.stored) {
                    table->rows.push_back(stabilityRowFromJson(found.stored->result, spec.study_path));
                    saved = qs(found.stored->saved);
                } else {
                    // The open study's model is the objective already open; another checkpoint opens its own.
                    std::optional<Objective> other;
                    if (QFileInfo(qs(in.checkpoint)).absoluteFilePath() !=
                        QFileInfo(qs(open.modelPath())).absoluteFilePath())
                        other.emplace(Objective::open(spec, in.checkpoint));
                    Objective& o = other ? *other : open;
                    table->rows.push_back(
                        computeStability(o, stabilityOptimizer(o, in, table->options), table->options, whole.inner()));
                    products_ += table->rows.back().hvp_count;
                    storeOnWorker(spec, table->rows.back().provenance, stabilityRowJson(table->rows.back()));
                    computed = true;
                }
                whole.finish();
                auto partial = std::make_shared<const StabilityResult>(*table);
                const bool last = i + 1 == inputs.size();
                const ResultState state = !last      ? ResultState::Partial
                                          : computed ? ResultState::Computed
                                                     : ResultState::Stored;
                queue_->post([this, partial, state, saved] { results_->setStability(partial, state, saved); });
            }
        });
}

int EngineController::runBatchScaling(Stale stale) {
    const auto given = batch_scaling_options_;
    const int wanted = requested_generation_;
    return queue_->enqueue(
        JobKind::BatchScaling, tr("Batch-size scaling"), [this, given, wanted, stale](JobContext& job) {
            Objective& objective = current(engine_->objective, engine_->generation, wanted);
            const StudySpec& spec = engine_->spec;
            const BatchScalingOptions options = given ? seeded(*given, spec.seed) : windowBatchScalingOptions(spec);
            validate(options);
            const std::string optimizer = batchScalingOptimizer(spec);  // Adam's columns, when Adam
            const ResultLookup found = lookUpResult(spec, "batch-scaling", toJson(options), optimizerFiles(optimizer));
            if (const StoredResult* reuse = reusable(found, stale, spec)) {
                auto result =
                    std::make_shared<const BatchScalingResult>(batchScalingFromJson(reuse->result, spec.study_path));
                const ResultState state = found.stored ? ResultState::Stored : ResultState::Stale;
                const QString saved = qs(reuse->saved);
                return queue_->post([this, result, state, saved] { results_->setBatchScaling(result, state, saved); });
            }
            auto result =
                std::make_shared<const BatchScalingResult>(computeBatchScaling(objective, options, &job, optimizer));
            products_ += result->hvp_count;
            storeOnWorker(spec, result->provenance, batchScalingJson(*result));
            queue_->post([this, result] { results_->setBatchScaling(result, ResultState::Computed); });
        });
}

int EngineController::runBatchSpectra() {
    const auto given = batch_spectra_options_;
    const int wanted = requested_generation_;
    return queue_->enqueue(JobKind::BatchSpectra, tr("Per-batch spectra"), [this, given, wanted](JobContext& job) {
        Objective& open = current(engine_->objective, engine_->generation, wanted);
        const StudySpec spec = engine_->spec;
        const BatchSpectraOptions options = given ? seeded(*given, spec.seed) : windowBatchSpectraOptions(spec);
        validate(options);
        const std::vector<std::string> models = windowBatchSpectraModels(spec);
        auto set = std::make_shared<std::vector<BatchSpectraResult>>();
        WholeJob whole(job, int(models.size()));
        bool computed = false;
        QString saved;
        for (size_t i = 0; i < models.size(); ++i) {
            const std::string& model = models[i];
            whole.begin(fileName(model) + " (" + std::to_string(i + 1) + " of " + std::to_string(models.size()) + ")");
            const bool is_open =
                QFileInfo(qs(model)).absoluteFilePath() == QFileInfo(qs(open.modelPath())).absoluteFilePath();
            // Each checkpoint's result is stored on its own, keyed by its bytes and the options.
            const ResultLookup found =
                lookUpResult(spec, "batch-spectra", toJson(options), {}, is_open ? std::string() : model);
            if (found.stored) {
                set->push_back(batchSpectraFromJson(found.stored->result, spec.study_path));
                saved = qs(found.stored->saved);
            } else {
                std::optional<Objective> other;
                if (!is_open) other.emplace(Objective::open(spec, model));
                set->push_back(computeBatchSpectra(other ? *other : open, options, whole.inner()));
                products_ += set->back().provenance.hvp_count;
                storeOnWorker(spec, set->back().provenance, batchSpectraJson(set->back()));
                computed = true;
            }
            whole.finish();
            auto partial = std::make_shared<const std::vector<BatchSpectraResult>>(*set);
            const bool last = i + 1 == models.size();
            const ResultState state = !last      ? ResultState::Partial
                                      : computed ? ResultState::Computed
                                                 : ResultState::Stored;
            queue_->post([this, partial, state, saved] { results_->setBatchSpectra(partial, state, saved); });
        }
    });
}

int EngineController::runResample(Stale stale) {
    const auto given = resample_options_;
    const int wanted = requested_generation_;
    // Opt-in and not cheap: the job says what it costs before any product is made (out of range
    // options leave that to the job, which refuses them).
    QString title = tr("Sampling uncertainty");
    try {
        const ResampleCost cost = resampleCost(resampleOptions(), samples_);
        title = tr("Sampling uncertainty: at most %1 H·v, about %2 full-sample H·v")
                    .arg(cost.max_products)
                    .arg(std::ceil(cost.full_equivalent));
    } catch (const Error&) {
    }
    return queue_->enqueue(JobKind::Resample, title, [this, given, wanted, stale](JobContext& job) {
        Objective& objective = current(engine_->objective, engine_->generation, wanted);
        const StudySpec& spec = engine_->spec;
        const ResampleOptions options = given ? seeded(*given, spec.seed) : windowResampleOptions(spec);
        validate(options);
        const ResultLookup found = lookUpResult(spec, "resample", toJson(options));
        if (const StoredResult* reuse = reusable(found, stale, spec)) {
            auto result = std::make_shared<const ResampleResult>(resampleFromJson(reuse->result, spec.study_path));
            const ResultState state = found.stored ? ResultState::Stored : ResultState::Stale;
            const QString saved = qs(reuse->saved);
            return queue_->post([this, result, state, saved] { results_->setResample(result, state, saved); });
        }
        // Asked for before the study was open, the title could not say the cost: the first stage does.
        job.stage(resampleCost(options, objective.data().samples).text, 0);
        auto result = std::make_shared<const ResampleResult>(computeResample(objective, options, &job));
        products_ += result->provenance.hvp_count;
        storeOnWorker(spec, result->provenance, resampleJson(*result));
        queue_->post([this, result] { results_->setResample(result, ResultState::Computed); });
    });
}

int EngineController::runCompare(const QStringList& checkpoints, Stale stale) {
    CompareOptions options = compare_options_ ? *compare_options_ : windowCompareOptions(spec_);
    options.checkpoints.clear();
    for (const QString& c : checkpoints) options.checkpoints.push_back(c.toStdString());
    const int wanted = requested_generation_;
    const QString title = tr("Compare %n checkpoint(s)", nullptr, int(options.checkpoints.size()));
    return queue_->enqueue(JobKind::Compare, title, [this, options, wanted, stale](JobContext& job) {
        (void)current(engine_->objective, engine_->generation, wanted);
        const StudySpec spec = engine_->spec;
        const CompareOptions o = [&] {
            CompareOptions s = seeded(options, spec.seed);
            s.spectrum.seed = s.surface.seed = spec.seed;
            return s;
        }();
        const auto& ckpts = o.checkpoints;
        if (ckpts.size() < 2 || ckpts.size() > 4) throw Error("Compare needs 2 to 4 checkpoints");
        validate(o);
        // The compare tab empties when the job starts, not when it is asked for: a study opened in
        // between (its results model emptied) must not lose the comparison's checkpoints.
        queue_->post([this, o] { results_->startCompare(o); });
        const int n = int(ckpts.size());
        WholeJob whole(job, n * (o.surfaces ? 2 : 1) + (o.path_points >= 2 ? 1 : 0));
        JobContext* part = whole.inner();
        int computed = 0;
        std::optional<SurfacePlan> shared;  // planned at the first checkpoint, when asked for
        for (std::size_t i = 0; i < ckpts.size(); ++i) {
            const std::string& c = ckpts[i];
            const std::string which = fileName(c) + " (" + std::to_string(i + 1) + " of " + std::to_string(n) + ")";
            bool computed_here = false;
            whole.begin(which + " spectrum");
            // The row: stored in the study, or computed earlier in this session, or computed now.
            const ResultLookup row_found = lookUpResult(spec, "compare-row", toJson(o.spectrum), {}, c);
            CheckpointRow row;
            if (row_found.stored) row = checkpointRowFromJson(row_found.stored->result, spec.study_path);
            else if (engine_->rows.count(row_found.keys.key)) row = engine_->rows[row_found.keys.key];
            else {
                row = checkpointRow(spec, c, o.spectrum, part);
                products_ += row.spectrum.hvp_count;
                storeOnWorker(spec, row.provenance, checkpointRowJson(row));
                computed_here = true;
            }
            engine_->rows[row_found.keys.key] = row;
            queue_->post([this, i, row] { results_->setCompareRow(int(i), row); });
            whole.finish();
            if (o.surfaces) {
                whole.begin(which + " surface");
                StudySpec one = spec;
                one.model = c;
                SurfaceJobOptions so = o.surface;
                if (o.same_directions) so.directions_model = ckpts[0];
                const ResultLookup found = lookUpResult(one, "surface", toJson(so), referencedFiles(so, one));
                std::shared_ptr<const SurfaceGrid> grid;
                if (found.stored)
                    grid = std::make_shared<const SurfaceGrid>(surfaceFromJson(found.stored->result, spec.study_path));
                else if (engine_->surfaces.count(found.keys.key)) grid = engine_->surfaces[found.keys.key];
                else {
                    Objective objective = Objective::open(one);
                    if (o.same_directions && !shared) {
                        StudySpec first = spec;
                        first.model = ckpts[0];
                        Objective reference = Objective::open(first);
                        shared = planSurfaceJob(reference, so, part);
                    }
                    SurfaceGrid g = computeSurfaceJob(objective, so, part, {}, shared ? &*shared : nullptr);
                    points_ += g.computed();
                    storeOnWorker(spec, g.provenance, surfaceJson(g));
                    grid = std::make_shared<const SurfaceGrid>(std::move(g));
                    computed_here = true;
                }
                engine_->surfaces[found.keys.key] = grid;
                queue_->post([this, i, grid] { results_->setCompareSurface(int(i), grid); });
                whole.finish();
            }
            if (computed_here) ++computed;
        }
        queue_->post([this, computed] { results_->setCompareComputed(computed); });
        if (o.path_points >= 2) {
            whole.begin("path " + fileName(ckpts.front()) + " to " + fileName(ckpts.back()));
            EigenOptions eigen = o.spectrum.eigen;
            eigen.max_hvp = o.path_max_hvp;
            eigen.seed = seedFor(spec.seed, SeedStream::Eigen);
            const std::string path_options =
                pathOptionsJson(ckpts.front(), ckpts.back(), o.path_points, eigen, o.path_bn);
            const ResultLookup found = lookUpResult(spec, "path", path_options, {ckpts.back()}, ckpts.front());
            std::shared_ptr<const PathResult> path;
            if (found.stored)
                path = std::make_shared<const PathResult>(pathFromJson(found.stored->result, spec.study_path));
            else {
                path = std::make_shared<const PathResult>(
                    interpolationPath(spec, ckpts.front(), ckpts.back(), o.path_points, eigen, part, o.path_bn));
                storeOnWorker(spec, path->provenance, pathJson(*path));
            }
            queue_->post([this, path] { results_->setComparePath(path); });
            whole.finish();
        }
        (void)stale;  // rows, surfaces and the path are keyed per checkpoint: what is not stored is computed
    });
}

int EngineController::runCurvatureMap(Stale stale) {
    const auto given = curvature_map_options_;
    const int wanted = requested_generation_;
    return queue_->enqueue(JobKind::CurvatureMap, tr("Curvature map"), [this, given, wanted, stale](JobContext& job) {
        Objective& objective = current(engine_->objective, engine_->generation, wanted);
        const StudySpec& spec = engine_->spec;
        CurvatureMapOptions options = given ? *given : windowCurvatureMapOptions(spec);
        options.seed = options.surface.seed = spec.seed;
        const ResultLookup found = lookUpResult(spec, "curvature-map", toJson(options), referencedFiles(options, spec));
        if (const StoredResult* reuse = reusable(found, stale, spec)) {
            auto map = std::make_shared<const SurfaceGrid>(curvatureMapFromJson(reuse->result, spec.study_path));
            const ResultState state = found.stored ? ResultState::Stored : ResultState::Stale;
            const QString saved = qs(reuse->saved);
            return queue_->post([this, map, state, saved] { results_->setCurvatureMap(map, state, saved); });
        }
        int64_t last = 0;
        const SurfaceGrid map = computeCurvatureMap(objective, options, &job, [this, &last](const SurfaceGrid& g) {
            points_ += g.computed() - last;
            last = g.computed();
            auto copy = std::make_shared<const SurfaceGrid>(g);
            queue_->post([this, copy] {
                results_->setCurvatureMap(copy, copy->complete() ? ResultState::Computed : ResultState::Partial);
            });
        });
        products_ += map.provenance.hvp_count;
        storeOnWorker(spec, map.provenance, curvatureMapJson(map));
        auto done = std::make_shared<const SurfaceGrid>(map);
        queue_->post([this, done] { results_->setCurvatureMap(done, ResultState::Computed); });
    });
}

int EngineController::runProbe(double x, double y) {
    const auto given = probe_options_;
    const int wanted = requested_generation_;
    const QString title = tr("Probe at (%1, %2)").arg(x, 0, 'g', 4).arg(y, 0, 'g', 4);
    const int self = ++probe_tickets_;  // the model's name for this probe, known before the job runs
    const int id = queue_->enqueue(JobKind::Probe, title, [this, given, wanted, x, y, self](JobContext& job) {
        Objective& objective = current(engine_->objective, engine_->generation, wanted);
        const StudySpec& spec = engine_->spec;
        ProbeOptions options = given ? *given : windowProbeOptions(spec);
        options.seed = options.spectrum.seed = options.directions.seed = spec.seed;
        options.x = x;
        options.y = options.directions.isLine() ? 0.0 : y;
        const ResultLookup found = lookUpResult(spec, "probe", toJson(options), referencedFiles(options, spec));
        if (found.stored) {
            auto probe = std::make_shared<const ProbeResult>(probeFromJson(found.stored->result, spec.study_path));
            const QString saved = qs(found.stored->saved);
            return queue_->post(
                [this, self, probe, saved] { results_->setProbe(self, probe, ResultState::Stored, saved); });
        }
        // The plane's key is its options with the point left out (toJson of a probe at (0, 0)).
        ProbeOptions plane = options;
        plane.x = plane.y = 0;
        const std::string plane_key = toJson(plane);
        auto it = engine_->planes.find(plane_key);
        if (it == engine_->planes.end()) {
            SurfaceJobOptions d = options.directions;
            d.range.reset();
            it = engine_->planes.emplace(plane_key, planSurfaceJob(objective, d, &job)).first;
        }
        auto probe = std::make_shared<const ProbeResult>(computeProbe(objective, options, &job, &it->second));
        products_ += probe->provenance.hvp_count;
        storeOnWorker(spec, probe->provenance, probeJson(*probe));
        queue_->post([this, self, probe] { results_->setProbe(self, probe, ResultState::Computed); });
    });
    results_->addProbe(self, id, x, y);
    return id;
}

void EngineController::cancel(int id) { queue_->cancel(id); }
void EngineController::cancelAll() { queue_->cancelAll(); }

void EngineController::setSpectrumOptions(const SpectrumOptions& o) { spectrum_options_ = o; }
void EngineController::setSurfaceOptions(const SurfaceJobOptions& o) { surface_options_ = o; }
void EngineController::setSensitivityOptions(const SensitivityOptions& o) { sensitivity_options_ = o; }
void EngineController::setCompareOptions(const CompareOptions& o) { compare_options_ = o; }
void EngineController::setCurvatureMapOptions(const CurvatureMapOptions& o) { curvature_map_options_ = o; }
void EngineController::setProbeOptions(const ProbeOptions& o) { probe_options_ = o; }
void EngineController::setStructureOptions(const StructureOptions& o) { structure_options_ = o; }
void EngineController::setStabilityOptions(const StabilityOptions& o) { stability_options_ = o; }
void EngineController::setBatchScalingOptions(const BatchScalingOptions& o) { batch_scaling_options_ = o; }
void EngineController::setBatchSpectraOptions(const BatchSpectraOptions& o) { batch_spectra_options_ = o; }
void EngineController::setResampleOptions(const ResampleOptions& o) { resample_options_ = o; }

SpectrumOptions EngineController::spectrumOptions() const {
    return spectrum_options_ ? seeded(*spectrum_options_, spec_.seed) : windowSpectrumOptions(spec_);
}
SurfaceJobOptions EngineController::surfaceOptions() const {
    return surface_options_ ? seeded(*surface_options_, spec_.seed) : windowSurfaceOptions(spec_);
}
SensitivityOptions EngineController::sensitivityOptions() const {
    // The window's budget is a quarter of the float32 size, so it needs the open model's size.
    return sensitivity_options_ ? seeded(*sensitivity_options_, spec_.seed)
                                : windowSensitivityOptions(spec_, parameters_);
}
StructureOptions EngineController::structureOptions() const {
    return structure_options_ ? seeded(*structure_options_, spec_.seed) : windowStructureOptions(spec_);
}
StabilityOptions EngineController::stabilityOptions() const {
    return stability_options_ ? seeded(*stability_options_, spec_.seed) : windowStabilityOptions(spec_);
}
BatchScalingOptions EngineController::batchScalingOptions() const {
    return batch_scaling_options_ ? seeded(*batch_scaling_options_, spec_.seed) : windowBatchScalingOptions(spec_);
}
BatchSpectraOptions EngineController::batchSpectraOptions() const {
    return batch_spectra_options_ ? seeded(*batch_spectra_options_, spec_.seed) : windowBatchSpectraOptions(spec_);
}
ResampleOptions EngineController::resampleOptions() const {
    return resample_options_ ? seeded(*resample_options_, spec_.seed) : windowResampleOptions(spec_);
}
CompareOptions EngineController::compareOptions() const {
    return compare_options_ ? seeded(*compare_options_, spec_.seed) : windowCompareOptions(spec_);
}
CurvatureMapOptions EngineController::curvatureMapOptions() const {
    CurvatureMapOptions o = curvature_map_options_ ? *curvature_map_options_ : windowCurvatureMapOptions(spec_);
    o.seed = o.surface.seed = spec_.seed;
    return o;
}
ProbeOptions EngineController::probeOptions() const {
    ProbeOptions o = probe_options_ ? *probe_options_ : windowProbeOptions(spec_);
    o.seed = o.spectrum.seed = o.directions.seed = spec_.seed;
    return o;
}

}  // namespace basin::gui
