#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "drop_classify.h"
#include "dynamics_convert.h"
#include "export_dialog.h"
#include "jobs_panel.h"
#include "layer_convert.h"
#include "layer_options_bar.h"
#include "recent_studies.h"
#include "spectrum_convert.h"
#include "study_file.h"
#include "study_panel.h"
#include "study_validation.h"
#include "surface_convert.h"
#include "view_export.h"
#include "window_options.h"

using namespace basin;

namespace {
QByteArray readText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
}  // namespace

class TestAppUnits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aResampledQuantityWhoseFullValueIsZeroIsNotDrawnAsZeroError() {
        ResampleResult r;
        r.samples = 100;
        r.subsample = 50;
        r.resamples = 2;
        r.options.target = 0.05;
        ResampledQuantity lambda;
        lambda.full = 8;
        lambda.values = {6, 10};
        lambda.data_error = 2;
        lambda.estimator_error = 0.4;
        r.lambda_max = lambda;
        ResampledQuantity trace;  // a full value of 0: relative errors have no meaning
        trace.full = 0;
        trace.values = {1, -1};
        trace.data_error = 1;
        r.trace = trace;
        const widgets::ResamplePlotData d = gui::toPlotData(r, "");
        QCOMPARE(int(d.quantities.size()), 1);
        QCOMPARE(d.quantities[0].deviation, (std::vector<double>{-25, 25}));
        QCOMPARE(d.quantities[0].data_error, 25.0);
        QCOMPARE(d.quantities[0].estimator_error, 5.0);
        QCOMPARE(d.target, 5.0);
        bool said = false;
        for (const std::string& n : d.notes) said = said || n.find("trace 0: not drawn") != std::string::npos;
        QVERIFY(said);
    }

    void converterMergesBothEndsOnce() {
        SpectrumResult r;
        r.largest = EigenResult{};
        r.largest->eigenvalues = {16.2, 6.4, 4.1};
        r.smallest = EigenResult{};
        r.smallest->eigenvalues = {4.1, -0.2, -0.3};  // a small Hessian: the ends overlap
        r.outliers.edge = 6.4;
        r.outliers.count = 1;
        r.trace = TraceResult{};
        r.trace->mean = 60.8;
        r.trace->stderr_ = 5.1;
        r.density = DensityResult{};
        r.density->grid = {-1, 0, 1};
        r.density->values = {0.1, 0.8, 0.1};
        r.density->log_grid = {-2, 0};
        r.density->log_values = {0.5, 0.5};
        r.hvp_count = 150;
        r.parameters = 9146;
        const widgets::SpectrumPlotData d = gui::toPlotData(r, "demo");
        QCOMPARE(d.title, std::string("demo"));
        QCOMPARE(d.top_eigenvalues, (std::vector<double>{16.2, 6.4, 4.1, -0.2, -0.3}));
        QCOMPARE(d.density_grid, r.density->grid);
        QCOMPARE(d.density_values, r.density->values);
        QCOMPARE(d.log_density_grid, r.density->log_grid);
        QCOMPARE(d.log_density_values, r.density->log_values);
        QCOMPARE(d.bulk_edge.value(), 6.4);
        QCOMPARE(d.outlier_count, 1);
        QCOMPARE(d.trace.value(), 60.8);
        QCOMPARE(d.trace_stderr, 5.1);
        QCOMPARE(d.hvp_count, int64_t(150));
        QCOMPARE(d.parameters, int64_t(9146));
    }
    void noBulkEdgeWithoutTheTopOfTheSpectrum() {
        SpectrumResult r;
        r.smallest = EigenResult{};
        r.smallest->eigenvalues = {-0.3};
        const widgets::SpectrumPlotData d = gui::toPlotData(r, "");
        QVERIFY(!d.bulk_edge.has_value());
        QVERIFY(!d.trace.has_value());
        QCOMPARE(d.top_eigenvalues, std::vector<double>{-0.3});
    }
    void defaultOptionsAreTheAgreedOnes() {
        StudySpec study;
        study.seed = 7;
        const SpectrumOptions o = gui::windowSpectrumOptions(study);
        QCOMPARE(o.eigen.top_k, 5);
        QVERIFY(o.eigen.which == Which::Both);
        QVERIFY(o.density);
        QCOMPARE(o.density_options.probes, 3);
        QCOMPARE(o.density_options.steps, 30);
        QVERIFY(o.trace);
        QVERIFY(o.trace_options.method == TraceMethod::Hutchinson);
        QCOMPARE(o.trace_options.probes, 20);
        QCOMPARE(o.seed, uint64_t(7));  // the estimators' seeds follow from it (options.h)
        // A study's own options replace the preset, with the study's seed.
        study.options = R"({"spectrum": {"top": 2, "trace": "hutchpp", "trace_probes": 9}})";
        const SpectrumOptions own = gui::windowSpectrumOptions(study);
        QCOMPARE(own.eigen.top_k, 2);
        QVERIFY(own.trace && own.trace_options.method == TraceMethod::HutchPP);
        QCOMPARE(own.trace_options.probes, 9);
        QVERIFY(!own.density);
        QCOMPARE(own.seed, uint64_t(7));
    }
    void uncomputedPointsTakeTheNearestComputedValue() {
        // 3 x 2 grid, computed: (0,0)=1 and (2,1)=6
        const std::vector<double> values{1, 0, 0, 0, 0, 6};
        const std::vector<uint8_t> done{1, 0, 0, 0, 0, 1};
        QCOMPARE(gui::fillFromComputed(values, done, 3, 2), (std::vector<double>{1, 1, 6, 1, 6, 6}));
        QVERIFY(gui::fillFromComputed(values, std::vector<uint8_t>(6, 0), 3, 2).empty());
        QCOMPARE(gui::fillFromComputed(values, std::vector<uint8_t>(6, 1), 3, 2), values);
    }
    void surfaceKeepsItsLabelsAndCoordinates() {
        SurfaceGrid g;
        g.xs = {-1, 0, 1};
        g.ys = {-1, 1};
        g.loss = {3, 2, 3, 4, 1, 4};
        g.done.assign(6, 1);
        g.x_label = "random direction 1";
        g.y_label = "random direction 2";
        const widgets::SurfacePlotData d = gui::toPlotData(g, "demo");
        QCOMPARE(d.x, g.xs);
        QCOMPARE(d.y, g.ys);
        QCOMPARE(d.values, g.loss);
        QCOMPARE(d.x_label, g.x_label);
        QCOMPARE(d.y_label, g.y_label);
        QCOMPARE(d.value_label, std::string("loss"));
        QCOMPARE(d.minimum, 4LL);
    }
    void surfaceMinimumIsAComputedPoint() {
        SurfaceGrid g;
        g.xs = {-1, 0, 1};
        g.ys = {0};
        g.loss = {3, std::nan(""), 2.5};
        g.accuracy = {0.5, std::nan(""), 0.75};
        g.done = {1, 0, 1};
        g.trajectory = {{0, 0}, {1, 0}};
        g.trajectory_labels = {"a", "b"};
        const widgets::SurfacePlotData d = gui::toPlotData(g, "line");
        QVERIFY(d.isLine());
        QCOMPARE(d.values, (std::vector<double>{3, 3, 2.5}));  // the gap takes its nearest (lower index on a tie)
        QCOMPARE(d.accuracy, (std::vector<double>{0.5, 0.5, 0.75}));
        QCOMPARE(d.minimum, 2LL);
        QCOMPARE(d.trajectory_labels, g.trajectory_labels);
        g.accuracy = {-1, std::nan(""), -1};  // a loss without accuracy
        QVERIFY(gui::toPlotData(g, "line").accuracy.empty());
    }
    void sensitivityBecomesRowsAndStorages() {
        SensitivityResult r;
        GroupSensitivity conv;
        conv.name = "conv";
        conv.parameters = 100;
        conv.quantised = 90;
        conv.top_eigenvalue = 5;
        conv.trace = 2;
        conv.trace_stderr = 0.5;
        conv.mean_trace = 0.02;
        conv.omega = {{2, 0.3}, {4, 0.01}, {8, 0.001}};
        GroupSensitivity bn = conv;
        bn.name = "bn";
        bn.quantised = 0;
        bn.parameters = 8;
        bn.omega.clear();
        r.groups = {conv, bn};
        r.quantisable = {"conv"};
        r.float32_bytes = 432;
        r.full_precision = {0.2, 0.9, 256};
        r.uniform = {{"uniform 4-bit", {4}, 77, 0.01, {0.25, 0.88, 256}},
                     {"uniform 8-bit", {8}, 122, 0.001, {0.21, 0.9, 256}}};
        r.proposal = QuantisedEvaluation{"proposal", {8}, 122, 0.001, {0.21, 0.9, 256}};
        r.budget_bytes = 130;
        const widgets::LayerPlotData d = gui::toPlotData(r, "t");
        QCOMPARE(int(d.layers.size()), 2);
        QCOMPARE(d.layers[0].mean_trace_err, 0.005);
        QCOMPARE(d.layers[0].omega4.value(), 0.01);
        QCOMPARE(d.layers[0].proposed_bits.value(), 8);
        QVERIFY(!d.layers[1].omega4 && !d.layers[1].proposed_bits);
        QCOMPARE(int(d.precision.size()), 4);
        QCOMPARE(d.precision[0].label, std::string("float32"));
        QVERIFY(!d.precision[0].omega);
        // Largest first; the proposal (as large as uniform 8-bit) after the uniform row.
        QCOMPARE(d.precision[1].label, std::string("uniform 8-bit"));
        QCOMPARE(d.precision[2].label, std::string("proposal"));
        QVERIFY(d.precision[2].proposal && !d.precision[1].proposal);
        QCOMPARE(d.precision[2].bits, std::vector<int>{8});
        QCOMPARE(d.precision[2].omega.value(), 0.001);
        QCOMPARE(d.precision[3].size_bytes, 77.0);
        QCOMPARE(d.quantised, std::vector<std::string>{"conv"});
        QVERIFY(d.proposal_beaten_by.empty());
        // Measured frontier neighbours join the table by size, and a beaten proposal is said so.
        r.frontier_measured = {{"frontier: next smaller", {4}, 77, 0.01, {0.18, 0.91, 256}}};
        r.proposal_dominated_by = "frontier: next smaller";
        const widgets::LayerPlotData flagged = gui::toPlotData(r, "t");
        QCOMPARE(int(flagged.precision.size()), 5);
        QCOMPARE(flagged.precision[4].label, std::string("frontier: next smaller"));
        QCOMPARE(flagged.precision[4].loss, 0.18);
        QCOMPARE(flagged.proposal_beaten_by, std::string("frontier: next smaller"));
        QCOMPARE(d.budget_bytes.value(), 130.0);
        StudySpec study;
        study.seed = 7;
        const SensitivityOptions o = gui::windowSensitivityOptions(study, 1000);
        QCOMPARE(o.probes, 16);
        QCOMPARE(o.bits, (std::vector<int>{2, 3, 4, 8}));
        QCOMPARE(o.budget_bytes.value(), 1000.0);
        QCOMPARE(o.seed, uint64_t(7));
    }
    void studyFieldsNameTheFileAndTheProblem() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile model(dir.filePath("model.pt"));
        QVERIFY(model.open(QIODevice::WriteOnly));
        model.close();
        QFile data(dir.filePath("data.npz"));
        QVERIFY(data.open(QIODevice::WriteOnly));
        data.close();

        gui::StudyFields f;
        f.model = "model.pt";  // relative: looked up in the study's folder
        f.data = dir.filePath("data.npz");
        f.samples = "256";
        f.batch = "64";
        f.seed = "0";
        QCOMPARE(gui::validateStudyFields(f, dir.path()), (QMap<QString, QString>{}));
        f.samples = "";  // all samples: any batch size will do
        f.batch = "100000";
        QCOMPARE(gui::validateStudyFields(f, dir.path()), (QMap<QString, QString>{}));

        gui::StudyFields bad = f;
        bad.model = "missing.pt";
        bad.data = "";
        bad.targets = dir.path();
        bad.samples = "12.5";
        bad.batch = "0";
        bad.seed = "-3";
        const QMap<QString, QString> e = gui::validateStudyFields(bad, dir.path());
        QCOMPARE(e.value("model"), QString("“missing.pt” does not exist"));
        QCOMPARE(e.value("data"), QString("Required: the data file"));
        QCOMPARE(e.value("targets"), QString("“%1” is a folder, not a file").arg(dir.path()));
        QCOMPARE(e.value("samples"), QString("“12.5” is not a whole number"));
        QCOMPARE(e.value("batch"), QString("Must be a positive whole number, not 0"));
        QCOMPARE(e.value("seed"), QString("“-3” is not a whole number ≥ 0"));
        QCOMPARE(e.size(), 6);

        gui::StudyFields counts = f;
        counts.samples = "0";
        counts.batch = "abc";
        QCOMPARE(gui::validateStudyFields(counts, dir.path()),
                 (QMap<QString, QString>{{"samples", "Must be a positive whole number, not 0"},
                                         {"batch", "“abc” is not a whole number"}}));
        counts.samples = "256";
        counts.batch = "512";
        // A batch larger than the samples runs (one batch of all of them): a note, not an error.
        QCOMPARE(gui::validateStudyFields(counts, dir.path()), (QMap<QString, QString>{}));
        QCOMPARE(gui::studyFieldNotes(counts),
                 (QMap<QString, QString>{
                     {"batch", "Batch size 512 is larger than the 256 samples: they go in one batch of 256"}}));
        counts.batch = "256";
        QVERIFY(gui::studyFieldNotes(counts).isEmpty());
        counts.batch = "512";
        counts.batch = " ";
        QCOMPARE(gui::validateStudyFields(counts, dir.path()),
                 (QMap<QString, QString>{{"batch", "Required: samples per batch"}}));
        counts.batch = "99999999999999999999";
        QCOMPARE(gui::validateStudyFields(counts, dir.path()),
                 (QMap<QString, QString>{{"batch", "“99999999999999999999” is too large"}}));
    }
    void studyPanelShowsTheMessagesAndHoldsApply() {
        QTemporaryDir dir;
        QFile model(dir.filePath("model.pt"));
        QVERIFY(model.open(QIODevice::WriteOnly));
        model.close();
        StudySpec spec;
        spec.study_path = dir.filePath("s.basin.json").toStdString();
        spec.model = dir.filePath("model.pt").toStdString();
        spec.data.inputs = spec.model;
        spec.samples = 256;
        spec.batch_size = 64;
        gui::StudyPanel panel;
        panel.setSpec(spec);
        QCOMPARE(panel.field("model"), QString("model.pt"));  // inside the study's folder: shown relative
        QVERIFY(panel.fieldErrors().isEmpty());
        QVERIFY(!panel.isModified());
        QVERIFY(!panel.canApply());  // nothing to apply
        auto* apply = panel.findChild<QPushButton*>("study-apply");
        QVERIFY(apply && !apply->isEnabled());

        // A note under the field does not hold Apply; an error does.
        panel.setField("batch", "512");
        auto* batch_error = panel.findChild<QLabel*>("study-batch-error");
        QVERIFY(batch_error && !batch_error->isHidden());
        QCOMPARE(batch_error->text(),
                 QString("Batch size 512 is larger than the 256 samples: they go in one batch of 256"));
        QVERIFY(panel.fieldErrors().isEmpty());
        QCOMPARE(panel.fieldNotes().keys(), QStringList{"batch"});
        QVERIFY(apply->isEnabled());
        panel.setField("batch", "0");
        QCOMPARE(batch_error->text(), QString("Must be a positive whole number, not 0"));
        QVERIFY(!apply->isEnabled());
        panel.setField("batch", "128");
        QVERIFY(batch_error->isHidden());
        QVERIFY(apply->isEnabled());

        QSignalSpy applied(&panel, &gui::StudyPanel::applyRequested);
        panel.setField("loss", "mse");
        panel.setField("dtype", "float64");
        apply->click();
        QCOMPARE(applied.count(), 1);
        const StudySpec edited = applied.at(0).at(0).value<StudySpec>();
        QCOMPARE(edited.batch_size, int64_t(128));
        QCOMPARE(edited.model, spec.model);  // back to the absolute path the engine needs
        QVERIFY(edited.loss == Loss::MSE);
        QVERIFY(edited.dtype == DType::Float64);
        panel.revert();
        QCOMPARE(panel.field("batch"), QString("64"));
        QCOMPARE(panel.field("loss"), QString("cross_entropy"));
        QVERIFY(!panel.isModified());
    }
    void savingKeepsTheResultsAndUnknownKeys() {
        QTemporaryDir dir;
        const QString path = dir.filePath("s.basin.json");
        const std::string original = R"({"format": "basin-study", "version": 1, "name": "old", "model": "m.pt",
            "data": "d.npz", "loss": "mse", "samples": 10, "batch_size": 5, "note": "kept",
            "results": {"0123456789abcdef": {"analysis": "spectrum", "options": {"k": 3},
                        "saved": "2026-01-01T00:00:00Z", "result": {"eigenvalues": [3.5, 1.25]}}}})";
        writeFileAtomically(path.toStdString(), original);
        StudySpec spec = loadStudy(path.toStdString());
        spec.name = "new";
        spec.batch_size = 2;
        spec.seed = 18446744073709551615ULL;  // the largest seed survives (no trip through a double)
        QCOMPARE(gui::saveStudyFile(spec, path, path), QString());
        const auto before = nlohmann::json::parse(original);
        auto after = nlohmann::json::parse(readText(path));
        QVERIFY(after["results"] == before["results"]);
        QCOMPARE(after["note"].get<std::string>(), std::string("kept"));
        QCOMPARE(after["name"].get<std::string>(), std::string("new"));
        QCOMPARE(after["batch_size"].get<int>(), 2);
        QCOMPARE(after["model"].get<std::string>(), std::string("m.pt"));  // still relative to the study
        const StudySpec reread = loadStudy(path.toStdString());
        QCOMPARE(reread.seed, spec.seed);
        QCOMPARE(reread.model, spec.model);

        // Save as elsewhere: the results come along, paths point at the same files.
        QTemporaryDir other;
        const QString copy = other.filePath("copy.basin.json");
        QCOMPARE(gui::saveStudyFile(spec, path, copy), QString());
        after = nlohmann::json::parse(readText(copy));
        QVERIFY(after["results"] == before["results"]);
        QCOMPARE(after["model"].get<std::string>(), dir.filePath("m.pt").toStdString());

        // A study file that is not JSON is neither read as empty nor overwritten.
        const QString broken = dir.filePath("broken.basin.json");
        writeFileAtomically(broken.toStdString(), "{ not json");
        const QString error = gui::saveStudyFile(spec, broken, broken);
        QVERIFY2(error.contains("broken.basin.json") && error.contains("not valid JSON"), qPrintable(error));
        QCOMPARE(readText(broken), QByteArray("{ not json"));
    }
    void droppedFilesAreClassifiedByName() {
        using gui::DropKind;
        auto kind = [](const QString& p) { return gui::classifyDroppedPath(p).kind; };
        QCOMPARE(kind("/x/demo.basin.json"), DropKind::Study);
        QCOMPARE(kind("/x/other.JSON"), DropKind::Study);
        QCOMPARE(kind("/x/ckpt_5_epoch4.pt"), DropKind::Model);
        QCOMPARE(kind("/x/mobile.ptl"), DropKind::Model);
        QCOMPARE(kind("/x/train_data.pt"), DropKind::Data);
        QCOMPARE(kind("/x/cifar.npz"), DropKind::Data);
        QCOMPARE(kind("/x/x.npy"), DropKind::Data);
        QCOMPARE(kind("/x/labels.npy"), DropKind::Targets);
        QCOMPARE(kind("/x/table.csv"), DropKind::Data);
        QCOMPARE(kind("/x/train-images-idx3-ubyte.gz"), DropKind::Data);
        QCOMPARE(kind("/x/t10k-images-idx3-ubyte"), DropKind::Data);
        QCOMPARE(kind("/x/train-labels-idx1-ubyte.gz"), DropKind::Targets);
        QCOMPARE(kind("/x/digits.idx"), DropKind::Data);
        const gui::DropClass photo = gui::classifyDroppedPath("/x/photo.png");
        QCOMPARE(photo.kind, DropKind::Refused);
        QCOMPARE(photo.reason, QString("photo.png is not a study (.basin.json), model (.pt, .ptl) or data file "
                                       "(.npz, .npy, .pt, .csv, IDX); nothing was changed"));
        QCOMPARE(gui::classifyDroppedPath("/x/backup.tar.gz").reason,
                 QString("backup.tar.gz is a gzipped file but not MNIST-style IDX (…-ubyte.gz); Basin cannot read it"));
        QCOMPARE(gui::classifyDroppedPath("/x/runs", true).reason,
                 QString("runs is a folder; drop a study, model or data file"));
    }
    void recentStudiesAreNewestFirstAndAtMostEight() {
        QStringList list;
        for (int i = 0; i < 10; ++i) list = gui::withRecent(list, QString("/s/%1.basin.json").arg(i));
        QCOMPARE(list.size(), 8);
        QCOMPARE(list.first(), QString("/s/9.basin.json"));
        QCOMPARE(list.last(), QString("/s/2.basin.json"));
        list = gui::withRecent(list, "/s/5.basin.json");  // opened again: moves to the front, once
        QCOMPARE(list.size(), 8);
        QCOMPARE(list.first(), QString("/s/5.basin.json"));
        QCOMPARE(list.count("/s/5.basin.json"), 1);

        QTemporaryDir dir;
        QSettings settings(dir.filePath("basin.conf"), QSettings::IniFormat);
        const QString kept = dir.filePath("kept.basin.json");
        writeFileAtomically(kept.toStdString(), "{}");
        gui::addRecentStudy(settings, kept);
        QCOMPARE(gui::lastStudy(settings), kept);
        gui::addRecentStudy(settings, dir.filePath("gone.basin.json"));
        QCOMPARE(gui::lastStudy(settings), QString());  // the newest is gone: no last study, not an older one
        gui::removeRecentStudy(settings, dir.filePath("gone.basin.json"));
        QCOMPARE(gui::recentStudies(settings), QStringList{kept});
    }
    void etaReadsLikeAClock() {
        QCOMPARE(gui::formatEta(-1), QString());
        QCOMPARE(gui::formatEta(4.6), QString("5 s"));
        QCOMPARE(gui::formatEta(125), QString("2 min 05 s"));
    }
    void jobRowShowsStateAndProgress() {
        gui::JobsPanel panel;
        gui::JobInfo job;
        job.id = 3;
        job.title = "Hessian spectrum";
        panel.addJob(job);
        QVERIFY(panel.row(3));
        QCOMPARE(panel.row(3)->objectName(), QString("job-3"));
        QCOMPARE(panel.row(3)->stateText(), QString("queued"));
        job.state = gui::JobState::Running;
        job.stage = "lanczos (largest)";
        job.done = 25;
        job.total = 100;
        panel.updateJob(job);
        QCOMPARE(panel.row(3)->stageText(), QString("lanczos (largest)"));
        QCOMPARE(panel.row(3)->progressValue(), 250);
        QVERIFY(panel.row(3)->cancelEnabled());
        QSignalSpy cancel(&panel, &gui::JobsPanel::cancelRequested);
        panel.row(3)->findChild<QPushButton*>()->click();
        QCOMPARE(cancel.count(), 1);
        QCOMPARE(cancel.at(0).at(0).toInt(), 3);
        job.state = gui::JobState::Failed;
        panel.updateJob(job);
        QCOMPARE(panel.row(3)->stateText(), QString("failed"));
        QVERIFY(!panel.row(3)->cancelEnabled());
    }

    void layerControlsGiveTheEnginesOptionsAndMessages() {
        gui::LayerOptionsBar bar;
        SensitivityOptions given;
        given.probes = 16;
        given.bits = {2, 3, 4, 8};
        given.budget_bytes = 0.25 * 36584;
        given.seed = 7;
        given.merge = {"conv1+bn1"};
        bar.setOptions(given, 36584);
        auto* probes = bar.findChild<QSpinBox*>("layerProbes");
        auto* bits = bar.findChild<QLineEdit*>("layerBits");
        auto* budget = bar.findChild<QDoubleSpinBox*>("layerBudget");
        auto* run = bar.findChild<QPushButton*>("layerRun");
        QVERIFY(probes && bits && budget && run);
        QCOMPARE(bits->text(), QString("2, 3, 4, 8"));
        QCOMPARE(budget->value(), 25.0);  // shown as the share of float32
        QCOMPARE(bar.findChild<QLabel*>("layerBudgetBytes")->text(), QString("= 9.15 kB"));
        // As set: the fields the bar does not show keep their values; the budget back in bytes.
        probes->setValue(40);
        bits->setText("4 8");
        budget->setValue(50);
        SensitivityOptions o = bar.options();
        QCOMPARE(o.probes, 40);
        QCOMPARE(o.bits, (std::vector<int>{4, 8}));
        QCOMPARE(o.budget_bytes.value(), 0.5 * 36584);
        QCOMPARE(o.seed, uint64_t(7));
        QCOMPARE(o.merge, std::vector<std::string>{"conv1+bn1"});
        QVERIFY(bar.problem().isEmpty() && run->isEnabled());
        QSignalSpy asked(&bar, &gui::LayerOptionsBar::runRequested);
        run->click();
        QCOMPARE(asked.count(), 1);
        // No budget: no proposal, the frontier alone.
        budget->setValue(0);
        QVERIFY(!bar.options().budget_bytes);
        // Values out of range read as the engine words them, and Compute waits.
        bits->setText("4, 4");
        QCOMPARE(bar.problem(),
                 QString("sensitivity option bits (--bits) is 4 twice; it must be a list of distinct bit widths"));
        QVERIFY(!run->isEnabled());
        bits->setText("4, 20");
        QCOMPARE(bar.problem(),
                 QString("sensitivity option bits (--bits) is 20; it must be a whole number from 2 to 16"));
        bits->setText("4, eight");
        QCOMPARE(bar.problem(), QString("bits: “eight” is not a whole number"));
        bits->setText("4, 8");
        probes->setValue(1);
        QCOMPARE(bar.problem(),
                 QString("sensitivity option probes (--probes) is 1; it must be a whole number of at least 2"));
        run->click();
        QCOMPARE(asked.count(), 1);  // not asked again
    }

    void theExportDialogOffersTheViewsFormats() {
        QTemporaryDir dir;
        QSettings settings(dir.filePath("basin.ini"), QSettings::IniFormat);  // nothing remembered yet
        gui::ExportDialog dialog("Surface", gui::surfaceExportFilter(), "surface", settings);
        auto* format = dialog.findChild<QComboBox*>("exportFormat");
        QStringList offered;
        for (int i = 0; i < format->count(); ++i) offered << format->itemData(i).toString();
        QCOMPARE(offered, (QStringList{"pdf", "svg", "png", "vts", "h5", "csv", "json"}));
        // Nothing remembered: a PDF in the single-column style.
        const gui::ExportChoice first = dialog.choice();
        QVERIFY(first.path.endsWith("/surface.pdf"));
        QCOMPARE(first.style.name, QString("paper-1col"));
        QVERIFY(first.size.isEmpty());  // sizes are for PNGs only
        // A typed extension picks the format; the format keeps the name's extension in step.
        dialog.setPath("/tmp/out/landscape.png");
        QCOMPARE(format->currentData().toString(), QString("png"));
        QVERIFY(!dialog.choice().size.isEmpty());
        dialog.setFormat("vts");
        QCOMPARE(dialog.choice().path, QString("/tmp/out/landscape.vts"));
    }
};

QTEST_MAIN(TestAppUnits)
#include "test_app_units.moc"
