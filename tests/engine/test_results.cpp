// One home for options, keys and stored results: every option changes the key, values out of range
// are refused in words naming them, results round-trip through JSON with what made them, the study
// file is written by one careful writer (locked, merged, atomic, permissions kept), a resume checks
// what it resumes, and non-finite numbers stop an analysis.
#include <QtTest/QtTest>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "basin/analysis_defaults.h"
#include "basin/atomic_file.h"
#include "basin/compare.h"
#include "basin/curvature.h"
#include "basin/curvature_map.h"
#include "basin/error.h"
#include "basin/options.h"
#include "basin/probe.h"
#include "basin/results_store.h"
#include "basin/sampling.h"
#include "basin/sensitivity.h"
#include "basin/stability.h"
#include "basin/structure.h"
#include "basin/surface_job.h"
#include "fixtures.h"

using namespace basin;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// For each options struct: a different, valid value for every key of its JSON.
using Table = std::map<std::string, json>;

const Table kSpectrum = {{"top", 7},
                         {"which", "both"},
                         {"method", "power"},
                         {"tol", 1e-4},
                         {"max_hvp", 300},
                         {"trace", "hutchpp"},
                         {"trace_probes", 30},
                         {"density", true},
                         {"density_probes", 5},
                         {"density_steps", 25},
                         {"density_sigma", 0.01},
                         {"density_grid", 300},
                         {"exact", true},
                         {"exact_max", 1000},
                         {"seed", 5}};
const Table kSurface = {{"dirs", "eigen"},
                        {"norm", "layer"},
                        {"ignore", "none"},
                        {"orthogonal", true},
                        {"checkpoints", {"a.pt"}},
                        {"grid", {31, 11}},
                        {"range", {-2, 2, -1, 1}},
                        {"bn", "recompute"},
                        {"seed", 3},
                        {"directions_model", "x.pt"},
                        {"group", "fc1"}};
const Table kCurvatureMap = {
    {"surface", {{"grid", {9, 7}}}}, {"ends", "largest"}, {"tol", 1e-6}, {"max_hvp", 40}, {"trace_probes", 16},
    {"warm_start", false},           {"seed", 6}};
const Table kProbe = {
    {"spectrum", {{"top", 2}}}, {"directions", {{"dirs", "eigen"}}}, {"at", {0.5, -0.25}}, {"seed", 8}};
const Table kBatchSpectra = {{"batch_size", 16}, {"batches", 4},  {"top", 3},   {"which", "both"},
                             {"tol", 1e-6},      {"max_hvp", 50}, {"bins", 30}, {"seed", 2}};
const Table kResample = {{"resamples", 10}, {"subsample", 64}, {"lambda_max", false}, {"trace", false}, {"tol", 1e-6},
                         {"max_hvp", 50},   {"probes", 8},     {"target", 0.1},       {"seed", 3}};
const Table kSensitivity = {{"probes", 8},      {"bits", {4, 8}}, {"eig_tol", 1e-2},    {"eig_max_hvp", 50},
                            {"budget", 1000.0}, {"seed", 2},      {"merge", {"fc1+bn"}}};
const Table kStructure = {{"diag", false},
                          {"localisation", false},
                          {"classes", true},
                          {"blocks", false},
                          {"align_data", "b.pt"},
                          {"align_targets", "t.npy"},
                          {"align_group", "fc"},
                          {"probes", 16},
                          {"exact", true},
                          {"exact_max", 100},
                          {"heads", 4},
                          {"prune_level", "weight"},
                          {"prune", {3, 7}},
                          {"table", 5},
                          {"keep_diagonal", true},
                          {"top", 3},
                          {"tol", 1e-5},
                          {"max_hvp", 50},
                          {"class_top", 12},
                          {"density_probes", 3},
                          {"density_steps", 9},
                          {"align_probes", 5},
                          {"merge", {"fc1+bn"}},
                          {"seed", 6}};
const Table kCompare = {{"checkpoints", {"a.pt", "b.pt"}},
                        {"spectrum", {{"top", 2}}},
                        {"surfaces", true},
                        {"surface", {{"grid", {5, 5}}}},
                        {"same_directions", true},
                        {"path_points", 5},
                        {"path_max_hvp", 10},
                        {"path_bn", "recompute"},
                        {"seed", 4}};

const Table kStability = {{"tol", 1e-6}, {"max_hvp", 50}, {"lr", 0.05}, {"momentum", 0.9}, {"seed", 7}};
const Table kBatchScaling = {{"sizes", {8, 32}}, {"batches", 3}, {"tol", 1e-6}, {"max_hvp", 60}, {"seed", 9}};

template <class Options>
void everyFieldChangesTheKey(const char* analysis, const Table& table, const std::string& base,
                             Options (*fromJson)(const std::string&, const std::string&)) {
    const json j = json::parse(base);
    std::set<std::string> keys, covered;
    for (auto it = j.begin(); it != j.end(); ++it) keys.insert(it.key());
    for (const auto& [k, v] : table) covered.insert(k);
    // A field added to the options without a row here fails: its effect on the key is untested.
    QCOMPARE(covered, keys);
    const std::string key0 = optionsKey(analysis, base);
    for (const auto& [k, alt] : table) {
        json changed = j;
        changed[k] = alt;
        const Options o = fromJson(changed.dump(), "test");
        const std::string text = toJson(o);
        QVERIFY2(json::parse(text)[k] != j[k], qPrintable(QString::fromStdString(std::string(analysis) + "." + k)));
        QVERIFY2(optionsKey(analysis, text) != key0,
                 qPrintable(QString::fromStdString(std::string(analysis) + "." + k)));
    }
}

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

StudySpec mlpSpec() { return fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy); }

SpectrumOptions smallSpectrum(uint64_t seed = 0) {
    SpectrumOptions o;
    o.eigen.top_k = 3;
    o.eigen.which = Which::Both;
    o.eigen.tol = 1e-8;
    o.trace = true;
    o.trace_options.probes = 8;
    o.density = true;
    o.density_options.probes = 2;
    o.density_options.steps = 12;
    o.seed = seed;
    return o;
}

}  // namespace

class TestResults : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyOptionFieldChangesTheResultKey() {
        everyFieldChangesTheKey<SpectrumOptions>("spectrum", kSpectrum, toJson(SpectrumOptions{}),
                                                 spectrumOptionsFromJson);
        everyFieldChangesTheKey<SurfaceJobOptions>("surface", kSurface, toJson(SurfaceJobOptions{}),
                                                   surfaceOptionsFromJson);
        everyFieldChangesTheKey<SensitivityOptions>("sensitivity", kSensitivity, toJson(SensitivityOptions{}),
                                                    sensitivityOptionsFromJson);
        everyFieldChangesTheKey<CompareOptions>("compare", kCompare, toJson(CompareOptions{}), compareOptionsFromJson);
        everyFieldChangesTheKey<StructureOptions>("structure", kStructure, toJson(StructureOptions{}),
                                                  structureOptionsFromJson);
        everyFieldChangesTheKey<CurvatureMapOptions>("curvature-map", kCurvatureMap, toJson(CurvatureMapOptions{}),
                                                     curvatureMapOptionsFromJson);
        everyFieldChangesTheKey<ProbeOptions>("probe", kProbe, toJson(ProbeOptions{}), probeOptionsFromJson);
        everyFieldChangesTheKey<StabilityOptions>("stability", kStability, toJson(StabilityOptions{}),
                                                  stabilityOptionsFromJson);
        everyFieldChangesTheKey<BatchScalingOptions>("batch-scaling", kBatchScaling, toJson(BatchScalingOptions{}),
                                                     batchScalingOptionsFromJson);
        everyFieldChangesTheKey<BatchSpectraOptions>("batch-spectra", kBatchSpectra, toJson(BatchSpectraOptions{}),
                                                     batchSpectraOptionsFromJson);
        everyFieldChangesTheKey<ResampleOptions>("resample", kResample, toJson(ResampleOptions{}),
                                                 resampleOptionsFromJson);
    }

    void theInputsKeyFollowsTheBytesAndTheSettings() {
        QTemporaryDir dir;
        const std::string data = dir.filePath("d.pt").toStdString();
        fs::copy_file(fx::path("mlp_data.pt"), data);
        StudySpec s = mlpSpec();
        s.data.inputs = data;
        const std::string k0 = inputsKey(s);
        QCOMPARE(inputsKey(s), k0);
        for (auto change : std::vector<std::function<void(StudySpec&)>>{
                 [](StudySpec& t) { t.samples = 10; }, [](StudySpec& t) { t.batch_size = 8; },
                 [](StudySpec& t) { t.dtype = DType::Float32; }, [](StudySpec& t) { t.seed = 1; },
                 [](StudySpec& t) { t.hvp_mode = HvpMode::ExactReuse; }, [](StudySpec& t) { t.loss = Loss::NLL; },
                 [](StudySpec& t) { t.curvature = CurvatureKind::GaussNewton; },
                 [](StudySpec& t) { t.sample = SampleMode::Random; }, [](StudySpec& t) { t.class_axis = -1; },
                 [](StudySpec& t) { t.ignore_index = 0; }, [](StudySpec& t) { t.data.inputs_keys = {"x"}; }}) {
            StudySpec t = s;
            change(t);
            QVERIFY(inputsKey(t) != k0);
        }
        StudySpec threads = s;
        threads.threads = 2;  // speed, not numbers
        QCOMPARE(inputsKey(threads), k0);
        // One byte of the data file changed.
        std::string bytes = readText(data);
        bytes[bytes.size() / 2] ^= 1;
        writeFileAtomically(data, bytes);
        QVERIFY(inputsKey(s) != k0);
    }

    void valuesOutOfRangeNameTheOption() {
        SpectrumOptions s;
        s.eigen.max_hvp = 0;
        BASIN_EXPECT_ERROR(validate(s), "spectrum option max_hvp (--max-hvp) is 0", "at least");
        s = {};
        s.eigen.tol = std::nan("");
        BASIN_EXPECT_ERROR(validate(s), "spectrum option tol (--tol) is nan", "positive, finite");
        s = {};
        s.trace = true;
        s.trace_options.probes = -1;
        BASIN_EXPECT_ERROR(validate(s), "trace_probes", "-1");
        SurfaceJobOptions g;
        g.nx = g.ny = 100000;
        BASIN_EXPECT_ERROR(validate(g), "surface option grid (--grid) is 100000x100000", "at most 1000000 points");
        g = {};
        g.range = std::array<double, 4>{1, 0, -1, 1};
        BASIN_EXPECT_ERROR(validate(g), "surface option range", "end is above its start");
        SensitivityOptions t;
        t.bits = {1, 4};
        BASIN_EXPECT_ERROR(validate(t), "sensitivity option bits (--bits) is 1");
        t = {};
        t.budget_bytes = -5;
        BASIN_EXPECT_ERROR(validate(t), "budget", "-5");
        // From a file: unknown keys and wrong types name the file and the option.
        BASIN_EXPECT_ERROR(spectrumOptionsFromJson(R"({"topp": 3})", "s.json"), "s.json",
                           "unknown spectrum option 'topp'");
        BASIN_EXPECT_ERROR(spectrumOptionsFromJson(R"({"top": "three"})", "s.json"), "s.json", "top", "wrong type");
        BASIN_EXPECT_ERROR(spectrumOptionsFromJson(R"({"max_hvp": 0})", "s.json"), "s.json",
                           "max_hvp (--max-hvp) is 0");
        // A study's own options are checked when it is read.
        StudySpec study = mlpSpec();
        study.options = R"({"surface": {"grid": [1, 5]}})";
        BASIN_EXPECT_ERROR(checkStudyOptions(study), "options.surface", "nx");
        study.options = R"({"spectrum": {"seed": 9}})";
        BASIN_EXPECT_ERROR(checkStudyOptions(study), "seed 9", "study's seed");
        study.options = R"({"structure": {"prune": [0]}})";
        BASIN_EXPECT_ERROR(checkStudyOptions(study), "options.structure", "structure option prune (--prune) is 0");
        study.options = R"({"stability": {"lr": -1}, "batch-scaling": {"batches": 2}})";
        BASIN_EXPECT_ERROR(checkStudyOptions(study), "options.stability", "stability option lr (--lr) is -1");
        study.options =
            R"({"stability": {"lr": 0.05, "momentum": 0.9}, "batch-scaling": {"sizes": [8, 16], "batches": 2}})";
        checkStudyOptions(study);
        QCOMPARE(*studyStabilityOptions(study)->lr, 0.05);
        QCOMPARE(studyBatchScalingOptions(study)->sizes, (std::vector<int64_t>{8, 16}));
        QCOMPARE(studyBatchScalingOptions(study)->seed, study.seed);
        BASIN_EXPECT_ERROR(stabilityOptionsFromJson(R"({"learning_rate": 1})", "s.json"), "s.json",
                           "unknown stability option");
        study.options = R"({"spectrumm": {}})";
        BASIN_EXPECT_ERROR(checkStudyOptions(study), "unknown analysis 'spectrumm'");
    }

    void resultsCarryWhatMadeThemAndRoundTrip() {
        auto o = Objective::open(mlpSpec());
        SpectrumOptions opt = smallSpectrum(3);
        opt.exact = true;
        SpectrumResult r = computeSpectrum(o, opt);
        const Provenance& p = r.provenance;
        QCOMPARE(p.analysis, std::string("spectrum"));
        QCOMPARE(p.options, toJson(opt));
        QCOMPARE(p.inputs_key, inputsKey(o.spec()));
        QCOMPARE(p.key, resultKey(p.inputs_key, optionsKey("spectrum", toJson(opt))));
        QCOMPARE(p.basin_version, basinVersion());
        QCOMPARE(p.hvp_count, r.hvp_count);
        QVERIFY(p.computed_at.size() == 20 && p.computed_at.back() == 'Z');
        QCOMPARE(json::parse(p.samples)["count"].get<int>(), 64);
        QCOMPARE(json::parse(p.hvp)["chosen"].get<std::string>(), std::string("exact"));
        const std::string text = spectrumJson(r);
        const SpectrumResult back = spectrumFromJson(text, "test");
        QCOMPARE(spectrumJson(back), text);
        QCOMPARE(back.largest->eigenvalues, r.largest->eigenvalues);
        QCOMPARE(back.options.seed, uint64_t(3));
        // The bulk edge set by hand is part of the result, in its JSON, and back to the rule.
        setBulkEdge(r, 0.5 * (r.largest->eigenvalues[0] + r.largest->eigenvalues[1]));
        const json j = json::parse(spectrumJson(r));
        QVERIFY(j["outliers"]["manual"].get<bool>());
        QCOMPARE(j["outliers"]["count"].get<int>(), 1);
        QCOMPARE(spectrumFromJson(spectrumJson(r), "test").outliers.edge, r.outliers.edge);
        setBulkEdge(r, std::nullopt);
        QVERIFY(!r.outliers.manual);

        SensitivityOptions so;
        so.probes = 4;
        so.eig_max_hvp = 10;
        so.budget_bytes = 200;
        const SensitivityResult sr = computeSensitivity(o, so);
        QCOMPARE(sr.provenance.options, toJson(so));
        QCOMPARE(sensitivityJson(sensitivityFromJson(sensitivityJson(sr), "test")), sensitivityJson(sr));
    }

    void theSeedRuleIsOneRule() {
        // computeSpectrum with seed s draws exactly what the estimators draw with s, s + 1, s + 2.
        auto o = Objective::open(mlpSpec());
        const SpectrumOptions opt = smallSpectrum(11);
        const SpectrumResult r = computeSpectrum(o, opt);
        LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out); };
        EigenOptions e = opt.eigen;
        e.seed = seedFor(11, SeedStream::Eigen);
        QCOMPARE(topEigenpairs(H, o.parameterCount(), e).largest->eigenvalues, r.largest->eigenvalues);
        // Bit for bit, and the same on an objective opened afresh: a number does not depend on what
        // the process computed before it (TorchScript graphs run as written, data_checks.h).
        auto fresh = Objective::open(mlpSpec());
        QCOMPARE(computeSpectrum(fresh, opt).largest->eigenvalues, r.largest->eigenvalues);
        TraceOptions t = opt.trace_options;
        t.seed = seedFor(11, SeedStream::Trace);
        QCOMPARE(estimateTrace(H, o.parameterCount(), t).mean, r.trace->mean);
        DensityOptions d = opt.density_options;
        d.seed = seedFor(11, SeedStream::Density);
        QCOMPARE(spectralDensity(H, o.parameterCount(), d).values, r.density->values);
        QCOMPARE(seedFor(11, SeedStream::Trace), uint64_t(12));
        QCOMPARE(seedFor(11, SeedStream::Density), uint64_t(13));
    }

    void theStudyFileIsOneCarefulWritersAndKeepsTheUsersKeys() {
        QTemporaryDir dir;
        const std::string study = dir.filePath("s.basin.json").toStdString();
        writeFileAtomically(study, R"({"zeta": 1, "format": "basin-study", "version": 1, "alpha": {"mine": true}})");
        ::chmod(study.c_str(), 0640);
        Provenance p;
        p.analysis = "spectrum";
        p.key = "k1";
        p.inputs_key = "i1";
        p.options_key = "o1";
        storeResult(study, p, R"({"eigenvalues": [2.0]})");
        const auto hit = findResult(study, "k1");
        QVERIFY(hit);
        QCOMPARE(hit->result, std::string(R"({"eigenvalues":[2.0]})"));
        QCOMPARE(hit->analysis, std::string("spectrum"));
        struct stat st {};
        ::stat(study.c_str(), &st);
        QCOMPARE(int(st.st_mode & 0777), 0640);
        // The user's keys stay, in their order, before the results.
        const std::string text = readText(study);
        QVERIFY(text.find("\"zeta\"") < text.find("\"format\"") && text.find("\"format\"") < text.find("\"alpha\""));
        QVERIFY(text.find("\"alpha\"") < text.find("\"results\""));
        // A stale result: same analysis and options, other inputs.
        Provenance q = p;
        q.key = "k2";
        q.inputs_key = "i2";
        QCOMPARE(int(staleResults(study, q).size()), 1);
        // Read-only: refused, and the file is as it was.
        ::chmod(study.c_str(), 0440);
        BASIN_EXPECT_ERROR(storeResult(study, q, "{}"), "s.basin.json", "read-only");
        QCOMPARE(readText(study), text);
        ::chmod(study.c_str(), 0640);
        // A study that is not valid JSON is never overwritten.
        const std::string broken = dir.filePath("broken.json").toStdString();
        writeFileAtomically(broken, "{ not json");
        BASIN_EXPECT_ERROR(storeResult(broken, q, "{}"), "broken.json", "not valid JSON");
        QCOMPARE(readText(broken), std::string("{ not json"));
        // Nor one whose results are not an object.
        writeFileAtomically(broken, R"({"results": [1, 2]})");
        BASIN_EXPECT_ERROR(findResult(broken, "k"), "\"results\" section is not a JSON object");
    }

    void twoProcessesStoringAtOnceLoseNothing() {
        QTemporaryDir dir;
        const std::string study = dir.filePath("shared.basin.json").toStdString();
        writeFileAtomically(study, R"({"format": "basin-study", "version": 1})");
        ::chmod(study.c_str(), 0604);
        const int each = 20;
        std::vector<pid_t> children;
        for (int c = 0; c < 2; ++c) {
            const pid_t pid = ::fork();
            if (pid == 0) {
                int code = 0;
                try {
                    for (int i = 0; i < each; ++i) {
                        Provenance p;
                        p.analysis = "spectrum";
                        p.key = "p" + std::to_string(c) + "-" + std::to_string(i);
                        storeResult(study, p, "{\"i\": " + std::to_string(i) + "}");
                    }
                } catch (...) {
                    code = 1;
                }
                ::_exit(code);
            }
            children.push_back(pid);
        }
        for (pid_t pid : children) {
            int status = 0;
            ::waitpid(pid, &status, 0);
            QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        const json j = json::parse(readText(study));  // valid JSON
        QCOMPARE(int(j["results"].size()), 2 * each);
        struct stat st {};
        ::stat(study.c_str(), &st);
        QCOMPARE(int(st.st_mode & 0777), 0604);
        // No temporary file is left behind.
        int files = 0;
        for (const auto& e : fs::directory_iterator(dir.path().toStdString())) files += e.is_regular_file();
        QCOMPARE(files, 1);
    }

    void aStaleTemporaryFileOfAKilledWriterIsRemoved() {
        QTemporaryDir dir;
        const std::string target = dir.filePath("f.json").toStdString();
        // pid 0x7ffffff0 runs nowhere; our parent does.
        const std::string dead = dir.filePath(".f.json.basin-tmp-2147483632-0.json").toStdString();
        const std::string alive =
            dir.filePath(".f.json.basin-tmp-" + QString::number(::getppid()) + "-0.json").toStdString();
        std::ofstream(dead) << "half a file";
        std::ofstream(alive) << "{}";
        writeFileAtomically(target, "{}");
        QVERIFY(!fs::exists(dead));
        QVERIFY(fs::exists(alive));
        QCOMPARE(readText(target), std::string("{}"));
    }

    void aResumeChecksWhatItResumes() {
        const StudySpec spec = fx::spec("cnn.pt", "cnn_data.npz", Loss::CrossEntropy);
        auto o = Objective::open(spec);
        SurfaceJobOptions opt;
        opt.nx = 5;
        opt.ny = 3;
        opt.seed = 0;
        const SurfaceGrid whole = computeSurfaceJob(o, opt);
        // Cancelled after 6 points, saved as the CLI saves it.
        const SurfacePlan plan = planSurfaceJob(o, opt);
        SurfaceGrid part = surfaceGridFor(o, opt, plan);
        JobContext job;
        try {
            computeSurface(
                o, plan.origin, plan.dx, &*plan.dy, part, opt.bn, &job,
                [&](const SurfaceGrid& g) {
                    if (g.computed() >= 6) job.cancel();
                },
                1);
            QFAIL("the grid was not cancelled");
        } catch (const Cancelled&) {
        }
        const std::string saved = surfaceJson(part);
        const SurfaceGrid partial = surfaceFromJson(saved, "part.json");
        QVERIFY(partial.computed() >= 6 && !partial.complete());
        // The same: resumed, and equal to the grid done in one go.
        SurfaceGrid again = surfaceGridFor(o, opt, planSurfaceJob(o, opt));
        resumeFrom(again, partial, "part.json");
        computeSurface(o, plan.origin, plan.dx, &*plan.dy, again, opt.bn);
        QCOMPARE(again.loss, whole.loss);
        // Anything else: refused, saying what differs.
        auto refused = [&](const SurfaceJobOptions& other, const StudySpec& other_spec, const char* why) {
            auto oo = Objective::open(other_spec);
            SurfaceGrid g = surfaceGridFor(oo, other, planSurfaceJob(oo, other));
            BASIN_EXPECT_ERROR(resumeFrom(g, partial, "part.json"), "part.json", "cannot be resumed", why);
        };
        SurfaceJobOptions seed7 = opt;
        seed7.seed = 7;
        refused(seed7, spec, "seed 0, not 7");
        SurfaceJobOptions layer = opt;
        layer.norm = DirectionNorm::Layer;
        refused(layer, spec, "norm \"filter\", not \"layer\"");
        SurfaceJobOptions grid = opt;
        grid.nx = 7;
        refused(grid, spec, "grid [5,3], not [7,3]");
        StudySpec fewer = spec;
        fewer.samples = 20;
        refused(opt, fewer, "other model or data bytes or study settings");
        // A partial file from before these checks records nothing to check: refused too.
        json old = json::parse(saved);
        old.erase("provenance");
        BASIN_EXPECT_ERROR(resumeFrom(again, surfaceFromJson(old.dump(), "old.json"), "old.json"), "old.json",
                           "does not record");
    }

    void nonFiniteNumbersStopTheAnalysis() {
        // One infinite input: refused when the study opens, naming the file and the sample.
        BASIN_EXPECT_ERROR(Objective::open(fx::spec("mlp.pt", "mlp_data_inf.npz", Loss::CrossEntropy)),
                           "mlp_data_inf.npz", "sample 5", "infinite");
        // A finite loss whose H·v is NaN.
        auto o = Objective::open(fx::spec("sqrt_relu.pt", "sqrt_relu_data.npz", Loss::CrossEntropy));
        QVERIFY(std::isfinite(o.evaluate().loss));
        SpectrumOptions opt;
        opt.eigen.top_k = 2;
        BASIN_EXPECT_ERROR(computeSpectrum(o, opt), "sqrt_relu.pt", "H·v product 1 is not finite");
        // A synthetic operator that goes NaN at its third product never reports a converged NaN.
        int calls = 0;
        const Eigen::VectorXd diagonal = Eigen::VectorXd::LinSpaced(10, 1, 10);
        LinearOperator bad = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
            out = diagonal.cwiseProduct(v);
            if (++calls == 3) out[0] = std::nan("");
        };
        EigenOptions e;
        e.top_k = 1;
        e.max_hvp = 10;
        BASIN_EXPECT_ERROR(topEigenpairs(bad, 10, e), "Lanczos step 3", "not finite");
        calls = 0;
        TraceOptions t;
        t.probes = 5;
        BASIN_EXPECT_ERROR(estimateTrace(bad, 10, t), "Hutchinson step 3", "not finite");
    }
};

QTEST_APPLESS_MAIN(TestResults)
#include "test_results.moc"
