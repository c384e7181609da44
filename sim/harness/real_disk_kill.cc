// The real-disk mode (b), kill -9: a forked child runs the workload and reports every call
// through a pipe; the parent SIGKILLs it at a seeded moment, then recovers and checks the log.
// Apart from (c): it lives on fork, pipes and signals, (c) on libfiu in-process.
#include "sim/harness/real_disk.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include <wal/log.h>

#include "sim/harness/real_disk_internal.h"
#include "sim/harness/workload.h"
#include "sim/prng.h"

namespace harness {
namespace real_disk_internal {
namespace {

// ---- (b) kill -9 ----

struct Report {
  enum Kind : std::uint32_t { kOpStart, kOpEnd, kOpenStart, kOpenEnd, kDone };
  std::uint32_t kind = kOpStart;
  std::uint32_t op = 0;  // position in global order
  std::uint32_t code = 0;
  std::uint32_t pad = 0;
  std::uint64_t first = 0;  // kOpStart of a truncate: the point; kOpEnd: the LSNs handed out
  std::uint64_t last = 0;
  std::uint64_t durable = 0;
  std::uint64_t log_last = 0;  // kOpEnd, kOpenEnd: the Log's last_lsn() then
};

bool write_all(int fd, const Report& report) {
  const auto* bytes = reinterpret_cast<const char*>(&report);
  std::size_t done = 0;
  while (done < sizeof(report)) {
    const ssize_t n = ::write(fd, bytes + done, sizeof(report) - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// The child: runs the workload, reporting each step before and after. Never returns.
[[noreturn]] void child_main(const RunConfig& config, std::uint64_t seed, const std::string& dir,
                             int fd) {
  const Workload workload = workload_for(config, seed);
  const std::vector<const Op*> ops = in_order(workload);
  const wal::Options options = options_for(config, seed, nullptr);
  auto open = [&]() -> std::unique_ptr<wal::Log> {
    write_all(fd, Report{Report::kOpenStart, 0, 0, 0, 0, 0, 0, 0});
    wal::Result<std::unique_ptr<wal::Log>> log = wal::Log::open(dir, options);
    write_all(fd, Report{Report::kOpenEnd, 0, static_cast<std::uint32_t>(log.status().code()), 0,
                         0, 0, log ? (*log)->durable_lsn() : 0, log ? (*log)->last_lsn() : 0});
    return log ? std::move(log).value() : nullptr;
  };
  std::unique_ptr<wal::Log> log = open();
  if (!log) ::_exit(2);
  for (std::uint32_t i = 0; i < ops.size(); ++i) {
    const Op& op = *ops[i];
    const wal::Lsn at = op.kind == OpKind::kTruncate ? truncation_point(*log, op) : wal::kNoLsn;
    write_all(fd, Report{Report::kOpStart, i, 0, 0, at, 0, 0, 0});
    Outcome outcome;
    if (op.kind == OpKind::kReopen) {
      outcome.status = log->close();
      log.reset();
    } else {
      outcome = execute(*log, op, workload, at);
    }
    write_all(fd, Report{Report::kOpEnd, i, static_cast<std::uint32_t>(outcome.status.code()), 0,
                         outcome.lsns.first, outcome.lsns.last, log ? log->durable_lsn() : 0,
                         log ? log->last_lsn() : 0});
    if (!log || outcome.status.code() == wal::Code::kPoisoned) {
      log.reset();
      log = open();
      if (!log) ::_exit(2);
    }
  }
  log->close().ignore_error("the parent checks what is on disk");
  write_all(fd, Report{Report::kDone, 0, 0, 0, 0, 0, 0, 0});
  ::_exit(0);
}

}  // namespace
}  // namespace real_disk_internal

RealResult run_kill(const RunConfig& config, std::uint64_t seed, const std::string& dir) {
  using namespace real_disk_internal;
  RealResult result;
  const Workload workload = workload_for(config, seed);
  const std::vector<const Op*> ops = in_order(workload);
  sim::Prng prng(seed ^ 0x6b696c6c);  // "kill"
  const std::uint64_t kill_after = prng.below(2 * ops.size() + 2);  // reports before the kill
  const std::uint64_t delay_us = prng.below(2000);

  int fds[2];
  if (::pipe(fds) != 0) {
    result.problems.push_back(fmt::format("pipe: errno {}", errno));
    finish(result);
    return result;
  }
  const pid_t child = ::fork();
  if (child < 0) {
    result.problems.push_back(fmt::format("fork: errno {}", errno));
    finish(result);
    return result;
  }
  if (child == 0) {
    ::close(fds[0]);
    child_main(config, seed, dir, fds[1]);
  }
  ::close(fds[1]);

  History history(workload);
  std::uint64_t reports = 0;
  bool done = false;
  bool sent_kill = false;
  auto handle = [&](const Report& report) {
    switch (report.kind) {
      case Report::kOpenStart:
        history.open_begin();
        break;
      case Report::kOpenEnd:
        history.open_end(static_cast<wal::Code>(report.code), report.durable, report.log_last);
        break;
      case Report::kOpStart:
        ++result.ops_started;
        history.begin(*ops[report.op], report.first);
        break;
      case Report::kOpEnd:
        ++result.ops_returned;
        history.end(*ops[report.op], static_cast<wal::Code>(report.code),
                    {report.first, report.last}, report.durable, report.log_last);
        break;
      case Report::kDone:
        done = true;
        break;
    }
  };
  Report report;
  std::size_t have = 0;
  for (;;) {
    const ssize_t n =
        ::read(fds[0], reinterpret_cast<char*>(&report) + have, sizeof(report) - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is gone and the pipe drained
    have += static_cast<std::size_t>(n);
    if (have < sizeof(report)) continue;
    have = 0;
    handle(report);
    if (++reports == kill_after && !sent_kill) {
      std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
      ::kill(child, SIGKILL);
      sent_kill = true;
    }
  }
  ::close(fds[0]);
  int wait_status = 0;
  ::waitpid(child, &wait_status, 0);
  result.killed = WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL;
  if (!result.killed && !(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0 && done)) {
    result.problems.push_back(fmt::format("the workload process failed (wait status {:#x})",
                                          wait_status));
  }
  if (result.killed) {
    history.died_inside();
  } else {
    history.oracle().crash(history.step() + 1);  // a clean exit: judged the same way
  }
  result.checks = recover_and_check(config, seed, dir, history);
  finish(result);
  return result;
}

}  // namespace harness
