// Faster H*v (graph reuse, finite differences, auto choice) and the Gauss-Newton product.
#include <chrono>
#include <cmath>
#include <limits>

#include <torch/csrc/jit/passes/inliner.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "arrays.h"
#include "basin/atomic_file.h"
#include "basin/error.h"
#include "basin/provenance.h"
#include "basin/results_store.h"
#include "json_util.h"
#include "objective_impl.h"

namespace basin {

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

torch::Tensor flatCat(const std::vector<torch::Tensor>& parts) {
    std::vector<torch::Tensor> flat;
    for (const auto& p : parts) flat.push_back(p.reshape(-1));
    return torch::cat(flat);
}

}  // namespace

torch::Tensor Objective::Impl::reduced(const torch::Tensor& t) const {
    if (!comm || comm->size() < 2) return t;
    auto d = t.to(torch::kFloat64).contiguous().clone();
    comm->sum(d.data_ptr<double>(), size_t(d.numel()));
    return d.to(t.scalar_type());
}

torch::Tensor Objective::Impl::flatParameters() const {
    std::vector<torch::Tensor> flat;
    for (const auto& p : params) flat.push_back(p.detach().reshape(-1).clone());
    return torch::cat(flat);
}

void Objective::Impl::setFromFlat(const torch::Tensor& flat) {
    torch::NoGradGuard guard;
    for (size_t k = 0; k < params.size(); ++k)
        params[k].copy_(flat.slice(0, infos[k].offset, infos[k].offset + infos[k].size).view(params[k].sizes()));
    invalidate();
}

// exact-reuse: each batch's gradient is built once with its graph (create_graph) and kept; a
// product is then one backward of <g, v> per batch. The graphs stay valid until the parameters
// or the BatchNorm statistics change. When the graphs would not fit in half the free memory,
// the products fall back to exact double backward and the report says why.
torch::Tensor Objective::Impl::hvpReuse(const std::vector<torch::Tensor>& v, JobContext* job) {
    if (reuse_failed) return hvpWith(HvpMode::Exact, v, job);
    if (bn_mode == BatchNormMode::Recompute && bn_stale && !bn_layers.empty()) recomputeBatchNorm(job);
    if (reuse_graph.empty()) {
        const int64_t before = detail::allocatedBytes();
        for (int64_t i = 0; i < batches(); ++i) {
            if (job) job->check();
            const Batch b = batch(i);
            if (b.weight == 0) {  // nothing counted in this batch
                reuse_graph.emplace_back(params.size());
                continue;
            }
            auto loss = batchLoss(b, forward(b.inputs));
            checkFinite(loss, i);
            reuse_graph.push_back(torch::autograd::grad({loss * b.weight}, params, {}, true, true, true));
            if (i == 0 && batches() > 1) {
                const int64_t per_batch = std::max<int64_t>(detail::allocatedBytes() - before, 1);
                const int64_t need = per_batch * batches();
                if (need > detail::availableMemoryBytes() / 2) {
                    reuse_graph.clear();
                    reuse_failed = true;
                    hvp_report.note = "exact-reuse needs about " + std::to_string(need / (1 << 20)) +
                                      " MB for the gradient graphs of " + std::to_string(batches()) +
                                      " batches, more than half the free memory; using exact double backward";
                    return hvpWith(HvpMode::Exact, v, job);
                }
            }
        }
    }
    std::vector<torch::Tensor> acc;
    for (auto& p : params) acc.push_back(torch::zeros_like(p));
    for (size_t b = 0; b < reuse_graph.size(); ++b) {
        if (job) job->check();
        const auto& g = reuse_graph[b];
        torch::Tensor dot = torch::zeros({}, params.front().options());
        for (size_t k = 0; k < params.size(); ++k)
            if (g[k].defined()) dot = dot + (g[k] * v[k]).sum();
        if (!dot.requires_grad()) continue;
        const auto hv = torch::autograd::grad({dot}, params, {}, /*retain_graph=*/true, false, true);
        for (size_t k = 0; k < params.size(); ++k)
            if (hv[k].defined()) acc[k].add_(hv[k]);
    }
    return flatCat(acc);
}

// Central differences of the gradient: (g(theta + e v) - g(theta - e v)) / 2e, two gradients.
// The step balances truncation (e^2) against rounding (eps / e): e = cbrt(eps) * max(1, |theta|) / |v|.
torch::Tensor Objective::Impl::hvpFiniteDifference(const std::vector<torch::Tensor>& v, JobContext* job,
                                                   double* eps_used) {
    const torch::Tensor theta = flatParameters();
    const torch::Tensor fv = flatCat(v);
    const double vn = fv.norm().item<double>();
    if (vn == 0) return torch::zeros_like(theta);
    const double machine = dtype == torch::kFloat64 ? std::numeric_limits<double>::epsilon()
                                                    : double(std::numeric_limits<float>::epsilon());
    const double e = std::cbrt(machine) * std::max(1.0, theta.norm().item<double>()) / vn;
    if (eps_used) *eps_used = e * vn;
    torch::Tensor gp, gm;
    try {
        setFromFlat(theta + e * fv);
        pass(&gp, nullptr, nullptr, job);
        setFromFlat(theta - e * fv);
        pass(&gm, nullptr, nullptr, job);
    } catch (...) {
        setFromFlat(theta);
        throw;
    }
    setFromFlat(theta);
    return (gp - gm) / (2 * e);
}

torch::Tensor Objective::Impl::outputHessianTimes(const Batch& b, const torch::Tensor& out, const torch::Tensor& u) {
    // The Hessian of the batch's mean loss with respect to the outputs, times u, times the batch weight.
    const double weight = b.weight;
    switch (spec.loss) {
        case Loss::CrossEntropy: {
            // Softmax over the class axis; the targets equal to ignore_index contribute nothing, and
            // the batch's mean is over its counted targets.
            const int64_t axis = classAxis(out, b.targets) == -1 ? out.dim() - 1 : 1;
            const auto p = torch::softmax(out.detach(), axis);
            const auto counted = b.targets.ne(spec.ignore_index).unsqueeze(axis).to(p.scalar_type());
            return (p * u - p * (p * u).sum(axis, true)) * counted * (weight / double(b.counted));
        }
        case Loss::MSE:
            return u * (2.0 * weight / double(out.numel()));
        case Loss::BCEWithLogits: {
            const auto s = torch::sigmoid(out.detach());
            return s * (1 - s) * u * (weight / double(out.numel()));
        }
        default:
            throw Error(model_path,
                        "the Gauss-Newton matrix is offered for cross_entropy, mse and bce_with_logits, not " +
                            lossName(spec.loss) + " (nll takes log-probabilities, whose loss is linear)");
    }
}

// G v = J^T H_out J v per batch. J v comes from the double-backward trick: with u a dummy
// cotangent, J^T u is linear in u, so the gradient of <J^T u, v> with respect to u is J v.
torch::Tensor Objective::Impl::ggnProduct(const std::vector<torch::Tensor>& v, JobContext* job) {
    if (bn_mode == BatchNormMode::Recompute && bn_stale && !bn_layers.empty()) recomputeBatchNorm(job);
    std::vector<torch::Tensor> acc;
    for (auto& p : params) acc.push_back(torch::zeros_like(p));
    for (int64_t i = 0; i < batches(); ++i) {
        if (job) job->check();
        const Batch b = batch(i);
        if (b.weight == 0) continue;
        auto out = forward(b.inputs);
        auto u = torch::zeros_like(out).requires_grad_(true);
        const auto jtu = torch::autograd::grad({out}, params, {u}, true, true, true);
        torch::Tensor dot = torch::zeros({}, params.front().options());
        for (size_t k = 0; k < params.size(); ++k)
            if (jtu[k].defined()) dot = dot + (jtu[k] * v[k]).sum();
        const auto jv = torch::autograd::grad({dot}, {u}, {}, true, false, true)[0];
        const auto r = outputHessianTimes(b, out, jv.defined() ? jv : torch::zeros_like(out));
        const auto g = torch::autograd::grad({out}, params, {r}, false, false, true);
        for (size_t k = 0; k < params.size(); ++k)
            if (g[k].defined()) acc[k].add_(g[k]);
    }
    return flatCat(acc);
}

torch::Tensor Objective::Impl::hvpWith(HvpMode mode, const std::vector<torch::Tensor>& v, JobContext* job) {
    switch (mode) {
        case HvpMode::ExactReuse:
            return hvpReuse(v, job);
        case HvpMode::FiniteDifference:
            return hvpFiniteDifference(v, job);
        default: {
            torch::Tensor hv;
            pass(nullptr, &v, &hv, job);
            return hv;
        }
    }
}

namespace {

// Operations whose derivative jumps (ReLU, max-pooling, absolute values, clamps): across such a kink
// a central difference of the gradient is not a second derivative, and in float32 its rounding is
// far above any useful tolerance, so auto does not spend products timing fd on such a model.
bool hasKinks(torch::jit::Module& module) {
    static const std::set<std::string> kinks = {"aten::relu",
                                                "aten::relu_",
                                                "aten::relu6",
                                                "aten::hardtanh",
                                                "aten::hardtanh_",
                                                "aten::leaky_relu",
                                                "aten::leaky_relu_",
                                                "aten::max_pool1d",
                                                "aten::max_pool2d",
                                                "aten::max_pool3d",
                                                "aten::max_pool2d_with_indices",
                                                "aten::adaptive_max_pool2d",
                                                "aten::abs",
                                                "aten::clamp",
                                                "aten::clamp_",
                                                "aten::threshold",
                                                "aten::maximum",
                                                "aten::minimum",
                                                "aten::max",
                                                "aten::min",
                                                "aten::hardswish",
                                                "aten::hardsigmoid",
                                                "aten::prelu"};
    std::shared_ptr<torch::jit::Graph> graph;
    try {
        graph = module.get_method("forward").graph()->copy();
        torch::jit::Inline(*graph);
    } catch (const std::exception&) {
        return true;  // a graph that cannot be read: assume the worst
    }
    std::function<bool(torch::jit::Block*)> scan = [&](torch::jit::Block* block) {
        for (torch::jit::Node* n : block->nodes()) {
            if (kinks.count(n->kind().toQualString())) return true;
            for (torch::jit::Block* b : n->blocks())
                if (scan(b)) return true;
        }
        return false;
    };
    return scan(graph->block());
}

}  // namespace

// What auto chose before on the same model and data bytes, dtype, batch size, threads, curvature
// and tolerance, as the study file keeps it: a second run spends nothing on choosing.
std::string Objective::Impl::calibrationOptions() const {
    return nlohmann::json{{"threads", torch::get_num_threads()},
                          {"curvature", curvatureName(curvature)},
                          {"tolerance", hvp_report.tolerance},
                          {"processes", comm ? comm->size() : 1}}
        .dump();
}

void Objective::Impl::beginCalibration() {
    hvp_report = HvpReport{};
    hvp_report.requested = hvpModeName(hvp_mode);
    hvp_report.curvature = curvatureName(curvature);
    hvp_report.tolerance = spec.hvp_tolerance > 0 ? spec.hvp_tolerance : (dtype == torch::kFloat64 ? 1e-8 : 1e-4);
    auto_step = 0;
    if (hvp_mode != HvpMode::Auto || curvature == CurvatureKind::GaussNewton) {  // G v has one way
        hvp_report.chosen = hvpModeName(hvp_mode == HvpMode::Auto ? HvpMode::Exact : hvp_mode);
        calibrated = true;
        return;
    }
    const ResultLookup stored = lookUpResult(spec, "hvp-calibration", calibrationOptions(), {}, model_path);
    if (stored.stored) {
        try {
            const auto j = nlohmann::json::parse(stored.stored->result);
            const HvpReport before = detail::hvpReportFromJson(j.at("hvp"));
            hvp_report.chosen = before.chosen;
            hvp_report.seconds = before.seconds;
            hvp_report.seconds_gradient = before.seconds_gradient;
            hvp_report.relative_error = before.relative_error;
            hvp_report.fd_epsilon = before.fd_epsilon;
            hvp_report.calibration_products = 0;
            hvp_report.note =
                "chosen by auto on " + stored.stored->saved + " for these files and settings (kept in the study)";
            calibrated = true;
            return;
        } catch (const std::exception&) {
            // a damaged entry: choose again
        }
    }
    fd_eligible = dtype == torch::kFloat64 || !hasKinks(module);
}

// auto chooses with the analysis's own first products. The first is made by exact-reuse, which
// builds each batch's gradient graph (not a fair time, and it pays for the process's first
// allocations and calls: timing a first product made a mode look slower than it is); the second
// by exact-reuse, timed; the third by exact double backward, timed, so the first two cost what the
// analysis pays anyway when reuse wins. All three are the same second derivative (reuse only keeps
// each batch's graph), so every one serves the analysis. Only finite differences need a product of
// their own, checked against the timed exact one, and only when they could be chosen (not in
// float32 on a model with kinks). When the graphs do not fit, reuse falls back to exact: then the
// first product is exact, untimed, and the second exact, timed.
torch::Tensor Objective::Impl::autoProduct(const std::vector<torch::Tensor>& v, JobContext* job) {
    torch::Tensor hv;
    const double t0 = now();
    if (auto_step == 0) {
        hv = hvpReuse(v, job);  // builds the graphs (or falls back to exact): untimed
        // Under MPI every process must make the same products (each one sums across them), so one
        // whose graphs did not fit makes every process fall back to exact.
        if (comm && comm->size() > 1) {
            double failed = reuse_failed ? 1 : 0;
            comm->sum(&failed, 1);
            if (failed > 0 && !reuse_failed) {
                reuse_graph.clear();
                reuse_failed = true;
                hvp_report.note = "exact-reuse's gradient graphs did not fit in the memory of " +
                                  std::to_string(int(failed)) + " of " + std::to_string(comm->size()) +
                                  " processes; using exact double backward on all";
            }
        }
        auto_step = 1;
        return hv;
    }
    if (auto_step == 1 && !reuse_failed) {
        hv = hvpReuse(v, job);
        hvp_report.seconds["exact-reuse"] = now() - t0;
        auto_step = 2;
        return hv;
    }
    hv = hvpWith(HvpMode::Exact, v, job);
    hvp_report.seconds["exact"] = now() - t0;
    // Decide.
    if (fd_eligible) {
        const auto exact = reduced(hv).detach();
        const double t1 = now();
        const auto fd = reduced(hvpFiniteDifference(v, job, &hvp_report.fd_epsilon));
        hvp_report.seconds["fd"] = now() - t1;
        hvp_report.seconds_gradient = hvp_report.seconds["fd"] / 2;  // fd is two gradients
        hvp_report.relative_error["fd"] = ((fd - exact).norm() / exact.norm()).item<double>();
        hvp_report.calibration_products = 1;
    } else {
        hvp_report.note = "fd was not considered: float32 on a model with ReLU, max-pooling or other kinks";
    }
    // Every process must choose the same mode: decide on the timings averaged over processes.
    if (comm && comm->size() > 1) {
        std::vector<double> t;
        for (const auto& [m, secs] : hvp_report.seconds) t.push_back(secs);
        t.push_back(hvp_report.seconds_gradient);
        comm->sum(t.data(), t.size());
        size_t i = 0;
        for (auto& [m, secs] : hvp_report.seconds) secs = t[i++] / comm->size();
        hvp_report.seconds_gradient = t[i] / comm->size();
    }
    std::string best = "exact";
    for (const auto& [mode, secs] : hvp_report.seconds) {
        const bool accurate = mode != "fd" || hvp_report.relative_error.at(mode) <= hvp_report.tolerance;
        if (accurate && secs < hvp_report.seconds.at(best)) best = mode;
    }
    hvp_report.chosen = best;
    calibrated = true;
    if (!comm || comm->rank() == 0) {
        try {
            const ResultLookup keys = lookUpResult(spec, "hvp-calibration", calibrationOptions(), {}, model_path);
            if (!spec.study_path.empty() && isWritable(spec.study_path)) {
                Provenance p = keys.keys;
                p.basin_version = basinVersion();
                p.computed_at = utcNow();
                storeResult(spec.study_path, p, nlohmann::json{{"hvp", detail::toJson(hvp_report)}}.dump());
            }
        } catch (const Error&) {
            // not kept: the next run chooses again
        }
    }
    return hv;
}

torch::Tensor Objective::Impl::product(const std::vector<torch::Tensor>& v, JobContext* job) {
    if (!calibrated && auto_step < 0) beginCalibration();
    if (curvature == CurvatureKind::GaussNewton) return reduced(ggnProduct(v, job));
    torch::Tensor hv;
    if (!calibrated) hv = autoProduct(v, job);
    else hv = hvpWith(parseHvpMode(hvp_report.chosen), v, job);
    if (curvature == CurvatureKind::HessianMinusGaussNewton) hv = hv - ggnProduct(v, job);
    return reduced(hv);
}

}  // namespace basin
