// Hessian alignment across two data sets: the spectral norm and trace of H_A − H_B, for the whole
// model and for the classifier head, and the cosine between the two gradients.
#include <algorithm>
#include <chrono>
#include <random>

#include "basin/error.h"
#include "basin/options.h"
#include "blocks.h"
#include "lanczos.h"
#include "stats.h"
#include "structure_impl.h"

namespace basin::detail {

namespace {

double cosine(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
    const double n = a.norm() * b.norm();
    return n > 0 ? a.dot(b) / n : 0.0;
}

// ‖D‖₂ of a symmetric operator D from the two ends of one Lanczos run.
void spectralNorm(const LinearOperator& D, int64_t n, const StructureOptions& opt, AlignScope& s,
                  const std::string& what, JobContext* job) {
    EigenOptions eo;
    eo.top_k = 1;
    eo.which = n > 1 ? Which::Both : Which::Largest;
    eo.tol = opt.tol;
    eo.max_hvp = int(std::min<int64_t>(opt.max_hvp, n));
    eo.seed = seedFor(opt.seed, SeedStream::Eigen);
    if (job) job->stage("‖H_A − H_B‖₂ of " + what, eo.max_hvp);
    const auto e = topEigenpairs(D, n, eo, job);
    s.lambda_max = e.largest->eigenvalues.front();
    s.lambda_min = e.smallest ? e.smallest->eigenvalues.back() : s.lambda_max;
    s.norm = std::max(std::abs(s.lambda_max), std::abs(s.lambda_min));
    s.converged = e.largest->converged && (!e.smallest || e.smallest->converged);
}

}  // namespace

AlignPart alignPart(Objective& a, const StructureOptions& opt, JobContext* job, int64_t* other_products) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = a.hvpCount();
    StudySpec spec = a.spec();
    spec.data.inputs = opt.align_data;
    spec.data.targets = opt.align_targets;
    if (job) job->stage("loading " + opt.align_data, 0);
    Objective b = Objective::open(spec, a.modelPath());
    // The same weights and the same products, whatever a had been set to.
    b.setParameters(a.parametersFlat());
    b.setBatchNormMode(a.batchNormMode());
    if (b.curvature() != a.curvature()) b.setCurvature(a.curvature());
    const auto& params = a.parameters();
    const int64_t P = a.parameterCount();
    const auto groups = sensitivityGroups(a, opt.merge);
    const SensitivityGroup* head = &groups.back();
    if (!opt.align_group.empty()) {
        head = nullptr;
        std::string names;
        for (const auto& g : groups) {
            if (g.name == opt.align_group) head = &g;
            names += (names.empty() ? "" : ", ") + g.name;
        }
        if (!head)
            throw Error("structure option align_group (--align-group) is '" + opt.align_group +
                        "'; it must be one of the layer groups: " + names);
    }
    const int64_t nh = groupSize(params, head->parameters);

    AlignPart r;
    r.inputs = opt.align_data;
    r.targets = opt.align_targets;
    Eigen::VectorXd ga, gb;
    r.a = a.gradient(ga, job);
    r.b = b.gradient(gb, job);
    r.model.scope = "model";
    r.model.parameters = P;
    r.model.gradient_cosine = cosine(ga, gb);
    r.head.scope = head->name;
    r.head.parameters = nh;
    r.head.gradient_cosine = cosine(gather(ga, params, head->parameters), gather(gb, params, head->parameters));

    LinearOperator D = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
        Eigen::VectorXd hb;
        a.hvp(v, out, job);
        b.hvp(v, hb, job);
        out -= hb;
    };
    // Traces: one probe's two products serve both objectives, the difference and the head.
    std::mt19937_64 rng(seedFor(opt.seed, SeedStream::Trace));
    std::vector<double> ta, tb, td, ha, hb, hd;
    if (job) job->stage("trace of H_A − H_B (Hutchinson)", opt.align_probes);
    Eigen::VectorXd Ha, Hb;
    for (int p = 0; p < opt.align_probes; ++p) {
        const Eigen::VectorXd z = rademacherVector(P, rng);
        a.hvp(z, Ha, job);
        b.hvp(z, Hb, job);
        ta.push_back(z.dot(Ha));
        tb.push_back(z.dot(Hb));
        td.push_back(ta.back() - tb.back());
        const Eigen::VectorXd zh = gather(z, params, head->parameters);
        ha.push_back(zh.dot(gather(Ha, params, head->parameters)));
        hb.push_back(zh.dot(gather(Hb, params, head->parameters)));
        hd.push_back(ha.back() - hb.back());
        if (job) job->step(p + 1);
    }
    auto fill = [](AlignScope& s, const std::vector<double>& x, const std::vector<double>& y,
                   const std::vector<double>& d) {
        s.trace_a = meanAndStderr(x).mean;
        s.trace_b = meanAndStderr(y).mean;
        const auto m = meanAndStderr(d);
        s.trace_diff = m.mean;
        s.trace_diff_stderr = m.stderr_;
    };
    fill(r.model, ta, tb, td);
    fill(r.head, ha, hb, hd);
    spectralNorm(D, P, opt, r.model, "the model", job);
    const LinearOperator Dh = blockOperator(D, P, params, head->parameters);
    spectralNorm(Dh, nh, opt, r.head, head->name, job);
    *other_products = b.hvpCount();
    r.hvp_count = (a.hvpCount() - hvp0) + b.hvpCount();
    r.seconds = secondsSince(t0);
    return r;
}

}  // namespace basin::detail
