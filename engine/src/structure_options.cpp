// The structure analysis's options: validation, canonical JSON and back (see options.h).
#include <set>

#include "basin/structure.h"
#include "option_checks.h"
#include "options_json.h"
#include "structure_impl.h"

namespace basin {

namespace {

using detail::OptionName;
using nlohmann::json;

OptionName name(const char* key, const char* flag) { return {"structure", key, flag}; }

PruneLevel parseLevel(const std::string& s, const std::string& origin) {
    if (s == "weight") return PruneLevel::Weight;
    if (s == "channel") return PruneLevel::Channel;
    if (s == "head") return PruneLevel::Head;
    throw Error(origin,
                "structure option prune_level (--prune-level) is '" + s + "'; it must be weight, channel or head");
}

}  // namespace

std::string pruneLevelName(PruneLevel level) {
    switch (level) {
        case PruneLevel::Weight:
            return "weight";
        case PruneLevel::Channel:
            return "channel";
        case PruneLevel::Head:
            return "head";
    }
    return {};
}

void validate(const StructureOptions& o) {
    using namespace detail;
    if (!o.diag && !o.localisation && !o.classes && !o.blocks && o.align_data.empty())
        optionError(name("parts", "--diag, --localisation, --classes, --blocks, --align"), "none",
                    "at least one part of the analysis");
    if (o.diag) {
        if (!o.exact) requireAtLeast(name("probes", "--probes"), o.probes, 2);
        else requireAtLeast(name("exact_max", "--exact-max"), o.exact_max, 1);
        requireRange(name("heads", "--heads"), o.heads, 0, 4096);
        requireRange(name("table", "--table"), o.table, 0, 100000);
        std::set<int> seen;
        for (int k : o.prune) {
            requireAtLeast(name("prune", "--prune"), k, 1);
            if (!seen.insert(k).second)
                optionError(name("prune", "--prune"), std::to_string(k) + " twice", "a list of distinct counts");
        }
    }
    if (o.localisation || o.blocks || o.classes) {
        requireRange(name("top", "--top"), o.top_k, 1, 1000);
        requirePositive(name("tol", "--tol"), o.tol);
        requireAtLeast(name("max_hvp", "--max-hvp"), o.max_hvp, 2);
    }
    if (o.classes) requireRange(name("class_top", "--class-top"), o.class_top, 0, 1000);
    if (o.blocks) {
        requireAtLeast(name("density_probes", "--density-probes"), o.density_probes, 1);
        requireAtLeast(name("density_steps", "--steps"), o.density_steps, 2);
    }
    if (!o.align_data.empty()) {
        requireAtLeast(name("align_probes", "--align-probes"), o.align_probes, 2);
        requirePositive(name("tol", "--tol"), o.tol);
        requireAtLeast(name("max_hvp", "--max-hvp"), o.max_hvp, 2);
    }
    for (const auto& m : o.merge)
        if (m.empty() || m.find('+') == std::string::npos)
            optionError(name("merge", "--merge"), "'" + m + "'", "groups joined by +, such as conv1+bn1");
}

namespace detail {

json structureOptionsObject(const StructureOptions& o) {
    return {{"diag", o.diag},
            {"localisation", o.localisation},
            {"classes", o.classes},
            {"blocks", o.blocks},
            {"align_data", o.align_data},
            {"align_targets", o.align_targets},
            {"align_group", o.align_group},
            {"probes", o.probes},
            {"exact", o.exact},
            {"exact_max", o.exact_max},
            {"heads", o.heads},
            {"prune_level", pruneLevelName(o.prune_level)},
            {"prune", o.prune},
            {"table", o.table},
            {"keep_diagonal", o.keep_diagonal},
            {"top", o.top_k},
            {"tol", o.tol},
            {"max_hvp", o.max_hvp},
            {"class_top", o.class_top},
            {"density_probes", o.density_probes},
            {"density_steps", o.density_steps},
            {"align_probes", o.align_probes},
            {"merge", o.merge},
            {"seed", o.seed}};
}

StructureOptions structureOptionsFromObject(const json& j, const std::string& origin) {
    detail::OptionsReader r(
        j, origin, "structure",
        {"diag",        "localisation",   "classes",       "blocks",       "align_data", "align_targets",
         "align_group", "probes",         "exact",         "exact_max",    "heads",      "prune_level",
         "prune",       "table",          "keep_diagonal", "top",          "tol",        "max_hvp",
         "class_top",   "density_probes", "density_steps", "align_probes", "merge",      "seed"});
    StructureOptions o;
    r.get("diag", o.diag);
    r.get("localisation", o.localisation);
    r.get("classes", o.classes);
    r.get("blocks", o.blocks);
    r.get("align_data", o.align_data);
    r.get("align_targets", o.align_targets);
    r.get("align_group", o.align_group);
    r.get("probes", o.probes);
    r.get("exact", o.exact);
    r.get("exact_max", o.exact_max);
    r.get("heads", o.heads);
    std::string level = pruneLevelName(o.prune_level);
    r.get("prune_level", level);
    o.prune_level = parseLevel(level, origin);
    r.get("prune", o.prune);
    r.get("table", o.table);
    r.get("keep_diagonal", o.keep_diagonal);
    r.get("top", o.top_k);
    r.get("tol", o.tol);
    r.get("max_hvp", o.max_hvp);
    r.get("class_top", o.class_top);
    r.get("density_probes", o.density_probes);
    r.get("density_steps", o.density_steps);
    r.get("align_probes", o.align_probes);
    r.get("merge", o.merge);
    r.get("seed", o.seed);
    return basin::detail::validatedFrom(o, origin);
}

}  // namespace detail

std::string toJson(const StructureOptions& o) { return detail::structureOptionsObject(o).dump(); }

StructureOptions structureOptionsFromJson(const std::string& text, const std::string& origin) {
    return detail::structureOptionsFromObject(detail::parseOptions(text, origin, "structure"), origin);
}

std::vector<std::string> referencedFiles(const StructureOptions& o) {
    std::vector<std::string> files;
    if (!o.align_data.empty()) files.push_back(o.align_data);
    if (!o.align_targets.empty()) files.push_back(o.align_targets);
    return files;
}

}  // namespace basin
