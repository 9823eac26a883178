// The objective against known answers: closed-form Hessians (linear and logistic regression),
// central finite differences, and PyTorch's own loss, gradient and H*v on the same weights.
#include <QtTest/QtTest>

#include <cstring>

#include "arrays.h"
#include "basin/error.h"
#include "basin/objective.h"
#include "fixtures.h"

using namespace basin;

namespace {

Eigen::MatrixXd matrixFromNpy(const detail::RawArray& a) {
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m(a.shape[0], a.count() / a.shape[0]);
    std::memcpy(m.data(), a.bytes.data(), a.bytes.size());
    return m;
}

Eigen::VectorXd randomVector(Eigen::Index n, unsigned seed) {
    std::srand(seed);
    return Eigen::VectorXd::Random(n);
}

}  // namespace

class TestObjective : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void linearRegressionClosedForm() {
        auto o = Objective::open(fx::spec("linreg.pt", "linreg.npz", Loss::MSE));
        const auto arrays = detail::readNpz(fx::path("linreg.npz"));
        const Eigen::MatrixXd X = matrixFromNpy(*detail::findArray(arrays, "x"));
        const Eigen::MatrixXd H = 2.0 * X.transpose() * X / double(X.rows());  // H = 2 X^T X / N
        QCOMPARE(o.parameterCount(), int64_t(X.cols()));
        for (unsigned seed : {1u, 2u, 3u}) {
            const Eigen::VectorXd v = randomVector(X.cols(), seed);
            Eigen::VectorXd hv;
            o.hvp(v, hv);
            const double err = fx::relErr(hv, H * v);
            QVERIFY2(err < 1e-10, qPrintable(QString("relative error %1").arg(err)));
        }
        QCOMPARE(o.hvpCount(), int64_t(3));
    }

    void logisticRegressionClosedForm() {
        auto o = Objective::open(fx::spec("logreg.pt", "logreg_x.npy", Loss::BCEWithLogits, "logreg_y.npy"));
        const Eigen::MatrixXd X = matrixFromNpy(detail::readNpy(fx::path("logreg_x.npy")));
        const Eigen::VectorXd w = fx::vec(fx::expected()["logreg"]["weights"]);
        QVERIFY(fx::relErr(o.parametersFlat(), w) < 1e-15);
        // H = X^T diag(p (1 - p)) X / N with p = sigmoid(X w).
        const Eigen::ArrayXd p = 1.0 / (1.0 + (-(X * w).array()).exp());
        const Eigen::MatrixXd H = X.transpose() * (p * (1 - p)).matrix().asDiagonal() * X / double(X.rows());
        for (unsigned seed : {4u, 5u}) {
            const Eigen::VectorXd v = randomVector(X.cols(), seed);
            Eigen::VectorXd hv;
            o.hvp(v, hv);
            const double err = fx::relErr(hv, H * v);
            QVERIFY2(err < 1e-10, qPrintable(QString("relative error %1").arg(err)));
        }
        const auto e = o.evaluate();
        QVERIFY(e.accuracy >= 0 && e.accuracy <= 1);
    }

    void mlpMatchesPyTorch() {
        // Loss, gradient, H v and the full Hessian of a BatchNorm MLP, computed by PyTorch in float64
        // (Basin differentiates eval-mode BatchNorm as its affine map: fast_batch_norm.cpp).
        const auto& ref = fx::expected()["mlp"];
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        QCOMPARE(o.parameterCount(), int64_t(ref["v"].size()));
        for (size_t k = 0; k < o.parameters().size(); ++k)
            QCOMPARE(o.parameters()[k].name, ref["names"][k].get<std::string>());
        Eigen::VectorXd g;
        const auto e = o.gradient(g);
        QVERIFY(std::abs(e.loss - ref["loss"].get<double>()) < 1e-6 * std::abs(ref["loss"].get<double>()));
        QVERIFY(std::abs(e.accuracy - ref["accuracy"].get<double>()) < 1e-12);
        QVERIFY2(fx::relErr(g, fx::vec(ref["grad"])) < 1e-6, "gradient differs from PyTorch");
        Eigen::VectorXd hv;
        o.hvp(fx::vec(ref["v"]), hv);
        const double err = fx::relErr(hv, fx::vec(ref["hv"]));
        QVERIFY2(err < 1e-6, qPrintable(QString("H v differs from PyTorch by %1").arg(err)));
        // Batch accumulation: one batch or sixteen, the same H v.
        StudySpec one = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy);
        one.batch_size = 64;
        auto o1 = Objective::open(one);
        Eigen::VectorXd hv1;
        o1.hvp(fx::vec(ref["v"]), hv1);
        QVERIFY(fx::relErr(hv1, hv) < 1e-12);
    }

    void stridedConvolutionsMatchPyTorch() {
        // The second backward of strided, dilated and 1x1 convolutions runs through transposed
        // convolutions, which Basin routes through the convolution's own backward kernel, and its
        // eval-mode BatchNorm is differentiated as an affine map: H v must still be PyTorch's
        // (float64 to 1e-10; float32, through MKLDNN, to 1e-5).
        const auto& ref = fx::expected()["strided_cnn"];
        auto o = Objective::open(fx::spec("strided_cnn.pt", "strided_cnn_data.npz", Loss::CrossEntropy));
        QCOMPARE(o.parameterCount(), int64_t(ref["v"].size()));
        Eigen::VectorXd hv;
        o.hvp(fx::vec(ref["v"]), hv);
        const double err = fx::relErr(hv, fx::vec(ref["hv"]));
        QVERIFY2(err < 1e-10, qPrintable(QString("float64 H v differs from PyTorch by %1").arg(err)));
        StudySpec single = fx::spec("strided_cnn.pt", "strided_cnn_data.npz", Loss::CrossEntropy);
        single.dtype = DType::Float32;
        auto o32 = Objective::open(single);
        o32.hvp(fx::vec(ref["v"]), hv);
        const double err32 = fx::relErr(hv, fx::vec(ref["hv"]));
        QVERIFY2(err32 < 1e-5, qPrintable(QString("float32 H v differs from PyTorch by %1").arg(err32)));
    }

    void mlpDataModuleGivesTheSameLoss() {
        auto a = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        auto b = Objective::open(fx::spec("mlp.pt", "mlp_data_module.pt", Loss::CrossEntropy));
        QCOMPARE(a.evaluate().loss, b.evaluate().loss);
    }

    void hvpAgreesWithFiniteDifferences() {
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        const Eigen::VectorXd theta = o.parametersFlat();
        const Eigen::VectorXd v = randomVector(theta.size(), 11).normalized();
        Eigen::VectorXd hv, gp, gm;
        o.hvp(v, hv);
        const double eps = 1e-5;
        o.setParameters(theta + eps * v);
        o.gradient(gp);
        o.setParameters(theta - eps * v);
        o.gradient(gm);
        o.setParameters(theta);
        const Eigen::VectorXd fd = (gp - gm) / (2 * eps);
        const double err = fx::relErr(hv, fd);
        QVERIFY2(err < 1e-7, qPrintable(QString("H v vs finite differences: %1").arg(err)));
        QVERIFY(fx::relErr(o.parametersFlat(), theta) == 0.0);
    }

    void modelScriptedLoss() {
        const auto& ref = fx::expected()["withloss"];
        auto o = Objective::open(fx::spec("withloss.pt", "withloss.npz", Loss::ModelMethod));
        Eigen::VectorXd g;
        const auto e = o.gradient(g);
        QVERIFY(std::abs(e.loss - ref["loss"].get<double>()) < 1e-10);
        QVERIFY(fx::relErr(g, fx::vec(ref["grad"])) < 1e-10);
        QCOMPARE(e.accuracy, -1.0);
        // The MLP has no loss() method: a clear error, not a crash.
        BASIN_EXPECT_ERROR(Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::ModelMethod)).evaluate(), "mlp.pt",
                           "no loss() method");
    }

    void float32IsCloseToFloat64() {
        auto spec32 = fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy, {}, DType::Float32);
        auto o32 = Objective::open(spec32);
        const auto& ref = fx::expected()["mlp"];
        Eigen::VectorXd hv;
        o32.hvp(fx::vec(ref["v"]), hv);
        QVERIFY(fx::relErr(hv, fx::vec(ref["hv"])) < 1e-4);
    }

    void nanLossIsAnError() {
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        Eigen::VectorXd theta = o.parametersFlat();
        theta[0] = std::numeric_limits<double>::quiet_NaN();
        o.setParameters(theta);
        BASIN_EXPECT_ERROR(o.evaluate(), "mlp.pt", "NaN");
        BASIN_EXPECT_ERROR(o.setParameters(Eigen::VectorXd::Zero(3)), "length 3");
    }

    void groupsAndFlags() {
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        QCOMPARE(o.groups().size(), size_t(3));
        QCOMPARE(o.groups()[0].name, std::string("fc1"));
        QCOMPARE(o.groups()[0].size, int64_t(6 * 8 + 8));
        QCOMPARE(o.groups()[1].name, std::string("bn"));
        QCOMPARE(o.groups()[2].offset, int64_t(6 * 8 + 8 + 16));
        QVERIFY(!o.parameters()[0].is_bias_or_norm);  // fc1.weight
        QVERIFY(o.parameters()[1].is_bias_or_norm);   // fc1.bias
    }

    void cancelStopsBetweenBatches() {
        auto o = Objective::open(fx::spec("mlp.pt", "mlp_data.pt", Loss::CrossEntropy));
        JobContext job;
        job.cancel();
        Eigen::VectorXd hv;
        QVERIFY_THROWS_EXCEPTION(Cancelled, o.hvp(o.parametersFlat(), hv, &job));
        QCOMPARE(o.hvpCount(), int64_t(0));
    }
};

QTEST_APPLESS_MAIN(TestObjective)
#include "test_objective.moc"
