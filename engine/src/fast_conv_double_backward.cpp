// The second backward of a convolution, _convolution_double_backward in PyTorch 1.13, computes
// all three of its gradients (with respect to the first backward's grad_output, the input and
// the weight) whenever their inputs are there, whatever autograd's mask asks for. For the first
// convolution of a network the input is the data: its gradient, a transposed convolution over
// the whole first feature map, is computed and thrown away in every H·v (on the small BatchNorm
// CNN of bench/vs_pyhessian.py a fifth of an exact-reuse product). This file registers the
// operator for autograd on the CPU: when the input's gradient is not asked for, PyTorch's own
// implementation computes the other two without ggW (whose only other use is the grad_output
// term conv(input, ggW)), and that term is added here; otherwise PyTorch's own runs unchanged.
#include <ATen/ops/_convolution_double_backward_native.h>
#include <torch/torch.h>

#include <array>
#include <tuple>

#include "torch_io.h"

namespace basin::detail {

namespace {

std::tuple<at::Tensor, at::Tensor, at::Tensor> maskedConvolutionDoubleBackward(
    const c10::optional<at::Tensor>& ggI, const c10::optional<at::Tensor>& ggW, const c10::optional<at::Tensor>& ggb,
    const at::Tensor& gO, const at::Tensor& weight, const at::Tensor& input, at::IntArrayRef stride,
    at::IntArrayRef padding, at::IntArrayRef dilation, bool transposed, at::IntArrayRef output_padding, int64_t groups,
    std::array<bool, 3> output_mask) {
    const bool has_ggW = ggW && ggW->defined();
    if (output_mask[1] || !has_ggW || input.numel() == 0)
        return at::native::_convolution_double_backward(ggI, ggW, ggb, gO, weight, input, stride, padding, dilation,
                                                        transposed, output_padding, groups, output_mask);
    auto [ggO, gI, gW] =
        at::native::_convolution_double_backward(ggI, c10::nullopt, ggb, gO, weight, input, stride, padding, dilation,
                                                 transposed, output_padding, groups, output_mask);
    (void)gI;  // undefined: it comes from ggW alone
    if (output_mask[0]) {
        // PyTorch's own infers a 3-d convolution's groups from the channels (its caller passes 1).
        const int64_t g =
            !transposed && input.dim() > 4 && weight.size(1) > 0 ? input.size(1) / weight.size(1) : groups;
        at::Tensor term =
            at::convolution(input, *ggW, at::Tensor(), stride, padding, dilation, transposed, output_padding, g);
        ggO = ggO.defined() ? ggO + term : term;
    }
    return {ggO, at::Tensor(), gW};
}

}  // namespace

bool useMaskedConvolutionDoubleBackward() {
    static const bool on = overrideAtenKernel(
        "BASIN_NATIVE_CONV_DOUBLE_BACKWARD", c10::DispatchKey::AutogradCPU, "_convolution_double_backward",
        torch::CppFunction::makeFromUnboxedFunction(TORCH_FN(maskedConvolutionDoubleBackward)));
    return on;
}

}  // namespace basin::detail
