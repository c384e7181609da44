// The calls whose effect on D no trace can hold: they stop the recording, naming the call,
// once they succeeded (a failed probe, as for O_DIRECT on tmpfs, changed nothing).
//   - a shared writable map of a file in D: stores reach the file with no system call;
//   - io_uring, and Linux AIO on a file in D: the I/O is done by the kernel off the calls;
//   - copy_file_range, sendfile, splice, tee into a file in D or to the output, and a clone
//     (ioctl FICLONE, FICLONERANGE: cp's reflink) into a file in D: the bytes move inside the
//     kernel, unseen.
#include <linux/aio_abi.h>
#include <linux/fs.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <fmt/format.h>

#include "systrace/call_interpreter.h"
#include "systrace/proc_fs.h"
#include "systrace/tracee_memory.h"

namespace systrace {
namespace {

constexpr const char* kUnseenStores =
    "stores into a shared writable map reach the file without a system call, so no trace can "
    "hold them";

bool failed(std::int64_t result) { return result < 0 && result >= -4095; }

// The descriptor a transfer call writes to.
int transfer_target(const SyscallEntry& e) {
  switch (e.nr) {
    case SYS_copy_file_range:
    case SYS_splice:
      return fd_arg(e, 2);
    case SYS_tee:
      return fd_arg(e, 1);
    default:  // sendfile
      return fd_arg(e, 0);
  }
}

bool aio_changes_file(std::uint16_t opcode) {
  return opcode != IOCB_CMD_PREAD && opcode != IOCB_CMD_PREADV && opcode != IOCB_CMD_POLL &&
         opcode != IOCB_CMD_NOOP;
}

}  // namespace

std::string CallInterpreter::refuse_exit(pid_t tid, const Pending& p, std::int64_t result) {
  const SyscallEntry& e = p.entry;
  if (failed(result)) return "";
  switch (e.nr) {
    case SYS_mmap: {
      const int fd = fd_arg(e, 4);
      const std::uint64_t prot = e.args[2];
      const std::uint64_t flags = e.args[3];
      if ((flags & MAP_TYPE) == MAP_PRIVATE || (flags & MAP_ANONYMOUS) != 0 || fd < 0) return "";
      if (classify(tid, fd).kind != FdTarget::kFile) return "";
      if ((prot & PROT_WRITE) == 0) {
        ++shared_maps_of_d_;  // mprotect may make it writable later
        return "";
      }
      const std::string path = fd_path(tid, fd).value_or("?");
      return refusal(tid, fmt::format("mmap of {} with PROT_WRITE and MAP_SHARED", shown(path)),
                     kUnseenStores);
    }
    case SYS_mprotect:
    case SYS_pkey_mprotect: {
      if ((e.args[2] & PROT_WRITE) == 0 || shared_maps_of_d_ == 0) return "";
      const auto in_d = [this](dev_t dev, ino_t ino) { return ids_.find(dev, ino).has_value(); };
      const bool of_d = shared_map_overlaps(tid, e.args[0], e.args[1], in_d);
      if (!of_d) return "";
      return refusal(tid, fmt::format("{} making a shared map of a file in D writable", p.name),
                     kUnseenStores);
    }
    case SYS_io_uring_setup:
      return refusal(tid, "io_uring_setup", "I/O submitted through an io_uring bypasses system "
                                            "calls, so walsim could not see what it does to D");
    case SYS_io_submit:
      return io_submit_exit(tid, p, result);
    case SYS_ioctl: {
      const auto request = static_cast<std::uint32_t>(e.args[1]);
      if (request != FICLONE && request != FICLONERANGE) return "";
      const int fd = fd_arg(e, 0);
      if (classify(tid, fd).kind != FdTarget::kFile) return "";
      const std::string path = fd_path(tid, fd).value_or("?");
      return refusal(tid, fmt::format("ioctl {} into {}",
                                      request == FICLONE ? "FICLONE" : "FICLONERANGE", shown(path)),
                     "a clone shares another file's blocks inside the kernel, where walsim cannot "
                     "read them");
    }
    default:
      break;
  }
  if (result == 0) return "";
  const int fd = transfer_target(e);
  const FdTarget target = classify(tid, fd);
  if (target.kind == FdTarget::kFile) {
    const std::string path = fd_path(tid, fd).value_or("?");
    return refusal(tid, fmt::format("{} into {}", p.name, shown(path)),
                   "the bytes move inside the kernel, where walsim cannot read them");
  }
  if (target.kind == FdTarget::kOutput) {
    return refusal(tid, fmt::format("{} to the standard output", p.name),
                   "the bytes move inside the kernel, where walsim cannot read them");
  }
  return "";
}

std::string CallInterpreter::io_submit_exit(pid_t tid, const Pending& p, std::int64_t result) {
  // io_submit(ctx, nr, iocbpp): `result` control blocks were taken, each naming its fd.
  const std::uint64_t count = static_cast<std::uint64_t>(result);
  const std::optional<std::string> pointers = read_bytes(tid, p.entry.args[2], count * 8);
  if (!pointers) return "";
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t addr = 0;
    std::copy_n(pointers->data() + i * 8, 8, reinterpret_cast<char*>(&addr));
    const std::optional<std::string> raw = read_bytes(tid, addr, sizeof(iocb));
    if (!raw) continue;
    iocb block{};
    std::copy(raw->begin(), raw->end(), reinterpret_cast<char*>(&block));
    if (!aio_changes_file(block.aio_lio_opcode)) continue;
    const int fd = static_cast<int>(block.aio_fildes);
    const FdTarget target = classify(tid, fd);
    if (target.kind == FdTarget::kNone) continue;
    return refusal(tid, fmt::format("io_submit (opcode {}) on fd {}", block.aio_lio_opcode, fd),
                   "Linux AIO is done by the kernel off the system calls, so walsim cannot "
                   "record it");
  }
  return "";
}

}  // namespace systrace
