// What a traced system call means for D: the SyscallObserver that turns syscall stops into the
// trace's calls (trace_file.h) or into a refusal, for what no trace can hold.
//
// At an entry stop it keeps what the exit will need and only the entry can see (the paths as
// the kernel resolves them before a rename or unlink changes them, whether an O_CREAT open's
// file existed, the file a close is about to let go); at the exit stop it records the call,
// failed ones included (result -errno), once it knows the call touched D. Calls are recorded
// in the order their exits are seen, which for one thread is program order.
//
// The family of calls is split over call_open.cc, call_write.cc, call_fd.cc, call_path.cc and
// call_refuse.cc; this file's .cc holds the dispatch and what they share.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "systrace/file_ids.h"
#include "systrace/paths.h"
#include "systrace/trace_file.h"
#include "systrace/tracer.h"

namespace systrace {

// The program's standard output: the pipe `walsim trace` gave it.
struct OutputPipeId {
  dev_t dev = 0;
  ino_t ino = 0;
};

class CallInterpreter final : public SyscallObserver {
 public:
  // `dir_dev`: st_dev of D, for syncfs. Calls are appended to `calls`.
  CallInterpreter(const DirScope& scope, dev_t dir_dev, FileIds& ids, OutputPipeId output,
                  std::vector<Call>& calls)
      : scope_(scope), dir_dev_(dir_dev), ids_(ids), output_(output), calls_(calls) {}

  std::string on_entry(pid_t tid, const SyscallEntry& entry) override;
  std::string on_exit(pid_t tid, std::int64_t result) override;
  void forget(pid_t tid) override { pending_.erase(tid); }

 private:
  // What an entry stop saw, for the exit stop.
  struct Pending {
    SyscallEntry entry;
    const char* name = "";
    std::string raw;                  // the path argument as passed (opens; symlink's target)
    std::string absolute;             // the (first) path, resolved as the kernel takes it
    std::string absolute2;            // rename's and link's second path
    std::optional<std::string> rel;   // `absolute` relative to D, if inside
    std::optional<std::string> rel2;  // `absolute2` relative to D, if inside
    int dirfd = -100;                 // AT_FDCWD
    std::uint32_t flags = 0;          // opens: O_* (creat's and openat2's decoded)
    std::uint32_t mode = 0;
    bool existed = false;             // O_CREAT opens: the file was there at entry
    std::uint64_t file = 0;           // close: the file the descriptor named
    std::optional<std::uint64_t> victim;  // unlink, rename: a file losing its last name
  };

  // The file a descriptor names, as far as D is concerned.
  struct FdTarget {
    enum Kind { kNone, kFile, kDir, kOutput } kind = kNone;
    std::uint64_t file = 0;  // kFile
    std::string path;        // kDir: relative to D
    struct stat st {};
  };
  FdTarget classify(pid_t tid, int fd) const;

  // A call of the pending kind with its pid, syscall name and result filled in.
  Call call(CallKind kind, pid_t tid, const Pending& p, std::int64_t result) const;
  void record(Call call) { calls_.push_back(std::move(call)); }
  // The message that stops the recording: "pid 12 <what>: <why>".
  static std::string refusal(pid_t tid, const std::string& what, const std::string& why);
  // `path` relative to D, quoted; an absolute one when outside.
  std::string shown(const std::string& absolute) const;

  // call_open.cc
  std::string open_entry(pid_t tid, Pending& p);
  std::string open_exit(pid_t tid, const Pending& p, std::int64_t result);
  // call_write.cc
  std::string write_exit(pid_t tid, const Pending& p, std::int64_t result);
  // call_fd.cc
  std::string close_entry(pid_t tid, Pending& p);
  std::string fd_exit(pid_t tid, const Pending& p, std::int64_t result);
  // call_path.cc
  std::string path_entry(pid_t tid, Pending& p);
  std::string path_exit(pid_t tid, const Pending& p, std::int64_t result);
  std::string rename_exit(pid_t tid, const Pending& p, std::int64_t result);
  std::string link_exit(pid_t tid, const Pending& p, std::int64_t result);
  // call_refuse.cc
  std::string refuse_exit(pid_t tid, const Pending& p, std::int64_t result);
  std::string io_submit_exit(pid_t tid, const Pending& p, std::int64_t result);

  const DirScope& scope_;
  dev_t dir_dev_;
  FileIds& ids_;
  OutputPipeId output_;
  std::vector<Call>& calls_;
  std::unordered_map<pid_t, Pending> pending_;
  // Read-only shared maps of files in D: while there are none, no mprotect can make one
  // writable, and mprotect (frequent: malloc) costs nothing.
  std::uint64_t shared_maps_of_d_ = 0;
};

// Syscall arguments as the kernel reads them.
inline int fd_arg(const SyscallEntry& e, int i) {
  return static_cast<int>(static_cast<std::uint32_t>(e.args[static_cast<std::size_t>(i)]));
}

}  // namespace systrace
