#pragma once
// JSON pieces shared by the result writers (spectrum, sensitivity).
#include <nlohmann/json.hpp>

#include "basin/objective.h"

namespace basin::detail {

inline nlohmann::json toJson(const HvpReport& r) {
    return {{"requested", r.requested},          {"chosen", r.chosen},
            {"curvature", r.curvature},          {"tolerance", r.tolerance},
            {"seconds_gradient", r.seconds_gradient}, {"seconds_per_product", r.seconds},
            {"relative_error", r.relative_error}, {"fd_epsilon", r.fd_epsilon},
            {"calibration_products", r.calibration_products}, {"note", r.note}};
}

}  // namespace basin::detail
