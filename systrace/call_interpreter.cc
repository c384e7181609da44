#include "systrace/call_interpreter.h"

#include <sys/syscall.h>

#include <fmt/format.h>

#include "systrace/proc_fs.h"

namespace systrace {
namespace {

enum class Family { kIgnored, kOpen, kWrite, kFd, kPath, kRefuse };

struct Syscall {
  Family family = Family::kIgnored;
  const char* name = "";
};

// The calls the recorder looks at; every other one passes with no work beyond the stop.
Syscall classify_syscall(std::uint64_t nr) {
  switch (nr) {
    case SYS_open: return {Family::kOpen, "open"};
    case SYS_creat: return {Family::kOpen, "creat"};
    case SYS_openat: return {Family::kOpen, "openat"};
    case SYS_openat2: return {Family::kOpen, "openat2"};
    case SYS_write: return {Family::kWrite, "write"};
    case SYS_pwrite64: return {Family::kWrite, "pwrite64"};
    case SYS_writev: return {Family::kWrite, "writev"};
    case SYS_pwritev: return {Family::kWrite, "pwritev"};
    case SYS_pwritev2: return {Family::kWrite, "pwritev2"};
    case SYS_vmsplice: return {Family::kWrite, "vmsplice"};
    case SYS_fsync: return {Family::kFd, "fsync"};
    case SYS_fdatasync: return {Family::kFd, "fdatasync"};
    case SYS_sync_file_range: return {Family::kFd, "sync_file_range"};
    case SYS_syncfs: return {Family::kFd, "syncfs"};
    case SYS_sync: return {Family::kFd, "sync"};
    case SYS_ftruncate: return {Family::kFd, "ftruncate"};
    case SYS_fallocate: return {Family::kFd, "fallocate"};
    case SYS_close: return {Family::kFd, "close"};
    case SYS_rename: return {Family::kPath, "rename"};
    case SYS_renameat: return {Family::kPath, "renameat"};
    case SYS_renameat2: return {Family::kPath, "renameat2"};
    case SYS_unlink: return {Family::kPath, "unlink"};
    case SYS_unlinkat: return {Family::kPath, "unlinkat"};
    case SYS_rmdir: return {Family::kPath, "rmdir"};
    case SYS_mkdir: return {Family::kPath, "mkdir"};
    case SYS_mkdirat: return {Family::kPath, "mkdirat"};
    case SYS_link: return {Family::kPath, "link"};
    case SYS_linkat: return {Family::kPath, "linkat"};
    case SYS_symlink: return {Family::kPath, "symlink"};
    case SYS_symlinkat: return {Family::kPath, "symlinkat"};
    case SYS_truncate: return {Family::kPath, "truncate"};
    case SYS_mknod: return {Family::kPath, "mknod"};
    case SYS_mknodat: return {Family::kPath, "mknodat"};
    case SYS_mmap: return {Family::kRefuse, "mmap"};
    case SYS_mprotect: return {Family::kRefuse, "mprotect"};
    case SYS_pkey_mprotect: return {Family::kRefuse, "pkey_mprotect"};
    case SYS_io_uring_setup: return {Family::kRefuse, "io_uring_setup"};
    case SYS_io_submit: return {Family::kRefuse, "io_submit"};
    case SYS_copy_file_range: return {Family::kRefuse, "copy_file_range"};
    case SYS_sendfile: return {Family::kRefuse, "sendfile"};
    case SYS_splice: return {Family::kRefuse, "splice"};
    case SYS_tee: return {Family::kRefuse, "tee"};
    case SYS_ioctl: return {Family::kRefuse, "ioctl"};
    default: return {};
  }
}

// -ERESTARTSYS .. -ERESTART_RESTARTBLOCK: a call a signal interrupted, which the kernel starts
// again (a new entry and exit) or turns into EINTR; the tracer sees these, the program never.
bool restarted(std::int64_t result) { return result <= -512 && result >= -516; }

}  // namespace

std::string CallInterpreter::on_entry(pid_t tid, const SyscallEntry& entry) {
  const Syscall syscall = classify_syscall(entry.nr);
  if (syscall.family == Family::kIgnored) {
    pending_.erase(tid);
    return "";
  }
  Pending& p = pending_[tid];
  p = Pending{};
  p.entry = entry;
  p.name = syscall.name;
  switch (syscall.family) {
    case Family::kOpen: return open_entry(tid, p);
    case Family::kPath: return path_entry(tid, p);
    case Family::kFd: return entry.nr == SYS_close ? close_entry(tid, p) : "";
    default: return "";
  }
}

std::string CallInterpreter::on_exit(pid_t tid, std::int64_t result) {
  const auto it = pending_.find(tid);
  if (it == pending_.end()) return "";
  const Pending p = std::move(it->second);
  pending_.erase(it);
  if (restarted(result)) return "";
  switch (classify_syscall(p.entry.nr).family) {
    case Family::kOpen: return open_exit(tid, p, result);
    case Family::kWrite: return write_exit(tid, p, result);
    case Family::kFd: return fd_exit(tid, p, result);
    case Family::kPath: return path_exit(tid, p, result);
    case Family::kRefuse: return refuse_exit(tid, p, result);
    case Family::kIgnored: return "";
  }
  return "";
}

CallInterpreter::FdTarget CallInterpreter::classify(pid_t tid, int fd) const {
  FdTarget target;
  const std::optional<struct stat> st = stat_fd(tid, fd);
  if (!st) return target;
  target.st = *st;
  if (S_ISREG(st->st_mode)) {
    if (const std::optional<std::uint64_t> id = ids_.find(st->st_dev, st->st_ino)) {
      target.kind = FdTarget::kFile;
      target.file = *id;
    }
  } else if (S_ISDIR(st->st_mode)) {
    const std::optional<std::string> path = fd_path(tid, fd);
    if (path) {
      if (std::optional<std::string> rel = scope_.relative(*path)) {
        target.kind = FdTarget::kDir;
        target.path = std::move(*rel);
      }
    }
  } else if (S_ISFIFO(st->st_mode) && st->st_dev == output_.dev && st->st_ino == output_.ino) {
    target.kind = FdTarget::kOutput;
  }
  return target;
}

Call CallInterpreter::call(CallKind kind, pid_t tid, const Pending& p,
                           std::int64_t result) const {
  Call c;
  c.kind = kind;
  c.syscall = p.name;
  c.pid = tid;
  c.result = result;
  return c;
}

std::string CallInterpreter::refusal(pid_t tid, const std::string& what, const std::string& why) {
  return fmt::format("pid {} {}: {}", tid, what, why);
}

std::string CallInterpreter::shown(const std::string& absolute) const {
  const std::optional<std::string> rel = scope_.relative(absolute);
  return fmt::format("\"{}\"", rel ? *rel : absolute);
}

}  // namespace systrace
