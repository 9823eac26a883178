// basin-cli probe: the spectrum at a point of a surface's plane.
#include <cstdio>
#include <iostream>

#include "basin/analysis_defaults.h"
#include "basin/error.h"
#include "basin/probe.h"
#include "commands.h"
#include "distributed.h"
#include "progress_bar.h"
#include "result_cache.h"
#include "spectrum_flags.h"
#include "surface_flags.h"

namespace basin::cli {

namespace {

struct ProbeArgs {
    StudyOptions study;
    SurfaceFlags plane;
    SpectrumFlags spectrum;
    std::string at, out;
    bool json = false, cache = false, line = false;
};

void parseAt(const std::string& s, ProbeOptions& o) {
    const auto comma = s.find(',');
    auto number = [&](const std::string& t) {
        size_t used = 0;
        double v = 0;
        try {
            v = std::stod(t, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != t.size()) throw Error("--at '" + s + "' is not X,Y (or X on a line), e.g. 0.5,-0.25");
        return v;
    };
    o.x = number(s.substr(0, comma));
    o.y = comma == std::string::npos ? 0.0 : number(s.substr(comma + 1));
}

ProbeOptions toOptions(const ProbeArgs& a, const StudySpec& spec) {
    ProbeOptions o = studyProbeOptions(spec).value_or(ProbeOptions{});
    if (!studyProbeOptions(spec)) {
        // Without probe options of its own, a study's spectrum and plane are those of its analyses.
        if (const auto s = studySpectrumOptions(spec)) o.spectrum = *s;
        if (const auto s = studySurfaceOptions(spec)) o.directions = *s;
    }
    o.spectrum = a.spectrum.apply(o.spectrum);
    o.directions = a.plane.apply(o.directions);
    if (a.line) o.directions.ny = 1;
    parseAt(a.at, o);
    o.seed = o.spectrum.seed = o.directions.seed = spec.seed;
    validate(o);
    return o;
}

int runProbe(const ProbeArgs& a) {
    const auto spec = a.study.resolve();
    const ProbeOptions options = toOptions(a, spec);
    const ResultCache cache(a.cache, spec, "probe", toJson(options), referencedFiles(options, spec));
    const ProbeResult r = cache.reuseOrCompute(
        [&] {
            auto objective = Objective::open(spec, {}, communicator());
            JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
            return computeProbe(objective, options, &job);
        },
        &probeFromJson, &probeJson, spec.study_path);
    if (!isLeader()) return 0;
    const std::string text = probeJson(r);
    if (!a.out.empty()) writeFileAtomically(a.out, text + "\n");
    if (a.json) {
        std::cout << text << "\n";
        return 0;
    }
    std::printf("probe at (%g, %g) of the plane %s%s%s\n", r.x, r.y, r.x_label.c_str(), r.y_label.empty() ? "" : " x ",
                r.y_label.c_str());
    std::printf("loss %.6g", r.eval.loss);
    if (r.eval.accuracy >= 0) std::printf(", accuracy %.2f %%", 100 * r.eval.accuracy);
    std::printf("\n");
    printSpectrumTable(r.spectrum);
    return 0;
}

}  // namespace

void addProbeCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("probe", "The spectrum at a point x,y of a surface's plane (the curvature probe)");
    auto a = std::make_shared<ProbeArgs>();
    a->study.add(*cmd);
    cmd->add_option("--at", a->at, "the point X,Y in the plane's coordinates (X on a line)")->required();
    a->plane.add(*cmd, false);
    cmd->add_flag("--line", a->line, "the plane is a line (one direction): give --at X");
    a->spectrum.add(*cmd);
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_flag("--cache", a->cache, "reuse a probe stored in the study file for the same inputs, or store this one");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->callback([a, cmd, &run] {
        a->spectrum.settle(*cmd);
        run = [a] { return runProbe(*a); };
    });
}

}  // namespace basin::cli
