#include "basin/sensitivity.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "basin/curvature.h"
#include "basin/error.h"
#include "basin/options.h"
#include "blocks.h"
#include "lanczos.h"
#include "stats.h"

namespace basin {

using detail::secondsSince;

void quantise(Eigen::VectorXd& theta, const std::vector<ParameterInfo>& params, const std::vector<int>& idx, int bits) {
    if (bits < 2 || bits > 16)
        throw Error("quantisation to " + std::to_string(bits) + " bits is not offered (2 to 16)");
    const double levels = std::pow(2.0, bits - 1) - 1;
    for (int k : idx) {
        const auto& p = params[size_t(k)];
        if (p.shape.size() <= 1) continue;
        const int64_t channels = p.shape[0], per = p.size / channels;
        for (int64_t c = 0; c < channels; ++c) {
            auto w = theta.segment(p.offset + c * per, per);
            const double s = w.cwiseAbs().maxCoeff() / levels;
            if (s == 0) continue;
            for (auto& x : w) x = s * std::clamp(std::round(x / s), -levels, levels);
        }
    }
}

std::vector<SensitivityGroup> sensitivityGroups(const Objective& o, const std::vector<std::string>& merge) {
    std::vector<SensitivityGroup> groups;
    for (const auto& g : o.groups()) groups.push_back({g.name, g.parameters});
    for (const auto& m : merge) {
        std::vector<std::string> names;
        size_t start = 0;
        while (start <= m.size()) {
            const auto plus = m.find('+', start);
            names.push_back(m.substr(start, plus == std::string::npos ? std::string::npos : plus - start));
            if (plus == std::string::npos) break;
            start = plus + 1;
        }
        SensitivityGroup merged{m, {}};
        for (const auto& n : names) {
            auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.name == n; });
            if (it == groups.end()) throw Error("--merge '" + m + "': no layer group named '" + n + "'");
            merged.parameters.insert(merged.parameters.end(), it->parameters.begin(), it->parameters.end());
            groups.erase(it);
        }
        groups.push_back(merged);
    }
    return groups;
}

std::vector<ParetoPoint> paretoFrontier(const std::vector<std::vector<double>>& omega,
                                        const std::vector<std::vector<double>>& size, const std::vector<int>& bits,
                                        double fixed_bytes) {
    std::vector<ParetoPoint> front = {{{}, fixed_bytes, 0.0}};
    for (size_t g = 0; g < omega.size(); ++g) {
        std::vector<ParetoPoint> next;
        for (const auto& p : front)
            for (size_t c = 0; c < bits.size(); ++c) {
                ParetoPoint q = p;
                q.bits.push_back(bits[c]);
                q.size_bytes += size[g][c];
                q.omega += omega[g][c];
                next.push_back(std::move(q));
            }
        // Keep the non-dominated ones: sorted by size (then omega), each must improve omega.
        std::sort(next.begin(), next.end(), [](const auto& a, const auto& b) {
            return a.size_bytes != b.size_bytes ? a.size_bytes < b.size_bytes : a.omega < b.omega;
        });
        front.clear();
        for (auto& p : next)
            if (front.empty() || p.omega < front.back().omega) front.push_back(std::move(p));
    }
    return front;
}

std::string dominatingChoice(const QuantisedEvaluation& proposal, const std::vector<QuantisedEvaluation>& uniform,
                             const std::vector<QuantisedEvaluation>& frontier) {
    const QuantisedEvaluation* best = nullptr;
    for (const auto* list : {&uniform, &frontier})
        for (const QuantisedEvaluation& q : *list)
            if (q.size_bytes <= proposal.size_bytes && q.eval.loss < proposal.eval.loss &&
                (!best || q.eval.loss < best->eval.loss))
                best = &q;
    return best ? best->label : std::string();
}

SensitivityResult computeSensitivity(Objective& o, const SensitivityOptions& opt, JobContext* job) {
    validate(opt);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = o.hvpCount();
    const auto& params = o.parameters();
    const int64_t P = o.parameterCount();
    const auto groups = sensitivityGroups(o, opt.merge);
    SensitivityResult r;
    r.options = opt;
    r.budget_bytes = opt.budget_bytes;
    r.float32_bytes = 4.0 * double(P);
    const Eigen::VectorXd theta = o.parametersFlat();
    LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, job); };

    // Traces: one probe serves every group.
    std::mt19937_64 rng(seedFor(opt.seed, SeedStream::Trace));
    std::vector<std::vector<double>> samples(groups.size());
    std::vector<double> totals;
    if (job) job->stage("per-layer traces (Hutchinson)", opt.probes);
    Eigen::VectorXd Hz;
    for (int p = 0; p < opt.probes; ++p) {
        const Eigen::VectorXd z = detail::rademacherVector(P, rng);
        detail::finiteProduct(H, z, Hz, "per-layer traces", p + 1);
        double total = 0;
        for (size_t g = 0; g < groups.size(); ++g) {
            double s = 0;
            for (int k : groups[g].parameters)
                s += z.segment(params[size_t(k)].offset, params[size_t(k)].size)
                         .dot(Hz.segment(params[size_t(k)].offset, params[size_t(k)].size));
            samples[g].push_back(s);
            total += s;
        }
        totals.push_back(total);
        if (job) job->step(p + 1);
    }
    const auto total = detail::meanAndStderr(totals);
    r.trace_total = total.mean;
    r.trace_total_stderr = total.stderr_;

    for (size_t g = 0; g < groups.size(); ++g) {
        GroupSensitivity s;
        s.name = groups[g].name;
        for (int k : groups[g].parameters) {
            s.parameters += params[size_t(k)].size;
            if (params[size_t(k)].shape.size() > 1) s.quantised += params[size_t(k)].size;
        }
        const auto tr = detail::meanAndStderr(samples[g]);
        s.trace = tr.mean;
        s.trace_stderr = tr.stderr_;
        s.mean_trace = s.trace / double(s.parameters);
        // The block's top eigenvalue: Lanczos on v -> (H [v_i, 0])_i in the group's coordinates.
        const auto& idx = groups[g].parameters;
        const int64_t n = s.parameters;
        const LinearOperator block = detail::blockOperator(H, P, params, idx);
        EigenOptions eo;
        eo.top_k = 1;
        eo.tol = opt.eig_tol;
        eo.max_hvp = int(std::min<int64_t>(opt.eig_max_hvp, n));
        eo.seed = seedFor(opt.seed, SeedStream::Eigen);
        if (job) job->stage("top eigenvalue of " + s.name, eo.max_hvp);
        const auto e = topEigenpairs(block, n, eo, job);
        s.top_eigenvalue = e.largest->eigenvalues.front();
        s.eig_converged = e.largest->converged;
        for (int b : opt.bits) {
            Eigen::VectorXd q = theta;
            quantise(q, params, idx, b);
            s.delta[b] = (q - theta).squaredNorm();
            s.omega[b] = s.mean_trace * s.delta[b];
        }
        r.groups.push_back(s);
    }

    // Mixed precision over the groups that have weight tensors.
    std::vector<std::vector<double>> om, sz;
    std::vector<size_t> qgroups;
    double fixed = 0;
    for (size_t g = 0; g < r.groups.size(); ++g) {
        const auto& s = r.groups[g];
        fixed += 4.0 * double(s.parameters - s.quantised);
        if (s.quantised == 0) continue;
        qgroups.push_back(g);
        r.quantisable.push_back(s.name);
        om.emplace_back();
        sz.emplace_back();
        for (int b : opt.bits) {
            om.back().push_back(s.omega.at(b));
            sz.back().push_back(double(s.quantised) * b / 8.0);
        }
    }
    r.pareto = paretoFrontier(om, sz, opt.bits, fixed);

    auto evaluateBits = [&](const std::string& label, const std::vector<int>& bits) {
        QuantisedEvaluation q;
        q.label = label;
        q.bits = bits;
        Eigen::VectorXd t = theta;
        q.size_bytes = fixed;
        for (size_t i = 0; i < qgroups.size(); ++i) {
            quantise(t, params, groups[qgroups[i]].parameters, bits[i]);
            q.size_bytes += double(r.groups[qgroups[i]].quantised) * bits[i] / 8.0;
            q.omega += r.groups[qgroups[i]].omega.at(bits[i]);
        }
        o.setParameters(t);
        q.eval = o.evaluate(job);
        return q;
    };
    try {
        r.full_precision = o.evaluate(job);
        std::vector<int> widths = opt.bits;
        std::sort(widths.rbegin(), widths.rend());
        if (!qgroups.empty())
            for (int b : widths)
                r.uniform.push_back(
                    evaluateBits("uniform " + std::to_string(b) + "-bit", std::vector<int>(qgroups.size(), b)));
        if (opt.budget_bytes) {
            // The frontier's Omega falls as its size grows: the least Omega within the budget is
            // the largest point that fits.
            std::ptrdiff_t best = -1;
            for (std::size_t i = 0; i < r.pareto.size(); ++i)
                if (r.pareto[i].size_bytes <= *opt.budget_bytes &&
                    (best < 0 || r.pareto[i].omega < r.pareto[size_t(best)].omega))
                    best = std::ptrdiff_t(i);
            if (best >= 0) {
                r.proposal = evaluateBits("proposal", r.pareto[size_t(best)].bits);
                for (std::ptrdiff_t i = std::max<std::ptrdiff_t>(0, best - 2);
                     i <= best + 1 && i < std::ptrdiff_t(r.pareto.size()); ++i) {
                    if (i == best) continue;
                    static const char* const kNames[] = {"frontier: second smaller", "frontier: next smaller", "",
                                                         "frontier: next larger"};
                    std::string label = kNames[i - best + 2];
                    if (r.pareto[size_t(i)].size_bytes > *opt.budget_bytes) label += " (over budget)";
                    r.frontier_measured.push_back(evaluateBits(label, r.pareto[size_t(i)].bits));
                }
                r.proposal_dominated_by = dominatingChoice(*r.proposal, r.uniform, r.frontier_measured);
            }
        }
    } catch (...) {
        o.setParameters(theta);
        throw;
    }
    o.setParameters(theta);
    r.hvp_count = o.hvpCount() - hvp0;
    r.hvp = o.hvpReport();
    r.seconds = secondsSince(t0);
    r.provenance = makeProvenance(o, "sensitivity", toJson(opt));
    r.provenance.seconds = r.seconds;
    r.provenance.hvp_count = r.hvp_count;
    return r;
}

}  // namespace basin
