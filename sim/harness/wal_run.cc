// The WAL target's bookkeeping (wal_run.h): the oracle hears every call, fault, sync ticket and
// durable advance in the order they happened.
#include "sim/harness/wal_run.h"


#include <fmt/format.h>

#include "faults/media_aim.h"

namespace harness {

WalRun::WalRun(const RunConfig& config, std::uint64_t seed, sim::Trace& trace)
    : RunLoop(config, seed, trace) {
  oracle_.set_preallocated(options_.preallocate);
  reopen_mutex_ = runtime_.make_mutex();
}

WalRun::~WalRun() {
  // After a hang the scheduler's parked threads still hold the log: it must never be closed
  // from this thread (its mutex is theirs).
  if (log_ != nullptr) keep_forever(std::move(log_));
}

std::uint64_t WalRun::begin_at_rest(CallKind kind) {
  drain_faults();
  note(to_string(kind), 0, 0);
  return oracle_.begin(kind, 0, 0, step());
}

void WalRun::end_at_rest(std::uint64_t call, const wal::Status& status) {
  drain_faults();
  note("return", call, static_cast<std::uint64_t>(status.code()));
  oracle_.end(call, status, step());
}

void WalRun::drain_faults() {
  const std::vector<sim::Event>& events = trace_.events();
  for (; faults_seen_ < events.size(); ++faults_seen_) {
    const sim::Event& event = events[faults_seen_];
    if (event.kind != sim::EventKind::kFault) continue;
    const std::optional<FaultKind> kind = parse_fault_kind(event.name);
    if (!kind) {
      result_.notes.push_back(fmt::format("unknown fault kind '{}' in the trace", event.name));
      continue;
    }
    PendingFault fault{*kind, fmt::format("{} @{}+{}", event.path, event.offset, event.length),
                       std::nullopt, event.path, event.offset};
    if (const std::optional<faults::LsnSpan> span = faults::parse_lsns_hit(event.detail)) {
      fault.hit = wal::LsnRange{span->first, span->last};
    }
    if (outside_lock(event.thread) && poisons_log(*kind, event.path, event.offset)) {
      deferred_[event.thread].push_back(std::move(fault));
      continue;
    }
    feed(fault);
  }
}

bool WalRun::outside_lock(int thread) const {
  if (thread < 0) return false;
  const auto it = threads_ctx_.find(thread);
  if (it != threads_ctx_.end() && it->second.ticket) return true;
  return threads_.thread_name(thread) == "wal-preparer";
}

void WalRun::feed(const PendingFault& fault) {
  oracle_.fault(fault.kind, step(), fault.where, fault.hit, fault.path, fault.offset);
}

void WalRun::release_deferred(int thread) {
  drain_faults();
  for (auto it = deferred_.begin(); it != deferred_.end();) {
    if (thread >= 0 && it->first != thread) {
      ++it;
      continue;
    }
    for (const PendingFault& fault : it->second) feed(fault);
    it = deferred_.erase(it);
  }
}

std::uint64_t WalRun::begin(CallKind kind, const Op& op, wal::LsnRange lsns) {
  drain_faults();
  if (halted()) return kNoCall;  // the process is gone: nobody makes this call
  note(to_string(kind), op.writer, op.index);
  return oracle_.begin(kind, op.writer, op.index, step(), lsns);
}

void WalRun::end(std::uint64_t call, const wal::Status& status, bool durable) {
  drain_faults();
  if (call == kNoCall || halted()) return;
  note("return", call, static_cast<std::uint64_t>(status.code()));
  oracle_.end(call, status, step());
  if (durable && status) oracle_.acknowledge_durable(call, step());
  if (!status) failure_needs_a_cause(oracle_.call(call), status);
}

void WalRun::failure_needs_a_cause(const Call& call, const wal::Status& status) {
  // Reads are judged where they run (a truncation beside one explains it); a failed reopen is
  // a run problem of its own.
  if (call.kind == CallKind::kRead || call.kind == CallKind::kOpen) return;
  if (status.code() == wal::Code::kClosed || !oracle_.faults().empty()) return;
  // The workload may hand over a record no segment can hold (a batch of large entries): the
  // WAL refuses it as the caller's mistake.
  const bool appends = call.kind == CallKind::kAppend || call.kind == CallKind::kBatch ||
                       call.kind == CallKind::kCheckpoint;
  if (appends && status.code() == wal::Code::kInvalidArgument) return;
  live_violations_.push_back(Violation{
      Invariant::kErrorHonesty, call.lsns.first, step(),
      fmt::format("error-honesty: {} failed with no fault injected: {} [trace step {}]",
                  call.describe(), status.to_string(), step())});
}

void WalRun::observe_durable() {
  // A copy: another writer's reopen may replace log_ while this call waits for the lock.
  const std::shared_ptr<wal::Log> log = log_;
  if (log == nullptr) return;
  const wal::Lsn durable = log->durable_lsn();
  drain_faults();
  if (halted() || durable <= durable_seen_) return;
  durable_seen_ = durable;
  oracle_.observe_durable(durable, step());
}

wal::Lsn WalRun::position(wal::Log& log, std::uint32_t ppm) {
  const wal::Lsn first = log.first_lsn();
  const wal::Lsn durable = log.durable_lsn();
  if (first == wal::kNoLsn || durable < first) return wal::kNoLsn;
  return first + (durable - first) * ppm / kMillion;
}

void WalRun::before_power_loss() {
  drain_faults();
  oracle_.crash(step());
}

void WalRun::count_faults() {
  for (const Fault& fault : oracle_.faults()) {
    ++result_.faults_injected[std::string(to_string(fault.kind))];
  }
}

void WalRun::sync_event(bool begin) {
  if (begin) {
    drain_faults();
  } else {
    release_deferred(sim::ThreadScheduler::current_thread());
  }
}

void WalRun::sync_started(wal::Lsn target) { oracle_.sync_started(target, step()); }

}  // namespace harness
