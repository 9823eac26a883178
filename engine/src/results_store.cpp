#include "basin/results_store.h"

#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "arrays.h"
#include "basin/error.h"

namespace basin {

namespace {

// Two independent 32-bit checksums (CRC-32 and Adler-32, from zlib) of everything that decides
// the numbers; collisions between two studies' results are not a practical concern.
struct Digest {
    uLong crc = crc32(0L, Z_NULL, 0), adler = adler32(0L, Z_NULL, 0);
    void add(const void* data, size_t n) {
        const auto* p = static_cast<const Bytef*>(data);
        crc = crc32(crc, p, uInt(n));
        adler = adler32(adler, p, uInt(n));
    }
    void add(const std::string& s) {
        add(s.data(), s.size());
        add("\0", 1);
    }
    void addFile(const std::string& path) {
        if (path.empty()) return;
        const auto bytes = detail::readFileBytes(path);
        add(bytes.data(), bytes.size());
    }
    std::string hex() const {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%08lx%08lx", crc & 0xffffffffUL, adler & 0xffffffffUL);
        return buf;
    }
};

nlohmann::json readStudyJson(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path, "cannot be opened for reading");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(path, std::string("is not valid JSON (") + e.what() + ")");
    }
}

}  // namespace

std::string resultKey(const StudySpec& s, const std::string& model_path, const std::string& analysis,
                      const std::string& options_json) {
    Digest d;
    d.addFile(model_path.empty() ? s.model : model_path);
    d.addFile(s.data.inputs);
    d.addFile(s.data.targets);
    d.add(s.data.input_key);
    d.add(s.data.target_key);
    std::ostringstream settings;
    settings << lossName(s.loss) << '|' << s.samples << '|' << s.batch_size << '|' << dtypeName(s.dtype) << '|'
             << hvpModeName(s.hvp_mode) << '|' << curvatureName(s.curvature) << '|' << s.seed << '|' << s.hvp_tolerance;
    d.add(settings.str());
    d.add(analysis);
    d.add(options_json);
    return d.hex();
}

std::optional<std::string> findResult(const std::string& study_path, const std::string& key) {
    const auto j = readStudyJson(study_path);
    if (!j.contains("results") || !j["results"].contains(key)) return std::nullopt;
    return j["results"][key].value("result", nlohmann::json()).dump();
}

void storeResult(const std::string& study_path, const std::string& key, const std::string& analysis,
                 const std::string& options_json, const std::string& result_json) {
    auto j = readStudyJson(study_path);
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    j["results"][key] = {{"analysis", analysis},
                         {"options", nlohmann::json::parse(options_json)},
                         {"saved", stamp},
                         {"result", nlohmann::json::parse(result_json)}};
    writeFileAtomically(study_path, j.dump(2) + "\n");
}

}  // namespace basin
