#pragma once
// What the per-batch spectra and the resampling share: an estimate on a subset of the samples
// (the objective goes back to all of them, also on a throw), reported through the caller's job.
#include <string>
#include <utility>
#include <vector>

#include "basin/objective.h"
#include "basin/progress.h"

namespace basin::detail {

template <class F>
auto onSamples(Objective& o, const std::vector<int64_t>& samples, F&& f) {
    o.restrictSamples(samples);
    try {
        auto r = f();
        o.restrictSamples({});
        return r;
    } catch (...) {
        o.restrictSamples({});
        throw;
    }
}

// A job for one estimate inside a longer one: its stages reach `outer` as "<prefix>: <stage>", and
// outer's step() (which throws Cancelled) runs at each of its steps, so a cancel stops it.
class SubJob {
public:
    SubJob(JobContext* outer, std::string prefix)
        : outer_(outer), prefix_(std::move(prefix)), inner_([this](const Progress& p) { forward(p); }) {}
    SubJob(const SubJob&) = delete;
    SubJob& operator=(const SubJob&) = delete;
    JobContext* get() { return outer_ ? &inner_ : nullptr; }

private:
    void forward(const Progress& p) {
        if (p.stage != stage_) {
            stage_ = p.stage;
            outer_->stage(prefix_ + ": " + p.stage, p.total);
        }
        outer_->step(p.done);
    }
    JobContext* outer_;
    std::string prefix_, stage_;
    JobContext inner_;
};

}  // namespace basin::detail
