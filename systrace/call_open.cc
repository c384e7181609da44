// open, creat, openat, openat2: the file an open lands on is what the kernel says it is
// (/proc/TID/fd/N after the call, every symlink followed), so a path through a symlink into D,
// or out of it, is placed right. Only an open that fails is placed by its path.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include <fmt/format.h>

#include "systrace/call_interpreter.h"
#include "systrace/flag_names.h"
#include "systrace/proc_fs.h"
#include "systrace/tracee_memory.h"

namespace systrace {
namespace {

// The path as the tracee's own open would resolve it, through /proc: stat() of it follows the
// same symlinks from the same directory.
std::string proc_relative(pid_t tid, int dirfd, const std::string& raw) {
  if (raw.starts_with('/')) return raw;
  if (dirfd == AT_FDCWD) return fmt::format("/proc/{}/cwd/{}", tid, raw);
  return fmt::format("/proc/{}/fd/{}/{}", tid, dirfd, raw);
}

}  // namespace

std::string CallInterpreter::open_entry(pid_t tid, Pending& p) {
  const SyscallEntry& e = p.entry;
  std::uint64_t path_addr = e.args[1];
  p.dirfd = fd_arg(e, 0);
  switch (e.nr) {
    case SYS_open:
      path_addr = e.args[0];
      p.dirfd = AT_FDCWD;
      p.flags = static_cast<std::uint32_t>(e.args[1]);
      p.mode = static_cast<std::uint32_t>(e.args[2]);
      break;
    case SYS_creat:
      path_addr = e.args[0];
      p.dirfd = AT_FDCWD;
      p.flags = O_CREAT | O_WRONLY | O_TRUNC;
      p.mode = static_cast<std::uint32_t>(e.args[1]);
      break;
    case SYS_openat:
      p.flags = static_cast<std::uint32_t>(e.args[2]);
      p.mode = static_cast<std::uint32_t>(e.args[3]);
      break;
    default: {  // openat2: flags and mode in a struct open_how
      const std::optional<std::string> how = read_bytes(tid, e.args[2], sizeof(open_how));
      if (!how || e.args[3] < sizeof(open_how)) return "";  // the call fails: EFAULT, EINVAL
      open_how decoded{};
      std::copy(how->begin(), how->end(), reinterpret_cast<char*>(&decoded));
      p.flags = static_cast<std::uint32_t>(decoded.flags);
      p.mode = static_cast<std::uint32_t>(decoded.mode);
      break;
    }
  }
  p.mode &= 07777;
  const std::optional<std::string> raw = read_string(tid, path_addr);
  if (!raw) return "";  // EFAULT: the call fails before touching anything
  p.raw = *raw;
  // Whether an O_CREAT open creates its file is only known before it runs.
  if ((p.flags & O_CREAT) != 0 && (p.flags & O_EXCL) == 0) {
    struct stat st;
    p.existed = ::stat(proc_relative(tid, p.dirfd, p.raw).c_str(), &st) == 0;
  }
  return "";
}

std::string CallInterpreter::open_exit(pid_t tid, const Pending& p, std::int64_t result) {
  Call c = call(CallKind::kOpen, tid, p, result);
  c.flags = p.flags;
  c.mode = p.mode;
  if (result < 0) {
    if (p.raw.empty()) return "";
    const std::optional<std::string> absolute = absolute_path(tid, p.dirfd, p.raw);
    if (!absolute) return "";
    const std::optional<std::string> rel = scope_.relative(resolve_parent(*absolute));
    if (!rel) return "";
    c.path = *rel;
    record(std::move(c));
    return "";
  }
  const int fd = static_cast<int>(result);
  const std::optional<struct stat> st = stat_fd(tid, fd);
  const std::optional<std::string> path = fd_path(tid, fd);
  if (!st || !path) return "";  // closed by another thread already
  const std::optional<std::string> rel = scope_.relative(*path);
  if (!rel) {
    // An inode of D met outside it once its last name in D is gone: the kernel gave the
    // number to a new file, which is not D's.
    if (const std::optional<std::uint64_t> id = ids_.find(st->st_dev, st->st_ino)) {
      if (ids_.unlinked(*id)) ids_.forget(st->st_dev, st->st_ino);
    }
    return "";
  }
  const std::string what = fmt::format("{}({}, {})", p.name, shown(*path),
                                       open_flags_name(p.flags));
  if ((p.flags & O_TMPFILE) == O_TMPFILE) {
    return refusal(tid, what, "an unnamed file (O_TMPFILE) in D: walsim models named files only");
  }
  c.fd = fd;
  c.path = *rel;
  if (S_ISDIR(st->st_mode)) {
    c.is_dir = true;
    record(std::move(c));
    return "";
  }
  if (!S_ISREG(st->st_mode)) return "";  // O_PATH of a symlink: nothing to replay
  if ((p.flags & O_DIRECT) != 0) {
    return refusal(tid, what, "O_DIRECT I/O bypasses the page cache, and walsim models "
                              "buffered I/O only");
  }
  const bool creating = (p.flags & O_CREAT) != 0 && ((p.flags & O_EXCL) != 0 || !p.existed);
  const std::optional<std::uint64_t> id = ids_.find(st->st_dev, st->st_ino);
  if (creating || !id) {
    if (!creating && (p.flags & O_CREAT) == 0) {
      return refusal(tid, what, "a file in D that was not there when the recording started and "
                                "whose creation walsim did not see (another program's?)");
    }
    c.created = true;
    c.file = ids_.fresh(st->st_dev, st->st_ino);
  } else {
    c.file = *id;
    ids_.mark_linked(c.file);
  }
  const std::uint64_t file = c.file;
  const bool created = c.created;
  record(std::move(c));
  if ((p.flags & O_TRUNC) != 0 && (p.flags & O_PATH) == 0 && !created) {
    Call truncate = call(CallKind::kTruncate, tid, p, 0);
    truncate.fd = fd;
    truncate.file = file;
    truncate.path = *rel;
    record(std::move(truncate));
  }
  return "";
}

}  // namespace systrace
