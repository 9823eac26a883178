#include "probe_convert.h"

#include "basin/widgets/spectrum_math.h"
#include "spectrum_convert.h"

namespace basin::gui {

std::string probeTitle(double x, double y) {
    return "probe at (" + widgets::formatNumber(x) + ", " + widgets::formatNumber(y) + ")";
}

widgets::SpectrumPlotData probeToSpectrum(const ProbeResult& probe) {
    return toPlotData(probe.spectrum, probeTitle(probe.x, probe.y));
}

void markProbes(widgets::SurfacePlotData& data, const std::vector<std::array<double, 2>>& points) {
    for (const auto& p : points) {
        data.probes.push_back(p);
        data.probe_labels.push_back("P" + std::to_string(data.probes.size()));
    }
}

}  // namespace basin::gui
