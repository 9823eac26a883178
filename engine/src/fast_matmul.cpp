// Debian's LibTorch 1.13 multiplies matrices on the CPU through the system's BLAS, which on a
// default Debian system is the reference BLAS: unblocked loops, 5 to 7 times slower here than
// Eigen's GEMM for the products of H·v (a linear layer's forward and its two backward products,
// a transformer's projections and attention). This file registers aten::mm, aten::addmm and
// aten::bmm at the CPU key: float32 and float64 matrices laid out by rows or by columns go to
// Eigen's GEMM, in blocks of rows spread over LibTorch's threads; everything else (other dtypes,
// other layouts Basin would have to copy, empty matrices) goes to PyTorch's own kernel. The
// blocks have a fixed size, so the numbers do not depend on the number of threads.
// BASIN_TORCH_MATMUL=1 switches it off.
#include <ATen/ExpandUtils.h>
#include <ATen/Parallel.h>
#include <ATen/ops/addmm_cpu_dispatch.h>
#include <ATen/ops/bmm_cpu_dispatch.h>
#include <ATen/ops/mm_cpu_dispatch.h>
#include <torch/torch.h>

#include <Eigen/Core>
#include <algorithm>

#include "torch_io.h"

namespace basin::detail {

namespace {

constexpr int64_t kBlockRows = 128;                // rows of the result per GEMM call
constexpr int64_t kSerialWork = int64_t(1) << 17;  // multiply-adds below which one thread does it all

// One matrix operand: its data, whether it is stored by rows (else by columns) and the stride
// between its rows (by rows) or columns (by columns).
template <class T>
struct Operand {
    const T* data;
    bool by_rows;
    int64_t outer;
};

// The operand's layout from its strides, if Eigen can read it in place.
bool layoutOf(int64_t rows, int64_t cols, int64_t s0, int64_t s1, bool* by_rows, int64_t* outer) {
    if (s1 == 1 && s0 >= std::max<int64_t>(cols, 1)) {
        *by_rows = true;
        *outer = s0;
        return true;
    }
    if (s0 == 1 && s1 >= std::max<int64_t>(rows, 1)) {
        *by_rows = false;
        *outer = s1;
        return true;
    }
    return false;
}

template <class T>
using Rows = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Cols = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
template <class M>
using View = Eigen::Map<const M, 0, Eigen::OuterStride<>>;

// C[r0:r1, :] (=|+=) alpha · A[r0:r1, :] · B, C by rows with row stride ldc.
template <class T>
void gemmRows(const Operand<T>& a, const Operand<T>& b, T* c, int64_t ldc, int64_t r0, int64_t r1, int64_t k, int64_t n,
              T alpha, bool accumulate) {
    Eigen::Map<Rows<T>, 0, Eigen::OuterStride<>> C(c + r0 * ldc, r1 - r0, n, Eigen::OuterStride<>(ldc));
    auto run = [&](const auto& A, const auto& B) {
        if (accumulate) C.noalias() += alpha * A * B;
        else if (alpha == T(1)) C.noalias() = A * B;
        else C.noalias() = alpha * A * B;
    };
    auto withB = [&](const auto& A) {
        if (b.by_rows) run(A, View<Rows<T>>(b.data, k, n, Eigen::OuterStride<>(b.outer)));
        else run(A, View<Cols<T>>(b.data, k, n, Eigen::OuterStride<>(b.outer)));
    };
    if (a.by_rows) withB(View<Rows<T>>(a.data + r0 * a.outer, r1 - r0, k, Eigen::OuterStride<>(a.outer)));
    else withB(View<Cols<T>>(a.data + r0, r1 - r0, k, Eigen::OuterStride<>(a.outer)));
}

// Whether mat1 (m x k) and mat2 (k x n) can be multiplied here; fills their operands.
template <class T>
bool operands(const at::Tensor& a, const at::Tensor& b, int dims, Operand<T>* oa, Operand<T>* ob) {
    if (a.dim() != dims || b.dim() != dims || a.is_neg() || b.is_neg()) return false;
    const int r = dims - 2, c = dims - 1;
    oa->data = a.data_ptr<T>();
    ob->data = b.data_ptr<T>();
    return layoutOf(a.size(r), a.size(c), a.stride(r), a.stride(c), &oa->by_rows, &oa->outer) &&
           layoutOf(b.size(r), b.size(c), b.stride(r), b.stride(c), &ob->by_rows, &ob->outer);
}

bool eligible(const at::Tensor& a, const at::Tensor& b, int dims) {
    const auto t = a.scalar_type();
    if ((t != at::kFloat && t != at::kDouble) || b.scalar_type() != t) return false;
    if (a.layout() != at::kStrided || b.layout() != at::kStrided || !a.device().is_cpu() || !b.device().is_cpu())
        return false;
    if (a.dim() != dims || b.dim() != dims || a.size(dims - 1) != b.size(dims - 2)) return false;
    if (dims == 3 && a.size(0) != b.size(0)) return false;
    return a.numel() > 0 && b.numel() > 0;  // an empty product is PyTorch's (zeros, its shapes)
}

// out (m x n, contiguous) (=|+=) alpha · a · b, in fixed blocks of rows over LibTorch's threads.
template <class T>
bool multiply(const at::Tensor& a, const at::Tensor& b, at::Tensor& out, T alpha, bool accumulate) {
    Operand<T> oa{}, ob{};
    if (!operands<T>(a, b, 2, &oa, &ob)) return false;
    const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
    T* c = out.data_ptr<T>();
    const int64_t blocks = (m + kBlockRows - 1) / kBlockRows;
    const int64_t grain = m * k * n < kSerialWork ? blocks : 1;
    at::parallel_for(0, blocks, grain, [&](int64_t b0, int64_t b1) {
        for (int64_t blk = b0; blk < b1; ++blk)
            gemmRows(oa, ob, c, n, blk * kBlockRows, std::min(m, (blk + 1) * kBlockRows), k, n, alpha, accumulate);
    });
    return true;
}

template <class F>
bool byDtype(const at::Tensor& a, F&& f) {
    return a.scalar_type() == at::kDouble ? f(double{}) : f(float{});
}

at::Tensor fastMm(const at::Tensor& a, const at::Tensor& b) {
    if (!eligible(a, b, 2)) return at::cpu::mm(a, b);
    at::Tensor out = at::empty({a.size(0), b.size(1)}, a.options().memory_format(at::MemoryFormat::Contiguous));
    const bool done =
        byDtype(a, [&](auto zero) { return multiply<decltype(zero)>(a, b, out, decltype(zero)(1), false); });
    return done ? out : at::cpu::mm(a, b);
}

at::Tensor fastAddmm(const at::Tensor& self, const at::Tensor& a, const at::Tensor& b, const at::Scalar& beta,
                     const at::Scalar& alpha) {
    if (!eligible(a, b, 2) || self.scalar_type() != a.scalar_type() || self.layout() != at::kStrided ||
        !self.device().is_cpu() || !at::is_expandable_to(self.sizes(), {a.size(0), b.size(1)}))
        return at::cpu::addmm(self, a, b, beta, alpha);
    const bool drop_self = beta.toComplexDouble() == 0.0;  // then self is ignored, NaN and all (as PyTorch)
    at::Tensor out = at::empty({a.size(0), b.size(1)}, a.options().memory_format(at::MemoryFormat::Contiguous));
    if (!drop_self) {
        out.copy_(self.expand({a.size(0), b.size(1)}));
        if (beta.toComplexDouble() != 1.0) out.mul_(beta);
    }
    const bool done = byDtype(a, [&](auto zero) {
        using T = decltype(zero);
        return multiply<T>(a, b, out, alpha.to<T>(), !drop_self);
    });
    return done ? out : at::cpu::addmm(self, a, b, beta, alpha);
}

at::Tensor fastBmm(const at::Tensor& a, const at::Tensor& b) {
    if (!eligible(a, b, 3)) return at::cpu::bmm(a, b);
    const int64_t batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
    at::Tensor out = at::empty({batch, m, n}, a.options().memory_format(at::MemoryFormat::Contiguous));
    const bool done = byDtype(a, [&](auto zero) {
        using T = decltype(zero);
        Operand<T> oa{}, ob{};
        if (!operands<T>(a, b, 3, &oa, &ob)) return false;
        const T* a0 = oa.data;
        const T* b0 = ob.data;
        T* c0 = out.data_ptr<T>();
        const int64_t grain = batch * m * k * n < kSerialWork ? batch : 1;
        at::parallel_for(0, batch, grain, [&](int64_t i0, int64_t i1) {
            for (int64_t i = i0; i < i1; ++i) {
                Operand<T> ai = oa, bi = ob;
                ai.data = a0 + i * a.stride(0);
                bi.data = b0 + i * b.stride(0);
                gemmRows(ai, bi, c0 + i * m * n, n, 0, m, k, n, T(1), false);
            }
        });
        return true;
    });
    return done ? out : at::cpu::bmm(a, b);
}

}  // namespace

bool useEigenMatrixProducts() {
    static const bool on = [] {
        if (!overrideAtenKernel("BASIN_TORCH_MATMUL", c10::DispatchKey::CPU, "mm",
                                torch::CppFunction::makeFromUnboxedFunction(TORCH_FN(fastMm))))
            return false;
        overrideAtenKernel("BASIN_TORCH_MATMUL", c10::DispatchKey::CPU, "addmm",
                           torch::CppFunction::makeFromUnboxedFunction(TORCH_FN(fastAddmm)));
        overrideAtenKernel("BASIN_TORCH_MATMUL", c10::DispatchKey::CPU, "bmm",
                           torch::CppFunction::makeFromUnboxedFunction(TORCH_FN(fastBmm)));
        return true;
    }();
    return on;
}

}  // namespace basin::detail
