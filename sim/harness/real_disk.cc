#include "sim/harness/real_disk.h"

#include <dlfcn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <thread>

#include <fmt/format.h>

#include <wal/clock.h>
#include <wal/log.h>
#include <wal/log_core.h>
#include <wal/posix_fs.h>

#include "faults/fs_wrapper.h"
#include "sim/harness/oracle.h"
#include "sim/harness/read_back.h"
#include "sim/harness/workload.h"

namespace harness {
namespace {


// ---- the workload, as one application thread runs it ----

wal::Options options_for(const RunConfig& config, std::uint64_t seed, wal::Fs* fs) {
  wal::Options options = config.wal;
  options.fs = fs;
  options.clock = nullptr;
  options.salt = sim::Prng(seed ^ 0x5a17).next_u64() | 1;
  return options;
}

CallKind call_kind(OpKind kind) {
  switch (kind) {
    case OpKind::kAppend: return CallKind::kAppend;
    case OpKind::kBatch: return CallKind::kBatch;
    case OpKind::kSync: return CallKind::kSync;
    case OpKind::kCheckpoint: return CallKind::kCheckpoint;
    case OpKind::kRead: return CallKind::kRead;
    case OpKind::kTruncate: return CallKind::kTruncate;
    case OpKind::kReopen: return CallKind::kClose;
  }
  return CallKind::kAppend;
}

wal::EntryType entry_type(OpKind kind) {
  return kind == OpKind::kBatch        ? wal::EntryType::kBatch
         : kind == OpKind::kCheckpoint ? wal::EntryType::kCheckpoint
                                       : wal::EntryType::kData;
}

bool issues_entries(OpKind kind) {
  return kind == OpKind::kAppend || kind == OpKind::kBatch || kind == OpKind::kCheckpoint;
}

wal::Lsn truncation_point(wal::Log& log, const Op& op) {
  const wal::Lsn durable = log.durable_lsn();
  if (durable == wal::kNoLsn) return wal::kNoLsn;
  return 1 + (durable - 1) * op.position_ppm / kMillion;
}

struct Outcome {
  wal::Status status;
  wal::LsnRange lsns;
};

// One op on the Log (kReopen is the caller's: it replaces the Log).
Outcome execute(wal::Log& log, const Op& op, const Workload& workload, wal::Lsn truncate_at) {
  std::vector<std::vector<std::byte>> payloads;
  for (std::uint32_t part = 0; part < op.entry_bytes.size(); ++part) {
    payloads.push_back(workload.payload(op, part));
  }
  switch (op.kind) {
    case OpKind::kAppend: {
      wal::Result<wal::Lsn> lsn = log.append(payloads[0]);
      if (!lsn) return {lsn.error(), {}};
      return {wal::Status::ok(), {*lsn, *lsn}};
    }
    case OpKind::kBatch: {
      std::vector<std::span<const std::byte>> views(payloads.begin(), payloads.end());
      wal::Result<wal::LsnRange> range = log.append_batch(views);
      if (!range) return {range.error(), {}};
      return {wal::Status::ok(), *range};
    }
    case OpKind::kCheckpoint: {
      wal::Result<wal::Lsn> lsn = log.checkpoint(payloads[0]);
      if (!lsn) return {lsn.error(), {}};
      return {wal::Status::ok(), {*lsn, *lsn}};
    }
    case OpKind::kSync:
      return {log.sync(), {}};
    case OpKind::kTruncate:
      if (truncate_at == wal::kNoLsn) return {wal::Status::ok(), {}};
      return {log.truncate_front(truncate_at), {}};
    case OpKind::kRead:
    case OpKind::kReopen:
      break;
  }
  return {wal::Status::ok(), {}};
}

wal::Status status_of(wal::Code code, std::string_view what) {
  const std::string message = fmt::format("{} (reported by the workload process)", what);
  switch (code) {
    case wal::Code::kOk: return wal::Status::ok();
    case wal::Code::kPoisoned: return wal::Status::poisoned(message);
    case wal::Code::kNoSpace: return wal::Status::no_space(message);
    case wal::Code::kClosed: return wal::Status::closed(message);
    default: return wal::Status::io_error(message);
  }
}

// ---- the oracle side ----

// Feeds the oracle from (op, outcome) pairs, wherever they come from.
class History {
 public:
  explicit History(const Workload& workload) : workload_(workload) {}

  Oracle& oracle() { return oracle_; }

  void open_begin() { open_call_ = oracle_.begin(CallKind::kOpen, 0, 0, ++step_); }
  // `last`: the reopened Log's last_lsn(). A reopen without power loss keeps the log as the
  // WAL recovered it: entries past its end were lost (only allowed for ones never durable,
  // e.g. in an epoch a failed write poisoned), and their LSNs will be handed out again.
  void open_end(wal::Code code, wal::Lsn durable, wal::Lsn last) {
    oracle_.end(open_call_, status_of(code, "open"), ++step_);
    if (code != wal::Code::kOk) return;
    std::vector<Oracle::Recovered> kept;
    for (const auto& [lsn, expected] : oracle_.entries()) {
      if (lsn <= last) {
        kept.push_back({lsn, expected.type});
      } else if (expected.durable) {
        lost_.push_back(Violation{
            Invariant::kDurability, lsn, step_,
            fmt::format("durability: LSN {} ({}) was acknowledged durable but a reopen without "
                        "power loss ended the log at LSN {} [step {}]",
                        lsn, to_string(expected.id), last, step_)});
      }
    }
    oracle_.rebase(kept, false);
    if (durable != wal::kNoLsn) oracle_.observe_durable(durable, ++step_);
  }
  const std::vector<Violation>& lost() const { return lost_; }

  void begin(const Op& op, wal::Lsn truncate_at) {
    const wal::LsnRange lsns = op.kind == OpKind::kTruncate ? wal::LsnRange{truncate_at, truncate_at}
                                                            : wal::LsnRange{};
    current_ = oracle_.begin(call_kind(op.kind), op.writer, op.index, ++step_, lsns);
    current_op_ = &op;
  }
  // `log_last`: the Log's last_lsn() after the call. A call that failed may still have handed
  // its entries LSNs (a write that failed after they were encoded): they may be recovered.
  void end(const Op& op, wal::Code code, wal::LsnRange lsns, wal::Lsn durable, wal::Lsn log_last) {
    if (code == wal::Code::kOk && issues_entries(op.kind)) issue(op, lsns.first);
    const wal::Lsn issued = oracle_.last_issued();
    if (code != wal::Code::kOk && issues_entries(op.kind) && log_last != wal::kNoLsn &&
        log_last > issued) {
      issue(op, issued == wal::kNoLsn ? 1 : issued + 1);
    }
    oracle_.end(current_, status_of(code, to_string(op.kind)), ++step_);
    if (durable != wal::kNoLsn) oracle_.observe_durable(durable, ++step_);
    current_op_ = nullptr;
  }
  // The process died inside `op`: its entries may have been handed LSNs (the next ones).
  void died_inside() {
    if (current_op_ != nullptr && issues_entries(current_op_->kind)) {
      const wal::Lsn last = oracle_.last_issued();
      issue(*current_op_, last == wal::kNoLsn ? 1 : last + 1);
    }
    oracle_.crash(++step_);
  }
  std::uint64_t step() const { return step_; }

 private:
  void issue(const Op& op, wal::Lsn first) {
    const wal::LsnRange batch =
        op.kind == OpKind::kBatch
            ? wal::LsnRange{first, first + op.entry_bytes.size() - 1}
            : wal::LsnRange{};
    for (std::uint32_t part = 0; part < op.entry_bytes.size(); ++part) {
      oracle_.issue(current_, first + part, entry_type(op.kind), workload_.payload(op, part),
                    PayloadId{op.writer, op.index, part}, step_, batch);
    }
  }

  const Workload& workload_;
  Oracle oracle_;
  std::uint64_t step_ = 0;
  std::uint64_t current_ = 0;
  std::uint64_t open_call_ = 0;
  const Op* current_op_ = nullptr;
  std::vector<Violation> lost_;
};

// Reopens the log on the real disk (twice, for idempotence) and checks it against `history`.
CheckResult recover_and_check(const RunConfig& config, std::uint64_t seed, const std::string& dir,
                              History& history) {
  const wal::Options options = options_for(config, seed, &wal::posix_fs());
  auto recover = [&](bool from_checkpoint) {
    Recovery r;
    wal::Result<std::unique_ptr<wal::LogCore>> core =
        wal::LogCore::open(wal::posix_fs(), wal::system_clock(), dir, options);
    if (!core) {
      r.open_status = core.error();
      return r;
    }
    read_recovery(**core, from_checkpoint, r);
    (*core)->close().ignore_error("only read back");
    return r;
  };
  const Recovery first = recover(true);
  CheckInput input;
  input.oracle = &history.oracle();
  input.mode = config.wal.recovery;
  input.retention = config.wal.max_segments != 0 || config.wal.max_bytes != 0;
  input.recovery = &first;
  input.repeats.push_back(recover(false));
  input.step = history.step();
  CheckResult checks = check(input);
  for (const Violation& lost : history.lost()) {
    checks[Invariant::kDurability].checked = true;
    checks[Invariant::kDurability].violations.push_back(lost);
  }
  return checks;
}

void finish(RealResult& result) {
  if (result.failure.empty() && !result.problems.empty()) result.failure = result.problems.front();
  if (result.failure.empty() && !result.checks.passed()) {
    result.failure = result.checks.violations().front().message;
  }
  result.passed = result.problems.empty() && result.checks.passed();
}

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

std::string RealResult::describe() const {
  std::string text = fmt::format("{}: ops {} started, {} returned{}{}\n", passed ? "pass" : "FAIL",
                                 ops_started, ops_returned, killed ? ", killed" : "",
                                 failure.empty() ? "" : ": " + failure);
  for (const std::string& problem : problems) text += "  problem: " + problem + "\n";
  for (const auto& [kind, count] : faults_injected) text += fmt::format("  {} x{}\n", kind, count);
  return text + checks.summary();
}

RealResult run_kill(const RunConfig& config, std::uint64_t seed, const std::string& dir) {
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
    const ssize_t n = ::read(fds[0], reinterpret_cast<char*>(&report) + have, sizeof(report) - have);
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

// ---- (c) libfiu ----

namespace {

using FiuInit = int (*)(unsigned int);
using FiuEnable = int (*)(const char*, int, void*, unsigned int);
using FiuDisable = int (*)(const char*);
constexpr unsigned kFiuOneTime = 1;  // FIU_ONETIME in <fiu-control.h>

struct Fiu {
  FiuInit init = nullptr;
  FiuEnable enable = nullptr;
  FiuDisable disable = nullptr;
  bool available() const { return init && enable && disable; }
};

Fiu find_fiu() {
  Fiu fiu;
  fiu.init = reinterpret_cast<FiuInit>(::dlsym(RTLD_DEFAULT, "fiu_init"));
  fiu.enable = reinterpret_cast<FiuEnable>(::dlsym(RTLD_DEFAULT, "fiu_enable"));
  fiu.disable = reinterpret_cast<FiuDisable>(::dlsym(RTLD_DEFAULT, "fiu_disable"));
  return fiu;
}

struct FiuPoint {
  const char* name;
  int sys_errno;
  FaultKind kind;
};

constexpr FiuPoint kPoints[] = {
    {"wal/fs/fdatasync", EIO, FaultKind::kFsyncEio},
    {"wal/fs/write", EIO, FaultKind::kWriteEio},
    {"wal/fs/write_short", EIO, FaultKind::kWriteShort},
    {"wal/fs/fallocate", ENOSPC, FaultKind::kNoSpace},
};

// Watches the Log's calls while a point is armed: the failure it returns is the injected one.
class FaultObserver final : public faults::FsWrapper {
 public:
  FaultObserver(wal::Fs& base, History& history) : FsWrapper(base), history_(history) {}

  void arm(const FiuPoint* point) { armed_ = point; }
  std::uint64_t fired() const { return fired_; }

 protected:
  std::unique_ptr<wal::File> wrap(std::unique_ptr<wal::File> file,
                                  std::string_view path) override {
    return std::make_unique<File>(*this, std::move(file), std::string(path));
  }

 private:
  class File final : public faults::FileWrapper {
   public:
    File(FaultObserver& fs, std::unique_ptr<wal::File> base, std::string path)
        : FileWrapper(std::move(base), std::move(path)), fs_(fs) {}
    wal::Status write_at(std::uint64_t offset, std::span<const std::byte> data) override {
      return fs_.seen(base_->write_at(offset, data), path_, FaultKind::kWriteEio);
    }
    wal::Status sync_data() override {
      return fs_.seen(base_->sync_data(), path_, FaultKind::kFsyncEio);
    }
    wal::Status allocate(std::uint64_t offset, std::uint64_t length) override {
      return fs_.seen(base_->allocate(offset, length), path_, FaultKind::kNoSpace);
    }

   private:
    FaultObserver& fs_;
  };

  wal::Status seen(wal::Status status, const std::string& path, FaultKind op) {
    const bool write_point =
        armed_ != nullptr && (armed_->kind == FaultKind::kWriteEio ||
                              armed_->kind == FaultKind::kWriteShort);
    const bool matches = armed_ != nullptr && (armed_->kind == op || (write_point &&
                                                                      op == FaultKind::kWriteEio));
    if (!status.is_ok() && matches) {
      history_.oracle().fault(armed_->kind, history_.step(), path);
      ++fired_;
      armed_ = nullptr;
      status.mark_injected();
    }
    return status;
  }

  History& history_;
  const FiuPoint* armed_ = nullptr;
  std::uint64_t fired_ = 0;
};

}  // namespace

RealResult run_fiu(const RunConfig& config, std::uint64_t seed, const std::string& dir) {
  RealResult result;
  const Fiu fiu = find_fiu();
  if (!fiu.available()) {
    result.problems.push_back("libfiu is not linked into this program: no fault injected");
    finish(result);
    return result;
  }
  fiu.init(0);
  const Workload workload = workload_for(config, seed);
  const std::vector<const Op*> ops = in_order(workload);
  sim::Prng prng(seed ^ 0x666975);  // "fiu"
  History history(workload);
  FaultObserver observer(wal::posix_fs(), history);
  wal::Options options = options_for(config, seed, &observer);
  // An armed point fires in whichever thread reaches it first, and the history pins each fault
  // to the call in flight: no background preparation of spare segments here (the kill runs keep
  // it, and recovery deletes the spare they leave behind).
  options.prepare_segments = false;
  auto open = [&]() -> std::unique_ptr<wal::Log> {
    history.open_begin();
    wal::Result<std::unique_ptr<wal::Log>> log = wal::Log::open(dir, options);
    history.open_end(log.status().code(), log ? (*log)->durable_lsn() : wal::kNoLsn,
                     log ? (*log)->last_lsn() : wal::kNoLsn);
    if (!log) result.problems.push_back("open failed: " + log.error().to_string());
    return log ? std::move(log).value() : nullptr;
  };
  std::unique_ptr<wal::Log> log = open();
  std::uint64_t armed_total = 0;
  for (const Op* op : ops) {
    if (!log) break;
    // One fault every ~8 ops, at a seeded point of the seeded kind.
    const FiuPoint* point = prng.below(8) == 0 ? &kPoints[prng.below(std::size(kPoints))] : nullptr;
    if (point != nullptr) {
      fiu.enable(point->name, 1, reinterpret_cast<void*>(static_cast<std::intptr_t>(point->sys_errno)),
                 kFiuOneTime);
      observer.arm(point);
      ++armed_total;
    }
    const wal::Lsn at = op->kind == OpKind::kTruncate ? truncation_point(*log, *op) : wal::kNoLsn;
    ++result.ops_started;
    history.begin(*op, at);
    Outcome outcome;
    if (op->kind == OpKind::kReopen) {
      outcome.status = log->close();
      log.reset();
    } else {
      outcome = execute(*log, *op, workload, at);
    }
    ++result.ops_returned;
    history.end(*op, outcome.status.code(), outcome.lsns, log ? log->durable_lsn() : wal::kNoLsn,
                log ? log->last_lsn() : wal::kNoLsn);
    if (point != nullptr) {
      fiu.disable(point->name);
      observer.arm(nullptr);
    }
    if (!log || outcome.status.code() == wal::Code::kPoisoned) {
      if (log) log->close().ignore_error("poisoned: the application reopens");
      log.reset();
      log = open();
    }
  }
  if (log) log->close().ignore_error("a poisoned log reports its poison here");
  log.reset();
  if (armed_total > 0 && observer.fired() == 0) {
    result.problems.push_back(
        "fault points armed but none fired: the WAL was built without libfiu points (WAL_FIU)");
  }
  for (const Fault& fault : history.oracle().faults()) {
    ++result.faults_injected[std::string(to_string(fault.kind))];
  }
  result.checks = recover_and_check(config, seed, dir, history);
  finish(result);
  return result;
}

}  // namespace harness
