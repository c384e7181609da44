// The WAL target's ops (wal_run.h): the loop's main thread opens the production wal::Log and
// closes or drops it, one writer thread per workload writer calls it, and the Log starts its
// own (periodic syncer, spare preparer) through the simulated runtime. Every one of them runs
// on the run's ThreadScheduler, one at a time, in the order the seed draws.
#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "sim/harness/read_back.h"
#include "sim/harness/wal_run.h"

namespace harness {
namespace {

constexpr int kReopenAttempts = 4;

}  // namespace

wal::Options WalRun::live_options() {
  wal::Options options = opening_options();
  options.fs = &live_fs();
  options.clock = &runtime_;
  options.runtime = &runtime_;
  options.listener = this;
  return options;
}

bool WalRun::open_live(Activity how) {
  const Op none;
  const std::uint64_t call = begin(CallKind::kOpen, none);
  durable_seen_ = wal::kNoLsn;  // a new log: its open says what it holds durable
  wal::Result<std::unique_ptr<wal::Log>> log = wal::Log::open(config_.dir, live_options());
  end(call, log.status());
  if (!log) {
    if (!halted() && !log.error().injected()) {
      result_.problems.push_back(
          (how == Activity::kOpen ? "opening a new log failed: "
                                  : "reopening a checked recovery failed: ") +
          log.error().to_string());
    }
    return false;
  }
  log_ = std::move(log).value();
  observe_durable();
  return true;
}

void WalRun::close_live() {
  if (log_ == nullptr) return;
  tails_.clear();
  const Op none;
  const std::uint64_t closing = begin(CallKind::kClose, none);
  ctx().activity = Activity::kReopen;
  end(closing, log_->close());
}

void WalRun::do_op(const Op& op) {
  if (log_ == nullptr) return;
  switch (op.kind) {
    case OpKind::kAppend:
    case OpKind::kBatch:
      op_append(op);
      break;
    case OpKind::kCheckpoint:
      op_checkpoint(op);
      break;
    case OpKind::kSync:
      op_sync(op);
      break;
    case OpKind::kRead:
      op_read(op);
      break;
    case OpKind::kTruncate:
      op_truncate(op);
      break;
    case OpKind::kReopen:
      op_reopen(op);
      break;
  }
  ThreadCtx& self = ctx();
  self.call = kNoCall;
  self.op = nullptr;
  self.payloads = nullptr;
}

void WalRun::op_append(const Op& op) {
  const bool batch = op.kind == OpKind::kBatch;
  std::vector<std::vector<std::byte>> payloads;
  std::vector<std::span<const std::byte>> views;
  for (std::uint32_t part = 0; part < op.entry_bytes.size(); ++part) {
    payloads.push_back(workload_.payload(op, part));
  }
  for (const std::vector<std::byte>& payload : payloads) views.emplace_back(payload);
  const std::shared_ptr<wal::Log> log = log_;
  ThreadCtx& self = ctx();
  self.activity = batch ? Activity::kBatch : Activity::kAppend;
  self.op = &op;
  self.payloads = &payloads;
  self.call = begin(batch ? CallKind::kBatch : CallKind::kAppend, op);
  wal::Status status;
  if (batch) {
    status = log->append_batch(views).status();
  } else {
    status = log->append(views[0]).status();
  }
  // The call returned: recorded before anything else can run (durable_lsn() takes the lock).
  end(ctx().call, status,
      options_.sync == wal::SyncPolicy::kGrouped || options_.sync == wal::SyncPolicy::kImmediate);
  if (status) observe_durable();
}

void WalRun::op_checkpoint(const Op& op) {
  const std::vector<std::vector<std::byte>> payloads{workload_.payload(op, 0)};
  const std::shared_ptr<wal::Log> log = log_;
  ThreadCtx& self = ctx();
  self.activity = Activity::kCheckpoint;
  self.op = &op;
  self.payloads = &payloads;
  self.call = begin(CallKind::kCheckpoint, op);
  const wal::Status status = log->checkpoint(payloads[0]).status();
  // The call returned: recorded before anything else can run (durable_lsn() takes the lock).
  end(ctx().call, status, true);
  if (status) observe_durable();
}

void WalRun::op_sync(const Op& op) {
  const std::shared_ptr<wal::Log> log = log_;
  ctx().activity = Activity::kSync;
  // The sync's target is at least every LSN handed out so far.
  const wal::Lsn target = log->last_lsn();
  const std::uint64_t call = begin(CallKind::kSync, op, {target, target});
  // Every other one asks through wait_durable, as an application does for an entry of its own
  // under a policy that returns before durability: the same promise, up to the target.
  const bool wait = op.index % 2 == 1 && target != wal::kNoLsn;
  const wal::Status status = wait ? log->wait_durable(target) : log->sync();
  end(call, status, true);
  if (status) observe_durable();
}

void WalRun::op_read(const Op& op) {
  // A reader holds its own handles; the no-leak check of a reopen counts the log's only.
  const std::lock_guard<wal::Runtime::Mutex> not_while_reopening(*reopen_mutex_);
  if (log_ == nullptr) return;
  const std::shared_ptr<wal::Log> log = log_;
  const std::uint64_t truncations = truncating_ == 0 ? truncations_ : kUncounted;
  const wal::Lsn from = position(*log, op.position_ppm);
  if (from == wal::kNoLsn) return;
  ctx().activity = Activity::kRead;
  const std::uint64_t call = begin(CallKind::kRead, op, {from, from});
  wal::Result<std::unique_ptr<wal::Reader>> reader = log->reader(from);
  if (!reader) {
    read_failed(from, reader.error(), truncations);
    end(call, reader.error());
    return;
  }
  wal::Status status;
  wal::Lsn previous = wal::kNoLsn;
  for (;;) {
    wal::Result<std::optional<wal::Entry>> next = (*reader)->next();
    if (!next) {
      status = next.error();
      read_failed(from, status, truncations);
      break;
    }
    if (!next->has_value() || halted()) break;
    const RecoveredEntry found = RecoveredEntry::from(**next);
    // A reader must move forward: one that repeats or goes back would also never end.
    if (previous != wal::kNoLsn && found.lsn <= previous) {
      live_violations_.push_back(Violation{
          Invariant::kPrefix, found.lsn, step(),
          fmt::format("prefix: a live read from LSN {} returned LSN {} after LSN {} [trace "
                      "step {}]",
                      from, found.lsn, previous, step())});
      break;
    }
    previous = found.lsn;
    if (!live_entry_matches(from, found)) break;
  }
  end(call, status);
  // One read in four also starts where a recovering application would (SPEC `checkpoint`):
  // checked on the live log too, not only on the log a recovery opened.
  if (op.position_ppm % 4 == 0 && !halted()) read_from_checkpoint(*log, op, truncations);
  // And one in four goes on with this writer's tailing reader, begun at `from` the first time.
  if (op.position_ppm % 4 == 1 && !halted()) tail_read(*log, op, from);
}

void WalRun::tail_read(wal::Log& log, const Op& op, wal::Lsn from) {
  Tail& tail = tails_[op.writer];
  const std::uint64_t call = begin(CallKind::kRead, op, {from, from});
  if (tail.reader == nullptr) {
    // Where it starts is asked anew, after the truncations are counted: one that ran since
    // `from` was chosen may have cut below it. One in flight leaves the tail unchecked.
    const std::uint64_t truncations = truncating_ == 0 ? truncations_ : kUncounted;
    const wal::Lsn start = position(log, op.position_ppm);
    if (start == wal::kNoLsn) {
      end(call, wal::Status::ok());
      return;
    }
    wal::Result<std::unique_ptr<wal::Reader>> reader = log.reader(start);
    if (!reader) {
      end(call, reader.error());
      return;
    }
    tail = Tail{std::move(reader).value(), start - 1, truncations};
  }
  // While the log only grew under it, every durable entry comes, one after the other, and
  // nothing fails. Asked when the reader surprises: another writer may truncate meanwhile.
  for (;;) {
    const wal::Result<std::optional<wal::Entry>> next = tail.reader->next();
    if (halted()) return;
    if (!next) {
      if (only_grew_since(tail.truncations)) {
        live_violations_.push_back(Violation{
            Invariant::kIntegrity, tail.last + 1, step(),
            fmt::format("integrity: a tailing reader failed after LSN {} on a log that only "
                        "grew (no fault, retention or truncation): {} [trace step {}]",
                        tail.last, next.error().to_string(), step())});
      }
      tails_.erase(op.writer);
      end(call, next.error());
      return;
    }
    if (!next->has_value()) break;
    const RecoveredEntry found = RecoveredEntry::from(**next);
    if (found.lsn <= tail.last ||
        (found.lsn != tail.last + 1 && only_grew_since(tail.truncations))) {
      live_violations_.push_back(Violation{
          Invariant::kPrefix, found.lsn, step(),
          fmt::format("prefix: a tailing reader returned LSN {} after LSN {} [trace step {}]",
                      found.lsn, tail.last, step())});
      tails_.erase(op.writer);
      break;
    }
    tail.last = found.lsn;
    if (!live_entry_matches(from, found)) {
      tails_.erase(op.writer);
      break;
    }
  }
  end(call, wal::Status::ok());
}

void WalRun::read_from_checkpoint(wal::Log& log, const Op& op, std::uint64_t truncations) {
  observe_durable();
  // The newest checkpoint known durable before the call: the reader starts there, or at a newer
  // one that another thread's sync made durable meanwhile. One below the log's first entry is
  // not owed (media damage the checker excused, say); retention keeps the owed one.
  wal::Lsn owed = wal::kNoLsn;
  for (auto it = oracle_.entries().rbegin(); it != oracle_.entries().rend(); ++it) {
    if (it->second.type == wal::EntryType::kCheckpoint && it->second.durable) {
      owed = it->first;
      break;
    }
  }
  const wal::Lsn first = log.first_lsn();
  if (first == wal::kNoLsn || owed < first) owed = wal::kNoLsn;
  const std::uint64_t call = begin(CallKind::kRead, op, {owed, owed});
  wal::Result<std::unique_ptr<wal::Reader>> reader = log.reader_from_checkpoint();
  if (!reader) {
    read_failed(owed, reader.error(), truncations);
    end(call, reader.error());
    return;
  }
  const wal::Result<std::optional<wal::Entry>> next = (*reader)->next();
  if (!next) {
    read_failed(owed, next.error(), truncations);
    end(call, next.error());
    return;
  }
  if (halted()) return;
  bool starts_right = owed == wal::kNoLsn;
  std::string began = "nothing";
  if (next->has_value()) {
    const RecoveredEntry found = RecoveredEntry::from(**next);
    const bool checkpoint = found.type == wal::EntryType::kCheckpoint;
    const bool matches = live_entry_matches(owed, found);  // a mismatch is reported as integrity
    starts_right = starts_right || !matches || (checkpoint && found.lsn >= owed);
    began = fmt::format("LSN {} ({})", found.lsn, checkpoint ? "a checkpoint" : "no checkpoint");
  }
  if (!starts_right) {
    live_violations_.push_back(Violation{
        Invariant::kCheckpoint, owed, step(),
        fmt::format("checkpoint: a live read from the checkpoint began at {}; the last checkpoint "
                    "known durable is LSN {} [trace step {}]",
                    began, owed, step())});
  }
  end(call, wal::Status::ok());
}

bool WalRun::only_grew_since(std::uint64_t truncations) {
  // A fault, retention or a truncation (it may cut what a reader was about to open) explain a
  // reader's surprise; a truncation in flight when `truncations` was taken left it kUncounted.
  drain_faults();
  return oracle_.faults().empty() && options_.max_segments == 0 && options_.max_bytes == 0 &&
         truncations == truncations_;
}

void WalRun::read_failed(wal::Lsn from, const wal::Status& error, std::uint64_t truncations) {
  if (halted() || error.code() == wal::Code::kClosed || !only_grew_since(truncations)) return;
  live_violations_.push_back(Violation{
      Invariant::kErrorHonesty, from, step(),
      fmt::format("error-honesty: a live read from LSN {} failed on a log no fault, retention "
                  "or truncation beside it touched: {} [trace step {}]",
                  from, error.to_string(), step())});
}

bool WalRun::live_entry_matches(wal::Lsn from, const RecoveredEntry& found) {
  const Expected* expected = oracle_.find(found.lsn);
  if (expected != nullptr && expected->fingerprint == found.fingerprint &&
      expected->type == found.type) {
    return true;
  }
  live_violations_.push_back(Violation{
      Invariant::kIntegrity, found.lsn, step(),
      fmt::format("integrity: a live read from LSN {} returned LSN {} with fp {:#018x}, "
                  "expected {} [trace step {}]",
                  from, found.lsn, found.fingerprint,
                  expected ? fmt::format("{:#018x}", expected->fingerprint) : "no entry",
                  step())});
  return false;
}

void WalRun::op_truncate(const Op& op) {
  const std::shared_ptr<wal::Log> log = log_;
  const wal::Lsn at = position(*log, op.position_ppm);
  if (at == wal::kNoLsn) return;
  // The WAL keeps what its last durable checkpoint needs, and a rotation inside another
  // writer's call may have made a checkpoint durable that no call has returned yet: observe
  // the watermark first, so the oracle's cut uses the checkpoint the WAL is entitled to use.
  observe_durable();
  ++truncations_;
  ++truncating_;
  ctx().activity = Activity::kTruncateFront;
  const std::uint64_t call = begin(CallKind::kTruncate, op, {at, at});
  end(call, log->truncate_front(at));
  --truncating_;
}

Recovery WalRun::recover_log(std::shared_ptr<wal::Log>* keep) {
  return counted([&](Recovery& r) {
    const Op none;
    const std::uint64_t call = begin(CallKind::kOpen, none);
    // A new log: its open says what it holds durable (before its own threads can fail).
    durable_seen_ = wal::kNoLsn;
    wal::Result<std::unique_ptr<wal::Log>> opened = wal::Log::open(config_.dir, live_options());
    end(call, opened.status());
    if (!opened) {
      r.open_status = opened.error();
      return;
    }
    std::shared_ptr<wal::Log> log = std::move(opened).value();
    read_recovery(*log, true, r);
    *keep = std::move(log);
  });
}

void WalRun::op_reopen(const Op& op) {
  // The application closes its log (Log::close waits for the sync in flight and stops the
  // Log's threads; the other writers' calls meanwhile fail as closed) and opens it again; the
  // open is checked as a recovery without power loss (nothing issued may be missing). One
  // writer reopens at a time, as an application would arrange: a second opener would find
  // the first one's lock.
  const std::lock_guard<wal::Runtime::Mutex> one_at_a_time(*reopen_mutex_);
  if (log_ == nullptr || stop_requested_) return;
  const std::shared_ptr<wal::Log> old = log_;
  tails_.clear();  // the application's readers of this log close before it
  ctx().activity = Activity::kReopen;
  const std::uint64_t call = begin(CallKind::kClose, op);
  end(call, old->close());
  if (halted()) return;  // the power went out during the close
  const std::uint64_t handles = fs_.open_handles();
  std::shared_ptr<wal::Log> reopened;
  Recovery recovery = recover_log(&reopened);
  // An open that an injected fault failed is tried again, as an application would.
  for (int attempt = 1; !reopened && !halted() && recovery.open_status.injected() &&
                        attempt < kReopenAttempts;
       ++attempt) {
    recovery = recover_log(&reopened);
  }
  if (halted()) {
    log_ = reopened != nullptr ? reopened : log_;
    return;  // the power went out during the reopen
  }
  judge(check_input(recovery, handles));
  if (!reopened && result_.checks.passed()) {
    // An open that failed acceptably (an injected fault, reported damage): the application
    // gives up; what follows is as after a crash.
    trigger_stop("crash");
    log_.reset();
    return;
  }
  if (!reopened || !result_.checks.passed()) {
    trigger_stop(reopened ? "a clean reopen broke an invariant"
                          : "reopen failed: " + recovery.open_status.to_string());
    log_ = reopened;
    return;
  }
  log_ = std::move(reopened);
  observe_durable();
}

void WalRun::on_assigned(wal::LsnRange lsns, wal::EntryType type) {
  const ThreadCtx& self = ctx();
  if (self.call == kNoCall || self.op == nullptr || self.payloads == nullptr) return;
  drain_faults();
  const bool batch = type == wal::EntryType::kBatch;
  for (wal::Lsn lsn = lsns.first; lsn <= lsns.last; ++lsn) {
    const auto part = static_cast<std::uint32_t>(lsn - lsns.first);
    if (part >= self.payloads->size()) break;
    oracle_.issue(self.call, lsn, type, (*self.payloads)[part],
                  PayloadId{self.op->writer, self.op->index, part}, step(),
                  batch ? lsns : wal::LsnRange{});
  }
}

void WalRun::on_poisoned(const wal::Status& cause) {
  static_cast<void>(cause);
  release_deferred(sim::ThreadScheduler::current_thread());
}

void WalRun::on_durable(wal::Lsn lsn) {
  drain_faults();
  if (halted() || lsn <= durable_seen_) return;
  durable_seen_ = lsn;
  oracle_.observe_durable(lsn, step());
}

}  // namespace harness
