#include <chrono>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "basin/directions.h"
#include "basin/error.h"
#include "basin/analysis_defaults.h"
#include "basin/surface_job.h"
#include "commands.h"
#include "distributed.h"
#include "progress_bar.h"
#include "surface_export.h"

namespace basin::cli {

namespace {

JobContext* g_job = nullptr;
extern "C" void onInterrupt(int) {
    if (g_job) g_job->cancel();  // the grid stops after the current point and is saved
}

struct SurfaceArgs {
    StudyOptions study;
    std::optional<std::string> dirs, norm, ignore, grid, range, bn;
    std::string save_dirs, resume, checkpoints;
    std::vector<std::string> outs;
    bool orthogonal = false;
};

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
    if (used == 0 || used != text.size()) throw Error("--range '" + whole + "' is not A:B[,C:D] (e.g. -1:1 or -0.5:1.5,-1:1)");
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

SurfaceJobOptions toOptions(const SurfaceArgs& a, const StudySpec& spec) {
    SurfaceJobOptions o = studySurfaceOptions(spec).value_or(SurfaceJobOptions{});
    if (a.dirs) o.dirs = *a.dirs;
    if (a.norm) o.norm = parseDirectionNorm(*a.norm);
    if (a.ignore) o.ignore = parseIgnoreMode(*a.ignore);
    if (a.orthogonal) o.orthogonal = true;
    if (a.grid) parseGrid(*a.grid, o);
    if (a.range) parseRange(*a.range, o);
    if (a.bn) o.bn = *a.bn == "recompute" ? BatchNormMode::Recompute : BatchNormMode::Eval;
    if (!a.checkpoints.empty()) o.checkpoints = splitList(a.checkpoints);
    o.seed = spec.seed;
    validate(o);
    return o;
}

int runSurface(const SurfaceArgs& a) {
    for (const auto& o : a.outs) exporting::checkSurfacePath(o);
    const auto spec = a.study.resolve();
    const SurfaceJobOptions opt = toOptions(a, spec);
    auto objective = Objective::open(spec);
    JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
    // Under mpirun every process evaluates its share of the points on all the samples.
    Communicator* comm = communicator();
    const SurfaceDeal deal{comm ? comm->rank() : 0, comm ? comm->size() : 1};
    const auto t0 = std::chrono::steady_clock::now();
    const auto plan = planSurfaceJob(objective, opt, &job);
    if (!a.save_dirs.empty() && isLeader()) {
        saveDirection(a.save_dirs + "_x.npy", plan.dx);
        if (plan.dy) saveDirection(a.save_dirs + "_y.npy", *plan.dy);
    }
    SurfaceGrid grid = surfaceGridFor(objective, opt, plan);
    if (!a.resume.empty() && std::filesystem::exists(a.resume)) {
        std::ifstream in(a.resume);
        std::stringstream ss;
        ss << in.rdbuf();
        resumeFrom(grid, surfaceFromJson(ss.str(), a.resume), a.resume);
        if (isLeader())
            std::fprintf(stderr, "resuming: %lld of %zu points already computed\n", (long long)grid.computed(), grid.loss.size());
    }
    // Partial grids are saved to the resume file (or the first .json output) as they fill.
    std::string partial_file = a.resume;
    for (const auto& o : a.outs)
        if (partial_file.empty() && o.ends_with(".json")) partial_file = o;
    // With several processes the points each computed are gathered (a sum: each point has one
    // owner) into the grid that rank 0 writes.
    const std::vector<uint8_t> initial_done = grid.done;
    auto gathered = [&](const SurfaceGrid& g) {
        if (!comm) return g;
        const size_t n = g.loss.size();
        std::vector<double> buf(3 * n, 0.0);
        for (size_t k = 0; k < n; ++k)
            if (g.done[k] && !initial_done[k]) {
                buf[k] = g.loss[k];
                buf[n + k] = g.accuracy[k];
                buf[2 * n + k] = 1;
            }
        comm->sum(buf.data(), buf.size());
        SurfaceGrid all = g;
        for (size_t k = 0; k < n; ++k)
            if (buf[2 * n + k] > 0) {
                all.loss[k] = buf[k];
                all.accuracy[k] = buf[n + k];
                all.done[k] = 1;
            }
        return all;
    };
    auto save_partial = [&](const SurfaceGrid& g) {
        if (partial_file.empty()) return;
        const auto all = gathered(g);
        if (isLeader()) writeFileAtomically(partial_file, surfaceJson(all));
    };
    g_job = &job;
    auto old_handler = std::signal(SIGINT, onInterrupt);
    try {
        computeSurface(objective, plan.origin, plan.dx, plan.dy ? &*plan.dy : nullptr, grid, opt.bn, &job, save_partial, 64,
                       deal);
    } catch (const Cancelled&) {
        std::signal(SIGINT, old_handler);
        if (!comm) save_partial(grid);  // under mpirun the last complete level was saved already
        std::fprintf(stderr, "\ninterrupted after %lld of %zu points%s\n", (long long)grid.computed(), grid.loss.size(),
                     partial_file.empty() ? "" : ("; resume with --resume " + partial_file).c_str());
        return 130;
    }
    std::signal(SIGINT, old_handler);
    g_job = nullptr;
    grid = gathered(grid);
    grid.provenance.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!isLeader()) return 0;
    for (const auto& o : a.outs) exporting::writeSurface(o, grid);
    const auto k = grid.argminLoss();
    std::printf("surface %dx%d over [%g, %g] x [%g, %g], %s\n", grid.nx(), grid.ny(), grid.xs.front(), grid.xs.back(),
                grid.ys.front(), grid.ys.back(), plan.description.c_str());
    std::printf("BatchNorm: %s; cosine(dx, dy) = %.4f\n", grid.bn_mode.c_str(), plan.cosine_xy);
    if (k >= 0)
        std::printf("minimum loss %.6g at (%g, %g)\n", grid.loss[size_t(k)], grid.xs[size_t(k % grid.nx())],
                    grid.ys[size_t(k / grid.nx())]);
    for (const auto& o : a.outs) std::printf("wrote %s\n", o.c_str());
    return 0;
}

}  // namespace

void addSurfaceCommand(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("surface", "Loss surface along one or two directions (Li et al. 2018)");
    auto a = std::make_shared<SurfaceArgs>();
    a->study.add(*cmd);
    cmd->add_option("--dirs", a->dirs, "random | eigen | eigen-neg | checkpoints | pca | X.npy[,Y.npy]");
    cmd->add_option("--norm", a->norm, "filter | layer | none (random directions)")->check(CLI::IsMember({"filter", "layer", "none"}));
    cmd->add_option("--ignore", a->ignore, "biasbn | none: zero the directions in biases and BatchNorm")->check(CLI::IsMember({"biasbn", "none"}));
    cmd->add_flag("--orthogonal", a->orthogonal, "make the second direction orthogonal to the first");
    cmd->add_option("--grid", a->grid, "NX or NXxNY (default 21x21, at most a million points)");
    cmd->add_option("--range", a->range, "A:B[,C:D] (default -1:1, or around the checkpoints)");
    cmd->add_option("--bn", a->bn, "eval | recompute: BatchNorm statistics at each point")->check(CLI::IsMember({"eval", "recompute"}));
    cmd->add_option("--checkpoints", a->checkpoints, "comma-separated model files for checkpoints/pca (default: the study's)");
    cmd->add_option("--out", a->outs, "FILE.vts | .h5 | .csv | .json (several allowed)");
    cmd->add_option("--save-dirs", a->save_dirs, "write the directions to PREFIX_x.npy and PREFIX_y.npy");
    cmd->add_option("--resume", a->resume, "a partial surface .json to continue (written as the grid fills)");
    cmd->callback([a, &run] { run = [a] { return runSurface(*a); }; });
}

}  // namespace basin::cli
