// Basin's overrides of LibTorch kernels (engine/src/fast_*.cpp) against PyTorch's own kernels on
// the same tensors, in one process: Eigen's matrix products against at::cpu:: (the reference
// BLAS path), and the masked convolution double backward against at::native::'s. The only engine
// test that includes torch: the kernels' semantics (layouts, broadcasting, beta = 0 ignoring NaN,
// groups, transposed and 1-d/3-d convolutions) are torch-level facts.
#include <ATen/ops/_convolution_double_backward_native.h>
#include <ATen/ops/addmm_cpu_dispatch.h>
#include <ATen/ops/bmm_cpu_dispatch.h>
#include <ATen/ops/mm_cpu_dispatch.h>
#include <torch/torch.h>
#include <QtTest>

#include "torch_io.h"

namespace {

// max |a - b| / max |b|, 0 for two empty or all-zero tensors that agree.
double relErr(const at::Tensor& a, const at::Tensor& b) {
    if (a.sizes() != b.sizes()) return 1e300;
    const double scale = b.numel() ? b.abs().max().item<double>() : 0.0;
    const double diff = a.numel() ? (a - b).abs().max().item<double>() : 0.0;
    return scale > 0 ? diff / scale : diff;
}

double tolerance(at::ScalarType t) { return t == at::kDouble ? 1e-13 : 2e-6; }

// An m x k matrix in one of four layouts: by rows, by columns (a transpose), by rows with a
// padded row stride, by columns with a padded column stride.
at::Tensor matrix(int64_t m, int64_t k, int layout, at::ScalarType t) {
    const auto o = at::TensorOptions().dtype(t);
    switch (layout) {
        case 0:
            return torch::randn({m, k}, o);
        case 1:
            return torch::randn({k, m}, o).t();
        case 2:
            return torch::randn({m, k + 3}, o).narrow(1, 1, k);
        default:
            return torch::randn({k + 2, m}, o).narrow(0, 2, k).t();
    }
}

}  // namespace

class TestKernels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        torch::manual_seed(20261201);
        QVERIFY(basin::detail::useEigenMatrixProducts());
        QVERIFY(basin::detail::useMaskedConvolutionDoubleBackward());
    }

    void matrixProductsEqualPyTorchsInEveryLayout() {
        const std::vector<std::array<int64_t, 3>> shapes = {{1797, 96, 10}, {96, 1797, 10}, {3, 5, 7},
                                                            {130, 17, 1},   {1, 4, 1},      {257, 300, 33}};
        for (auto t : {at::kFloat, at::kDouble})
            for (const auto& s : shapes)
                for (int la = 0; la < 4; ++la)
                    for (int lb = 0; lb < 4; ++lb) {
                        const at::Tensor a = matrix(s[0], s[1], la, t), b = matrix(s[1], s[2], lb, t);
                        const double e = relErr(at::mm(a, b), at::cpu::mm(a, b));
                        QVERIFY2(e < tolerance(t), qPrintable(QString("mm %1x%2x%3 layouts %4,%5 %6: %7")
                                                                  .arg(s[0])
                                                                  .arg(s[1])
                                                                  .arg(s[2])
                                                                  .arg(la)
                                                                  .arg(lb)
                                                                  .arg(c10::toString(t))
                                                                  .arg(e)));
                    }
    }

    void matrixProductsDoNotDependOnTheThreads() {
        // Fixed blocks of rows: the same bits on one thread and on two.
        const at::Tensor a = torch::randn({1000, 300}), b = torch::randn({300, 200});
        const at::Tensor bias = torch::randn({200});
        const int threads = torch::get_num_threads();
        torch::set_num_threads(1);
        const at::Tensor one = at::mm(a, b), one_add = at::addmm(bias, a, b);
        torch::set_num_threads(2);
        const at::Tensor two = at::mm(a, b), two_add = at::addmm(bias, a, b);
        torch::set_num_threads(threads);
        QVERIFY(at::equal(one, two));
        QVERIFY(at::equal(one_add, two_add));
    }

    void addmmBroadcastsScalesAndIgnoresSelfWhenBetaIsZero() {
        for (auto t : {at::kFloat, at::kDouble}) {
            const auto o = at::TensorOptions().dtype(t);
            const at::Tensor a = matrix(40, 30, 1, t), b = matrix(30, 20, 0, t);
            for (const auto& self : {torch::randn({20}, o), torch::randn({40, 20}, o), torch::randn({1, 20}, o),
                                     torch::randn({40, 1}, o), torch::randn({20, 40}, o).t()})
                for (double beta : {1.0, 0.5, 0.0})
                    for (double alpha : {1.0, -2.5}) {
                        const double e =
                            relErr(at::addmm(self, a, b, beta, alpha), at::cpu::addmm(self, a, b, beta, alpha));
                        QVERIFY2(e < tolerance(t),
                                 qPrintable(QString("addmm beta %1 alpha %2: %3").arg(beta).arg(alpha).arg(e)));
                    }
            // beta = 0: self is not read at all, so its NaN does not reach the result (PyTorch's rule).
            const at::Tensor nan = torch::full({40, 20}, std::nan(""), o);
            const at::Tensor r = at::addmm(nan, a, b, 0.0, 2.0);
            QVERIFY(r.isfinite().all().item<bool>());
            QVERIFY(relErr(r, 2.0 * at::cpu::mm(a, b)) < tolerance(t));
            // beta != 0: it does.
            QVERIFY(at::addmm(nan, a, b, 1.0, 1.0).isnan().all().item<bool>());
        }
    }

    void batchedProductsEqualPyTorchs() {
        for (auto t : {at::kFloat, at::kDouble}) {
            const auto o = at::TensorOptions().dtype(t);
            const at::Tensor a = torch::randn({6, 33, 17}, o);
            const at::Tensor at_ = torch::randn({6, 17, 33}, o).transpose(1, 2);  // each matrix by columns
            const at::Tensor b = torch::randn({6, 17, 9}, o);
            const at::Tensor shared = torch::randn({1, 17, 9}, o).expand({6, 17, 9});  // batch stride 0
            for (const auto& x : {a, at_})
                for (const auto& y : {b, shared}) QVERIFY(relErr(at::bmm(x, y), at::cpu::bmm(x, y)) < tolerance(t));
        }
    }

    void otherCasesAreLeftToPyTorch() {
        // Integers, empty products and strides Eigen cannot read in place: PyTorch's own answer.
        const at::Tensor i = torch::randint(-5, 5, {7, 4}, at::kLong), j = torch::randint(-5, 5, {4, 3}, at::kLong);
        QVERIFY(at::equal(at::mm(i, j), at::cpu::mm(i, j)));
        const at::Tensor empty = at::mm(torch::randn({5, 0}), torch::randn({0, 3}));
        QCOMPARE(empty.sizes(), (at::IntArrayRef{5, 3}));
        QCOMPARE(empty.abs().sum().item<double>(), 0.0);
        const at::Tensor strided = torch::randn({20, 16}, at::kDouble).slice(0, 0, 20, 2).slice(1, 0, 16, 2);
        const at::Tensor b = torch::randn({8, 5}, at::kDouble);
        QVERIFY(relErr(at::mm(strided, b), at::cpu::mm(strided, b)) < 1e-13);
        QVERIFY_THROWS_EXCEPTION(c10::Error, at::mm(torch::randn({3, 4}), torch::randn({5, 2})));
    }

    void convolutionDoubleBackwardComputesWhatIsAsked() {
        // Every kind of convolution, as the first layer (its input's gradient not asked for) and
        // inside a network (asked for): the gradients asked for equal PyTorch's own.
        struct Conv {
            std::vector<int64_t> input, weight, stride, padding, dilation, output_padding;
            bool transposed;
            int64_t groups;
        };
        const std::vector<Conv> convs = {
            {{3, 2, 9, 9}, {4, 1, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {0, 0}, false, 2},  // grouped, strided
            {{3, 2, 7, 7}, {4, 2, 3, 3}, {1, 1}, {2, 2}, {2, 2}, {0, 0}, false, 1},  // dilated
            {{3, 2, 5, 5}, {2, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}, true, 1},   // transposed
            {{3, 4, 5, 5}, {4, 1, 3, 3}, {2, 2}, {0, 0}, {1, 1}, {1, 1}, true, 2},   // transposed, grouped
            {{3, 2, 20}, {4, 1, 5}, {3}, {1}, {1}, {0}, false, 2},                   // 1-d
            {{2, 2, 3, 5, 5}, {4, 1, 1, 3, 3}, {1, 1, 1}, {0, 1, 1}, {1, 1, 1}, {0, 0, 0}, false, 2},  // 3-d
        };
        for (size_t c = 0; c < convs.size(); ++c) {
            const Conv& k = convs[c];
            const auto o = at::TensorOptions().dtype(at::kDouble);
            const at::Tensor input = torch::randn(k.input, o), weight = torch::randn(k.weight, o);
            const at::Tensor out = at::convolution(input, weight, {}, k.stride, k.padding, k.dilation, k.transposed,
                                                   k.output_padding, k.groups);
            const at::Tensor gO = torch::randn(out.sizes(), o), ggW = torch::randn(k.weight, o);
            const at::Tensor ggI = torch::randn(k.input, o), ggb = torch::randn({out.size(1)}, o);
            for (bool with_ggI : {false, true})
                for (bool with_ggb : {false, true})
                    for (bool input_asked : {false, true}) {
                        const std::array<bool, 3> mask{true, input_asked, true};
                        const c10::optional<at::Tensor> i = with_ggI ? c10::optional<at::Tensor>(ggI) : c10::nullopt;
                        const c10::optional<at::Tensor> b = with_ggb ? c10::optional<at::Tensor>(ggb) : c10::nullopt;
                        const auto mine = at::_convolution_double_backward(i, ggW, b, gO, weight, input, k.stride,
                                                                           k.padding, k.dilation, k.transposed,
                                                                           k.output_padding, k.groups, mask);
                        const auto ref = at::native::_convolution_double_backward(
                            i, ggW, b, gO, weight, input, k.stride, k.padding, k.dilation, k.transposed,
                            k.output_padding, k.groups, mask);
                        const QString where = QString("conv %1, ggI %2, ggb %3, input asked %4")
                                                  .arg(c)
                                                  .arg(with_ggI)
                                                  .arg(with_ggb)
                                                  .arg(input_asked);
                        QVERIFY2(relErr(std::get<0>(mine), std::get<0>(ref)) < 1e-13, qPrintable(where + ": ggO"));
                        QCOMPARE(std::get<2>(mine).defined(), std::get<2>(ref).defined());
                        if (std::get<2>(ref).defined())
                            QVERIFY2(relErr(std::get<2>(mine), std::get<2>(ref)) < 1e-13, qPrintable(where + ": gW"));
                        if (input_asked)
                            QVERIFY2(relErr(std::get<1>(mine), std::get<1>(ref)) < 1e-13, qPrintable(where + ": gI"));
                        else QVERIFY2(!std::get<1>(mine).defined(), qPrintable(where + ": gI computed"));
                    }
        }
    }
};

QTEST_APPLESS_MAIN(TestKernels)
#include "test_kernels.moc"
