#include "unreadable_entries.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <wal/fs.h>
#include <wal/posix_fs.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "recovery.h"

namespace walctl {
namespace {

// Why `path` cannot be read as a regular file, or nullopt if it can.
std::optional<std::string> why_unreadable(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;  // gone meanwhile: nothing to move
    return fmt::format("cannot be examined: {}", std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode) && ::stat(path.c_str(), &st) != 0) {
    return fmt::format("is a symlink that cannot be followed: {}", std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return "is a directory";
  if (S_ISFIFO(st.st_mode)) return "is a FIFO";
  if (S_ISSOCK(st.st_mode)) return "is a socket";
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "is a device";
  if (!S_ISREG(st.st_mode)) return "is not a regular file";
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return fmt::format("cannot be opened: {}", std::strerror(errno));
  ::close(fd);
  return std::nullopt;
}

// The same question asked of a file system that has only files and directories.
std::optional<std::string> why_unreadable(wal::Fs& fs, const std::string& path) {
  if (&fs == &wal::posix_fs()) return why_unreadable(path);
  wal::Result<wal::FileStat> st = fs.stat(path);
  if (!st) {
    if (st.error().code() == wal::Code::kNotFound) return std::nullopt;
    return fmt::format("cannot be examined: {}", st.error().message());
  }
  if (st->is_directory) return "is a directory";
  wal::Result<std::unique_ptr<wal::File>> file = fs.open(path, wal::OpenMode::kReadOnly);
  if (!file) return fmt::format("cannot be opened: {}", file.error().message());
  (*file)->close().ignore_error("opened read-only to see that it can be");
  return std::nullopt;
}

}  // namespace

std::vector<UnreadableEntry> unreadable_entries(wal::Fs& fs, const std::string& dir,
                                                const std::vector<std::string>& names) {
  std::vector<UnreadableEntry> found;
  for (const std::string& name : names) {
    wal::Lsn first = wal::kNoLsn;
    if (name != wal::recovery::kFrontMarkerName &&
        !wal::recovery::parse_segment_name(name, &first)) {
      continue;
    }
    if (auto why = why_unreadable(fs, wal::join_path(dir, name))) found.push_back({name, *why});
  }
  return found;
}

}  // namespace walctl
