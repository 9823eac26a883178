#pragma once
// The options structs as JSON objects, inside the engine (the public API carries JSON text):
// compare's options hold a spectrum's and a surface's whole.
#include <nlohmann/json.hpp>

#include "basin/curvature.h"
#include "basin/surface.h"

namespace basin::detail {

nlohmann::json spectrumOptionsObject(const SpectrumOptions& o);
SpectrumOptions spectrumOptionsFromObject(const nlohmann::json& j, const std::string& origin);
nlohmann::json surfaceOptionsObject(const SurfaceJobOptions& o);
SurfaceJobOptions surfaceOptionsFromObject(const nlohmann::json& j, const std::string& origin);

}  // namespace basin::detail
