// The calls on a descriptor that are not writes: syncs, truncates, fallocate, close. Each is
// placed by the file its descriptor names when the call returns (a close: when it starts).
#include <linux/falloc.h>
#include <sys/syscall.h>

#include <fmt/format.h>

#include "systrace/call_interpreter.h"
#include "systrace/flag_names.h"
#include "systrace/proc_fs.h"

namespace systrace {

std::string CallInterpreter::close_entry(pid_t tid, Pending& p) {
  const std::optional<struct stat> st = stat_fd(tid, fd_arg(p.entry, 0));
  if (st && S_ISREG(st->st_mode)) p.file = ids_.find(st->st_dev, st->st_ino).value_or(0);
  return "";
}

std::string CallInterpreter::fd_exit(pid_t tid, const Pending& p, std::int64_t result) {
  const SyscallEntry& e = p.entry;
  const int fd = fd_arg(e, 0);
  if (e.nr == SYS_sync) {
    record(call(CallKind::kSync, tid, p, result));
    return "";
  }
  if (e.nr == SYS_close) {
    if (p.file == 0) return "";
    Call c = call(CallKind::kClose, tid, p, result);
    c.fd = fd;
    c.file = p.file;
    record(std::move(c));
    return "";
  }
  if (e.nr == SYS_syncfs) {
    const std::optional<struct stat> st = stat_fd(tid, fd);
    if (!st || st->st_dev != dir_dev_) return "";  // another file system
    Call c = call(CallKind::kSyncfs, tid, p, result);
    c.fd = fd;
    record(std::move(c));
    return "";
  }
  const FdTarget target = classify(tid, fd);
  const bool sync = e.nr == SYS_fsync || e.nr == SYS_fdatasync;
  const CallKind sync_kind = e.nr == SYS_fsync ? CallKind::kFsync : CallKind::kFdatasync;
  if (target.kind == FdTarget::kDir && sync) {
    Call c = call(sync_kind, tid, p, result);
    c.fd = fd;
    c.is_dir = true;
    c.path = target.path;
    record(std::move(c));
    return "";
  }
  if (target.kind != FdTarget::kFile) return "";
  Call c = call(sync_kind, tid, p, result);
  c.fd = fd;
  c.file = target.file;
  switch (e.nr) {
    case SYS_sync_file_range:
      c.kind = CallKind::kSyncFileRange;
      c.offset = e.args[1];
      c.length = e.args[2];
      c.flags = static_cast<std::uint32_t>(e.args[3]);
      break;
    case SYS_ftruncate:
      c.kind = CallKind::kTruncate;
      c.length = e.args[1];
      break;
    case SYS_fallocate: {
      c.kind = CallKind::kFallocate;
      c.flags = static_cast<std::uint32_t>(e.args[1]);
      c.offset = e.args[2];
      c.length = e.args[3];
      if (result == 0 && c.flags != 0 && c.flags != FALLOC_FL_KEEP_SIZE) {
        const std::optional<std::string> path = fd_path(tid, fd);
        return refusal(tid, fmt::format("fallocate({}, {})", shown(path.value_or("?")),
                                        fallocate_mode_name(c.flags)),
                       "walsim models fallocate's modes 0 and FALLOC_FL_KEEP_SIZE only");
      }
      break;
    }
    default:
      break;
  }
  record(std::move(c));
  return "";
}

}  // namespace systrace
