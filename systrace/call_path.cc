// The calls on names: rename, unlink, rmdir, mkdir, link, symlink, truncate, mknod. Their paths
// are resolved at the entry stop, before the call changes what they resolve through, with the
// last component kept as written (the name the call acts on).
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/syscall.h>

#include <fmt/format.h>

#include "systrace/call_interpreter.h"
#include "systrace/flag_names.h"
#include "systrace/proc_fs.h"
#include "systrace/tracee_memory.h"

namespace systrace {
namespace {

struct Located {
  std::string absolute;
  std::optional<std::string> rel;
};

// The path at `addr` relative to `dirfd`, resolved (through a final symlink too when `follow`).
std::optional<Located> locate(pid_t tid, int dirfd, std::uint64_t addr, bool follow,
                              const DirScope& scope) {
  const std::optional<std::string> raw = read_string(tid, addr);
  if (!raw || raw->empty()) return std::nullopt;  // EFAULT or ENOENT: nothing happens
  const std::optional<std::string> absolute = absolute_path(tid, dirfd, *raw);
  if (!absolute) return std::nullopt;
  Located out;
  out.absolute = follow ? resolve_all(*absolute) : resolve_parent(*absolute);
  out.rel = scope.relative(out.absolute);
  return out;
}

// The id of a regular file that loses its last name when `absolute` goes away.
std::optional<std::uint64_t> last_name_of(const std::string& absolute, const FileIds& ids) {
  struct stat st;
  if (::lstat(absolute.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
    return std::nullopt;
  }
  return ids.find(st.st_dev, st.st_ino);
}

}  // namespace

std::string CallInterpreter::path_entry(pid_t tid, Pending& p) {
  const SyscallEntry& e = p.entry;
  std::optional<Located> first;
  std::optional<Located> second;
  switch (e.nr) {
    case SYS_rename:
    case SYS_link:
      first = locate(tid, AT_FDCWD, e.args[0], false, scope_);
      second = locate(tid, AT_FDCWD, e.args[1], false, scope_);
      break;
    case SYS_renameat:
    case SYS_renameat2:
      first = locate(tid, fd_arg(e, 0), e.args[1], false, scope_);
      second = locate(tid, fd_arg(e, 2), e.args[3], false, scope_);
      break;
    case SYS_linkat: {
      const int flags = static_cast<int>(e.args[4]);
      const std::optional<std::string> raw = read_string(tid, e.args[1]);
      if ((flags & AT_EMPTY_PATH) != 0 && raw && raw->empty()) {
        // The file of a descriptor gets a name.
        if (const std::optional<std::string> path = fd_path(tid, fd_arg(e, 0))) {
          first = Located{*path, scope_.relative(*path)};
        }
      } else {
        first = locate(tid, fd_arg(e, 0), e.args[1], (flags & AT_SYMLINK_FOLLOW) != 0, scope_);
      }
      second = locate(tid, fd_arg(e, 2), e.args[3], false, scope_);
      break;
    }
    case SYS_symlink:
      second = locate(tid, AT_FDCWD, e.args[1], false, scope_);
      break;
    case SYS_symlinkat:
      second = locate(tid, fd_arg(e, 1), e.args[2], false, scope_);
      break;
    case SYS_truncate:
      first = locate(tid, AT_FDCWD, e.args[0], true, scope_);
      break;
    case SYS_unlinkat:
    case SYS_mkdirat:
    case SYS_mknodat:
      first = locate(tid, fd_arg(e, 0), e.args[1], false, scope_);
      break;
    default:  // unlink, rmdir, mkdir, mknod
      first = locate(tid, AT_FDCWD, e.args[0], false, scope_);
      break;
  }
  if (e.nr == SYS_symlink || e.nr == SYS_symlinkat) {
    // The link is the call's one path; its target is text, not resolved.
    first = second;
    second.reset();
    p.raw = read_string(tid, e.args[0]).value_or("");
  }
  if (first) {
    p.absolute = first->absolute;
    p.rel = first->rel;
  }
  if (second) {
    p.absolute2 = second->absolute;
    p.rel2 = second->rel;
  }
  const bool unlinks_file =
      e.nr == SYS_unlink || (e.nr == SYS_unlinkat && (e.args[2] & AT_REMOVEDIR) == 0);
  if (unlinks_file && p.rel) p.victim = last_name_of(p.absolute, ids_);
  const bool renames = e.nr == SYS_rename || e.nr == SYS_renameat || e.nr == SYS_renameat2;
  if (renames && p.rel2) p.victim = last_name_of(p.absolute2, ids_);
  return "";
}

std::string CallInterpreter::path_exit(pid_t tid, const Pending& p, std::int64_t result) {
  const SyscallEntry& e = p.entry;
  switch (e.nr) {
    case SYS_rename:
    case SYS_renameat:
    case SYS_renameat2:
      return rename_exit(tid, p, result);
    case SYS_link:
    case SYS_linkat:
      return link_exit(tid, p, result);
    default:
      break;
  }
  if (!p.rel) return "";
  Call c = call(CallKind::kUnlink, tid, p, result);
  c.path = *p.rel;
  switch (e.nr) {
    case SYS_mknod:
    case SYS_mknodat:
      if (result < 0) return "";
      return refusal(tid, fmt::format("{}({})", p.name, shown(p.absolute)),
                     "a special file in D: walsim models files, directories and symlinks only");
    case SYS_unlinkat:
      if ((e.args[2] & AT_REMOVEDIR) != 0) c.kind = CallKind::kRmdir;
      break;
    case SYS_rmdir:
      c.kind = CallKind::kRmdir;
      break;
    case SYS_mkdir:
      c.kind = CallKind::kMkdir;
      c.mode = static_cast<std::uint32_t>(e.args[1]) & 07777;
      break;
    case SYS_mkdirat:
      c.kind = CallKind::kMkdir;
      c.mode = static_cast<std::uint32_t>(e.args[2]) & 07777;
      break;
    case SYS_symlink:
    case SYS_symlinkat:
      c.kind = CallKind::kSymlink;
      c.path2 = p.raw;
      break;
    case SYS_truncate: {
      c.kind = CallKind::kTruncate;
      c.length = e.args[1];
      struct stat st;
      if (::stat(p.absolute.c_str(), &st) == 0) {
        c.file = ids_.find(st.st_dev, st.st_ino).value_or(0);
      }
      break;
    }
    default:
      break;
  }
  if (result == 0 && p.victim) ids_.mark_unlinked(*p.victim);
  record(std::move(c));
  return "";
}

std::string CallInterpreter::rename_exit(pid_t tid, const Pending& p, std::int64_t result) {
  if (!p.rel && !p.rel2) return "";
  const std::uint32_t flags =
      p.entry.nr == SYS_renameat2 ? static_cast<std::uint32_t>(p.entry.args[4]) : 0;
  if (result == 0) {
    std::string what = fmt::format("{}({}, {}", p.name, shown(p.absolute), shown(p.absolute2));
    if (flags != 0) what += ", " + rename_flags_name(flags);
    what += ")";
    if ((flags & (RENAME_EXCHANGE | RENAME_WHITEOUT)) != 0) {
      return refusal(tid, what, "walsim cannot model RENAME_EXCHANGE or RENAME_WHITEOUT");
    }
    if (!p.rel) {
      return refusal(tid, what, "a rename into D from outside it brings a file or directory "
                                "whose contents the trace does not hold");
    }
    if (!p.rel2) {
      return refusal(tid, what, "a rename out of D takes a file or directory where the trace "
                                "cannot follow it");
    }
  }
  if (!p.rel || !p.rel2) return "";  // a failed rename across D's edge changed nothing in D
  Call c = call(CallKind::kRename, tid, p, result);
  c.path = *p.rel;
  c.path2 = *p.rel2;
  c.flags = flags;
  if (result == 0 && p.victim) ids_.mark_unlinked(*p.victim);
  record(std::move(c));
  return "";
}

std::string CallInterpreter::link_exit(pid_t tid, const Pending& p, std::int64_t result) {
  if (!p.rel2) return "";  // a new name outside D: nothing in D changes
  if (!p.rel) {
    if (result < 0) return "";
    return refusal(tid, fmt::format("{}({}, {})", p.name, shown(p.absolute), shown(p.absolute2)),
                   "a hard link into D to a file outside it, whose contents the trace does not "
                   "hold");
  }
  Call c = call(CallKind::kLink, tid, p, result);
  c.path = *p.rel;
  c.path2 = *p.rel2;
  struct stat st;
  if (result == 0 && ::lstat(p.absolute2.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    if (const std::optional<std::uint64_t> id = ids_.find(st.st_dev, st.st_ino)) {
      c.file = *id;
      ids_.mark_linked(*id);
    }
  }
  record(std::move(c));
  return "";
}

}  // namespace systrace
