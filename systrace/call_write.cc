// write, pwrite64, writev, pwritev, pwritev2 (and vmsplice, which only reaches a pipe): the
// bytes a call took, read from the tracee at its exit, and where they landed. A write without
// an offset landed at the descriptor's position after it (/proc/TID/fdinfo) minus what it
// wrote, which also places O_APPEND writes; a positional write on an O_APPEND descriptor
// appends on Linux whatever its offset says.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/syscall.h>

#include <fmt/format.h>

#include "systrace/call_interpreter.h"
#include "systrace/proc_fs.h"
#include "systrace/tracee_memory.h"

namespace systrace {
namespace {

bool vectored(std::uint64_t nr) {
  return nr == SYS_writev || nr == SYS_pwritev || nr == SYS_pwritev2 || nr == SYS_vmsplice;
}

// The bytes the call took: `length` of them, from its buffer or its iovecs.
std::optional<std::string> written_bytes(pid_t tid, const SyscallEntry& e, std::size_t length) {
  if (vectored(e.nr)) return read_iov_bytes(tid, e.args[1], e.args[2], length);
  return read_bytes(tid, e.args[1], length);
}

}  // namespace

std::string CallInterpreter::write_exit(pid_t tid, const Pending& p, std::int64_t result) {
  const SyscallEntry& e = p.entry;
  const int fd = fd_arg(e, 0);
  const FdTarget target = classify(tid, fd);
  if (target.kind != FdTarget::kOutput && target.kind != FdTarget::kFile) return "";
  if (target.kind == FdTarget::kFile && e.nr == SYS_vmsplice) return "";  // EBADF: pipes only
  const std::size_t done = result > 0 ? static_cast<std::size_t>(result) : 0;
  std::optional<std::string> data = written_bytes(tid, e, done);
  if (!data) {
    return refusal(tid, fmt::format("{}(fd {})", p.name, fd),
                   fmt::format("the {} bytes it wrote cannot be read from its memory", done));
  }
  if (target.kind == FdTarget::kOutput) {
    if (done == 0) return "";
    Call c = call(CallKind::kOutput, tid, p, result);
    c.fd = fd;
    c.data = std::move(*data);
    record(std::move(c));
    return "";
  }
  const std::optional<FdInfo> info = fd_info(tid, fd);
  if (!info) return "";  // another thread closed it in between
  const std::uint64_t rwf = e.nr == SYS_pwritev2 ? e.args[5] : 0;
  const bool positional = e.nr == SYS_pwrite64 || e.nr == SYS_pwritev ||
                          (e.nr == SYS_pwritev2 && static_cast<std::int64_t>(e.args[3]) != -1);
  const bool appends = (info->flags & O_APPEND) != 0 || (rwf & RWF_APPEND) != 0;
  Call c = call(CallKind::kWrite, tid, p, result);
  c.fd = fd;
  c.file = target.file;
  if (positional && appends) {
    c.offset = static_cast<std::uint64_t>(target.st.st_size) - done;
  } else if (positional) {
    c.offset = e.args[3];
  } else {
    c.offset = info->pos - done;
  }
  c.flags = info->flags;
  if ((rwf & RWF_DSYNC) != 0) c.flags |= O_DSYNC;
  if ((rwf & RWF_SYNC) != 0) c.flags |= O_SYNC;
  c.data = std::move(*data);
  record(std::move(c));
  return "";
}

}  // namespace systrace
