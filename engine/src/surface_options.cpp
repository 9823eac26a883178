// The loss-surface analysis's options: validation, canonical JSON and back (see options.h).
#include <cmath>
#include <filesystem>

#include "analysis_options.h"
#include "basin/study.h"
#include "basin/surface.h"
#include "option_checks.h"
#include "options_json.h"

namespace basin {

namespace {

using detail::OptionName;
using nlohmann::json;

OptionName name(const char* key, const char* flag) { return {"surface", key, flag}; }

const char* normName(DirectionNorm n) {
    return n == DirectionNorm::Filter ? "filter" : n == DirectionNorm::Layer ? "layer" : "none";
}

constexpr int64_t kMaxPoints = 1'000'000;

bool namesFiles(const std::string& dirs) {
    return dirs != "random" && dirs != "eigen" && dirs != "eigen-neg" && dirs != "checkpoints" && dirs != "pca";
}

std::vector<std::string> splitComma(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        const size_t c = s.find(',', start);
        const std::string item = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
        if (!item.empty()) out.push_back(item);
        if (c == std::string::npos) break;
        start = c + 1;
    }
    return out;
}

}  // namespace

void validate(const SurfaceJobOptions& o) {
    using namespace detail;
    if (o.dirs.empty())
        optionError(name("dirs", "--dirs"), "empty", "random, eigen, eigen-neg, checkpoints, pca or FILE[,FILE]");
    requireRange(name("nx", "--grid"), o.nx, 2, kMaxPoints);
    requireRange(name("ny", "--grid"), o.ny, 1, kMaxPoints);
    const int64_t points = int64_t(o.nx) * int64_t(o.ny);
    if (points > kMaxPoints)
        optionError(name("grid", "--grid"),
                    std::to_string(o.nx) + "x" + std::to_string(o.ny) + " (" + std::to_string(points) + " points)",
                    "at most " + std::to_string(kMaxPoints) +
                        " points; each point is one pass over the samples, so 1001x1001 already takes hours");
    if (!o.group.empty() && (o.dirs == "checkpoints" || o.dirs == "pca"))
        optionError(name("group", "--group"), "'" + o.group + "' with " + o.dirs + " directions",
                    "empty for checkpoints and pca, whose directions move every parameter as training did");
    if (o.range) {
        const auto& r = *o.range;
        for (double v : r) requireFinite(name("range", "--range"), v);
        if (!(r[1] > r[0]))
            optionError(name("range", "--range"), valueText(r[0]) + ":" + valueText(r[1]),
                        "a range whose end is above its start");
        if (!o.isLine() && !(r[3] > r[2]))
            optionError(name("range", "--range"), valueText(r[2]) + ":" + valueText(r[3]),
                        "a range whose end is above its start (the second axis)");
    }
}

namespace detail {

json surfaceOptionsObject(const SurfaceJobOptions& o) {
    return {{"dirs", o.dirs},
            {"norm", normName(o.norm)},
            {"ignore", o.ignore == IgnoreMode::BiasBN ? "biasbn" : "none"},
            {"orthogonal", o.orthogonal},
            {"checkpoints", o.checkpoints},
            {"grid", {o.nx, o.ny}},
            {"range", o.range ? json(*o.range) : json(nullptr)},
            {"bn", o.bn == BatchNormMode::Recompute ? "recompute" : "eval"},
            {"seed", o.seed},
            {"directions_model", o.directions_model},
            {"group", o.group}};
}

SurfaceJobOptions surfaceOptionsFromObject(const json& j, const std::string& origin) {
    OptionsReader r(j, origin, "surface",
                    {"dirs", "norm", "ignore", "orthogonal", "checkpoints", "grid", "range", "bn", "seed",
                     "directions_model", "group"});
    SurfaceJobOptions o;
    r.get("dirs", o.dirs);
    try {
        std::string s;
        r.get("norm", s);
        if (!s.empty()) o.norm = parseDirectionNorm(s);
        s.clear();
        r.get("ignore", s);
        if (!s.empty()) o.ignore = parseIgnoreMode(s);
    } catch (const Error& e) {
        throw Error(origin, e.what());
    }
    r.get("orthogonal", o.orthogonal);
    r.get("checkpoints", o.checkpoints);
    std::vector<int> grid;
    r.get("grid", grid);
    if (!grid.empty()) {
        if (grid.size() != 2) throw Error(origin, "surface option grid must be [nx, ny]");
        o.nx = grid[0];
        o.ny = grid[1];
    }
    r.getOptional("range", o.range);
    std::string bn;
    r.get("bn", bn);
    if (!bn.empty()) {
        if (bn != "eval" && bn != "recompute")
            throw Error(origin, "surface option bn is '" + bn + "'; it must be eval or recompute");
        o.bn = bn == "recompute" ? BatchNormMode::Recompute : BatchNormMode::Eval;
    }
    r.get("seed", o.seed);
    r.get("directions_model", o.directions_model);
    r.get("group", o.group);
    return basin::detail::validatedFrom(o, origin);
}

}  // namespace detail

std::string toJson(const SurfaceJobOptions& o) { return detail::surfaceOptionsObject(o).dump(); }

SurfaceJobOptions surfaceOptionsFromJson(const std::string& text, const std::string& origin) {
    return detail::surfaceOptionsFromObject(detail::parseOptions(text, origin, "surface"), origin);
}

std::vector<std::string> referencedFiles(const SurfaceJobOptions& o, const StudySpec& spec) {
    std::vector<std::string> files;
    if (o.dirs == "checkpoints" || o.dirs == "pca") files = o.checkpoints.empty() ? spec.checkpoints : o.checkpoints;
    else if (namesFiles(o.dirs)) files = splitComma(o.dirs);
    if (!o.directions_model.empty()) files.push_back(o.directions_model);
    return files;
}

}  // namespace basin
