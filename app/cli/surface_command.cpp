#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "basin/directions.h"
#include "basin/error.h"
#include "basin/surface_plan.h"
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
    std::string dirs = "random", norm = "filter", ignore = "biasbn", grid = "51x51", range, bn = "eval", save_dirs, resume;
    std::string checkpoints;
    std::vector<std::string> outs;
    bool orthogonal = false;
};

void parseGrid(const std::string& s, int& nx, int& ny) {
    const auto x = s.find('x');
    try {
        nx = std::stoi(s.substr(0, x));
        ny = x == std::string::npos ? 1 : std::stoi(s.substr(x + 1));
    } catch (const std::exception&) {
        throw Error("--grid '" + s + "' is not NX or NXxNY (e.g. 51x51, 41x61, 101)");
    }
    if (nx < 2 || ny < 1) throw Error("--grid '" + s + "' needs at least 2 points along x");
}

void parseRange(const std::string& s, SurfaceOptions& o) {
    auto pair = [&](const std::string& p, double& a, double& b) {
        const auto c = p.find(':');
        if (c == std::string::npos) throw Error("--range '" + s + "' is not A:B[,C:D]");
        a = std::stod(p.substr(0, c));
        b = std::stod(p.substr(c + 1));
        if (!(b > a)) throw Error("--range '" + p + "': the end must be greater than the start");
    };
    const auto comma = s.find(',');
    pair(s.substr(0, comma), o.x0, o.x1);
    if (comma != std::string::npos) pair(s.substr(comma + 1), o.y0, o.y1);
    else {
        o.y0 = o.x0;
        o.y1 = o.x1;
    }
}

int runSurface(const SurfaceArgs& a) {
    for (const auto& o : a.outs) exporting::checkSurfacePath(o);
    const auto spec = a.study.resolve();
    auto objective = Objective::open(spec);
    SurfaceOptions opt;
    parseGrid(a.grid, opt.nx, opt.ny);
    opt.bn = a.bn == "recompute" ? BatchNormMode::Recompute : BatchNormMode::Eval;
    SurfaceRequest req;
    req.dirs = a.dirs;
    req.norm = parseDirectionNorm(a.norm);
    req.ignore = parseIgnoreMode(a.ignore);
    req.orthogonal = a.orthogonal;
    req.two_d = opt.ny > 1;
    req.seed = spec.seed;
    req.checkpoints = splitList(a.checkpoints);
    JobContext job(isLeader() ? textProgressBar() : JobContext::Callback{});
    // Under mpirun every process evaluates its share of the points on all the samples.
    Communicator* comm = communicator();
    const SurfaceDeal deal{comm ? comm->rank() : 0, comm ? comm->size() : 1};
    const auto plan = planSurface(objective, req, &job);
    if (!a.range.empty()) parseRange(a.range, opt);
    else if (plan.suggested_range) {
        opt.x0 = (*plan.suggested_range)[0];
        opt.x1 = (*plan.suggested_range)[1];
        opt.y0 = (*plan.suggested_range)[2];
        opt.y1 = (*plan.suggested_range)[3];
    }
    if (!a.save_dirs.empty() && isLeader()) {
        saveDirection(a.save_dirs + "_x.npy", plan.dx);
        if (plan.dy) saveDirection(a.save_dirs + "_y.npy", *plan.dy);
    }
    SurfaceGrid grid = makeGrid(opt);
    if (!a.resume.empty() && std::filesystem::exists(a.resume)) {
        std::ifstream in(a.resume);
        std::stringstream ss;
        ss << in.rdbuf();
        SurfaceGrid old = surfaceFromJson(ss.str(), a.resume);
        if (old.xs != grid.xs || old.ys != grid.ys)
            throw Error(a.resume, "holds a grid of other coordinates; give the same --grid and --range to resume it");
        grid.loss = old.loss;
        grid.accuracy = old.accuracy;
        grid.done = old.done;
        if (isLeader())
            std::fprintf(stderr, "resuming: %lld of %zu points already computed\n", (long long)grid.computed(), grid.loss.size());
    }
    grid.x_label = plan.x_label;
    grid.y_label = plan.dy ? plan.y_label : "";
    grid.trajectory = plan.trajectory;
    grid.trajectory_labels = plan.trajectory_labels;
    grid.cosine_xy = plan.cosine_xy;
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
        computeSurface(objective, plan.origin, plan.dx, plan.dy ? &*plan.dy : nullptr, grid, opt.bn, &job, save_partial,
                       64, deal);
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
    if (!isLeader()) return 0;
    for (const auto& o : a.outs) exporting::writeSurface(o, grid);
    const auto k = grid.argminLoss();
    std::printf("surface %dx%d over [%g, %g] x [%g, %g], %s\n", grid.nx(), grid.ny(), opt.x0, opt.x1, opt.y0, opt.y1,
                plan.description.c_str());
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
    cmd->add_option("--grid", a->grid, "NX or NXxNY (default 51x51)");
    cmd->add_option("--range", a->range, "A:B[,C:D] (default -1:1, or around the checkpoints)");
    cmd->add_option("--bn", a->bn, "eval | recompute: BatchNorm statistics at each point")->check(CLI::IsMember({"eval", "recompute"}));
    cmd->add_option("--checkpoints", a->checkpoints, "comma-separated model files for checkpoints/pca (default: the study's)");
    cmd->add_option("--out", a->outs, "FILE.vts | .h5 | .csv | .json (several allowed)");
    cmd->add_option("--save-dirs", a->save_dirs, "write the directions to PREFIX_x.npy and PREFIX_y.npy");
    cmd->add_option("--resume", a->resume, "a partial surface .json to continue (written as the grid fills)");
    cmd->callback([a, &run] { run = [a] { return runSurface(*a); }; });
}

}  // namespace basin::cli
