// PosixFs: the Fs contract (fs.h) on the real filesystem. Every operation carries a libfiu
// point "wal/fs/<op>" (posix_fault.h): open, read, write, write_short, fdatasync, fsync,
// sync_file_range (the start_writeback hint), truncate, fallocate, size, close, rename, unlink,
// list, mkdir, sync_dir, stat, lock.
#include <wal/posix_fs.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>
#include <utility>

#include "posix_fault.h"
#include "posix_file.h"

namespace wal {
namespace {

using posix::injected_error;
using posix::os_error;

int open_flags(OpenMode mode) {
  switch (mode) {
    case OpenMode::kReadOnly: return O_RDONLY;
    case OpenMode::kReadWrite: return O_RDWR;
    case OpenMode::kCreate: return O_RDWR | O_CREAT;
    case OpenMode::kCreateExclusive: return O_RDWR | O_CREAT | O_EXCL;
  }
  WAL_ASSERT(false);
  return O_RDONLY;
}

// A NUL-terminated copy of a path for the syscalls, on the stack unless it is longer than
// PATH_MAX: the calls of a rotation onto a spare segment (rename, sync_dir) allocate nothing.
class CPath {
 public:
  explicit CPath(std::string_view path) {
    if (path.size() < sizeof(buffer_)) {
      std::memcpy(buffer_, path.data(), path.size());
      buffer_[path.size()] = '\0';
      c_str_ = buffer_;
    } else {
      long_path_.assign(path);  // the kernel answers ENAMETOOLONG
      c_str_ = long_path_.c_str();
    }
  }
  CPath(const CPath&) = delete;
  CPath& operator=(const CPath&) = delete;
  const char* c_str() const { return c_str_; }

 private:
  char buffer_[PATH_MAX];
  std::string long_path_;
  const char* c_str_;
};

std::string_view file_type_name(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "of an unknown file type";
}

// open() retried on EINTR (possible on some filesystems, e.g. FIFOs or network mounts).
int open_retrying(const char* path, int flags, mode_t perms) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, perms);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// The flock is tied to the open file description, so closing the descriptor releases it.
class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }
  PosixFileLock(const PosixFileLock&) = delete;
  PosixFileLock& operator=(const PosixFileLock&) = delete;

 private:
  int fd_;
};

class PosixFs final : public Fs {
 public:
  Result<std::unique_ptr<File>> open(std::string_view path_view, OpenMode mode) override {
    std::string path(path_view);
    fiu_do_on("wal/fs/open", return injected_error("open", path));
    // O_NONBLOCK: a FIFO (or a device) where a log file should be would otherwise block the
    // open forever, waiting for a writer. It is refused just below, before any read.
    const int fd = open_retrying(path.c_str(), open_flags(mode) | O_NONBLOCK, 0644);
    if (fd < 0) return os_error(errno, "open", path);
    // The File contract is about regular files: O_RDONLY opens a directory, a FIFO, a socket
    // or a device without complaint, and reading one fails, blocks or never ends.
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int sys_errno = errno;
      ::close(fd);
      return os_error(sys_errno, "fstat", path);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      if (S_ISDIR(st.st_mode)) return os_error(EISDIR, "open", path);
      return Status::io_error(
          fmt::format("open {}: is {}, not a regular file", path, file_type_name(st.st_mode)));
    }
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
      const int sys_errno = errno;
      ::close(fd);
      return os_error(sys_errno, "fcntl", path);
    }
    return std::unique_ptr<File>(
        new posix::PosixFile(fd, std::move(path), mode == OpenMode::kReadOnly));
  }

  Status rename(std::string_view source, std::string_view target) override {
    auto what = [&] { return fmt::format("{} -> {}", source, target); };
    fiu_do_on("wal/fs/rename", return injected_error("rename", what()));
    if (::rename(CPath(source).c_str(), CPath(target).c_str()) != 0) {
      return os_error(errno, "rename", what());
    }
    return Status::ok();
  }

  Status unlink(std::string_view path) override {
    fiu_do_on("wal/fs/unlink", return injected_error("unlink", path));
    if (::unlink(CPath(path).c_str()) != 0) return os_error(errno, "unlink", path);
    return Status::ok();
  }

  Result<std::vector<std::string>> list(std::string_view dir_view) override {
    const std::string dir(dir_view);
    fiu_do_on("wal/fs/list", return injected_error("opendir", dir));
    DIR* handle = ::opendir(dir.c_str());
    if (handle == nullptr) return os_error(errno, "opendir", dir);
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      const dirent* entry = ::readdir(handle);
      if (entry == nullptr) {
        const int sys_errno = errno;
        ::closedir(handle);
        if (sys_errno != 0) return os_error(sys_errno, "readdir", dir);
        break;
      }
      const std::string_view name(entry->d_name);
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());  // std::string compares bytewise (char_traits)
    return names;
  }

  Status mkdir(std::string_view path_view) override {
    const std::string path(path_view);
    fiu_do_on("wal/fs/mkdir", return injected_error("mkdir", path));
    if (::mkdir(path.c_str(), 0755) != 0) return os_error(errno, "mkdir", path);
    return Status::ok();
  }

  Status sync_dir(std::string_view dir) override {
    fiu_do_on("wal/fs/sync_dir", return injected_error("fsync directory", dir));
    const int fd = open_retrying(CPath(dir).c_str(), O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) return os_error(errno, "open directory", dir);
    int rc;
    do {
      rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    const int sys_errno = errno;
    ::close(fd);
    if (rc != 0) return os_error(sys_errno, "fsync directory", dir);
    return Status::ok();
  }

  Result<FileStat> stat(std::string_view path_view) override {
    const std::string path(path_view);
    fiu_do_on("wal/fs/stat", return injected_error("stat", path));
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return os_error(errno, "stat", path);
    FileStat result;
    result.is_directory = S_ISDIR(st.st_mode);
    result.size_bytes = static_cast<std::uint64_t>(st.st_size);
    return result;
  }

  Result<std::unique_ptr<FileLock>> lock(std::string_view path_view) override {
    const std::string path(path_view);
    fiu_do_on("wal/fs/lock", return injected_error("lock", path));
    const int fd = open_retrying(path.c_str(), O_RDWR | O_CREAT, 0644);
    if (fd < 0) return os_error(errno, "open lock file", path);
    int rc;
    do {
      rc = ::flock(fd, LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      const int sys_errno = errno;
      ::close(fd);
      if (sys_errno == EWOULDBLOCK) {
        return Status::busy(fmt::format("lock {}: held by another opener", path));
      }
      return os_error(sys_errno, "flock", path);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }
};

}  // namespace

Fs& posix_fs() {
  static PosixFs fs;
  return fs;
}

}  // namespace wal
