#include <cstdio>
#include <iostream>
#include <optional>

#include "basin/analysis_defaults.h"
#include "basin/curvature.h"
#include "basin/error.h"
#include "basin/objective.h"
#include "basin/study.h"
#include "commands.h"
#include "distributed.h"
#include "progress_bar.h"
#include "result_cache.h"
#include "spectrum_flags.h"

namespace basin::cli {

namespace {

// Flags given on the command line override single fields of the study's spectrum options (or of
// the defaults); every value is checked by the options' own validate(), as from a study file.
struct SpectrumArgs {
    StudyOptions study;
    SpectrumFlags spectrum;
    std::optional<double> edge;
    bool json = false, cache = false;
    std::string out;
};

SpectrumOptions toOptions(const SpectrumArgs& a, const StudySpec& spec) {
    SpectrumOptions o = a.spectrum.apply(studySpectrumOptions(spec).value_or(SpectrumOptions{}));
    o.seed = spec.seed;
    validate(o);
    if (a.edge && !std::isfinite(*a.edge)) throw Error("--edge " + std::to_string(*a.edge) + " is not a finite number");
    return o;
}

int runSpectrum(const SpectrumArgs& a) {
    const auto spec = a.study.resolve();
    const auto options = toOptions(a, spec);
    const ResultCache cache(a.cache, spec, "spectrum", toJson(options));
    SpectrumResult result;
    bool computed = false;
    if (const auto hit = cache.stored()) {
        result = spectrumFromJson(*hit, spec.study_path);
    } else {
        auto objective = Objective::open(spec, {}, communicator());
        JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
        result = computeSpectrum(objective, options, &job);
        computed = true;
    }
    if (!isLeader()) return 0;
    // The edge set by hand annotates the result; without --edge the rule's split is shown.
    setBulkEdge(result, a.edge);
    const auto text = spectrumJson(result);
    if (computed) cache.store(result.provenance, text);
    if (!a.out.empty()) writeFileAtomically(a.out, text + "\n");
    if (a.json) std::cout << text << "\n";
    else printSpectrumTable(result);
    return 0;
}

}  // namespace

void addSpectrumCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("spectrum", "Hessian eigenvalues, trace, spectral density, bulk and outliers");
    auto a = std::make_shared<SpectrumArgs>();
    a->study.add(*cmd);
    a->spectrum.add(*cmd);
    cmd->add_option("--edge", a->edge, "set the bulk edge by hand");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_flag("--cache", a->cache,
                  "reuse a result stored in the study file for the same inputs, or store this one");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->callback([a, cmd, &run] {
        a->spectrum.settle(*cmd);
        run = [a] { return runSpectrum(*a); };
    });
}

}  // namespace basin::cli
