// What both real-disk modes share (real_disk_kill.cc, real_disk_fiu.cc): the workload as one
// application thread runs it on a wal::Log, the History that feeds the oracle, and the recovery
// and check at the end. Internal to the harness: not part of its interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <wal/log.h>
#include <wal/options.h>
#include <wal/status.h>

#include "sim/harness/invariants.h"
#include "sim/harness/oracle.h"
#include "sim/harness/real_disk.h"
#include "sim/harness/workload.h"

namespace harness::real_disk_internal {

// ---- the workload, as one application thread runs it ----

wal::Options options_for(const RunConfig& config, std::uint64_t seed, wal::Fs* fs);
wal::EntryType entry_type(OpKind kind);
bool issues_entries(OpKind kind);
wal::Lsn truncation_point(wal::Log& log, const Op& op);

struct Outcome {
  wal::Status status;
  wal::LsnRange lsns;
};

// One op on the Log (kReopen is the caller's: it replaces the Log).
Outcome execute(wal::Log& log, const Op& op, const Workload& workload, wal::Lsn truncate_at);

wal::Status status_of(wal::Code code, std::string_view what);

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
    const wal::LsnRange lsns = op.kind == OpKind::kTruncate
                                   ? wal::LsnRange{truncate_at, truncate_at}
                                   : wal::LsnRange{};
    current_ = oracle_.begin(call_kind_of(op.kind), op.writer, op.index, ++step_, lsns);
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
                              History& history);

void finish(RealResult& result);

}  // namespace harness::real_disk_internal
