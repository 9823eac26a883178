#pragma once
// The flags of a spectrum (eigenvalues, trace, density, exact), shared by basin-cli spectrum and
// probe: each overrides one field of the options it starts from; and the table both print.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "basin/curvature.h"

namespace basin::cli {

struct SpectrumFlags {
    std::optional<int> top, max_hvp, probes, trace_probes, density_probes, steps;
    std::optional<std::string> which, method, trace;
    std::optional<double> tol, sigma;
    std::optional<int64_t> exact_max;
    bool density = false, exact = false;

    void add(CLI::App& cmd);
    /// Call from the command's callback: a bare --trace means Hutchinson.
    void settle(const CLI::App& cmd);
    /// `base` with the given flags applied (not validated).
    SpectrumOptions apply(SpectrumOptions base) const;
};

/// The human table of a spectrum result on stdout.
void printSpectrumTable(const SpectrumResult& r);

}  // namespace basin::cli
