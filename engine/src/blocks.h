#pragma once
// A layer group's block of an operator on the flat parameters: v -> (A [v_g, 0])_g in the group's
// own coordinates. Per-layer sensitivity (HAWQ) and the structure analysis's block-diagonal view
// and classifier-head alignment all use this one construction.
#include <Eigen/Core>
#include <vector>

#include "basin/curvature.h"
#include "basin/objective.h"

namespace basin::detail {

// Entries of parameter tensors `idx` in a group: their count.
int64_t groupSize(const std::vector<ParameterInfo>& params, const std::vector<int>& idx);
// The group's entries of `v`, packed in the order of `idx`.
Eigen::VectorXd gather(const Eigen::VectorXd& v, const std::vector<ParameterInfo>& params, const std::vector<int>& idx);
// A vector of length P that is `packed` on the group's entries and zero elsewhere.
Eigen::VectorXd scatter(const Eigen::VectorXd& packed, int64_t P, const std::vector<ParameterInfo>& params,
                        const std::vector<int>& idx);
// The block A_gg as an operator of the group's size. `A`, `params` and `idx` must outlive it.
LinearOperator blockOperator(const LinearOperator& A, int64_t P, const std::vector<ParameterInfo>& params,
                             const std::vector<int>& idx);

}  // namespace basin::detail
