#include "progress_bar.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace basin::cli {

JobContext::Callback textProgressBar() {
    if (!::isatty(STDERR_FILENO)) return {};
    return [](const Progress& p) {
        const int width = 30;
        const double f = p.total > 0 ? double(p.done) / double(p.total) : 0.0;
        const int filled = int(f * width + 0.5);
        std::string bar(size_t(filled), '#');
        bar.resize(width, ' ');
        std::string eta = p.eta_s >= 0 ? "ETA " + std::to_string(int(p.eta_s + 0.5)) + "s" : "";
        std::fprintf(stderr, "\r%-28s [%s] %lld/%lld %-10s", p.stage.c_str(), bar.c_str(), (long long)p.done,
                     (long long)p.total, eta.c_str());
        if (p.total > 0 && p.done >= p.total) std::fprintf(stderr, "\n");
        std::fflush(stderr);
    };
}

}  // namespace basin::cli
