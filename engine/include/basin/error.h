#pragma once
/// Errors the engine reports to users. Every failure that a user can cause (a missing file, a
/// wrong format, shapes that do not match) is thrown as basin::Error with one readable sentence
/// that names the file, so the GUI and the CLI can show it as is.
#include <stdexcept>
#include <string>

namespace basin {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
    /// "<path>: <problem>", the form used for every file-related error.
    Error(const std::string& path, const std::string& problem)
        : std::runtime_error(path + ": " + problem), path_(path) {}
    /// The file the error is about, empty when it is not about a file.
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

/// Thrown by a job when its JobContext was cancelled; never a partial result.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

}  // namespace basin
