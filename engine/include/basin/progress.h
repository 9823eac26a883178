#pragma once
/// Progress reporting and cancellation shared by every engine job.
/// A job calls JobContext::step() between two units of work (two H*v products, two grid rows);
/// step() throws basin::Cancelled when cancel() was called from any thread, so a cancelled job
/// unwinds within one unit of work and never returns a partial result labelled as complete.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace basin {

struct Progress {
    std::string stage;     ///< what is being done, e.g. "lanczos (largest)"
    int64_t done = 0;      ///< units finished in this stage
    int64_t total = 0;     ///< units expected in this stage (0 when unknown)
    double elapsed_s = 0;  ///< seconds since the stage began
    double eta_s = -1;     ///< estimated seconds left in the stage, -1 when unknown
};

class JobContext {
public:
    using Callback = std::function<void(const Progress&)>;

    JobContext() = default;
    explicit JobContext(Callback cb) : callback_(std::move(cb)) {}

    /// Ask the job to stop; safe from any thread.
    void cancel() { cancelled_.store(true); }
    bool cancelled() const { return cancelled_.load(); }

    /// Begin a stage of `total` units (0 if unknown).
    void stage(const std::string& name, int64_t total);
    /// Report that `done` units of the current stage are finished; throws Cancelled if cancelled.
    void step(int64_t done);
    /// Throws Cancelled if cancel() was called.
    void check() const;

private:
    Callback callback_;
    std::atomic<bool> cancelled_{false};
    Progress current_;
    std::chrono::steady_clock::time_point start_{};
};

}  // namespace basin
