#pragma once
// The digest behind result keys: CRC-32 and Adler-32 (zlib) of everything that decides the
// numbers, with lengths mixed in. 64 bits: collisions between two studies' results are not a
// practical concern, and a changed byte always changes the CRC.
#include <zlib.h>

#include <cstdio>
#include <string>

#include "arrays.h"

namespace basin::detail {

struct Digest {
    uLong crc = crc32(0L, Z_NULL, 0), adler = adler32(0L, Z_NULL, 0);
    void add(const void* data, size_t n) {
        const auto* p = static_cast<const Bytef*>(data);
        while (n > 0) {  // zlib takes uInt lengths
            const uInt chunk = uInt(std::min<size_t>(n, 1u << 30));
            crc = crc32(crc, p, chunk);
            adler = adler32(adler, p, chunk);
            p += chunk;
            n -= chunk;
        }
    }
    void add(const std::string& s) {
        add(s.data(), s.size());
        add("\0", 1);
    }
    // A file's bytes and length; a path that is empty adds a marker, so "no targets file" differs
    // from an empty one.
    void addFile(const std::string& path) {
        if (path.empty()) return add(std::string("(none)"));
        const auto bytes = readFileBytes(path);
        add(bytes.data(), bytes.size());
        add(std::to_string(bytes.size()));
    }
    std::string hex() const {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%08lx%08lx", crc & 0xffffffffUL, adler & 0xffffffffUL);
        return buf;
    }
};

}  // namespace basin::detail
