#pragma once
// Reading and writing options structs as JSON objects, for the options files of each analysis.
// Options travel as JSON text through the public API; inside the engine they are objects, so the
// compare options can hold the spectrum and surface options whole.
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "basin/error.h"

namespace basin::detail {

using nlohmann::json;

// Reads the fields of one options object: a key it does not know, or a value of the wrong type,
// is an error naming the file (or flag) the options came from.
class OptionsReader {
public:
    OptionsReader(const json& j, std::string origin, std::string analysis, std::initializer_list<const char*> known)
        : j_(j), origin_(std::move(origin)), analysis_(std::move(analysis)) {
        if (!j.is_object()) throw Error(origin_, "the " + analysis_ + " options are not a JSON object");
        std::set<std::string> names(known.begin(), known.end());
        for (auto it = j.begin(); it != j.end(); ++it)
            if (!names.count(it.key())) {
                std::string list;
                for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
                throw Error(origin_, "unknown " + analysis_ + " option '" + it.key() + "' (known: " + list + ")");
            }
    }
    template <class T>
    void get(const char* key, T& out) const {
        if (!j_.contains(key) || j_[key].is_null()) return;
        try {
            out = j_[key].get<T>();
        } catch (const json::exception&) {
            throw Error(origin_, analysis_ + " option " + key + " has the wrong type (" + j_[key].dump() + ")");
        }
    }
    template <class T>
    void getOptional(const char* key, std::optional<T>& out) const {
        if (!j_.contains(key)) return;
        if (j_[key].is_null()) {
            out.reset();
            return;
        }
        T v{};
        get(key, v);
        out = v;
    }
    bool has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }
    const json& at(const char* key) const { return j_.at(key); }
    const std::string& origin() const { return origin_; }

private:
    const json& j_;
    std::string origin_, analysis_;
};

/// `o` once validate() accepts it; its error then names `origin`, the file the options came from.
template <class Options>
Options validatedFrom(Options o, const std::string& origin) {
    try {
        validate(o);
    } catch (const Error& e) {
        throw Error(origin, e.what());
    }
    return o;
}

inline json parseOptions(const std::string& text, const std::string& origin, const std::string& analysis) {
    try {
        return json::parse(text.empty() ? std::string("{}") : text);
    } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999999
        throw Error(origin, "the " + analysis + " options are not valid JSON (" + e.what() + ")");
    }
}

}  // namespace basin::detail
