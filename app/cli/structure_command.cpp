// basin-cli structure: where curvature lives (diagonal and saliency, localisation, class structure,
// block-diagonal view, alignment across data sets), each part with its cost in H·v.
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>

#include "basin/analysis_defaults.h"
#include "basin/error.h"
#include "basin/structure.h"
#include "commands.h"
#include "distributed.h"
#include "progress_bar.h"
#include "result_cache.h"

namespace basin::cli {

namespace {

// Part flags choose the parts (any given: only those); the other flags override single fields of
// the study's structure options (or the defaults), then validate() checks them as from a file.
struct StructureArgs {
    StudyOptions study;
    bool diag = false, localisation = false, classes = false, blocks = false;
    std::optional<std::string> align, align_targets, align_group, prune_level, prune;
    std::optional<int> probes, heads, table, top, max_hvp, class_top, density_probes, steps, align_probes;
    std::optional<int64_t> exact_max;
    std::optional<double> tol;
    std::vector<std::string> merge;
    bool exact = false, keep_diagonal = false, json = false, cache = false;
    std::string out;
};

std::vector<int> parseCounts(const std::string& s) {
    std::vector<int> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        size_t used = 0;
        try {
            out.push_back(std::stoi(item, &used));
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size())
            throw Error("--prune '" + s + "' is not a list of counts such as 1,2,4,8");
    }
    return out;
}

StructureOptions toOptions(const StructureArgs& a, const StudySpec& spec) {
    StructureOptions o = studyStructureOptions(spec).value_or(StructureOptions{});
    if (a.diag || a.localisation || a.classes || a.blocks || a.align) {
        o.diag = a.diag;
        o.localisation = a.localisation;
        o.classes = a.classes;
        o.blocks = a.blocks;
        o.align_data = a.align.value_or("");
    }
    if (a.align_targets) o.align_targets = *a.align_targets;
    if (a.align_group) o.align_group = *a.align_group;
    if (a.exact) o.exact = true;
    if (a.exact_max) o.exact_max = *a.exact_max;
    if (a.probes) o.probes = *a.probes;
    if (a.heads) o.heads = *a.heads;
    if (a.prune_level) {
        if (*a.prune_level == "weight") o.prune_level = PruneLevel::Weight;
        else if (*a.prune_level == "channel") o.prune_level = PruneLevel::Channel;
        else if (*a.prune_level == "head") o.prune_level = PruneLevel::Head;
        else
            throw Error("structure option prune_level (--prune-level) is '" + *a.prune_level +
                        "'; it must be weight, channel or head");
    }
    if (a.prune) o.prune = parseCounts(*a.prune);
    if (a.table) o.table = *a.table;
    if (a.keep_diagonal) o.keep_diagonal = true;
    if (a.top) o.top_k = *a.top;
    if (a.tol) o.tol = *a.tol;
    if (a.max_hvp) o.max_hvp = *a.max_hvp;
    if (a.class_top) o.class_top = *a.class_top;
    if (a.density_probes) o.density_probes = *a.density_probes;
    if (a.steps) o.density_steps = *a.steps;
    if (a.align_probes) o.align_probes = *a.align_probes;
    if (!a.merge.empty()) o.merge = a.merge;
    o.seed = spec.seed;
    validate(o);
    return o;
}

void printDiag(const DiagonalPart& d) {
    std::printf("Hessian diagonal (%s%s): %lld H*v, %.1f s; trace %.6g +- %.2g\n", d.method.c_str(),
                d.method == "hutchinson" ? (", " + std::to_string(d.probes) + " probes").c_str() : "",
                (long long)d.hvp_count, d.seconds, d.trace, d.trace_stderr);
    std::printf("  %-22s %9s %13s %10s %13s %10s\n", "group", "params", "diag sum", "+-", "saliency", "+-");
    for (const auto& g : d.groups)
        std::printf("  %-22s %9lld %13.5g %10.2g %13.5g %10.2g\n", g.name.c_str(), (long long)g.size, g.diag_sum,
                    g.diag_sum_stderr, g.saliency, g.saliency_stderr);
    for (const auto& rule : d.head_rule) std::printf("  heads: %s\n", rule.c_str());
    std::printf("  least salient %ss (OBD saliency diag(H) w^2 / 2):\n", d.prune_level.c_str());
    for (size_t i = 0; i < d.least_salient.size() && i < 10; ++i) {
        const auto& e = d.least_salient[i];
        std::printf("  %3zu %-28s %11.4g +- %9.2g   |w|^2 %.4g\n", i + 1, e.name.c_str(), e.saliency, e.saliency_stderr,
                    e.weight_sq);
    }
    std::printf("  removal (loss %.6g as is):  %5s %12s %12s %12s %12s\n", d.base.loss, "k", "by saliency", "predicted",
                "by magnitude", "predicted");
    for (size_t i = 0; i + 1 < d.removal.size(); i += 2)
        std::printf("  %31s %5d %12.6g %12.4g %12.6g %12.4g\n", "", d.removal[i].k, d.removal[i].eval.loss,
                    d.removal[i].predicted, d.removal[i + 1].eval.loss, d.removal[i + 1].predicted);
}

void printLocalisation(const LocalisationPart& l) {
    std::printf("\nEigenvector localisation (share of squared norm per layer group%s)\n",
                l.converged ? "" : "; NOT converged");
    std::printf("  %-7s %12s %7s", "vector", "eigenvalue", "PR");
    for (const auto& g : l.groups) std::printf(" %9.9s", g.c_str());
    std::printf("\n");
    for (const auto& v : l.vectors) {
        std::printf("  %-7s %12.5g %7.1f", v.end.c_str(), v.eigenvalue, v.participation);
        for (double s : v.shares) std::printf(" %9.3f", s);
        std::printf("\n");
    }
}

void printClasses(const ClassPart& c) {
    std::printf("\nClass structure of the Gauss-Newton matrix (%d classes): %lld G*v, %lld gradient passes, %.1f s%s\n",
                c.classes, (long long)c.hvp_count, (long long)c.gradient_passes, c.seconds,
                c.converged ? "" : "; NOT converged");
    std::printf("  %3s %12s %12s %12s   %10s %10s %10s\n", "k", "G eig", "class Gram", "H eig", "class", "cross",
                "within");
    for (size_t k = 0; k < c.ggn_split.size(); ++k) {
        const auto& s = c.ggn_split[k];
        std::printf("  %3zu %12.5g %12.5g %12.5g   %10.4g %10.4g %10.4g\n", k + 1, s.eigenvalue,
                    k < c.class_gram.size() ? c.class_gram[k] : 0.0,
                    k < c.hessian_eigenvalues.size() ? c.hessian_eigenvalues[k] : 0.0, s.class_part, s.cross_part,
                    s.within_part);
    }
    std::printf("  tr G_class %.5g, tr G_cross %.5g; top cross-class Gram eigenvalues:", c.class_trace, c.cross_trace);
    for (size_t i = 0; i < c.cross_gram.size() && i < 5; ++i) std::printf(" %.4g", c.cross_gram[i]);
    std::printf("\n  overlap cos^2(v_k, g_c) of the top Gauss-Newton eigenvectors with the class-mean gradients:\n");
    for (size_t k = 0; k < c.ggn_overlap.size(); ++k) {
        std::printf("  %3zu", k + 1);
        for (double x : c.ggn_overlap[k]) std::printf(" %5.2f", x);
        std::printf("\n");
    }
}

void printBlocks(const BlockPart& b) {
    std::printf("\nBlock-diagonal against full: %lld H*v, %.1f s\n", (long long)b.hvp_count, b.seconds);
    std::printf("  %3s %12s %12s %-16s %9s\n", "k", "full", "block-diag", "block", "angle");
    for (size_t i = 0; i < std::max(b.full.size(), b.block.size()); ++i)
        std::printf("  %3zu %12.5g %12.5g %-16s %8.2f°\n", i + 1, i < b.full.size() ? b.full[i] : 0.0,
                    i < b.block.size() ? b.block[i] : 0.0, i < b.block_of.size() ? b.block_of[i].c_str() : "",
                    i < b.angles.size() ? b.angles[i] : 0.0);
    std::printf("  Jensen-Shannon distance between the blocks' densities of log10|l|:\n  %16s", "");
    for (const auto& x : b.blocks) std::printf(" %8.8s", x.name.c_str());
    std::printf("\n");
    for (size_t i = 0; i < b.blocks.size(); ++i) {
        std::printf("  %-16.16s", b.blocks[i].name.c_str());
        for (double v : b.js[i]) std::printf(" %8.3f", v);
        std::printf("\n");
    }
}

void printAlign(const AlignPart& a) {
    std::printf("\nAlignment with %s: %lld H*v, %.1f s; loss %.5g here, %.5g there\n", a.inputs.c_str(),
                (long long)a.hvp_count, a.seconds, a.a.loss, a.b.loss);
    std::printf("  %-12s %9s %12s %12s %12s %12s %10s\n", "scope", "params", "|H_A-H_B|_2", "tr H_A", "tr H_B",
                "tr diff", "grad cos");
    for (const AlignScope* s : {&a.model, &a.head})
        std::printf("  %-12s %9lld %12.5g %12.5g %12.5g %12.5g %10.4f%s\n", s->scope.c_str(), (long long)s->parameters,
                    s->norm, s->trace_a, s->trace_b, s->trace_diff, s->gradient_cosine,
                    s->converged ? "" : "  NOT converged");
}

}  // namespace

void addStructureCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand(
        "structure", "Where curvature lives: diagonal and saliency, localisation, classes, blocks, alignment");
    auto a = std::make_shared<StructureArgs>();
    a->study.add(*cmd);
    cmd->add_flag("--diag", a->diag,
                  "the Hessian diagonal, its sums per tensor/channel/head/group, OBD saliency and removal");
    cmd->add_flag("--localisation", a->localisation, "top and bottom eigenvectors' shares per layer group");
    cmd->add_flag("--classes", a->classes, "class structure of the Gauss-Newton matrix (cross-entropy)");
    cmd->add_flag("--blocks", a->blocks, "block-diag(H) over layer groups against H");
    cmd->add_option("--align", a->align, "a second data file: ||H_A - H_B||_2, trace difference, gradient cosine");
    cmd->add_option("--align-targets", a->align_targets, "the second data's targets file, when separate");
    cmd->add_option("--align-group", a->align_group, "the classifier head's layer group (default: the last)");
    cmd->add_flag("--exact", a->exact, "the diagonal from the exact Hessian (small models)");
    cmd->add_option("--exact-max", a->exact_max, "largest model for --exact (default 4096)");
    cmd->add_option("--probes", a->probes, "Hutchinson probes of the diagonal (default 64)");
    cmd->add_option("--heads", a->heads, "attention heads per attention module (default: the model's num_heads)");
    cmd->add_option("--prune-level", a->prune_level, "weight | channel (default) | head");
    cmd->add_option("--prune", a->prune, "how many structures to zero, e.g. 1,2,4,8 (the default)");
    cmd->add_option("--table", a->table, "rows of the ranked table of least salient structures (default 20)");
    cmd->add_flag("--keep-diagonal", a->keep_diagonal,
                  "keep the per-entry diagonal and its standard error in the JSON");
    cmd->add_option("--top", a->top,
                    "eigenvectors at each end (localisation) and eigenvalues compared (blocks); default 5");
    cmd->add_option("--tol", a->tol, "Lanczos tolerance (default 1e-3)");
    cmd->add_option("--max-hvp", a->max_hvp, "cap on the products of each Lanczos run (default 200)");
    cmd->add_option("--class-top", a->class_top, "Gauss-Newton and Hessian eigenpairs for --classes (default: C)");
    cmd->add_option("--density-probes", a->density_probes, "SLQ probes per block (default 2)");
    cmd->add_option("--steps", a->steps, "Lanczos steps per probe and block (default 20)");
    cmd->add_option("--align-probes", a->align_probes, "Hutchinson probes of the trace difference (default 16)");
    cmd->add_option("--merge", a->merge, "join layer groups, e.g. conv1+bn1 (repeatable)");
    cmd->add_flag("--json", a->json, "print JSON");
    cmd->add_flag("--cache", a->cache,
                  "reuse a result stored in the study file for the same inputs, or store this one");
    cmd->add_option("--out", a->out, "write JSON to FILE");
    cmd->callback([a, &run] {
        run = [a] {
            const auto spec = a->study.resolve();
            const StructureOptions opt = toOptions(*a, spec);
            if (communicator() && (opt.classes || !opt.align_data.empty()))
                throw Error("--classes and --align run on one process (each process would hold only its shard)");
            auto o = Objective::open(spec, {}, communicator());
            const ResultCache cache(a->cache, spec, "structure", toJson(opt), referencedFiles(opt));
            const StructureResult r = cache.reuseOrCompute(
                [&] {
                    JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
                    return computeStructure(o, opt, &job);
                },
                &structureFromJson, &structureJson, spec.study_path);
            if (!isLeader()) return 0;
            const auto text = structureJson(r);
            if (!a->out.empty()) writeFileAtomically(a->out, text + "\n");
            if (a->json) {
                std::cout << text << "\n";
                return 0;
            }
            if (r.diag) printDiag(*r.diag);
            if (r.eigen_hvp_count > 0)
                std::printf("\nshared Lanczos run of H (localisation, blocks, classes): %lld H*v\n",
                            (long long)r.eigen_hvp_count);
            if (r.localisation) printLocalisation(*r.localisation);
            if (r.classes) printClasses(*r.classes);
            if (r.blocks) printBlocks(*r.blocks);
            if (r.align) printAlign(*r.align);
            std::printf("\n%lld H*v in %.1f s (%lld parameters)\n", (long long)r.hvp_count, r.seconds,
                        (long long)r.parameters);
            return 0;
        };
    });
}

}  // namespace basin::cli
