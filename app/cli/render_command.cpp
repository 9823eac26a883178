// basin-cli render: the GUI's figures without a window. The analyses run with the GUI's default
// options and the study's seed, so the numbers (and the figure) equal what the GUI exports.
#include <QApplication>
#include <QFileInfo>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <optional>

#include "basin/compare.h"
#include "basin/curvature.h"
#include "basin/curvature_map.h"
#include "basin/error.h"
#include "basin/options.h"
#include "basin/probe.h"
#include "basin/sampling.h"
#include "basin/sensitivity.h"
#include "basin/stability.h"
#include "basin/structure.h"
#include "basin/surface_job.h"
#include "basin/widgets/figure.h"
#include "basin/widgets/surface_math.h"
#include "commands.h"
#include "compare_convert.h"
#include "distributed.h"
#include "dynamics_convert.h"
#include "figure_render.h"
#include "layer_convert.h"
#include "probe_convert.h"
#include "progress_bar.h"
#include "render.h"
#include "result_cache.h"
#include "spectrum_convert.h"
#include "structure_convert.h"
#include "surface_convert.h"
#include "window_options.h"

namespace basin::cli {

namespace {

using gui::FigureView;

// Qt widgets need an application object. Without an X display the 2D plots draw off-screen;
// the 3D surface needs OpenGL through X (xvfb-run gives one).
std::unique_ptr<QApplication> startQt(bool needs_3d) {
    if (qEnvironmentVariableIsEmpty("DISPLAY")) {
        if (needs_3d)
            throw Error("the 3D surface needs an X display; run under a virtual one: xvfb-run -a basin-cli render ...");
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    if (QApplication::instance()) return nullptr;
    static int argc = 1;
    static char name[] = "basin-cli";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QApplication>(argc, argv);
}

widgets::FigureStyle styleOf(const FigureFlags& f) {
    auto style = widgets::FigureStyle::preset(QString::fromStdString(f.style));
    if (!style)
        throw Error("--style '" + f.style + "' is not one of " +
                    widgets::FigureStyle::presetNames().join(", ").toStdString());
    if (f.dpi > 0) style->dpi = f.dpi;
    if (f.font_pt > 0) style->font_pt = f.font_pt;
    if (!f.colormap.empty()) {
        if (f.colormap != "viridis" && f.colormap != "grey")
            throw Error("--colormap '" + f.colormap + "': use viridis or grey");
        style->colormap = QString::fromStdString(f.colormap);
    }
    style->transparent = f.transparent;
    return *style;
}

void write(const gui::FigureContent& content, std::vector<FigureView> views, const std::string& out,
           const FigureFlags& flags) {
    const std::string ext = QFileInfo(QString::fromStdString(out)).suffix().toLower().toStdString();
    if (ext != "png" && ext != "pdf" && ext != "svg") throw Error(out + ": a figure is .png, .pdf or .svg");
    gui::FigureRequest request;
    request.views = std::move(views);
    request.path = QString::fromStdString(out);
    request.style = styleOf(flags);
    request.width_px = flags.width;
    const QString error = gui::renderFigure(content, request);
    if (!error.isEmpty()) throw Error(error.toStdString());
    const widgets::FigureStyle& s = request.style;
    if (ext == "png") {
        const QSize px = widgets::figurePixels(s, flags.width);
        std::fprintf(stderr, "wrote %s (%d x %d px, style %s) and %s\n", out.c_str(), px.width(), px.height(),
                     s.name.toUtf8().constData(), gui::figureSettingsPath(request.path).toUtf8().constData());
    } else {
        std::fprintf(stderr, "wrote %s (%.2f x %.2f in, style %s) and %s\n", out.c_str(), s.width_in, s.height_in,
                     s.name.toUtf8().constData(), gui::figureSettingsPath(request.path).toUtf8().constData());
    }
}

struct RenderArgs {
    StudyOptions study;
    std::string views = "surface", out, checkpoints;
    std::optional<std::string> grid, dirs;
    std::optional<double> range;
    std::optional<int> path;
    std::string field = "ratio";
    std::vector<std::string> probes;  // "x,y" each
    bool cache = false;
    FigureFlags figure;
};

std::array<double, 2> parsePoint(const std::string& s) {
    const auto comma = s.find(',');
    try {
        size_t a = 0, b = 0;
        const double x = std::stod(s.substr(0, comma), &a);
        const double y = comma == std::string::npos ? 0.0 : std::stod(s.substr(comma + 1), &b);
        if (a == (comma == std::string::npos ? s.size() : comma) &&
            (comma == std::string::npos || b == s.size() - comma - 1) && std::isfinite(x) && std::isfinite(y))
            return {x, y};
    } catch (const std::exception&) {
    }
    throw Error("--probe '" + s + "' is not X,Y (e.g. 0.5,-0.25)");
}

bool wants(const std::vector<FigureView>& views, std::initializer_list<FigureView> any) {
    for (FigureView v : views)
        for (FigureView w : any)
            if (v == w) return true;
    return false;
}

SurfaceJobOptions surfaceOptions(const RenderArgs& a, const StudySpec& spec) {
    SurfaceJobOptions o = gui::windowSurfaceOptions(spec);
    if (a.grid && (std::sscanf(a.grid->c_str(), "%dx%d", &o.nx, &o.ny) != 2))
        throw Error("--grid '" + *a.grid + "' is not NXxNY (e.g. 21x21)");
    if (a.range) {
        if (!std::isfinite(*a.range) || !(*a.range > 0))
            throw Error("--range " + std::to_string(*a.range) + " is not a positive number");
        o.range = std::array<double, 4>{-*a.range, *a.range, -*a.range, *a.range};
    }
    if (a.dirs) o.dirs = *a.dirs;
    validate(o);
    return o;
}

// A result stored in the study with the same key (as the window stores them) is drawn as it is;
// else it is computed, and stored with --cache.
template <class Result>
Result cachedOrComputed(const ResultCache& cache, bool store, const std::string& origin,
                        Result (*fromJson)(const std::string&, const std::string&),
                        std::string (*toJsonText)(const Result&), const std::function<Result()>& compute) {
    if (const auto hit = cache.stored()) return fromJson(*hit, origin);
    Result r = compute();
    if (store) cache.store(r.provenance, toJsonText(r));
    return r;
}

int runRender(const RenderArgs& a) {
    if (communicator()) throw Error("render runs on one process");
    if (a.out.empty()) throw Error("give the figure file with --out FILE.png|pdf|svg");
    std::vector<FigureView> views;
    for (const std::string& name : splitList(a.views)) {
        const auto v = gui::parseFigureView(name);
        if (!v) throw Error("--view '" + name + "' is not one of " + gui::figureViewNames());
        views.push_back(*v);
    }
    if (views.empty()) throw Error("--view is empty");
    const auto app = startQt(wants(views, {FigureView::Surface, FigureView::CompareSurfaces}));
    (void)styleOf(a.figure);  // a bad style fails before any computing

    const StudySpec spec = a.study.resolve();
    const SurfaceJobOptions surface_options = surfaceOptions(a, spec);
    const bool map_view = wants(views, {FigureView::CurvatureMap});
    const auto fields = gui::curvatureFieldNames();
    if (map_view && std::find(fields.begin(), fields.end(), a.field) == fields.end())
        throw Error("--field '" + a.field + "' is not one of lambda_max, lambda_min, ratio, trace");
    std::vector<std::array<double, 2>> probe_points;
    for (const std::string& p : a.probes) probe_points.push_back(parsePoint(p));

    JobContext job(textProgressBar());
    gui::FigureContent content;
    content.source = spec.study_path.empty() ? spec.model : spec.study_path;
    const std::string name =
        spec.name.empty() ? QFileInfo(QString::fromStdString(spec.model)).baseName().toStdString() : spec.name;
    const std::string origin = spec.study_path;
    if (wants(views, {FigureView::Spectrum, FigureView::Density, FigureView::Surface, FigureView::Contour,
                      FigureView::Layers, FigureView::CurvatureMap, FigureView::Structure})) {
        std::optional<Objective> objective;
        auto open = [&]() -> Objective& {
            if (!objective) objective.emplace(Objective::open(spec));
            return *objective;
        };
        if (wants(views, {FigureView::Spectrum, FigureView::Density})) {
            const SpectrumOptions o = gui::windowSpectrumOptions(spec);
            const auto r = cachedOrComputed<SpectrumResult>(ResultCache(true, spec, "spectrum", toJson(o)), a.cache,
                                                            origin, spectrumFromJson, spectrumJson,
                                                            [&] { return computeSpectrum(open(), o, &job); });
            content.spectrum = gui::toPlotData(r, name);
            content.provenance.push_back(provenanceJson(r.provenance));
        }
        if (map_view) {
            // The curvature map (as the window runs it, on this plane and grid): the surface views
            // drawn with it are its loss, coloured by the field.
            CurvatureMapOptions mo = gui::windowCurvatureMapOptions(spec);
            mo.surface = surface_options;
            mo.seed = mo.surface.seed = spec.seed;
            validate(mo);
            const auto r = cachedOrComputed<SurfaceGrid>(
                ResultCache(true, spec, "curvature-map", toJson(mo), referencedFiles(mo, spec)), a.cache, origin,
                curvatureMapFromJson, curvatureMapJson, [&] { return computeCurvatureMap(open(), mo, &job); });
            content.surface = gui::toPlotData(r, name);
            content.surface->colour_by = a.field;
            if (!widgets::colourField(*content.surface))
                throw Error("the curvature map has no " + a.field +
                            " (lambda_min needs --ends both, the trace needs probes)");
            content.provenance.push_back(provenanceJson(r.provenance));
        } else if (wants(views, {FigureView::Surface, FigureView::Contour})) {
            const auto r = cachedOrComputed<SurfaceGrid>(
                ResultCache(true, spec, "surface", toJson(surface_options), referencedFiles(surface_options, spec)),
                a.cache, origin, surfaceFromJson, surfaceJson,
                [&] { return computeSurfaceJob(open(), surface_options, &job); });
            content.surface = gui::toPlotData(r, name);
            content.provenance.push_back(provenanceJson(r.provenance));
        }
        if (!probe_points.empty()) {
            // Probes on the same plane: their spectra laid over the centre's, marks on the surface.
            ProbeOptions po = gui::windowProbeOptions(spec);
            po.directions = surface_options;
            po.seed = po.spectrum.seed = po.directions.seed = spec.seed;
            for (const auto& p : probe_points) {
                po.x = p[0];
                po.y = p[1];
                validate(po);
                const auto r = cachedOrComputed<ProbeResult>(
                    ResultCache(true, spec, "probe", toJson(po), referencedFiles(po, spec)), a.cache, origin,
                    probeFromJson, probeJson, [&] { return computeProbe(open(), po, &job); });
                content.probe_spectra.push_back(gui::probeToSpectrum(r));
                content.provenance.push_back(provenanceJson(r.provenance));
            }
            if (content.surface) gui::markProbes(*content.surface, probe_points);
        }
        if (wants(views, {FigureView::Layers})) {
            const SensitivityOptions o = gui::windowSensitivityOptions(spec, open().parameterCount());
            const auto r = cachedOrComputed<SensitivityResult>(ResultCache(true, spec, "sensitivity", toJson(o)),
                                                               a.cache, origin, sensitivityFromJson, sensitivityJson,
                                                               [&] { return computeSensitivity(open(), o, &job); });
            content.layers = gui::toPlotData(r, name);
            content.provenance.push_back(provenanceJson(r.provenance));
        }
        if (wants(views, {FigureView::Structure})) {
            const StructureOptions o = gui::windowStructureOptions(spec);
            const auto r = cachedOrComputed<StructureResult>(
                ResultCache(true, spec, "structure", toJson(o), referencedFiles(o)), a.cache, origin, structureFromJson,
                structureJson, [&] { return computeStructure(open(), o, &job); });
            content.structure = gui::toPlotData(r, name);
            content.provenance.push_back(provenanceJson(r.provenance));
        }
    }
    if (wants(views, {FigureView::Stability})) {
        // Each checkpoint's row as the window computes and stores it.
        StabilityResult table;
        table.options = gui::windowStabilityOptions(spec);
        for (const StabilityInput& in : stabilityInputs(spec, table.options)) {
            const ResultCache cache(true, spec, "stability", toJson(table.options), referencedFiles(in), in.checkpoint);
            if (const auto hit = cache.stored()) {
                table.rows.push_back(stabilityRowFromJson(*hit, origin));
                continue;
            }
            Objective o = Objective::open(spec, in.checkpoint);
            table.rows.push_back(computeStability(o, stabilityOptimizer(o, in, table.options), table.options, &job));
            if (a.cache) cache.store(table.rows.back().provenance, stabilityRowJson(table.rows.back()));
        }
        content.stability = gui::toPlotData(table, name);
        for (const StabilityRow& r : table.rows) content.provenance.push_back(provenanceJson(r.provenance));
    }
    if (wants(views, {FigureView::BatchScaling})) {
        const BatchScalingOptions o = gui::windowBatchScalingOptions(spec);
        const std::string optimizer = batchScalingOptimizer(spec);
        const auto r = cachedOrComputed<BatchScalingResult>(
            ResultCache(true, spec, "batch-scaling", toJson(o), optimizerFiles(optimizer)), a.cache, origin,
            batchScalingFromJson, batchScalingJson, [&] {
                Objective objective = Objective::open(spec);
                return computeBatchScaling(objective, o, &job, optimizer);
            });
        content.batch_scaling = gui::toPlotData(r, name);
        content.provenance.push_back(provenanceJson(r.provenance));
    }
    if (wants(views, {FigureView::BatchSpectra})) {
        // Each checkpoint's set as the window computes and stores it: the overlay.
        const BatchSpectraOptions o = gui::windowBatchSpectraOptions(spec);
        std::vector<BatchSpectraResult> set;
        for (const std::string& model : gui::windowBatchSpectraModels(spec)) {
            const std::string other = model == spec.model ? std::string() : model;
            set.push_back(
                cachedOrComputed<BatchSpectraResult>(ResultCache(true, spec, "batch-spectra", toJson(o), {}, other),
                                                     a.cache, origin, batchSpectraFromJson, batchSpectraJson, [&] {
                                                         Objective objective = Objective::open(spec, other);
                                                         return computeBatchSpectra(objective, o, &job);
                                                     }));
            content.provenance.push_back(provenanceJson(set.back().provenance));
        }
        content.batch_spectra = gui::toPlotData(set, name);
    }
    if (wants(views, {FigureView::Resample})) {
        const ResampleOptions o = gui::windowResampleOptions(spec);
        const auto r = cachedOrComputed<ResampleResult>(
            ResultCache(true, spec, "resample", toJson(o)), a.cache, origin, resampleFromJson, resampleJson, [&] {
                Objective objective = Objective::open(spec);
                std::fprintf(stderr, "%s\n", resampleCost(o, objective.data().samples).text.c_str());
                return computeResample(objective, o, &job);
            });
        content.resample = gui::toPlotData(r, name);
        content.provenance.push_back(provenanceJson(r.provenance));
    }
    CompareOptions compare = gui::windowCompareOptions(spec);
    if (!a.checkpoints.empty()) compare.checkpoints = splitList(a.checkpoints);
    if (compare.checkpoints.empty()) compare.checkpoints = spec.checkpoints;
    if (a.path) compare.path_points = *a.path;
    compare.surface = surface_options;
    validate(compare);
    std::vector<std::string>& ckpts = compare.checkpoints;
    if (wants(views, {FigureView::Compare, FigureView::CompareSurfaces})) {
        if (ckpts.size() < 2)
            throw Error("compare needs 2 to 4 checkpoints: give --checkpoints A,B,... or a study that lists them");
        if (ckpts.size() > 4) {
            std::fprintf(stderr, "comparing the first, two middle and last of %zu checkpoints\n", ckpts.size());
            ckpts = {ckpts[0], ckpts[ckpts.size() / 3], ckpts[2 * ckpts.size() / 3], ckpts.back()};
        }
    }
    if (wants(views, {FigureView::Compare})) {
        for (const std::string& c : ckpts) {
            const ResultCache cache(true, spec, "compare-row", toJson(compare.spectrum), {}, c);
            CheckpointRow row;
            if (const auto hit = cache.stored()) row = checkpointRowFromJson(*hit, origin);
            else {
                row = checkpointRow(spec, c, compare.spectrum, &job);
                if (a.cache) cache.store(row.provenance, checkpointRowJson(row));
            }
            content.compare_spectra.push_back(gui::rowToSpectrum(row));
            content.provenance.push_back(provenanceJson(row.provenance));
        }
        if (compare.path_points > 0) {
            EigenOptions e = compare.spectrum.eigen;
            e.max_hvp = compare.path_max_hvp;
            e.seed = seedFor(spec.seed, SeedStream::Eigen);
            const PathResult path =
                interpolationPath(spec, ckpts.front(), ckpts.back(), compare.path_points, e, &job, compare.path_bn);
            content.path = gui::toPlotData(path);
            content.provenance.push_back(provenanceJson(path.provenance));
        }
    }
    if (wants(views, {FigureView::CompareSurfaces}))
        for (const std::string& c : ckpts) {
            StudySpec one = spec;
            one.model = c;
            Objective objective = Objective::open(one);
            const SurfaceGrid grid = computeSurfaceJob(objective, surface_options, &job);
            content.compare_surfaces.push_back(
                gui::toPlotData(grid, QFileInfo(QString::fromStdString(c)).fileName().toStdString()));
            content.provenance.push_back(provenanceJson(grid.provenance));
        }
    write(content, views, a.out, a.figure);
    return 0;
}

}  // namespace

void writeCompareFigure(const std::vector<CheckpointRow>& rows, const PathResult* path, const std::string& out,
                        const FigureFlags& flags, const std::string& source) {
    const auto app = startQt(false);
    gui::FigureContent content;
    content.source = source;
    for (const CheckpointRow& row : rows) {
        content.compare_spectra.push_back(gui::rowToSpectrum(row));
        content.provenance.push_back(provenanceJson(row.provenance));
    }
    if (path) {
        content.path = gui::toPlotData(*path);
        content.provenance.push_back(provenanceJson(path->provenance));
    }
    write(content, {FigureView::Compare}, out, flags);
}

void addFigureFlags(CLI::App& cmd, FigureFlags& f) {
    cmd.add_option("--style", f.style, "paper-1col (3.5 in) | paper-2col (7 in) | screen (default)")
        ->check(CLI::IsMember({"paper-1col", "paper-2col", "screen"}));
    cmd.add_option("--width", f.width, "PNG width in pixels (default: the style's width at its dpi)");
    cmd.add_option("--dpi", f.dpi, "PNG pixels per inch, and of images inside PDF/SVG (paper styles: 300)");
    cmd.add_option("--font-pt", f.font_pt, "type size in points (paper: 8, screen: 10)");
    cmd.add_option("--colormap", f.colormap, "surface colours: viridis (default) | grey");
    cmd.add_flag("--transparent", f.transparent, "no background fill");
}

void addRenderCommand(CLI::App& app, Runner& run) {
    auto* cmd =
        app.add_subcommand("render", "Figures of a study as the GUI draws them (PNG, PDF, SVG), without a window");
    auto a = std::make_shared<RenderArgs>();
    cmd->add_option("study_file", a->study.study, "Basin study file (or --study, or --model and --data)");
    a->study.add(*cmd);
    cmd->add_option("--view", a->views,
                    "comma-separated panels, side by side: " + gui::figureViewNames() + " (default surface)");
    cmd->add_option("--out", a->out, "the figure: .png, .pdf or .svg (settings written beside it as FILE.json)")
        ->required();
    cmd->add_option("--grid", a->grid, "surface grid NXxNY (default 21x21, as the GUI)");
    cmd->add_option("--range", a->range, "surface spans [-R, R] along random directions (default 1)");
    cmd->add_option("--dirs", a->dirs, "surface directions: random | eigen | eigen-neg | checkpoints | pca");
    cmd->add_option("--field", a->field,
                    "curvature-map: what colours it: lambda_max | lambda_min | ratio (default) | trace");
    cmd->add_option("--probe", a->probes,
                    "X,Y: a curvature probe there, over the spectrum and marked on the surface (repeatable)");
    cmd->add_option("--checkpoints", a->checkpoints,
                    "compare: 2 to 4 comma-separated model files (default: the study's)");
    cmd->add_option("--path", a->path, "compare: points on the line between the first and last checkpoint");
    cmd->add_flag("--cache", a->cache,
                  "store the results computed in the study file (stored results are always reused)");
    addFigureFlags(*cmd, a->figure);
    cmd->callback([a, &run] { run = [a] { return runRender(*a); }; });
}

}  // namespace basin::cli
