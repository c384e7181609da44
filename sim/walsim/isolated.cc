#include "sim/walsim/isolated.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#ifdef WAL_COVERAGE
extern "C" void __gcov_dump(void);  // libgcov, linked by --coverage
extern "C" void __gcov_reset(void);
#endif

namespace walsim {
namespace {

constexpr std::size_t kStderrKeptBytes = 4096;

std::string read_all(int fd) {
  std::string text;
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      text.append(chunk, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return text;
    }
  }
}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGABRT: return "SIGABRT";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    default: return fmt::format("signal {}", signal);
  }
}

}  // namespace

Forked fork_with_pipe() {
  int fds[2];
  if (::pipe(fds) != 0) {
    std::perror("walsim: pipe");
    std::exit(9);
  }
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("walsim: fork");
    std::exit(9);
  }
  if (pid == 0) {
#ifdef WAL_COVERAGE
    __gcov_reset();  // the child counts its own work only: the parent's is the parent's to write
#endif
    ::close(fds[0]);
    return {0, fds[1]};
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

void write_all_or_exit(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      exit_child(3);
    }
    done += static_cast<std::size_t>(n);
  }
}

void exit_child(int code) {
#ifdef WAL_COVERAGE
  __gcov_dump();
#endif
  ::_exit(code);
}

std::string describe_death(int status) {
  if (WIFSIGNALED(status)) {
    return fmt::format("the system under test aborted: {} ({})", signal_name(WTERMSIG(status)),
                       strsignal(WTERMSIG(status)));
  }
  return fmt::format("the system under test exited with status {}", WEXITSTATUS(status));
}

std::string death_reason(const ChildOutcome& outcome) {
  std::string last = outcome.stderr_text;
  while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
  if (const std::size_t eol = last.rfind('\n'); eol != std::string::npos) last.erase(0, eol + 1);
  return last.empty() ? outcome.death : fmt::format("{}: {}", outcome.death, last);
}

ChildOutcome run_isolated(const std::function<std::string()>& body, bool capture_stderr) {
  ChildOutcome outcome;
  // stderr goes to a file, not a pipe: a child that writes much to both cannot block on the
  // one the parent is not reading.
  std::FILE* captured = std::tmpfile();
  if (captured == nullptr) {
    std::perror("walsim: tmpfile");
    std::exit(9);
  }
  const Forked child = fork_with_pipe();
  if (child.pid == 0) {
    if (capture_stderr) ::dup2(::fileno(captured), STDERR_FILENO);
    write_all_or_exit(child.fd, body());
    ::close(child.fd);
    std::fflush(nullptr);
    exit_child(0);  // no atexit handlers or static destructors of the parent's objects
  }
  std::string output = read_all(child.fd);
  ::close(child.fd);
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  // The child wrote through the same open file: read what is there with pread, whatever the
  // shared offset says.
  const int captured_fd = ::fileno(captured);
  struct stat info {};
  if (::fstat(captured_fd, &info) == 0 && info.st_size > 0) {
    const auto size = static_cast<std::size_t>(info.st_size);
    const std::size_t from = size > kStderrKeptBytes ? size - kStderrKeptBytes : 0;
    outcome.stderr_text.resize(size - from);
    const ssize_t got = ::pread(captured_fd, outcome.stderr_text.data(), size - from,
                                static_cast<off_t>(from));
    outcome.stderr_text.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  }
  std::fclose(captured);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    outcome.completed = true;
    outcome.output = std::move(output);
  } else {
    outcome.death = describe_death(status);
  }
  return outcome;
}

}  // namespace walsim
