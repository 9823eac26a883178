#include "basin/progress.h"

#include "basin/error.h"

namespace basin {

void JobContext::stage(const std::string& name, int64_t total) {
    check();
    start_ = std::chrono::steady_clock::now();
    current_ = Progress{name, 0, total, 0, -1};
    if (callback_) callback_(current_);
}

void JobContext::step(int64_t done) {
    check();
    current_.done = done;
    current_.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    current_.eta_s = (done > 0 && current_.total > 0)
                         ? current_.elapsed_s / double(done) * double(std::max<int64_t>(0, current_.total - done))
                         : -1;
    if (callback_) callback_(current_);
}

void JobContext::check() const {
    if (cancelled_.load()) throw Cancelled();
}

}  // namespace basin
