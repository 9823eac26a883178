#include "basin/stability.h"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "basin/error.h"
#include "json_util.h"
#include "lanczos.h"

namespace basin {

namespace {

std::string num(double v) {
    std::ostringstream o;
    o.precision(6);
    o << v;
    return o.str();
}

}  // namespace

double stabilityThreshold(const OptimizerState& s, std::string* rule) {
    if (!(s.lr > 0)) throw Error("the learning rate must be positive, not " + num(s.lr));
    const double eta = s.lr;
    std::string r;
    double t = 0;
    if (s.kind == "adam" || s.kind == "adamw") {
        t = (2 + 2 * s.beta1) / ((1 - s.beta1) * eta);
        r = "(2 + 2β₁)/((1 − β₁)η) for " + std::string(s.kind == "adam" ? "Adam" : "AdamW") + ", η = " + num(eta) +
            ", β₁ = " + num(s.beta1) + ", against λ1 of P^-1/2 H P^-1/2 (Cohen et al. 2022)";
    } else if (s.momentum > 0 && s.nesterov) {
        t = (2 + 2 * s.momentum) / ((1 + 2 * s.momentum) * eta);
        r = "(2 + 2β)/((1 + 2β)η) for Nesterov momentum, η = " + num(eta) + ", β = " + num(s.momentum);
    } else if (s.momentum > 0) {
        t = (2 + 2 * s.momentum) / eta;
        r = "(2 + 2β)/η for heavy-ball momentum, η = " + num(eta) + ", β = " + num(s.momentum) + " (Cohen et al. 2021)";
    } else {
        t = 2 / eta;
        r = "2/η for gradient descent, η = " + num(eta) + " (Cohen et al. 2021)";
    }
    if (rule) *rule = r;
    return t;
}

Eigen::VectorXd adamPreconditionerInvSqrt(const OptimizerState& s) {
    if (s.exp_avg_sq.size() == 0) throw Error(s.path, "holds no Adam second moments to precondition with");
    const double correction = 1 - std::pow(s.beta2, s.step);
    Eigen::VectorXd d(s.exp_avg_sq.size());
    for (Eigen::Index i = 0; i < d.size(); ++i) d[i] = 1.0 / std::sqrt(std::sqrt(s.exp_avg_sq[i] / correction) + s.eps);
    return d;
}

StabilityRow computeStability(Objective& o, const OptimizerState& optimizer, EigenOptions eigen, JobContext* job) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = o.hvpCount();
    eigen.top_k = 1;
    eigen.which = Which::Largest;
    StabilityRow row;
    row.checkpoint = o.modelPath();
    row.optimizer = optimizer;
    row.threshold = stabilityThreshold(optimizer, &row.rule);
    const int64_t n = o.parameterCount();
    LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, job); };
    if (job) job->stage("stability: λmax", eigen.max_hvp);
    row.lambda_max = topEigenpairs(H, n, eigen, job).largest->eigenvalues.front();
    row.sharpness = row.lambda_max;
    if (optimizer.kind == "adam" || optimizer.kind == "adamw") {
        const Eigen::VectorXd d = adamPreconditionerInvSqrt(optimizer);
        if (d.size() != n) throw Error(optimizer.path, "holds second moments for another number of parameters");
        Eigen::VectorXd scaled(n);
        LinearOperator PH = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
            scaled = d.cwiseProduct(v);
            o.hvp(scaled, out, job);
            out = d.cwiseProduct(out);
        };
        if (job) job->stage("stability: preconditioned λ1", eigen.max_hvp);
        row.preconditioned = topEigenpairs(PH, n, eigen, job).largest->eigenvalues.front();
        row.sharpness = *row.preconditioned;
    }
    row.ratio = row.sharpness / row.threshold;
    row.hvp_count = o.hvpCount() - hvp0;
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::json options = {{"optimizer", optimizer.path},   {"kind", optimizer.kind},     {"lr", optimizer.lr},
                              {"momentum", optimizer.momentum}, {"beta1", optimizer.beta1},   {"beta2", optimizer.beta2},
                              {"eps", optimizer.eps},           {"step", optimizer.step},     {"tol", eigen.tol},
                              {"max_hvp", eigen.max_hvp},       {"seed", eigen.seed},         {"nesterov", optimizer.nesterov}};
    row.provenance = makeProvenance(o, "stability", options.dump(),
                                    optimizer.path.empty() ? std::vector<std::string>{} : std::vector<std::string>{optimizer.path});
    row.provenance.seconds = row.seconds;
    row.provenance.hvp_count = row.hvp_count;
    return row;
}

std::string stabilityJson(const std::vector<StabilityRow>& rows) {
    nlohmann::json out = nlohmann::json::array();
    for (const StabilityRow& r : rows) {
        const OptimizerState& s = r.optimizer;
        out.push_back({{"checkpoint", r.checkpoint},
                       {"optimizer", {{"file", s.path}, {"kind", s.kind}, {"lr", s.lr}, {"momentum", s.momentum},
                                      {"nesterov", s.nesterov}, {"beta1", s.beta1}, {"beta2", s.beta2}, {"eps", s.eps},
                                      {"weight_decay", s.weight_decay}, {"step", s.step}}},
                       {"lambda_max", r.lambda_max},
                       {"preconditioned_lambda_max", r.preconditioned ? nlohmann::json(*r.preconditioned) : nlohmann::json(nullptr)},
                       {"sharpness", r.sharpness},
                       {"threshold", r.threshold},
                       {"ratio", r.ratio},
                       {"rule", r.rule},
                       {"hvp_count", r.hvp_count},
                       {"seconds", r.seconds},
                       {"provenance", nlohmann::json::parse(provenanceJson(r.provenance))}});
    }
    return detail::dumpText(nlohmann::json{{"format", "basin-stability"}, {"rows", out}}, 2);
}

}  // namespace basin
