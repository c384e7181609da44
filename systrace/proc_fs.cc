#include "systrace/proc_fs.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace systrace {
namespace {

// The whole of a small /proc file (fdinfo is a few lines; maps can be long).
std::optional<std::string> slurp(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

// The number after `key` at the start of a line of `text`, in `base`.
std::optional<std::uint64_t> field(const std::string& text, std::string_view key, int base) {
  std::size_t at = 0;
  while (at < text.size()) {
    if (text.compare(at, key.size(), key) == 0) {
      return std::strtoull(text.c_str() + at + key.size(), nullptr, base);
    }
    const std::size_t newline = text.find('\n', at);
    if (newline == std::string::npos) break;
    at = newline + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<struct stat> stat_fd(pid_t tid, int fd) {
  struct stat st;
  if (::stat(fmt::format("/proc/{}/fd/{}", tid, fd).c_str(), &st) != 0) return std::nullopt;
  return st;
}

std::optional<std::string> read_link(const std::string& path) {
  std::string out(256, '\0');
  for (;;) {
    const ssize_t n = ::readlink(path.c_str(), out.data(), out.size());
    if (n < 0) return std::nullopt;
    if (static_cast<std::size_t>(n) < out.size()) {
      out.resize(static_cast<std::size_t>(n));
      return out;
    }
    out.resize(out.size() * 2);  // maybe cut short: try again with room to spare
  }
}

std::optional<std::string> fd_path(pid_t tid, int fd) {
  return read_link(fmt::format("/proc/{}/fd/{}", tid, fd));
}

std::optional<std::string> cwd_path(pid_t tid) {
  return read_link(fmt::format("/proc/{}/cwd", tid));
}

std::optional<FdInfo> fd_info(pid_t tid, int fd) {
  const std::optional<std::string> text = slurp(fmt::format("/proc/{}/fdinfo/{}", tid, fd));
  if (!text) return std::nullopt;
  const std::optional<std::uint64_t> pos = field(*text, "pos:", 10);
  const std::optional<std::uint64_t> flags = field(*text, "flags:", 8);
  if (!pos || !flags) return std::nullopt;
  return FdInfo{*pos, static_cast<std::uint32_t>(*flags)};
}

bool shared_map_overlaps(pid_t tid, std::uint64_t addr, std::uint64_t length,
                         const std::function<bool(dev_t, ino_t)>& is_watched) {
  const std::optional<std::string> maps = slurp(fmt::format("/proc/{}/maps", tid));
  if (!maps) return false;
  // "start-end perms offset major:minor inode path", numbers in hex but the inode.
  std::size_t at = 0;
  while (at < maps->size()) {
    std::size_t newline = maps->find('\n', at);
    if (newline == std::string::npos) newline = maps->size();
    const std::string line = maps->substr(at, newline - at);
    at = newline + 1;
    unsigned long long start = 0, end = 0, offset = 0, inode = 0;
    unsigned major = 0, minor = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%llx-%llx %4s %llx %x:%x %llu", &start, &end, perms, &offset,
                    &major, &minor, &inode) != 7) {
      continue;
    }
    if (perms[3] != 's' || inode == 0) continue;
    if (end <= addr || start >= addr + length) continue;
    if (is_watched(makedev(major, minor), static_cast<ino_t>(inode))) return true;
  }
  return false;
}

}  // namespace systrace
