#include "surface_flags.h"

#include <array>
#include <climits>

#include "basin/directions.h"
#include "basin/error.h"
#include "study_options.h"

namespace basin::cli {

namespace {

void parseGrid(const std::string& s, SurfaceJobOptions& o) {
    const auto x = s.find('x');
    size_t used = 0, used_y = 0;
    try {
        const long long nx = std::stoll(s.substr(0, x), &used);
        const long long ny = x == std::string::npos ? 1 : std::stoll(s.substr(x + 1), &used_y);
        if (used != (x == std::string::npos ? s.size() : x) || (x != std::string::npos && used_y != s.size() - x - 1))
            throw std::invalid_argument("trailing characters");
        if (nx > INT32_MAX || ny > INT32_MAX || nx < INT32_MIN || ny < INT32_MIN) throw std::out_of_range("grid");
        o.nx = int(nx);
        o.ny = int(ny);
    } catch (const std::exception&) {
        throw Error("--grid '" + s + "' is not NX or NXxNY (e.g. 51x51, 41x61, 101)");
    }
}

double number(const std::string& text, const std::string& whole) {
    size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size())
        throw Error("--range '" + whole + "' is not A:B[,C:D] (e.g. -1:1 or -0.5:1.5,-1:1)");
    return v;
}

void parseRange(const std::string& s, SurfaceJobOptions& o) {
    std::array<double, 4> r{};
    auto pair = [&](const std::string& p, double& a, double& b) {
        const auto c = p.find(':');
        if (c == std::string::npos) throw Error("--range '" + s + "' is not A:B[,C:D] (e.g. -1:1 or -0.5:1.5,-1:1)");
        a = number(p.substr(0, c), s);
        b = number(p.substr(c + 1), s);
    };
    const auto comma = s.find(',');
    pair(s.substr(0, comma), r[0], r[1]);
    if (comma != std::string::npos) pair(s.substr(comma + 1), r[2], r[3]);
    else {
        r[2] = r[0];
        r[3] = r[1];
    }
    o.range = r;
}

}  // namespace

void SurfaceFlags::add(CLI::App& cmd, bool with_grid) {
    cmd.add_option("--dirs", dirs, "random | eigen | eigen-neg | checkpoints | pca | X.npy[,Y.npy]");
    cmd.add_option("--norm", norm, "filter | layer | none (random directions)")
        ->check(CLI::IsMember({"filter", "layer", "none"}));
    cmd.add_option("--ignore", ignore, "biasbn | none: zero the directions in biases and BatchNorm")
        ->check(CLI::IsMember({"biasbn", "none"}));
    cmd.add_flag("--orthogonal", orthogonal, "make the second direction orthogonal to the first");
    if (with_grid) {
        cmd.add_option("--grid", grid, "NX or NXxNY (default 21x21, at most a million points)");
        cmd.add_option("--range", range, "A:B[,C:D] (default -1:1, or around the checkpoints)");
    }
    cmd.add_option("--bn", bn, "eval | recompute: BatchNorm statistics at each point")
        ->check(CLI::IsMember({"eval", "recompute"}));
    cmd.add_option("--checkpoints", checkpoints,
                   "comma-separated model files for checkpoints/pca (default: the study's)");
    cmd.add_option("--group", group, "move only this layer group (e.g. conv2, or conv1+bn1): one layer's landscape");
}

SurfaceJobOptions SurfaceFlags::apply(SurfaceJobOptions o) const {
    if (dirs) o.dirs = *dirs;
    if (norm) o.norm = parseDirectionNorm(*norm);
    if (ignore) o.ignore = parseIgnoreMode(*ignore);
    if (orthogonal) o.orthogonal = true;
    if (grid) parseGrid(*grid, o);
    if (range) parseRange(*range, o);
    if (bn) o.bn = *bn == "recompute" ? BatchNormMode::Recompute : BatchNormMode::Eval;
    if (!checkpoints.empty()) o.checkpoints = splitList(checkpoints);
    if (group) o.group = *group;
    return o;
}

}  // namespace basin::cli
