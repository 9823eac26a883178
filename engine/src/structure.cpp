// The structure analysis on an Objective: its parts in turn, one shared Lanczos run of H for the
// parts that need its eigenvectors.
#include <chrono>

#include "basin/error.h"
#include "basin/options.h"
#include "stats.h"
#include "structure_impl.h"

namespace basin {

StructureResult computeStructure(Objective& o, const StructureOptions& opt, JobContext* job) {
    validate(opt);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t hvp0 = o.hvpCount();
    const int64_t P = o.parameterCount();
    const Eigen::VectorXd theta = o.parametersFlat();
    LinearOperator H = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) { o.hvp(v, out, job); };
    StructureResult r;
    r.options = opt;
    r.parameters = P;
    int64_t other_products = 0;
    try {
        if (opt.diag) r.diag = detail::diagonalPart(o, H, opt, job);
        // The eigenpairs of H that localisation, blocks and classes share: one Lanczos run.
        detail::SharedEigen eigen;
        int k = 0;
        if (opt.localisation || opt.blocks) k = opt.top_k;
        if (opt.classes) k = std::max(k, detail::classTop(opt, int(o.data().classes)));
        if (k > 0) {
            EigenOptions eo;
            eo.top_k = int(std::min<int64_t>(k, P));
            eo.which = opt.localisation ? Which::Both : Which::Largest;
            eo.tol = opt.tol;
            eo.max_hvp = int(std::min<int64_t>(std::max(opt.max_hvp, eo.top_k + 1), P));
            eo.seed = seedFor(opt.seed, SeedStream::Eigen);
            eo.vectors = true;
            checkMemory(P, eo.max_hvp + 2 * eo.top_k, "Lanczos");
            const int64_t before = o.hvpCount();
            const auto ends = topEigenpairs(H, P, eo, job);
            eigen.largest = ends.largest;
            eigen.smallest = ends.smallest;
            eigen.hvp_count = r.eigen_hvp_count = o.hvpCount() - before;
        }
        if (opt.localisation) r.localisation = detail::localisationPart(o, opt, eigen);
        if (opt.blocks) r.blocks = detail::blockPart(o, H, opt, eigen, job);
        if (!opt.align_data.empty()) r.align = detail::alignPart(o, opt, job, &other_products);
        // Last: it switches the products to Gauss-Newton and back, which makes auto choose again.
        if (opt.classes) r.classes = detail::classPart(o, opt, eigen, job);
    } catch (...) {
        o.setParameters(theta);
        throw;
    }
    r.hvp_count = o.hvpCount() - hvp0 + other_products;
    r.hvp = o.hvpReport();
    r.seconds = detail::secondsSince(t0);
    r.provenance = makeProvenance(o, "structure", toJson(opt), referencedFiles(opt));
    r.provenance.seconds = r.seconds;
    r.provenance.hvp_count = r.hvp_count;
    return r;
}

}  // namespace basin
