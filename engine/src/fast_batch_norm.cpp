// In eval mode (running statistics, not training) BatchNorm is an affine map per channel,
// y = x·a + b with a = γ/√(σ² + ε) and b = β − μ·a, which is what PyTorch's CPU kernel computes.
// Its autograd, though, is batch_norm's general one, whose second backward
// (batchnorm_double_backward, written for training mode's batch statistics as well) took a
// quarter of each H·v on a small CNN. This file registers aten::batch_norm for autograd on the
// CPU as those two elementwise operations in eval mode, so that autograd differentiates them
// (twice) directly; training mode, and eval mode without running statistics, go to PyTorch's own
// implementation unchanged.
#include <torch/torch.h>

#include <vector>

#include "torch_io.h"

namespace basin::detail {

namespace {

bool has(const c10::optional<at::Tensor>& t) { return t && t->defined(); }

at::Tensor affineEvalBatchNorm(const at::Tensor& input, const c10::optional<at::Tensor>& weight,
                               const c10::optional<at::Tensor>& bias, const c10::optional<at::Tensor>& running_mean,
                               const c10::optional<at::Tensor>& running_var, bool training, double momentum, double eps,
                               bool cudnn_enabled) {
    if (training || !has(running_mean) || !has(running_var) || input.dim() < 2)
        return std::get<0>(at::_batch_norm_impl_index(input, weight, bias, running_mean, running_var, training,
                                                      momentum, eps, cudnn_enabled));
    std::vector<int64_t> shape(size_t(input.dim()), 1);
    shape[1] = -1;  // the channel axis
    at::Tensor scale = at::reciprocal(at::sqrt(*running_var + eps));
    if (has(weight)) scale = scale * *weight;
    at::Tensor shift = -*running_mean * scale;
    if (has(bias)) shift = shift + *bias;
    // In the input's dtype, as PyTorch's kernel returns it (statistics kept in another dtype too).
    return input * scale.to(input.scalar_type()).view(shape) + shift.to(input.scalar_type()).view(shape);
}

}  // namespace

bool useAffineEvalBatchNorm() {
    static const bool on =
        overrideAtenKernel("BASIN_NATIVE_BATCH_NORM", c10::DispatchKey::AutogradCPU, "batch_norm",
                           torch::CppFunction::makeFromUnboxedFunction(TORCH_FN(affineEvalBatchNorm)));
    return on;
}

}  // namespace basin::detail
