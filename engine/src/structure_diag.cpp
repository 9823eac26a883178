// The Hessian diagonal (Hutchinson or exact), its sums over structures, OBD saliency, and the loss
// measured after zeroing the least salient structures beside the smallest by magnitude.
#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

#include "basin/error.h"
#include "basin/options.h"
#include "lanczos.h"
#include "stats.h"
#include "structure_impl.h"

namespace basin::detail {

namespace {

// Welford's running mean and variance: one probe at a time, no probe kept.
struct Running {
    int64_t n = 0;
    double mean = 0, m2 = 0;
    void add(double x) {
        ++n;
        const double d = x - mean;
        mean += d / double(n);
        m2 += d * (x - mean);
    }
    double stderr_() const { return n > 1 ? std::sqrt(m2 / double(n - 1) / double(n)) : 0.0; }
};

// "fc.weight[2,17]": the multi-index of entry `i` of a tensor.
std::string entryName(const ParameterInfo& p, int64_t i) {
    std::vector<int64_t> idx(p.shape.size());
    for (size_t d = p.shape.size(); d-- > 0;) {
        idx[d] = i % p.shape[d];
        i /= p.shape[d];
    }
    std::string s = p.name + "[";
    for (size_t d = 0; d < idx.size(); ++d) s += (d ? "," : "") + std::to_string(idx[d]);
    return s + "]";
}

struct Candidate {
    StructureEntry entry;  // a single weight's name is made only when it is shown (see named)
    std::vector<std::pair<int64_t, int64_t>> runs;
    int param = -1;  // for a single weight: its tensor and index in it
    int64_t index = 0;
};

StructureEntry named(const Candidate& c, const Objective& o) {
    StructureEntry e = c.entry;
    if (c.param >= 0) e.name = entryName(o.parameters()[size_t(c.param)], c.index);
    return e;
}

std::vector<size_t> order(const std::vector<Candidate>& c, bool by_saliency) {
    std::vector<size_t> idx(c.size());
    std::iota(idx.begin(), idx.end(), size_t(0));
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        return by_saliency ? c[a].entry.saliency < c[b].entry.saliency : c[a].entry.weight_sq < c[b].entry.weight_sq;
    });
    return idx;
}

}  // namespace

DiagonalPart diagonalPart(Objective& o, const LinearOperator& H, const StructureOptions& opt, JobContext* job) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = o.hvpCount();
    const int64_t P = o.parameterCount();
    const Eigen::VectorXd theta = o.parametersFlat();
    const Eigen::VectorXd half_w2 = 0.5 * theta.cwiseProduct(theta);

    DiagonalPart r;
    r.prune_level = pruneLevelName(opt.prune_level);
    const auto tensors = tensorStructures(o), channels = channelStructures(o), groups = groupStructures(o, opt.merge);
    const auto heads = headStructures(o, opt.heads, r.head_rule);
    if (opt.prune_level == PruneLevel::Head && heads.empty())
        throw Error(
            "structure option prune_level (--prune-level) is head, but the model has no attention heads Basin can find "
            "(" +
            r.head_rule.front() + ")");
    std::vector<const std::vector<Structure>*> levels = {&tensors, &channels, &heads, &groups};

    Eigen::VectorXd mean(P), se = Eigen::VectorXd::Zero(P);
    std::vector<std::vector<Running>> diag_sums(levels.size()), saliencies(levels.size());
    for (size_t l = 0; l < levels.size(); ++l) {
        diag_sums[l].resize(levels[l]->size());
        saliencies[l].resize(levels[l]->size());
    }
    if (opt.exact) {
        r.method = "exact";
        const Eigen::MatrixXd M = exactMatrix(H, P, opt.exact_max, job);
        mean = M.diagonal();
        r.trace = mean.sum();
        const Eigen::VectorXd s = mean.cwiseProduct(half_w2);
        for (size_t l = 0; l < levels.size(); ++l)
            for (size_t k = 0; k < levels[l]->size(); ++k) {
                diag_sums[l][k].add((*levels[l])[k].sum(mean));
                saliencies[l][k].add((*levels[l])[k].sum(s));
            }
    } else {
        r.method = "hutchinson";
        r.probes = opt.probes;
        // The trace's stream, drawn as estimateTrace draws it: the per-probe sums are its samples.
        std::mt19937_64 rng(seedFor(opt.seed, SeedStream::Trace));
        Eigen::VectorXd m2 = Eigen::VectorXd::Zero(P), Hz(P);
        mean.setZero();
        std::vector<double> traces;
        if (job) job->stage("Hessian diagonal (Hutchinson)", opt.probes);
        for (int p = 0; p < opt.probes; ++p) {
            const Eigen::VectorXd z = rademacherVector(P, rng);
            finiteProduct(H, z, Hz, "the Hessian diagonal", p + 1);
            const Eigen::VectorXd d = z.cwiseProduct(Hz);
            const Eigen::VectorXd delta = d - mean;
            mean += delta / double(p + 1);
            m2 += delta.cwiseProduct(d - mean);
            traces.push_back(z.dot(Hz));
            const Eigen::VectorXd s = d.cwiseProduct(half_w2);
            for (size_t l = 0; l < levels.size(); ++l)
                for (size_t k = 0; k < levels[l]->size(); ++k) {
                    diag_sums[l][k].add((*levels[l])[k].sum(d));
                    saliencies[l][k].add((*levels[l])[k].sum(s));
                }
            if (job) job->step(p + 1);
        }
        if (opt.probes > 1) se = (m2 / double(opt.probes - 1) / double(opt.probes)).cwiseSqrt();
        const auto t = meanAndStderr(traces);
        r.trace = t.mean;
        r.trace_stderr = t.stderr_;
    }
    std::vector<std::vector<StructureEntry>*> outs = {&r.tensors, &r.channels, &r.heads, &r.groups};
    for (size_t l = 0; l < levels.size(); ++l)
        for (size_t k = 0; k < levels[l]->size(); ++k) {
            const Structure& s = (*levels[l])[k];
            StructureEntry e;
            e.name = s.name;
            e.level = s.level;
            e.size = s.size;
            e.diag_sum = diag_sums[l][k].mean;
            e.diag_sum_stderr = diag_sums[l][k].stderr_();
            e.saliency = saliencies[l][k].mean;
            e.saliency_stderr = saliencies[l][k].stderr_();
            e.weight_sq = 2 * s.sum(half_w2);
            outs[l]->push_back(e);
        }
    if (opt.keep_diagonal) {
        r.diagonal.assign(mean.data(), mean.data() + P);
        r.diagonal_stderr.assign(se.data(), se.data() + P);
    }

    // The candidates at the removal level, ranked.
    std::vector<Candidate> cand;
    if (opt.prune_level == PruneLevel::Weight) {
        for (size_t k = 0; k < o.parameters().size(); ++k) {
            const auto& p = o.parameters()[k];
            if (p.shape.size() < 2) continue;
            for (int64_t i = 0; i < p.size; ++i) {
                const int64_t at = p.offset + i;
                Candidate c;
                c.entry = {
                    "", "weight", 1, mean[at], se[at], mean[at] * half_w2[at], se[at] * half_w2[at], 2 * half_w2[at]};
                c.runs = {{at, 1}};
                c.param = int(k);
                c.index = i;
                cand.push_back(std::move(c));
            }
        }
    } else {
        const auto& level = opt.prune_level == PruneLevel::Channel ? channels : heads;
        const auto& entries = opt.prune_level == PruneLevel::Channel ? r.channels : r.heads;
        for (size_t k = 0; k < level.size(); ++k) cand.push_back({entries[k], level[k].runs});
    }
    if (cand.empty())
        throw Error("the model has no " + r.prune_level + "s to remove (weights of tensors of dimension >= 2)");
    const auto by_saliency = order(cand, true), by_magnitude = order(cand, false);
    for (size_t i = 0; i < by_saliency.size() && int(i) < opt.table; ++i)
        r.least_salient.push_back(named(cand[by_saliency[i]], o));

    std::vector<int> counts;
    for (int k : opt.prune) counts.push_back(std::min<int>(k, int(cand.size())));
    std::sort(counts.begin(), counts.end());
    counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
    if (job)
        job->stage("zeroing the least salient and the smallest " + r.prune_level + "s", int64_t(2 * counts.size()));
    try {
        r.base = o.evaluate(job);
        int done = 0;
        for (int k : counts)
            for (bool saliency : {true, false}) {
                const auto& ranked = saliency ? by_saliency : by_magnitude;
                RemovalRow row;
                row.k = k;
                row.criterion = saliency ? "saliency" : "magnitude";
                Eigen::VectorXd t = theta;
                for (int i = 0; i < k; ++i) {
                    const Candidate& c = cand[ranked[size_t(i)]];
                    row.predicted += c.entry.saliency;
                    row.weight_sq += c.entry.weight_sq;
                    row.removed.push_back(named(c, o).name);
                    for (const auto& [at, n] : c.runs) t.segment(at, n).setZero();
                }
                o.setParameters(t);
                row.eval = o.evaluate(job);
                r.removal.push_back(std::move(row));
                if (job) job->step(++done);
            }
    } catch (...) {
        o.setParameters(theta);
        throw;
    }
    o.setParameters(theta);
    r.hvp_count = o.hvpCount() - hvp0;
    r.seconds = secondsSince(t0);
    return r;
}

}  // namespace basin::detail
