#pragma once
// The structure analysis's parts (structure_*.cpp), shared between its files.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "basin/curvature.h"
#include "basin/sensitivity.h"
#include "basin/structure.h"

namespace basin::detail {

nlohmann::json structureOptionsObject(const StructureOptions& o);
StructureOptions structureOptionsFromObject(const nlohmann::json& j, const std::string& origin);

// A set of entries of the flat parameter vector, as runs of consecutive entries.
struct Structure {
    std::string name, level;
    std::vector<std::pair<int64_t, int64_t>> runs;  // (offset, length)
    int64_t size = 0;
    void add(int64_t offset, int64_t length) {
        if (length <= 0) return;
        if (!runs.empty() && runs.back().first + runs.back().second == offset) runs.back().second += length;
        else runs.emplace_back(offset, length);
        size += length;
    }
    double sum(const Eigen::VectorXd& v) const {
        double s = 0;
        for (const auto& [at, n] : runs) s += v.segment(at, n).sum();
        return s;
    }
};

// One per parameter tensor, in the objective's order.
std::vector<Structure> tensorStructures(const Objective& o);
// One per output channel (slice along dim 0) of each tensor of dimension >= 2.
std::vector<Structure> channelStructures(const Objective& o);
// One per layer group (with sensitivity's merge rule).
std::vector<Structure> groupStructures(const Objective& o, const std::vector<std::string>& merge);
// One per attention head found by the rule of headStructures (structure_heads.cpp); `rule` says
// what was found, or why nothing was.
std::vector<Structure> headStructures(const Objective& o, int heads, std::vector<std::string>& rule);

// The eigenpairs of H that localisation, blocks and classes share (vectors kept).
struct SharedEigen {
    std::optional<EigenResult> largest, smallest;
    int64_t hvp_count = 0;
};

DiagonalPart diagonalPart(Objective& o, const LinearOperator& H, const StructureOptions& opt, JobContext* job);
LocalisationPart localisationPart(const Objective& o, const StructureOptions& opt, const SharedEigen& eigen);
BlockPart blockPart(Objective& o, const LinearOperator& H, const StructureOptions& opt, const SharedEigen& eigen,
                    JobContext* job);
ClassPart classPart(Objective& o, const StructureOptions& opt, const SharedEigen& eigen, JobContext* job);
AlignPart alignPart(Objective& o, const StructureOptions& opt, JobContext* job, int64_t* other_products);

// The number of eigenpairs of the shared run each part needs, given the number of classes.
int classTop(const StructureOptions& opt, int classes);

// Jensen-Shannon distance (base 2, in [0, 1]) between two densities on one uniform grid.
double jensenShannonDistance(const std::vector<double>& p, const std::vector<double>& q, double dx);

}  // namespace basin::detail
