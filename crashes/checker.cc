#include "crashes/checker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

extern char** environ;

namespace crashes {
namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

std::string CheckerRun::verdict() const {
  if (!problem.empty()) return problem;
  if (timed_out) return fmt::format("timed out after {} ms (--timeout)", timeout_ms);
  if (signal != 0) return fmt::format("killed by signal {}", signal);
  return fmt::format("exit {}", exit_code);
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string checker_command(const std::string& command, const std::string& dir,
                            const std::string& output_file) {
  std::string out = command;
  replace_all(out, "{dir}", shell_quote(dir));
  replace_all(out, "{output}", shell_quote(output_file));
  return out;
}

CheckerRun run_checker(const std::string& command, std::uint64_t timeout_ms) {
  CheckerRun run;
  run.timeout_ms = timeout_ms;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    run.problem = fmt::format("pipe: {}", std::strerror(errno));
    return run;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, "/bin/sh", &actions, &attr,
                                    const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    run.problem = fmt::format("cannot start /bin/sh: {}", std::strerror(spawned));
    return run;
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buffer[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      break;
    }
    pollfd fd{pipe_fds[0], POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // every writer closed: the checker (and its children) ended
    run.output.append(buffer, static_cast<std::size_t>(n));
    if (run.output.size() > 2 * kOutputKept) run.output.erase(0, run.output.size() - kOutputKept);
  }
  ::close(pipe_fds[0]);
  if (run.timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (run.timed_out) {
    // Killed by us: the verdict is the timeout, not the signal.
  } else if (WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
    run.passed = run.exit_code == 0;
  } else if (WIFSIGNALED(status)) {
    run.signal = WTERMSIG(status);
  }
  if (run.output.size() > kOutputKept) run.output.erase(0, run.output.size() - kOutputKept);
  return run;
}

}  // namespace crashes
