#pragma once
// The wording of option errors, shared by every options struct, so a bad value reads the same
// whether it came from a study file, the command line or the window:
//   "spectrum option max_hvp (--max-hvp) is 0; it must be a whole number of at least 1"
#include <cmath>
#include <sstream>
#include <string>

#include "basin/error.h"

namespace basin::detail {

struct OptionName {
    const char* analysis;  // "spectrum"
    const char* key;       // the JSON key, "max_hvp"
    const char* flag;      // the basin-cli flag, "--max-hvp" (nullptr when there is none)
};

inline std::string describe(const OptionName& o) {
    std::string s = std::string(o.analysis) + " option " + o.key;
    if (o.flag) s += std::string(" (") + o.flag + ")";
    return s;
}

template <class T>
std::string valueText(T v) {
    std::ostringstream s;
    s.precision(10);
    s << v;
    return s.str();
}

[[noreturn]] inline void optionError(const OptionName& o, const std::string& value, const std::string& requirement) {
    throw Error(describe(o) + " is " + value + "; it must be " + requirement);
}

inline void requireAtLeast(const OptionName& o, int64_t v, int64_t least) {
    if (v < least) optionError(o, std::to_string(v), "a whole number of at least " + std::to_string(least));
}

inline void requireRange(const OptionName& o, int64_t v, int64_t least, int64_t most) {
    if (v < least || v > most)
        optionError(o, std::to_string(v),
                    "a whole number from " + std::to_string(least) + " to " + std::to_string(most));
}

inline void requirePositive(const OptionName& o, double v) {
    if (!std::isfinite(v) || !(v > 0)) optionError(o, valueText(v), "a positive, finite number");
}

inline void requireFinite(const OptionName& o, double v) {
    if (!std::isfinite(v)) optionError(o, valueText(v), "a finite number");
}

}  // namespace basin::detail
