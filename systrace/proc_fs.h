// What the recorder learns about a traced thread from /proc/TID: the file behind a descriptor,
// its position and flags, the thread's working directory, its shared mappings. Descriptor
// tables are shared by threads and copied on fork, so the recorder asks the kernel per call
// instead of mirroring them. Every function answers nullopt/false when the thread or the
// descriptor is gone (a thread may die between its syscall stop and the question).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace systrace {

// stat() of /proc/TID/fd/FD: the file itself (a pipe's inode for a pipe).
std::optional<struct stat> stat_fd(pid_t tid, int fd);
// readlink() of /proc/TID/fd/FD: the path the kernel has for the open file.
std::optional<std::string> fd_path(pid_t tid, int fd);
// readlink() of /proc/TID/cwd.
std::optional<std::string> cwd_path(pid_t tid);
// readlink() of any path, without a length limit.
std::optional<std::string> read_link(const std::string& path);

// /proc/TID/fdinfo/FD: the file position and the O_* flags of the open file description.
struct FdInfo {
  std::uint64_t pos = 0;
  std::uint32_t flags = 0;
};
std::optional<FdInfo> fd_info(pid_t tid, int fd);

// True when a shared mapping (MAP_SHARED) in /proc/TID/maps overlaps [addr, addr + length) and
// `is_watched(dev, ino)` holds for its file.
bool shared_map_overlaps(pid_t tid, std::uint64_t addr, std::uint64_t length,
                         const std::function<bool(dev_t, ino_t)>& is_watched);

}  // namespace systrace
