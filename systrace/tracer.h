// The ptrace half of `walsim trace` (x86_64 Linux): runs a command with every thread and child
// process seized (PTRACE_SEIZE with TRACESYSGOOD, TRACECLONE/FORK/VFORK/EXEC and EXITKILL), and
// shows each system call entry and exit to an observer, which decides what they mean. Signals
// reach the program as they would without the tracer; group-stops (SIGSTOP, SIGTSTP, ...) keep
// it stopped until SIGCONT (PTRACE_LISTEN).
//
// Thread-compatible, not thread-safe: ptrace answers only the thread that seized, so spawn and
// run must be called from one thread.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace systrace {

struct SyscallEntry {
  std::uint64_t nr = 0;
  std::array<std::uint64_t, 6> args{};
};

class SyscallObserver {
 public:
  virtual ~SyscallObserver() = default;
  // "" to go on; anything else stops the recording with that message (every traced process is
  // killed). The thread stays stopped during the call, so its memory and /proc entries hold.
  virtual std::string on_entry(pid_t tid, const SyscallEntry& entry) = 0;
  virtual std::string on_exit(pid_t tid, std::int64_t result) = 0;
  // The thread died, or exec'd: an entry it had will see no exit.
  virtual void forget(pid_t tid) = 0;
};

class Tracer {
 public:
  enum class Outcome {
    kExited,         // the program ran to its end: exit_status
    kNotPermitted,   // ptrace refused (EPERM): message says where
    kCannotExecute,  // the command could not be executed (ENOENT, EACCES, ...)
    kStopped,        // the observer stopped the recording: message is its
    kFailed,         // a system call of the tracer's own failed
  };
  struct Result {
    Outcome outcome = Outcome::kExited;
    std::string message;
    int exit_status = 0;  // the command's; 128+N when signal N killed it
  };

  Tracer() = default;
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;
  // Kills and reaps a command spawned but never run.
  ~Tracer();

  // Forks `command` (looked up in PATH) with `stdout_fd` as its standard output, seizes it and
  // lets it go up to its exec. kExited means ready to run.
  Result spawn(const std::vector<std::string>& command, int stdout_fd);
  // Runs the command to the end of every process it started.
  Result run(SyscallObserver& observer);

 private:
  std::string on_stop(pid_t tid, int status, SyscallObserver& observer);
  std::string on_syscall(pid_t tid, SyscallObserver& observer);
  void kill_all();

  pid_t pid_ = -1;
  int exec_error_fd_ = -1;
  std::string program_;
  std::unordered_set<pid_t> tracees_;
};

}  // namespace systrace
