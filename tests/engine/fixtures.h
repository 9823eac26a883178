#pragma once
// Paths and expected values written by tests/fixtures/make_fixtures.py (PyTorch, float64).
#include <QtTest/QtTest>

#include <Eigen/Core>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "basin/study.h"

namespace fx {

inline std::string path(const std::string& name) { return std::string(BASIN_FIXTURE_DIR) + "/" + name; }

inline const nlohmann::json& expected() {
    static const nlohmann::json j = [] {
        std::ifstream in(path("expected.json"));
        return nlohmann::json::parse(in);
    }();
    return j;
}

inline Eigen::VectorXd vec(const nlohmann::json& a) {
    Eigen::VectorXd v(Eigen::Index(a.size()));
    for (size_t i = 0; i < a.size(); ++i) v[Eigen::Index(i)] = a[i].get<double>();
    return v;
}

inline Eigen::MatrixXd mat(const nlohmann::json& a) {
    Eigen::MatrixXd m(Eigen::Index(a.size()), Eigen::Index(a[0].size()));
    for (size_t i = 0; i < a.size(); ++i)
        for (size_t j = 0; j < a[i].size(); ++j) m(Eigen::Index(i), Eigen::Index(j)) = a[i][j].get<double>();
    return m;
}

inline basin::StudySpec spec(const std::string& model, const std::string& data, basin::Loss loss,
                             const std::string& targets = {}, basin::DType dtype = basin::DType::Float64) {
    basin::StudySpec s;
    s.model = path(model);
    s.data.inputs = path(data);
    if (!targets.empty()) s.data.targets = path(targets);
    s.loss = loss;
    s.dtype = dtype;
    s.batch_size = 16;  // several batches, so accumulation is exercised
    s.threads = 1;
    s.hvp_mode = basin::HvpMode::Exact;  // auto's choice depends on timing; tests of it set it
    return s;
}

inline double relErr(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    return (a - b).norm() / std::max(b.norm(), 1e-300);
}

}  // namespace fx

// Asserts that `stmt` throws basin::Error whose message contains every given fragment.
#define BASIN_EXPECT_ERROR(stmt, ...)                                                                         \
    do {                                                                                                      \
        bool thrown_ = false;                                                                                 \
        try {                                                                                                 \
            stmt;                                                                                             \
        } catch (const basin::Error& e_) {                                                                    \
            thrown_ = true;                                                                                   \
            const std::string msg_ = e_.what();                                                               \
            for (const std::string& frag_ : std::initializer_list<std::string>{__VA_ARGS__})                  \
                QVERIFY2(msg_.find(frag_) != std::string::npos,                                               \
                         qPrintable(QString::fromStdString("message '" + msg_ + "' lacks '" + frag_ + "'"))); \
        }                                                                                                     \
        QVERIFY2(thrown_, "expected basin::Error from " #stmt);                                               \
    } while (0)
