#include "basin/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "basin/error.h"

namespace fs = std::filesystem;

namespace basin {

namespace {

const char kTempTag[] = ".basin-tmp-";

std::string folderOf(const std::string& path) {
    const fs::path parent = fs::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

std::string systemMessage(int err) { return std::strerror(err); }

// ".<name>.basin-tmp-<pid>-<n><ext>": the pid tells a later writer whether its owner is still
// running; the target's extension is kept, for writers that choose the format by it (Qt's PDF and
// SVG writers, VTK).
std::string tempName(const std::string& path) {
    static std::atomic<unsigned> counter{0};
    const fs::path target(path);
    return (fs::path(folderOf(path)) / ("." + target.filename().string() + kTempTag + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter++) + target.extension().string()))
        .string();
}

// Temporary files of this target left by processes that no longer run (a killed export, a crash).
void removeStaleTemps(const std::string& path) {
    const std::string prefix = "." + fs::path(path).filename().string() + kTempTag;
    DIR* dir = ::opendir(folderOf(path).c_str());
    if (!dir) return;
    while (const dirent* e = ::readdir(dir)) {
        const std::string name = e->d_name;
        if (!name.starts_with(prefix)) continue;
        const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
        if (pid <= 0 || pid == ::getpid()) continue;
        if (::kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;  // still running (or not ours to judge)
        std::error_code ec;
        fs::remove(fs::path(folderOf(path)) / name, ec);
    }
    ::closedir(dir);
}

void syncFolder(const std::string& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    if (path_.empty()) throw Error("a file to write has no name");
    const std::string folder = folderOf(path_);
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw Error(path_, "cannot be written: the folder " + folder + " does not exist");
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw Error(path_, "is a folder, not a file");
    removeStaleTemps(path_);
    temp_ = tempName(path_);
    const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        const int err = errno;
        throw Error(path_, "cannot be written (" + systemMessage(err) + " in " + folder + ")");
    }
    ::close(fd);
}

AtomicFile::~AtomicFile() {
    if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFile::commit() {
    if (committed_) return;
    const int fd = ::open(temp_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) throw Error(path_, "was not written: its temporary file " + temp_ + " vanished");
    struct stat old {};
    const bool replacing = ::stat(path_.c_str(), &old) == 0;
    bool ok = ::fsync(fd) == 0;
    int err = ok ? 0 : errno;
    // The replaced file's permissions; a new file keeps what open() gave it (0666 less the umask).
    if (ok && replacing && ::fchmod(fd, old.st_mode & 07777) != 0) {
        ok = false;
        err = errno;
    }
    ::close(fd);
    if (ok && ::rename(temp_.c_str(), path_.c_str()) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        ::unlink(temp_.c_str());
        throw Error(path_, "could not be written (" + systemMessage(err) + "); the previous file is unchanged");
    }
    committed_ = true;
    syncFolder(folderOf(path_));
}

void writeFileAtomically(const std::string& path, const std::string& text) {
    AtomicFile file(path);
    {
        std::ofstream out(file.tempPath(), std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) throw Error(path, "could not be written completely (disk full?); the previous file is unchanged");
    }
    file.commit();
}

void updateFileLocked(const std::string& path, const std::function<std::string(const std::string&)>& change) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno != ENOENT) {
                const int err = errno;
                throw Error(path, "cannot be opened (" + systemMessage(err) + ")");
            }
            writeFileAtomically(path, change(std::string()));
            return;
        }
        if (::flock(fd, LOCK_EX) != 0) {
            const int err = errno;
            ::close(fd);
            throw Error(path, "cannot be locked for writing (" + systemMessage(err) + ")");
        }
        // Another writer may have replaced the file while we waited: lock the new one instead.
        struct stat held {
        }, now{};
        const bool same = ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &now) == 0 && held.st_ino == now.st_ino &&
                          held.st_dev == now.st_dev;
        if (!same) {
            ::close(fd);
            continue;
        }
        try {
            writeFileAtomically(path, change(readAll(path)));
        } catch (...) {
            ::close(fd);
            throw;
        }
        ::close(fd);  // releases the lock, after the new file is in place
        return;
    }
    throw Error(path, "is being rewritten by other processes all the time; try again later");
}

bool isWritable(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        // The permission bits, not access(): root may write anything, but a file its owner made
        // read-only is meant to stay as it is.
        if ((st.st_mode & 0222) == 0) return false;
        if (::access(path.c_str(), W_OK) != 0) return false;
    }
    return ::access(folderOf(path).c_str(), W_OK) == 0;
}

}  // namespace basin
