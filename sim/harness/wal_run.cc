// The phases of a WAL run (wal_run.h): crash points, the power loss, recovery and its checks,
// crash epochs. The threads themselves are in wal_run_ops.cc.
#include "sim/harness/wal_run.h"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "faults/media_aim.h"
#include "faults/power_loss.h"
#include "sim/harness/read_back.h"

namespace harness {
namespace {

std::optional<FaultKind> fault_kind(std::string_view name) {
  const std::pair<std::string_view, FaultKind> table[] = {
      {"fsync_eio", FaultKind::kFsyncEio},   {"write_eio", FaultKind::kWriteEio},
      {"write_short", FaultKind::kWriteShort}, {"enospc_after_bytes", FaultKind::kNoSpace},
      {"read_eio", FaultKind::kReadEio},
      {"bit_flip", FaultKind::kBitFlip},     {"latent_sector", FaultKind::kLatentSector},
      {"misdirected_write", FaultKind::kMisdirectedWrite},
  };
  for (const auto& [key, kind] : table) {
    if (key == name) return kind;
  }
  return std::nullopt;
}

sim::ThreadLimits thread_limits(const RunConfig& config) {
  sim::ThreadLimits limits;
  limits.max_steps = config.max_steps;
  return limits;
}

}  // namespace

bool may_inject(const RunConfig& config) {
  return config.faults.any() || config.decorate_fs ||
         (config.script && !config.script->faults.empty());
}

Run::Run(const RunConfig& config, std::uint64_t seed, sim::Trace& trace)
    : config_(config),
      seed_(seed),
      trace_(trace),
      prng_(seed),
      threads_(prng_.next_u64(), thread_limits(config)),
      runtime_(threads_),
      fs_(config.device, &trace),
      latency_prng_(prng_.fork()),
      crash_prng_(prng_.fork()),
      workload_(make_workload_or_script(prng_.next_u64())),
      fault_prng_(prng_.fork()) {
  if (config.decorate_fs) decorated_ = config.decorate_fs(fs_, fault_prng_);
  options_ = config.wal;
  options_.fs = nullptr;
  options_.clock = nullptr;
  options_.runtime = nullptr;
  options_.listener = nullptr;
  options_.salt = prng_.next_u64() | 1;
  oracle_.set_preallocated(options_.preallocate);
  crash_point_prng_ = prng_.fork();
  const Script* script = config.script ? &*config.script : nullptr;
  faults_ = std::make_unique<FaultStack>(decorated_ ? *decorated_ : fs_, fs_, config.faults,
                                         script ? &script->faults : nullptr, prng_.fork());
  crash_at_ = script ? script->crash : config.crash.at;
  const bool by_fs_op = crash_at_.kind == CrashAt::Kind::kFsOp;
  halting_ = std::make_unique<HaltingFs>(faults_->top(),
                                         by_fs_op ? crash_at_.value : HaltingFs::kUnlimited);
  yielding_ = std::make_unique<sim::YieldingFs>(*halting_, threads_, config.device);
  reopen_mutex_ = runtime_.make_mutex();
  choose_crash_point();
  // Forked last: a run of one epoch draws exactly what it drew before epochs existed.
  epoch_prng_ = prng_.fork();
  next_op_.assign(workload_.writers.size(), 0);
}

Run::~Run() {
  // After a hang the scheduler's parked threads still hold the log: it must never be closed
  // from this thread (its mutex is theirs). Kept, like the threads (thread_scheduler.h).
  if (log_ == nullptr) return;
  // Still reachable, so a leak checker does not report what is kept on purpose.
  static std::mutex graveyard_mutex;
  static auto* graveyard = new std::vector<std::shared_ptr<wal::Log>>();
  const std::lock_guard<std::mutex> lock(graveyard_mutex);
  graveyard->push_back(std::move(log_));
}

Workload Run::make_workload_or_script(std::uint64_t seed) const {
  // The seed is drawn either way, so a scripted run's other streams match the original's.
  if (!config_.script) return make_workload(seed, config_.workload);
  Workload workload;
  workload.seed = config_.script->payload_seed;
  workload.writers = config_.script->writers;
  if (workload.writers.empty()) workload.writers.emplace_back();
  return workload;
}

void Run::choose_crash_point() {
  const std::uint64_t ops = workload_.total_ops();
  // Drawn whatever the kind, so the crash-point stream never shifts another.
  const std::uint64_t random_op = crash_point_prng_.below(ops + 1);
  const bool after = crash_point_prng_.coin();
  switch (crash_at_.kind) {
    case CrashAt::Kind::kRandom:
      crash_op_ = random_op;
      break;
    case CrashAt::Kind::kOp:
      crash_op_ = crash_at_.value;
      break;
    case CrashAt::Kind::kPersistencePoints:
      crash_sync_ = random_op;
      crash_after_sync_ = after;
      break;
    case CrashAt::Kind::kBeforeSync:
    case CrashAt::Kind::kAfterSync:
      crash_sync_ = crash_at_.value;
      crash_after_sync_ = crash_at_.kind == CrashAt::Kind::kAfterSync;
      break;
    case CrashAt::Kind::kFsOp:
      // Called on the simulated thread whose Fs call the cut refused.
      halting_->set_on_halt([this] {
        const ThreadCtx& now = ctx();
        crash_here(CrashAt{CrashAt::Kind::kFsOp, crash_at_.value},
                   site_of_cut(now.activity, now.ticket, halting_->cut_call(),
                               halting_->last_admitted()));
      });
      break;
    case CrashAt::Kind::kTime:
    case CrashAt::Kind::kNone:
      break;
    case CrashAt::Kind::kInsideOp:
      WAL_ASSERT(false && "run_simulation resolves inside-op to fs-op:N before the run");
      break;
  }
}

void Run::crash_here(CrashAt where, CrashSite site) {
  if (stop_requested_) return;
  halting_->cut_now();
  crash_reached_ = true;
  crashed_at_ = where;
  crashed_site_ = site;
  trigger_stop("crash");
}

CrashAt Run::crash_point_reached() const {
  if (!crash_configured()) return CrashAt{CrashAt::Kind::kNone, 0};
  if (crash_reached_) return crashed_at_;
  // A time crash the workload outran stays one: its power thread took part in the schedule,
  // and a replay without it would interleave differently (swarm seed 2712's shrink).
  if (crash_at_.kind == CrashAt::Kind::kTime) return crash_at_;
  // Not reached: the power went out after the last op, as before op `ops`.
  return CrashAt{CrashAt::Kind::kOp, result_.ops};
}

void Run::trigger_stop(std::string why) {
  if (stop_requested_) return;
  stop_requested_ = true;
  stop_reason_ = std::move(why);
  note("stop", 0, 0);
  // Whatever stops the run ends the process: nothing more reaches the disk.
  halting_->cut_now();
}

void Run::note(std::string_view what, std::uint64_t a, std::uint64_t b) {
  // The timeline's clock (walsim's run record reads virtual time from these).
  const std::uint64_t now = threads_.now_us();
  if (now != noted_us_) {
    noted_us_ = now;
    trace_.note("schedule", "time", now, 0);
  }
  trace_.note("harness", what, a, b);
}

std::uint64_t Run::begin_at_rest(CallKind kind) {
  drain_faults();
  note(to_string(kind), 0, 0);
  return oracle_.begin(kind, 0, 0, step());
}

void Run::end_at_rest(std::uint64_t call, const wal::Status& status) {
  drain_faults();
  note("return", call, static_cast<std::uint64_t>(status.code()));
  oracle_.end(call, status, step());
}

void Run::drain_faults() {
  const std::vector<sim::Event>& events = trace_.events();
  for (; faults_seen_ < events.size(); ++faults_seen_) {
    const sim::Event& event = events[faults_seen_];
    if (event.kind != sim::EventKind::kFault) continue;
    const std::optional<FaultKind> kind = fault_kind(event.name);
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

bool Run::outside_lock(int thread) const {
  if (thread < 0) return false;
  const auto it = threads_ctx_.find(thread);
  if (it != threads_ctx_.end() && it->second.ticket) return true;
  return threads_.thread_name(thread) == "wal-preparer";
}

void Run::feed(const PendingFault& fault) {
  oracle_.fault(fault.kind, step(), fault.where, fault.hit, fault.path, fault.offset);
}

void Run::release_deferred(int thread) {
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

std::uint64_t Run::begin(CallKind kind, const Op& op, wal::LsnRange lsns) {
  drain_faults();
  if (halted()) return kNoCall;  // the process is gone: nobody makes this call
  note(to_string(kind), op.writer, op.index);
  return oracle_.begin(kind, op.writer, op.index, step(), lsns);
}

void Run::end(std::uint64_t call, const wal::Status& status, bool durable) {
  drain_faults();
  if (call == kNoCall || halted()) return;
  note("return", call, static_cast<std::uint64_t>(status.code()));
  oracle_.end(call, status, step());
  if (durable && status) oracle_.acknowledge_durable(call, step());
}

void Run::observe_durable() {
  // A copy: another writer's reopen may replace log_ while this call waits for the lock.
  const std::shared_ptr<wal::Log> log = log_;
  if (log == nullptr) return;
  const wal::Lsn durable = log->durable_lsn();
  drain_faults();
  if (halted() || durable <= durable_seen_) return;
  durable_seen_ = durable;
  oracle_.observe_durable(durable, step());
}

wal::Lsn Run::position(wal::Log& log, std::uint32_t ppm) {
  const wal::Lsn first = log.first_lsn();
  const wal::Lsn durable = log.durable_lsn();
  if (first == wal::kNoLsn || durable < first) return wal::kNoLsn;
  return first + (durable - first) * ppm / kMillion;
}

RunResult Run::execute() {
  result_.seed = seed_;
  fs_.make_durable_dirs(config_.dir);
  const bool opened = run_workload(Activity::kOpen);
  if (survey_ != nullptr) return std::move(result_);
  if (result_.problems.empty()) {
    // A first open that failed honestly (an injected fault) is a process that gave up: it
    // restarts and recovers, as after a power loss.
    if (crash_configured() || !opened) {
      power_loss();
      if (explorer_) {
        explorer_(*this);
      } else {
        recover_and_check(config_.crash.count);
        while (epoch_ < config_.crash.epochs && next_epoch()) {
          if (!result_.problems.empty()) break;
          power_loss();
          recover_and_check(config_.crash.count);
        }
      }
    } else {
      close_and_reopen_clean();
    }
  }
  drain_faults();
  result_.script.payload_seed = workload_.seed;
  result_.script.writers = workload_.writers;
  result_.script.faults = faults_->fired();
  result_.script.recovery_crashes = recovery_crashes_;
  for (const Fault& fault : oracle_.faults()) ++result_.faults_injected[std::string(to_string(fault.kind))];
  for (const auto& [kind, count] : result_.faults_injected) {
    result_.coverage[fault_cell(kind, options_.recovery)] += count;
  }
  settle_verdict(result_, config_.expect, std::move(live_violations_), fs_.contract_violations());
  result_.steps = threads_.steps();
  result_.virtual_time_us = threads_.now_us();
  result_.trace_hash = trace_.hash() ^ (threads_.trace_hash() * 0x9e3779b97f4a7c15ull);
  result_.trace_events = trace_.size();
  return std::move(result_);
}

bool Run::run_workload(Activity how) {
  bool opened = false;
  workload_done_ = false;
  threads_ctx_.clear();
  const sim::ThreadScheduler::Outcome outcome =
      threads_.run([this, how, &opened] { main_thread(how, &opened); });
  release_deferred(-1);
  if (outcome != sim::ThreadScheduler::Outcome::kDone) {
    result_.hang = true;
    const char* what = outcome == sim::ThreadScheduler::Outcome::kDeadlock ? "deadlock"
                       : outcome == sim::ThreadScheduler::Outcome::kStepLimit
                           ? "hang: the step limit"
                           : "stalled: a thread blocked outside the scheduler";
    std::string threads = threads_.describe();
    std::replace(threads.begin(), threads.end(), '\n', ';');
    result_.problems.push_back(fmt::format("{} after {} scheduler steps (virtual time {} us): {}",
                                           what, threads_.steps(), threads_.now_us(), threads));
    return opened;
  }
  if (!stop_reason_.empty() && stop_reason_ != "crash") result_.problems.push_back(stop_reason_);
  return opened;
}

bool Run::next_epoch() {
  if (!rebased_ || !resume_from_ || !result_.checks.passed() || !result_.problems.empty()) {
    return false;
  }
  rebased_ = false;
  const std::uint64_t left = workload_.total_ops() - result_.ops;
  if (left == 0) return false;
  ++epoch_;
  // Later epochs lose power after a seeded number of ops (or after the last one). Drawn within
  // the scenario's op count, not what is left: a shrinker dropping ops then moves no later
  // crash point but the ones its drop reaches.
  crash_op_ = result_.ops + epoch_prng_.below(std::max<std::uint64_t>(config_.workload.ops, 1) + 1);
  crash_sync_ = kNeverOp;
  crash_reached_ = false;
  stop_requested_ = false;
  stop_reason_.clear();
  note("epoch", epoch_, crash_op_);
  // Recovery is a function of the image: this open recovers what the checks just accepted.
  fs_.restore(*resume_from_);
  resume_from_.reset();
  // A fresh power switch: the last one is off for good.
  halting_ = std::make_unique<HaltingFs>(faults_->top(), HaltingFs::kUnlimited);
  yielding_ = std::make_unique<sim::YieldingFs>(*halting_, threads_, config_.device);
  return run_workload(Activity::kRecovery);
}

void Run::power_loss() {
  drain_faults();
  oracle_.crash(step());
  note("power-loss", result_.ops, result_.syncs);
  if (epoch_ == 1) result_.script.crash = crash_point_reached();
  ++result_.crashes;
  if (explorer_) return;  // the explorer enumerates the survival outcomes itself
  reached(crash_reached_ ? crashed_site_ : sites_.between_ops());
  faults::crash(fs_, config_.crash.power_loss, crash_prng_);
  apply_media_faults();
}

void Run::apply_media_faults() {
  faults_->after_power_loss(result_.crashes, result_.ops - ops_at_last_crash_);
  ops_at_last_crash_ = result_.ops;
}

}  // namespace harness
