#include "grid_run.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "basin/atomic_file.h"
#include "basin/error.h"
#include "distributed.h"

namespace basin::cli {

namespace {

JobContext* g_job = nullptr;
extern "C" void onInterrupt(int) {
    if (g_job) g_job->cancel();  // the grid stops within the current point and is saved
}

// Every per-point field of a grid, as pointers to gather into (doubles; counts and flags too).
struct Fields {
    std::vector<std::vector<double>*> real;
    std::vector<std::vector<int32_t>*> whole;
    std::vector<std::vector<uint8_t>*> flags;
};

template <class Grid>
Fields fieldsOf(Grid& g) {
    Fields f;
    f.real = {&g.loss, &g.accuracy};
    if (g.curvature) {
        auto& c = *g.curvature;
        for (auto* v : {&c.lambda_max, &c.lambda_min, &c.trace, &c.trace_stderr}) f.real.push_back(v);
        f.whole = {&c.hvp};
        f.flags = {&c.converged, &c.warm};
    }
    return f;
}

}  // namespace

SurfaceGrid gatherGrid(const SurfaceGrid& g, const std::vector<uint8_t>& initial_done) {
    Communicator* comm = communicator();
    if (!comm) return g;
    SurfaceGrid all = g;
    const Fields src = fieldsOf(const_cast<SurfaceGrid&>(g)), dst = fieldsOf(all);
    const size_t n = g.loss.size();
    const size_t m = src.real.size() + src.whole.size() + src.flags.size();
    std::vector<double> buf((m + 1) * n, 0.0);
    for (size_t k = 0; k < n; ++k) {
        if (!g.done[k] || initial_done[k]) continue;
        size_t f = 0;
        for (auto* v : src.real) buf[f++ * n + k] = (*v)[k];
        for (auto* v : src.whole) buf[f++ * n + k] = double((*v)[k]);
        for (auto* v : src.flags) buf[f++ * n + k] = double((*v)[k]);
        buf[m * n + k] = 1;
    }
    comm->sum(buf.data(), buf.size());
    for (size_t k = 0; k < n; ++k) {
        if (buf[m * n + k] <= 0) continue;
        size_t f = 0;
        for (auto* v : dst.real) (*v)[k] = buf[f++ * n + k];
        for (auto* v : dst.whole) (*v)[k] = int32_t(buf[f++ * n + k]);
        for (auto* v : dst.flags) (*v)[k] = uint8_t(buf[f++ * n + k]);
        all.done[k] = 1;
    }
    return all;
}

GridRunResult runGrid(SurfaceGrid& grid, JobContext& job, const std::string& resume,
                      const std::vector<std::string>& outs, const ComputePoints& compute) {
    GridRunResult result;
    if (!resume.empty() && std::filesystem::exists(resume)) {
        std::ifstream in(resume);
        std::stringstream ss;
        ss << in.rdbuf();
        resumeFrom(grid, surfaceFromJson(ss.str(), resume), resume);
        if (isLeader())
            std::fprintf(stderr, "resuming: %lld of %zu points already computed\n", (long long)grid.computed(),
                         grid.loss.size());
    }
    // Partial grids are saved to the resume file (or the first .json output) as they fill.
    std::string partial_file = resume;
    for (const auto& o : outs)
        if (partial_file.empty() && o.ends_with(".json")) partial_file = o;
    Communicator* comm = communicator();
    const SurfaceDeal deal{comm ? comm->rank() : 0, comm ? comm->size() : 1};
    const std::vector<uint8_t> initial_done = grid.done;
    const auto t0 = std::chrono::steady_clock::now();
    auto on_partial = [&](const SurfaceGrid& g) {
        const SurfaceGrid all = gatherGrid(g, initial_done);
        if (result.first_picture_s < 0) {
            result.first_picture_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            result.first_picture_points = all.computed();
        }
        if (!partial_file.empty() && isLeader()) writeFileAtomically(partial_file, surfaceJson(all));
    };
    g_job = &job;
    auto old_handler = std::signal(SIGINT, onInterrupt);
    try {
        compute(grid, job, on_partial, deal);
    } catch (const Cancelled&) {
        std::signal(SIGINT, old_handler);
        g_job = nullptr;
        // Under mpirun the last complete level was saved already (a gather needs every process).
        if (!comm && !partial_file.empty()) writeFileAtomically(partial_file, surfaceJson(grid));
        std::fprintf(stderr, "\ninterrupted after %lld of %zu points%s\n", (long long)grid.computed(), grid.loss.size(),
                     partial_file.empty() ? "" : ("; resume with --resume " + partial_file).c_str());
        result.interrupted = true;
        return result;
    } catch (...) {
        std::signal(SIGINT, old_handler);
        g_job = nullptr;
        throw;
    }
    std::signal(SIGINT, old_handler);
    g_job = nullptr;
    grid = gatherGrid(grid, initial_done);
    return result;
}

}  // namespace basin::cli
