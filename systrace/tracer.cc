#include "systrace/tracer.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace systrace {
namespace {

constexpr unsigned kOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
                              PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
// The x32 ABI's syscall numbers carry this bit (asm/unistd.h, __X32_SYSCALL_BIT).
constexpr std::uint64_t kX32SyscallBit = 0x40000000;

// struct ptrace_syscall_info (linux/ptrace.h, which clashes with glibc's sys/ptrace.h): after
// the header, an entry's nr and six arguments, or an exit's return value.
struct SyscallInfo {
  std::uint8_t op;
  std::uint8_t pad[3];
  std::uint32_t arch;
  std::uint64_t instruction_pointer;
  std::uint64_t stack_pointer;
  std::uint64_t words[8];
};
constexpr std::uint8_t kInfoEntry = 1;  // PTRACE_SYSCALL_INFO_ENTRY
constexpr std::uint8_t kInfoExit = 2;   // PTRACE_SYSCALL_INFO_EXIT

// The forked child, up to its exec: only async-signal-safe calls. It waits for the tracer to
// seize it (a byte on `go_fd`; end of file: the tracer gave up), then execs; if exec fails, the
// errno goes to the tracer through `error_fd`, which exec would have closed.
[[noreturn]] void exec_child(char** argv, int stdout_fd, int go_fd, int error_fd) {
  int error = 0;
  if (stdout_fd >= 0 && stdout_fd != STDOUT_FILENO && ::dup2(stdout_fd, STDOUT_FILENO) < 0) {
    error = errno;
  }
  // The program gets the signal state a shell would give it, not walsim's.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  char byte = 0;
  ssize_t n;
  while ((n = ::read(go_fd, &byte, 1)) < 0 && errno == EINTR) {
  }
  if (n != 1) ::_exit(127);
  if (error == 0) {
    ::execvp(argv[0], argv);
    error = errno;
  }
  while (::write(error_fd, &error, sizeof(error)) < 0 && errno == EINTR) {
  }
  ::_exit(127);
}

int status_code(int status) {
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

bool is_group_stop_signal(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

}  // namespace

Tracer::~Tracer() {
  if (pid_ > 0) {
    // Spawned, never run: it waits on its exec.
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, __WALL);
  }
  if (exec_error_fd_ >= 0) ::close(exec_error_fd_);
}

Tracer::Result Tracer::spawn(const std::vector<std::string>& command, int stdout_fd) {
  if (command.empty()) return {Outcome::kCannotExecute, "no command to run", 0};
  program_ = command[0];
  std::vector<char*> argv;
  for (const std::string& word : command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  int go[2];
  int exec_error[2];
  if (::pipe2(go, O_CLOEXEC) != 0) {
    return {Outcome::kFailed, fmt::format("pipe: {}", std::strerror(errno)), 0};
  }
  if (::pipe2(exec_error, O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(go[0]);
    ::close(go[1]);
    return {Outcome::kFailed, fmt::format("pipe: {}", std::strerror(error)), 0};
  }
  pid_ = ::fork();
  if (pid_ == 0) exec_child(argv.data(), stdout_fd, go[0], exec_error[1]);
  const int fork_error = errno;
  ::close(go[0]);
  ::close(exec_error[1]);
  exec_error_fd_ = exec_error[0];
  if (pid_ < 0) {
    ::close(go[1]);
    return {Outcome::kFailed, fmt::format("fork: {}", std::strerror(fork_error)), 0};
  }
  if (::ptrace(PTRACE_SEIZE, pid_, nullptr, kOptions) != 0) {
    const int error = errno;
    ::close(go[1]);  // the child sees end of file and exits
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return {error == EPERM ? Outcome::kNotPermitted : Outcome::kFailed,
            fmt::format("ptrace(PTRACE_SEIZE) of the program failed: {}{}", std::strerror(error),
                        error == EPERM ? " (ptrace is not permitted here: a container without "
                                         "CAP_SYS_PTRACE, a seccomp policy or "
                                         "kernel.yama.ptrace_scope=3)"
                                       : ""),
            0};
  }
  // Stopped once, so that PTRACE_SYSCALL starts syscall stops before the exec.
  int status = 0;
  if (::ptrace(PTRACE_INTERRUPT, pid_, nullptr, nullptr) != 0 ||
      ::waitpid(pid_, &status, __WALL) != pid_ || !WIFSTOPPED(status)) {
    const int error = errno;
    ::kill(pid_, SIGKILL);
    ::close(go[1]);
    ::waitpid(pid_, nullptr, __WALL);
    pid_ = -1;
    return {Outcome::kFailed, fmt::format("stopping the program before its exec failed: {}",
                                          std::strerror(error)), 0};
  }
  const char byte = 'x';
  while (::write(go[1], &byte, 1) < 0 && errno == EINTR) {
  }
  ::close(go[1]);
  return {};
}

Tracer::Result Tracer::run(SyscallObserver& observer) {
  if (pid_ <= 0) return {Outcome::kFailed, "run before a successful spawn", 0};
  tracees_.insert(pid_);
  ::ptrace(PTRACE_SYSCALL, pid_, nullptr, nullptr);
  std::string stop_reason;
  int main_status = 0;
  for (;;) {
    int status = 0;
    const pid_t tid = ::waitpid(-1, &status, __WALL);
    if (tid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: every traced process is gone
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (tid == pid_) main_status = status;
      tracees_.erase(tid);
      observer.forget(tid);
      continue;
    }
    if (!WIFSTOPPED(status)) continue;
    tracees_.insert(tid);
    if (!stop_reason.empty()) {
      // Stopping: whatever still reports, a process the kill missed (a child it forked just
      // then), dies too.
      ::kill(tid, SIGKILL);
      continue;
    }
    std::string refusal = on_stop(tid, status, observer);
    if (!refusal.empty()) {
      stop_reason = std::move(refusal);
      kill_all();
    }
  }
  pid_ = -1;  // reaped: the destructor has nothing to kill
  if (!stop_reason.empty()) return {Outcome::kStopped, stop_reason, 0};
  int exec_errno = 0;
  if (::read(exec_error_fd_, &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
    return {Outcome::kCannotExecute,
            fmt::format("cannot execute '{}': {}", program_, std::strerror(exec_errno)), 127};
  }
  return {Outcome::kExited, "", status_code(main_status)};
}

std::string Tracer::on_stop(pid_t tid, int status, SyscallObserver& observer) {
  const int sig = WSTOPSIG(status);
  const int event = status >> 16;
  int inject = 0;
  if (sig == (SIGTRAP | 0x80)) {
    if (std::string refusal = on_syscall(tid, observer); !refusal.empty()) return refusal;
  } else if (event == PTRACE_EVENT_STOP) {
    // A group-stop: the process stays stopped, still traced, until a SIGCONT. Any other
    // event-stop (a new child's first stop, our interrupt, the end of a group-stop) resumes.
    if (is_group_stop_signal(sig)) {
      ::ptrace(PTRACE_LISTEN, tid, nullptr, nullptr);
      return "";
    }
  } else if (event == PTRACE_EVENT_EXEC) {
    // A thread that is not the leader exec'd: it now has the leader's id, and its old id and
    // the other threads are gone without an exit stop.
    unsigned long former = 0;
    ::ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &former);
    observer.forget(tid);
    if (static_cast<pid_t>(former) != tid) {
      observer.forget(static_cast<pid_t>(former));
      tracees_.erase(static_cast<pid_t>(former));
    }
  } else if (event == 0) {
    inject = sig;  // a signal for the program: delivered as if untraced
  }
  // PTRACE_EVENT_FORK/VFORK/CLONE: the new thread reports its own first stop.
  // ESRCH: the thread was killed meanwhile; its exit is the next thing waitpid says.
  ::ptrace(PTRACE_SYSCALL, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(inject)));
  return "";
}

std::string Tracer::on_syscall(pid_t tid, SyscallObserver& observer) {
  SyscallInfo info{};
  if (::ptrace(PTRACE_GET_SYSCALL_INFO, tid, reinterpret_cast<void*>(sizeof(info)), &info) <= 0) {
    return "";  // killed meanwhile
  }
  if (info.op == kInfoEntry) {
    SyscallEntry entry;
    entry.nr = info.words[0];
    std::copy(info.words + 1, info.words + 7, entry.args.begin());
    if (info.arch != AUDIT_ARCH_X86_64) {
      return fmt::format("pid {} made a 32-bit system call (int 0x80, number {}): walsim trace "
                         "follows the x86_64 system calls only", tid, entry.nr);
    }
    if ((entry.nr & kX32SyscallBit) != 0) {
      return fmt::format("pid {} made an x32 system call (number {:#x}): walsim trace follows "
                         "the x86_64 system calls only", tid, entry.nr);
    }
    return observer.on_entry(tid, entry);
  }
  if (info.op == kInfoExit) {
    return observer.on_exit(tid, static_cast<std::int64_t>(info.words[0]));
  }
  return "";
}

void Tracer::kill_all() {
  for (const pid_t tid : tracees_) ::kill(tid, SIGKILL);
}

}  // namespace systrace
