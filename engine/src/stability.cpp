#include "basin/stability.h"

#include <chrono>
#include <cmath>
#include <sstream>

#include "basin/error.h"
#include "basin/options.h"
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

std::vector<StabilityInput> stabilityInputs(const StudySpec& spec, const StabilityOptions& options,
                                            const std::vector<std::string>& checkpoints,
                                            const std::vector<std::string>& optimizers) {
    std::vector<std::string> models = checkpoints;
    if (models.empty()) models = spec.checkpoints;
    if (models.empty()) models = {spec.model};
    if (!optimizers.empty() && optimizers.size() != models.size())
        throw Error("--optimizer names " + std::to_string(optimizers.size()) + " files for " +
                    std::to_string(models.size()) + " checkpoints; give one per checkpoint, in the same order");
    // The study's list is parallel to its checkpoints (or, without any, holds its model's).
    const std::vector<std::string>& listed =
        spec.checkpoints.empty() ? std::vector<std::string>{spec.model} : spec.checkpoints;
    std::vector<StabilityInput> out;
    for (size_t i = 0; i < models.size(); ++i) {
        StabilityInput in;
        in.checkpoint = models[i];
        if (!optimizers.empty()) {
            in.optimizer = optimizers[i];
        } else {
            for (size_t k = 0; k < listed.size() && k < spec.optimizers.size(); ++k)
                if (listed[k] == models[i]) in.optimizer = spec.optimizers[k];
            if (in.optimizer.empty() && !options.lr)
                in.optimizer = models[i];  // a checkpoint dict may hold its optimizer
        }
        out.push_back(in);
    }
    return out;
}

std::vector<std::string> optimizerFiles(const std::string& optimizer) {
    return optimizer.empty() ? std::vector<std::string>{} : std::vector<std::string>{optimizer};
}

std::vector<std::string> referencedFiles(const StabilityInput& input) { return optimizerFiles(input.optimizer); }

OptimizerState stabilityOptimizer(const Objective& o, const StabilityInput& input, const StabilityOptions& options) {
    OptimizerState s;
    if (!input.optimizer.empty() && input.optimizer == input.checkpoint) {
        // No state was named: the checkpoint's own entry was tried, so say what else would do.
        try {
            s = readOptimizerState(input.optimizer, o);
        } catch (const Error& e) {
            throw Error(std::string(e.what()) +
                        "; give each checkpoint's optimizer state (the study's \"optimizers\" or "
                        "--optimizer) or type the learning rate (--lr, or options.stability.lr)");
        }
    } else if (!input.optimizer.empty()) {
        s = readOptimizerState(input.optimizer, o);
    } else {
        if (!options.lr)
            throw Error(input.checkpoint,
                        "has no optimizer state to read a learning rate from: give the study's "
                        "\"optimizers\", --optimizer FILE, or type the learning rate (--lr)");
        s.kind = options.momentum && *options.momentum > 0 ? "sgd" : "gd";
    }
    if (options.lr) s.lr = *options.lr;
    if (options.momentum) s.momentum = *options.momentum;
    return s;
}

StabilityRow computeStability(Objective& o, const OptimizerState& optimizer, const StabilityOptions& options,
                              JobContext* job) {
    validate(options);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = o.hvpCount();
    EigenOptions eigen;
    eigen.top_k = 1;
    eigen.which = Which::Largest;
    eigen.tol = options.tol;
    eigen.max_hvp = options.max_hvp;
    eigen.seed = seedFor(options.seed, SeedStream::Eigen);
    StabilityRow row;
    row.checkpoint = o.modelPath();
    row.optimizer = optimizer;
    row.options = options;
    row.threshold = stabilityThreshold(optimizer, &row.rule);
    const int64_t n = o.parameterCount();
    LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, job); };
    if (job) job->stage("stability: λmax", eigen.max_hvp);
    const EigenResult top = *topEigenpairs(H, n, eigen, job).largest;
    row.lambda_max = top.eigenvalues.front();
    row.converged = top.converged;
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
        const EigenResult pre = *topEigenpairs(PH, n, eigen, job).largest;
        row.preconditioned = pre.eigenvalues.front();
        row.converged = row.converged && pre.converged;
        row.sharpness = *row.preconditioned;
    }
    row.ratio = row.sharpness / row.threshold;
    row.hvp_count = o.hvpCount() - hvp0;
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    row.provenance = makeProvenance(o, "stability", toJson(options), optimizerFiles(optimizer.path));
    row.provenance.seconds = row.seconds;
    row.provenance.hvp_count = row.hvp_count;
    return row;
}

}  // namespace basin
