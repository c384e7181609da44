// The differential's half (b): the seed's WAL workload run op by op on a LogCore over each
// filesystem, positions, files and the recovered logs compared. Apart from half (a): it runs
// the WAL, not raw Fs calls.
#include "sim/harness/differential.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <wal/clock.h>
#include <wal/log_core.h>
#include <wal/posix_fs.h>

#include "sim/harness/differential_internal.h"
#include "sim/harness/workload.h"
#include "sim/prng.h"

namespace harness {
namespace differential_internal {
namespace {

// ---- (b) a WAL workload ----

struct WalSide {
  Side side;
  std::string dir;
  StepClock clock;
  std::unique_ptr<wal::LogCore> core;
};

struct LoggedEntry {
  wal::Lsn lsn = wal::kNoLsn;
  wal::EntryType type = wal::EntryType::kData;
  Bytes payload;
  friend bool operator==(const LoggedEntry&, const LoggedEntry&) = default;
};

wal::Status sync_core(wal::LogCore& core) {
  auto ticket = core.begin_sync();
  if (!ticket) return ticket.status();
  const wal::Status status = wal::LogCore::run_sync(*ticket);
  core.finish_sync(*ticket, status);
  return status;
}

// Entries from `from` up to the durable end (or the first error, returned).
wal::Status read_entries(wal::LogCore& core, wal::Lsn from, std::vector<LoggedEntry>& out) {
  auto reader = core.reader(from);
  if (!reader) return reader.status();
  for (;;) {
    auto entry = (*reader)->next();
    if (!entry) return entry.status();
    if (!entry->has_value()) return wal::Status::ok();
    const wal::Entry& e = **entry;
    out.push_back(LoggedEntry{e.lsn, e.type, Bytes(e.payload.begin(), e.payload.end())});
  }
}

std::string entry_text(const LoggedEntry& e) {
  return fmt::format("LSN {} type {} {} bytes", e.lsn, static_cast<int>(e.type), e.payload.size());
}

class WalDiff {
 public:
  WalDiff(const RunConfig& config, std::uint64_t seed, WalSide& real, WalSide& sim,
          Verdict& verdict)
      : workload_(workload_for(config, seed)), real_(real), sim_(sim), verdict_(verdict) {
    options_ = config.wal;
    options_.fs = nullptr;
    options_.clock = nullptr;
    options_.create_if_missing = true;
    options_.read_only = false;
    // Else derived from the directory path, which differs between the sides.
    options_.salt = sim::Prng(seed ^ 0x5a17).next_u64() | 1;
  }

  void run() {
    where_ = "open";
    if (!open_both()) return;
    for (const Op* op : in_order(workload_)) {
      if (verdict_.failed()) return;
      where_ = fmt::format("op {} {}", op->index, to_string(op->kind));
      one_op(*op);
      positions();
    }
    if (verdict_.failed()) return;
    where_ = "close at the end";
    if (!close_both()) return;
    // Recover on both and compare what each log gives back.
    where_ = "recovery at the end";
    if (!open_both()) return;
    std::vector<LoggedEntry> logs[2];
    const wal::Lsn first = real_.core->first_lsn();
    const wal::Status a = read_entries(*real_.core, first == wal::kNoLsn ? 1 : first, logs[0]);
    const wal::Status b = read_entries(*sim_.core, first == wal::kNoLsn ? 1 : first, logs[1]);
    if (!verdict_.same(a, b, where_ + ": read")) return;
    if (!same_entries(logs[0], logs[1])) return;
    verdict_.result().entries = logs[0].size();
    where_ = "close after recovery";
    close_both();
  }

 private:
  bool same(const wal::Status& a, const wal::Status& b) { return verdict_.same(a, b, where_); }
  bool values(std::uint64_t a, std::uint64_t b, const char* what) {
    if (a == b) return true;
    verdict_.fail(fmt::format("{}: {} real {}, sim {}", where_, what, a, b));
    return false;
  }
  void files(const std::string& when) {
    compare_files(real_.side, sim_.side, "wal", when, verdict_);
  }

  bool open_both() {
    auto a = wal::LogCore::open(real_.side.fs, real_.clock, real_.dir, options_);
    auto b = wal::LogCore::open(sim_.side.fs, sim_.clock, sim_.dir, options_);
    if (!same(a.status(), b.status())) return false;
    if (!a.is_ok()) {
      verdict_.fail(fmt::format("{}: failed on both sides: real {}, sim {}", where_,
                                a.error().to_string(), b.error().to_string()));
      return false;
    }
    real_.core = std::move(a).value();
    sim_.core = std::move(b).value();
    positions();
    files("after " + where_);
    return !verdict_.failed();
  }

  bool close_both() {
    const wal::Status a = real_.core->close();
    const wal::Status b = sim_.core->close();
    real_.core.reset();
    sim_.core.reset();
    if (!same(a, b)) return false;
    files("after " + where_);
    return !verdict_.failed();
  }

  void positions() {
    if (verdict_.failed() || !real_.core || !sim_.core) return;
    values(real_.core->last_lsn(), sim_.core->last_lsn(), "last_lsn") &&
        values(real_.core->durable_lsn(), sim_.core->durable_lsn(), "durable_lsn") &&
        values(real_.core->first_lsn(), sim_.core->first_lsn(), "first_lsn") &&
        values(real_.core->poisoned(), sim_.core->poisoned(), "poisoned");
  }

  bool same_entries(const std::vector<LoggedEntry>& a, const std::vector<LoggedEntry>& b) {
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
      if (a[i] == b[i]) continue;
      verdict_.fail(fmt::format(
          "{}: entry {}: real {}, sim {}{}", where_, i, entry_text(a[i]), entry_text(b[i]),
          a[i].payload.size() == b[i].payload.size() ? " (payload bytes differ)" : ""));
      return false;
    }
    if (a.size() == b.size()) return true;
    verdict_.fail(fmt::format("{}: real gave {} entries, sim {}", where_, a.size(), b.size()));
    return false;
  }

  void sync_both() {
    const std::string what = where_;
    where_ += " sync";
    if (same(sync_core(*real_.core), sync_core(*sim_.core))) {
      positions();
      files("after " + where_);
    }
    where_ = what;
  }

  // What the sync policy asks after `lsn` was appended (one thread: nobody else will sync).
  void settle(wal::Lsn lsn) {
    const wal::SyncPolicy policy = options_.sync;
    if (policy == wal::SyncPolicy::kPeriodic) {
      const bool a = real_.core->sync_due(real_.clock.now_us());
      const bool b = sim_.core->sync_due(sim_.clock.now_us());
      if (values(a, b, "sync_due") && a) sync_both();
      return;
    }
    if (policy != wal::SyncPolicy::kImmediate && policy != wal::SyncPolicy::kGrouped) return;
    for (int round = 0; round < 3 && !verdict_.failed(); ++round) {
      const wal::CommitStep a = real_.core->commit_step(lsn, real_.clock.now_us());
      const wal::CommitStep b = sim_.core->commit_step(lsn, sim_.clock.now_us());
      if (!values(static_cast<std::uint64_t>(a.action), static_cast<std::uint64_t>(b.action),
                  "commit action")) {
        return;
      }
      if (a.action == wal::CommitAction::kDurable || a.action == wal::CommitAction::kFailed) return;
      sync_both();
    }
  }

  void one_op(const Op& op) {
    std::vector<Bytes> payloads;
    for (std::uint32_t part = 0; part < op.entry_bytes.size(); ++part) {
      payloads.push_back(workload_.payload(op, part));
    }
    switch (op.kind) {
      case OpKind::kAppend:
      case OpKind::kCheckpoint: {
        const bool checkpoint = op.kind == OpKind::kCheckpoint;
        auto a = checkpoint ? real_.core->append_checkpoint(payloads[0])
                            : real_.core->append(payloads[0]);
        auto b =
            checkpoint ? sim_.core->append_checkpoint(payloads[0]) : sim_.core->append(payloads[0]);
        if (!same(a.status(), b.status()) || !a.is_ok() || !values(*a, *b, "LSN")) return;
        if (checkpoint) return sync_both();  // a checkpoint is durable on return
        return settle(*a);
      }
      case OpKind::kBatch: {
        std::vector<std::span<const std::byte>> views(payloads.begin(), payloads.end());
        auto a = real_.core->append_batch(views);
        auto b = sim_.core->append_batch(views);
        if (!same(a.status(), b.status()) || !a.is_ok()) return;
        if (!values(a->first, b->first, "first LSN") || !values(a->last, b->last, "last LSN")) {
          return;
        }
        return settle(a->last);
      }
      case OpKind::kSync:
        return sync_both();
      case OpKind::kTruncate: {
        const wal::Lsn durable = real_.core->durable_lsn();
        if (durable == wal::kNoLsn) return;
        const wal::Lsn at = 1 + (durable - 1) * op.position_ppm / kMillion;
        where_ += fmt::format(" at LSN {}", at);
        same(real_.core->truncate_front(at), sim_.core->truncate_front(at));
        return;
      }
      case OpKind::kRead: {
        const wal::Lsn durable = real_.core->durable_lsn();
        const wal::Lsn first = real_.core->first_lsn();
        if (durable == wal::kNoLsn || first == wal::kNoLsn || first > durable) return;
        const wal::Lsn from = first + (durable - first) * op.position_ppm / kMillion;
        where_ += fmt::format(" from LSN {}", from);
        std::vector<LoggedEntry> a, b;
        const wal::Status ra = read_entries(*real_.core, from, a);
        const wal::Status rb = read_entries(*sim_.core, from, b);
        if (same(ra, rb)) same_entries(a, b);
        return;
      }
      case OpKind::kReopen:
        if (close_both()) open_both();
        return;
    }
  }

  Workload workload_;
  WalSide& real_;
  WalSide& sim_;
  Verdict& verdict_;
  wal::Options options_;
  std::string where_;
};

}  // namespace
}  // namespace differential_internal

DiffResult diff_wal(const RunConfig& config, std::uint64_t seed, const std::string& dir,
                    const DiffOptions& options) {
  using namespace differential_internal;
  Verdict verdict;
  if (std::string error = make_real_dir(dir); !error.empty()) {
    verdict.fail(std::move(error));
    return verdict.result();
  }
  SimSide sim(options);
  WalSide real_side{Side{wal::posix_fs(), dir}, wal::join_path(dir, "wal"), {}, nullptr};
  WalSide sim_side{Side{sim.top(), kSimRoot}, wal::join_path(kSimRoot, "wal"), {}, nullptr};
  WalDiff(config, seed, real_side, sim_side, verdict).run();
  real_side.core.reset();
  sim_side.core.reset();
  if (!verdict.failed()) sim.check(verdict);
  return verdict.result();
}

}  // namespace harness
