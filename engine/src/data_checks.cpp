#include "data_checks.h"

#include <torch/csrc/jit/python/update_graph_executor_opt.h>

#include <cstdlib>
#include <mutex>

#include "basin/error.h"

namespace basin::detail {

void checkFiniteSamples(const torch::Tensor& values, const std::string& path, const std::string& what) {
    if (!values.defined() || !values.is_floating_point() || values.numel() == 0) return;
    torch::NoGradGuard no_grad;
    const torch::Tensor bad = values.isfinite().logical_not().reshape({values.size(0), -1}).any(1);
    if (!bad.any().item<bool>()) return;
    const int64_t sample = bad.nonzero().flatten()[0].item<int64_t>();
    const torch::Tensor row = values[sample].flatten();
    const bool nan = row.isnan().any().item<bool>();
    throw Error(
        path, "sample " + std::to_string(sample) + " of the " + what + " holds " + (nan ? "NaN" : "an infinite value") +
                  "; a loss and its curvature need finite numbers: clean the data (or choose samples without it)");
}

void runTorchScriptAsWritten() {
    static std::once_flag once;
    // BASIN_TORCHSCRIPT_OPTIMIZE=1 keeps LibTorch's optimising executor, for benchmarks against it.
    std::call_once(once, [] {
        const char* keep = std::getenv("BASIN_TORCHSCRIPT_OPTIMIZE");
        if (!keep || std::string(keep) != "1") torch::jit::setGraphExecutorOptimize(false);
    });
}

}  // namespace basin::detail
