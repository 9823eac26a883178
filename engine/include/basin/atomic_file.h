#pragma once
/// The one way Basin writes a file. Every file (study, result, export, figure, direction, partial
/// surface) is written beside its target under a temporary name, flushed to disk (fsync), given the
/// permissions of the file it replaces, and renamed over the target; the folder is then synced. A
/// reader never sees half a file, and a failure (disk full, no permission, a crash) leaves the
/// previous file as it was. Temporary files left by a killed process are removed on the next write
/// into the same folder.
#include <functional>
#include <string>

namespace basin {

/// A file being written: write to tempPath() (directly, or with any library that takes a path),
/// then commit(). Destroyed without commit(), the temporary file is removed and the target untouched.
class AtomicFile {
public:
    /// Throws basin::Error naming `path` when its folder does not exist or cannot be written.
    explicit AtomicFile(std::string path);
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    const std::string& path() const { return path_; }
    const std::string& tempPath() const { return temp_; }
    /// fsync, permissions of the replaced file (or 0666 less the umask for a new one), rename, and
    /// fsync of the folder. Throws basin::Error naming the target; the previous file is then intact.
    void commit();

private:
    std::string path_, temp_;
    bool committed_ = false;
};

/// Writes `text` to `path` through an AtomicFile.
void writeFileAtomically(const std::string& path, const std::string& text);

/// Reads, changes and writes back a file under an exclusive lock, so two processes updating the same
/// file (the window and basin-cli storing results in one study) never lose each other's changes:
/// the lock is taken on the file itself and re-taken if another writer replaced it meanwhile.
/// `change` receives the current text (empty when the file does not exist) and returns the new text.
void updateFileLocked(const std::string& path, const std::function<std::string(const std::string&)>& change);

/// Whether a file could be replaced here (its folder is writable, and it is not read-only itself).
bool isWritable(const std::string& path);

}  // namespace basin
