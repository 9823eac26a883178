#include "blocks.h"

namespace basin::detail {

int64_t groupSize(const std::vector<ParameterInfo>& params, const std::vector<int>& idx) {
    int64_t n = 0;
    for (int k : idx) n += params[size_t(k)].size;
    return n;
}

Eigen::VectorXd gather(const Eigen::VectorXd& v, const std::vector<ParameterInfo>& params,
                       const std::vector<int>& idx) {
    Eigen::VectorXd out(groupSize(params, idx));
    int64_t at = 0;
    for (int k : idx) {
        out.segment(at, params[size_t(k)].size) = v.segment(params[size_t(k)].offset, params[size_t(k)].size);
        at += params[size_t(k)].size;
    }
    return out;
}

Eigen::VectorXd scatter(const Eigen::VectorXd& packed, int64_t P, const std::vector<ParameterInfo>& params,
                        const std::vector<int>& idx) {
    Eigen::VectorXd out = Eigen::VectorXd::Zero(P);
    int64_t at = 0;
    for (int k : idx) {
        out.segment(params[size_t(k)].offset, params[size_t(k)].size) = packed.segment(at, params[size_t(k)].size);
        at += params[size_t(k)].size;
    }
    return out;
}

LinearOperator blockOperator(const LinearOperator& A, int64_t P, const std::vector<ParameterInfo>& params,
                             const std::vector<int>& idx) {
    return [&A, P, &params, &idx](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
        Eigen::VectorXd full;
        A(scatter(v, P, params, idx), full);
        out = gather(full, params, idx);
    };
}

}  // namespace basin::detail
