#pragma once
/// What SpectrumView draws: plain numbers, no engine types, so the widget library never depends
/// on the engine (the app converts engine results into this struct).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace basin::widgets {

struct SpectrumPlotData {
    std::string title;                     ///< shown above the plot, e.g. the study name
    std::vector<double> top_eigenvalues;   ///< Ritz values from both ends of the spectrum, any order
    std::vector<double> density_grid;      ///< x of the smoothed density (eigenvalue λ)
    std::vector<double> density_values;    ///< density at density_grid; same length
    std::vector<double> log_density_grid;  ///< x of the density of log10|λ|
    std::vector<double> log_density_values;
    std::vector<double> exact_eigenvalues;  ///< every eigenvalue, when the exact spectrum is known
    std::optional<double> bulk_edge;        ///< largest eigenvalue of the bulk
    int outlier_count = 0;                  ///< eigenvalues above the bulk edge
    std::optional<double> trace;            ///< Hutchinson estimate of Tr(H)
    double trace_stderr = 0;                ///< standard error of `trace`
    int64_t hvp_count = 0;                  ///< Hessian-vector products the analysis used
    int64_t parameters = 0;                 ///< size of the Hessian
    bool edge_by_hand = false;              ///< bulk_edge was set by the user, not by the rule
    std::string hvp_mode;                   ///< how H·v was made: exact, exact-reuse, fd, ...
    std::string hvp_detail;                 ///< for auto: what was measured to choose it

    bool empty() const { return top_eigenvalues.empty() && density_grid.empty() && exact_eigenvalues.empty(); }
};

}  // namespace basin::widgets
