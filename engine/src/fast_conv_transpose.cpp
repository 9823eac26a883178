// PyTorch 1.13 on the CPU has no MKLDNN kernel for transposed convolutions: every one runs in
// slow_conv_transpose2d (im2col and a GEMM through Debian's reference BLAS). The second backward
// of every ordinary convolution is such a transposed convolution (gI = conv_transpose(gO, ggW) in
// _convolution_double_backward), so it dominated H*v on convolutional networks: 9.6 gradients per
// product on a ResNet-20. A transposed convolution is the input-gradient of the ordinary
// convolution with the same weight, which convolution_backward computes with MKLDNN (float32) or
// the thnn kernel (float64). This file routes slow_conv_transpose2d there.
#include <torch/torch.h>

#include "torch_io.h"

namespace basin::detail {

namespace {

at::Tensor fastConvTranspose2d(const at::Tensor& input, const at::Tensor& weight, at::IntArrayRef kernel_size,
                               const c10::optional<at::Tensor>& bias, at::IntArrayRef stride, at::IntArrayRef padding,
                               at::IntArrayRef output_padding, at::IntArrayRef dilation) {
    (void)kernel_size;  // the weight's own size
    // weight: (C_in of the transposed conv = C_out of the ordinary one, C_out, kH, kW).
    const int64_t h =
        (input.size(2) - 1) * stride[0] - 2 * padding[0] + dilation[0] * (weight.size(2) - 1) + output_padding[0] + 1;
    const int64_t w =
        (input.size(3) - 1) * stride[1] - 2 * padding[1] + dilation[1] * (weight.size(3) - 1) + output_padding[1] + 1;
    // Only the shape of the ordinary convolution's input is read.
    const at::Tensor shape =
        at::empty({input.size(0), weight.size(1), h, w}, input.options().memory_format(input.suggest_memory_format()));
    at::Tensor out = std::get<0>(at::convolution_backward(input, shape, weight, c10::nullopt, stride, padding, dilation,
                                                          /*transposed=*/false, /*output_padding=*/{0, 0},
                                                          /*groups=*/1, {true, false, false}));
    if (bias && bias->defined()) out = out + bias->view({1, -1, 1, 1});
    return out;
}

}  // namespace

bool useFastTransposedConvolution() {
    static const bool on =
        overrideAtenKernel("BASIN_SLOW_CONV_TRANSPOSE", c10::DispatchKey::CPU, "slow_conv_transpose2d",
                           torch::CppFunction::makeFromUnboxedFunction(TORCH_FN(fastConvTranspose2d)));
    return on;
}

}  // namespace basin::detail
