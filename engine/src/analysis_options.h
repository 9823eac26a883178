#pragma once
// The options structs as JSON objects, inside the engine (the public API carries JSON text):
// compare's options hold a spectrum's and a surface's whole.
#include <nlohmann/json.hpp>

#include "basin/curvature.h"
#include "basin/curvature_map.h"
#include "basin/surface.h"

namespace basin::detail {

nlohmann::json spectrumOptionsObject(const SpectrumOptions& o);
SpectrumOptions spectrumOptionsFromObject(const nlohmann::json& j, const std::string& origin);
nlohmann::json surfaceOptionsObject(const SurfaceJobOptions& o);
SurfaceJobOptions surfaceOptionsFromObject(const nlohmann::json& j, const std::string& origin);
// A curvature map's settings as its grid's JSON holds them, and its whole options.
nlohmann::json curvatureSettingsObject(const CurvatureSettings& c);
CurvatureSettings curvatureSettingsFromObject(const nlohmann::json& j, const std::string& origin);
nlohmann::json curvatureMapOptionsObject(const CurvatureMapOptions& o);
CurvatureMapOptions curvatureMapOptionsFromObject(const nlohmann::json& j, const std::string& origin);

}  // namespace basin::detail
