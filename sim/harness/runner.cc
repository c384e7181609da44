#include "sim/harness/runner.h"

#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include <wal/log_core.h>

#include "faults/crash_enumerator.h"
#include "faults/media_aim.h"
#include "faults/power_loss.h"
#include "sim/harness/crash_site.h"
#include "sim/harness/crash_aim.h"
#include "sim/harness/explore.h"
#include "sim/harness/recovery_memo.h"
#include "sim/harness/fault_stack.h"
#include "sim/harness/halting_fs.h"
#include "sim/harness/oracle.h"
#include "sim/harness/read_back.h"
#include "sim/harness/scheduler.h"
#include "sim/harness/target.h"
#include "sim/harness/workload.h"
#include "sim/sim_fs.h"

namespace harness {
namespace {

constexpr int kReopenAttempts = 4;

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

// The runner reads fault events back from the trace (drain_faults); without any fault source
// only the hash is needed, and keeping no events saves an allocation per Fs call.
bool may_inject(const RunConfig& config) {
  return config.faults.any() || config.decorate_fs || (config.script && !config.script->faults.empty());
}

// Parks a task for good: the crash that follows destroys its frame.
struct Halt {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const noexcept {}
};

// One open of the log and the runtime state around it (Log::Impl's condition variables).
struct Live {
  explicit Live(Scheduler& scheduler)
      : sync_done(scheduler, "sync-done"),
        syncer_wake(scheduler, "syncer-wake"),
        preparer_wake(scheduler, "preparer-wake") {}
  std::unique_ptr<wal::LogCore> core;
  WaitQueue sync_done;  // also: a spare segment's preparation finished
  WaitQueue syncer_wake;
  WaitQueue preparer_wake;
  bool stopping = false;
};

class Run {
 public:
  Run(const RunConfig& config, std::uint64_t seed, sim::Trace& trace)
      : config_(config),
        seed_(seed),
        trace_(trace),
        prng_(seed),
        scheduler_(prng_.next_u64(), config.max_steps, &trace),
        clock_(scheduler_),
        fs_(config.device, &trace),
        latency_prng_(prng_.fork()),
        crash_prng_(prng_.fork()),
        workload_(make_workload_or_script(prng_.next_u64())),
        fault_prng_(prng_.fork()) {
    if (config.decorate_fs) decorated_ = config.decorate_fs(fs_, fault_prng_);
    options_ = config.wal;
    options_.fs = nullptr;
    options_.clock = nullptr;
    options_.salt = prng_.next_u64() | 1;
    oracle_.set_preallocated(options_.preallocate);
    crash_point_prng_ = prng_.fork();
    const Script* script = config.script ? &*config.script : nullptr;
    faults_ = std::make_unique<FaultStack>(decorated_ ? *decorated_ : fs_, fs_, config.faults,
                                           script ? &script->faults : nullptr, prng_.fork());
    wal_fs_ = &faults_->top();
    crash_at_ = script ? script->crash : config.crash.at;
    choose_crash_point();
    // Forked last: a run of one epoch draws exactly what it drew before epochs existed.
    epoch_prng_ = prng_.fork();
    next_op_.assign(workload_.writers.size(), 0);
  }

  // Exploration: instead of one seeded power loss, every distinct post-crash state of the
  // crash point, each recovered and checked (explore.h).
  void set_explorer(std::function<void(Run&)> explorer, RecoveryMemo* memo) {
    explorer_ = std::move(explorer);
    memo_ = memo;
  }
  // For the explorer: the state at the crash point, and one recovery + check of a state.
  const sim::SimFsState& crash_state() const { return fs_.state(); }
  // `hash`: sim::durable_hash(state), which the enumerator already has.
  CheckResult check_crash_state(const sim::SimFsState& state, std::uint64_t hash);
  bool reached_crash() const { return crash_reached_; }

  // crash.at = "inside-op" (crash_aim.h): this run only opens the log and runs the workload,
  // writing down which Fs operations each op made and which were durability barriers.
  // REQUIRES: crash.at = fs-op with an unlimited budget (nothing halts).
  void set_survey(OpSurvey* survey) {
    WAL_ASSERT(halting_ != nullptr && survey != nullptr);
    survey_ = survey;
    halting_->record_barriers(&survey->barriers);
  }

  RunResult execute();

 private:
  // Crash point: before workload op crash_op_ starts, or around sync ticket crash_sync_.
  Workload make_workload_or_script(std::uint64_t seed) const;
  void choose_crash_point();
  bool crash_configured() const { return crash_at_.kind != CrashAt::Kind::kNone; }
  void trigger_stop(std::string why);
  void crash_here(CrashAt where, CrashSite site);
  CrashAt crash_point_reached() const;
  // The coverage matrix: one cell per power loss, where it landed.
  void reached(const CrashSite& site) {
    ++result_.coverage[crash_cell(site, config_.crash.power_loss.policy)];
  }

  // The run's phases.
  bool open_first();
  void run_workload();
  // crash.epochs > 1: after a recovery that passed its checks, the application goes on on the
  // recovered log (same oracle, LSNs continue) and the power goes out again. False when there
  // is nothing to go on with (checks failed, no ops left, the log would not open).
  bool next_epoch();
  void power_loss();
  void apply_media_faults();
  void recover_and_check(std::uint32_t count);
  RecoveredImage recover_close_recover(bool memoize);
  void replay_calls(const RecoveredImage& image);
  void close_and_reopen_clean();
  // `from_checkpoint`: also read through reader_from_checkpoint() (a repeat, only compared for
  // idempotence, skips it).
  Recovery recover(wal::Fs& fs, std::unique_ptr<wal::LogCore>* keep, bool from_checkpoint = true);
  Recovery recover_once(wal::Fs& fs, std::unique_ptr<wal::LogCore>* keep, bool from_checkpoint);
  void judge(const CheckInput& input);

  // Tasks.
  Task<void> writer(std::uint32_t index);
  Task<void> syncer();
  Task<void> preparer();
  // Log::Impl::after_rotation_locked: a rotation used the spare up.
  void after_rotation(bool had_spare) {
    if (had_spare && !core().has_spare()) live_->preparer_wake.notify_all();
  }
  Task<void> do_op(const Op& op);
  // `who`: the activity leading any sync the commit runs (the coverage matrix's crash site).
  Task<wal::Status> commit(wal::Lsn lsn, Activity who);
  Task<wal::Status> lead_sync(Activity who);
  Task<void> op_append(const Op& op);
  Task<void> op_checkpoint(const Op& op);
  Task<void> op_sync(const Op& op);
  Task<void> op_reopen(const Op& op);
  void op_read(const Op& op);
  void op_truncate(const Op& op);

  wal::LogCore& core() { return *live_->core; }
  // The WAL's Fs: the fault stack, under the fs-op halting layer while the workload runs.
  wal::Fs& wal_fs() { return *wal_fs_; }
  // The fs-op layer's power cut, while that layer is in the stack: the crash takes it out, and
  // a later epoch must not read its old cut as a new one.
  bool halted() const { return halting_ && wal_fs_ == halting_.get() && halting_->halted(); }
  std::uint64_t step() const { return scheduler_.steps(); }
  bool promises_durability() const {
    return options_.sync == wal::SyncPolicy::kGrouped ||
           options_.sync == wal::SyncPolicy::kImmediate;
  }
  wal::Lsn position(std::uint32_t ppm);
  // Oracle bookkeeping; faults recorded in the trace are pulled in first so their order
  // relative to calls is exact.
  void drain_faults();
  std::uint64_t begin(CallKind kind, const Op& op, wal::LsnRange lsns = {});
  void end(std::uint64_t call, const wal::Status& status);
  void observe_durable();
  void note(std::string_view what, std::uint64_t a = 0, std::uint64_t b = 0);

  const RunConfig& config_;
  std::uint64_t seed_;
  sim::Trace& trace_;
  sim::Prng prng_;
  Scheduler scheduler_;
  SimClock clock_;
  sim::SimFs fs_;
  sim::Prng latency_prng_;
  sim::Prng crash_prng_;
  Workload workload_;
  sim::Prng fault_prng_;
  sim::Prng crash_point_prng_{0};
  sim::Prng epoch_prng_{0};
  std::unique_ptr<wal::Fs> decorated_;
  std::unique_ptr<FaultStack> faults_;
  std::unique_ptr<HaltingFs> halting_;
  wal::Fs* wal_fs_ = nullptr;
  CrashAt crash_at_;
  std::function<void(Run&)> explorer_;
  RecoveryMemo* memo_ = nullptr;
  OpSurvey* survey_ = nullptr;
  std::optional<std::uint64_t> crash_state_hash_;  // of fs_.state(), while check_crash_state runs
  wal::Options options_;
  Oracle oracle_;
  std::unique_ptr<Live> live_;
  RunResult result_;

  std::uint64_t crash_op_ = kNever;
  std::vector<std::size_t> next_op_;  // per writer: its next op (later epochs resume there)
  std::uint32_t epoch_ = 1;           // crash epochs so far (crash.epochs)
  bool rebased_ = false;              // the last recovery opened, passed and became the history
  std::optional<sim::SimFsState> resume_from_;  // the image the next epoch opens
  std::uint64_t core_generation_ = 0;  // bumped by every reopen during the workload
  bool crash_reached_ = false;       // the configured crash point happened (not end of run)
  CrashAt crashed_at_;               // where, in explicit form
  CrashSites sites_;                 // what the run is doing, for the coverage matrix
  CrashSite crashed_site_;           // where the crash point landed, in the matrix's terms
  Scheduler::Outcome outcome_ = Scheduler::Outcome::kIdle;
  std::uint64_t ops_at_last_crash_ = 0;
  std::vector<std::uint64_t> recovery_crashes_;
  std::uint64_t crash_sync_ = kNever;
  bool crash_after_sync_ = false;
  bool stop_requested_ = false;
  std::string stop_reason_;
  std::uint32_t writers_running_ = 0;
  std::size_t faults_seen_ = 0;
  wal::Lsn durable_seen_ = wal::kNoLsn;
  std::vector<Violation> live_violations_;
};

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
      halting_ = std::make_unique<HaltingFs>(faults_->top(), crash_at_.value);
      halting_->set_on_halt([this] {
        crash_here(CrashAt{CrashAt::Kind::kFsOp, crash_at_.value}, sites_.in_call(*halting_));
      });
      wal_fs_ = halting_.get();
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
  crash_reached_ = true;
  crashed_at_ = where;
  crashed_site_ = site;
  trigger_stop("crash");
}

CrashAt Run::crash_point_reached() const {
  if (!crash_configured()) return CrashAt{CrashAt::Kind::kNone, 0};
  if (crash_reached_) return crashed_at_;
  if (outcome_ == Scheduler::Outcome::kDeadline) return CrashAt{CrashAt::Kind::kTime, crash_at_.value};
  // Not reached: the power went out after the last op, as before op `ops`.
  return CrashAt{CrashAt::Kind::kOp, result_.ops};
}

void Run::trigger_stop(std::string why) {
  if (stop_requested_) return;
  stop_requested_ = true;
  stop_reason_ = std::move(why);
  note("stop", 0, 0);
  scheduler_.stop();
}

void Run::note(std::string_view what, std::uint64_t a, std::uint64_t b) {
  trace_.note("harness", what, a, b);
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
    // An acknowledgement the WAL made durable before a poisoning fault stays honest after it.
    // The oracle may not have seen that durable_lsn yet (a rotation's sync covered it, the
    // failure came with the next segment's creation): observe it first. It cannot have moved
    // since the fault, because a poisoned log never advances it.
    if (poisons_log(*kind, event.path, event.offset) && live_ && live_->core) {
      const wal::Lsn durable = core().durable_lsn();
      if (durable > durable_seen_) {
        durable_seen_ = durable;
        oracle_.observe_durable(durable, step());
      }
    }
    std::optional<wal::LsnRange> hit;
    if (const std::optional<faults::LsnSpan> span = faults::parse_lsns_hit(event.detail)) {
      hit = wal::LsnRange{span->first, span->last};
    }
    oracle_.fault(*kind, step(), fmt::format("{} @{}+{}", event.path, event.offset, event.length),
                  hit, event.path, event.offset);
  }
}

std::uint64_t Run::begin(CallKind kind, const Op& op, wal::LsnRange lsns) {
  drain_faults();
  note(to_string(kind), op.writer, op.index);
  return oracle_.begin(kind, op.writer, op.index, step(), lsns);
}

void Run::end(std::uint64_t call, const wal::Status& status) {
  drain_faults();
  trace_.note("harness", "return", call, static_cast<std::uint64_t>(status.code()));
  oracle_.end(call, status, step());
}

void Run::observe_durable() {
  drain_faults();
  const wal::Lsn durable = core().durable_lsn();
  if (durable <= durable_seen_) return;
  durable_seen_ = durable;
  oracle_.observe_durable(durable, step());
}

wal::Lsn Run::position(std::uint32_t ppm) {
  const wal::Lsn first = core().first_lsn();
  const wal::Lsn durable = core().durable_lsn();
  if (first == wal::kNoLsn || durable < first) return wal::kNoLsn;
  return first + (durable - first) * ppm / kMillion;
}

RunResult Run::execute() {
  result_.seed = seed_;
  fs_.make_durable_dirs(config_.dir);
  const bool opened = open_first();
  if (opened) run_workload();
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
          run_workload();
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
  result_.steps = scheduler_.steps();
  result_.virtual_time_us = scheduler_.now_us();
  result_.trace_hash = trace_.hash();
  result_.trace_events = trace_.size();
  return std::move(result_);
}

bool Run::open_first() {
  live_ = std::make_unique<Live>(scheduler_);
  const Op none;
  const std::uint64_t call = begin(CallKind::kOpen, none);
  sites_.followed(Activity::kOpen);
  sites_.doing(Activity::kOpen);
  wal::Result<std::unique_ptr<wal::LogCore>> core =
      wal::LogCore::open(wal_fs(), clock_, config_.dir, options_);
  end(call, core.status());
  if (!core) {
    if (!halted() && !core.error().injected()) {
      result_.problems.push_back("opening a new log failed: " + core.error().to_string());
    }
    return false;
  }
  live_->core = std::move(core).value();
  return true;
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
  crash_sync_ = kNever;
  crash_reached_ = false;
  stop_requested_ = false;
  stop_reason_.clear();
  note("epoch", epoch_, crash_op_);
  // Recovery is a function of the image: this open recovers what the checks just accepted.
  fs_.restore(*resume_from_);
  resume_from_.reset();
  live_ = std::make_unique<Live>(scheduler_);
  const Op none;
  const std::uint64_t call = begin(CallKind::kOpen, none);
  sites_.followed(Activity::kRecovery);
  sites_.doing(Activity::kRecovery);
  wal::Result<std::unique_ptr<wal::LogCore>> core =
      wal::LogCore::open(wal_fs(), clock_, config_.dir, options_);
  end(call, core.status());
  if (!core) {
    // The recovery just checked opened this state; an injected fault may still fail this open.
    if (!core.error().injected()) {
      result_.problems.push_back("reopening a checked recovery failed: " +
                                 core.error().to_string());
    }
    live_.reset();
    return false;
  }
  live_->core = std::move(core).value();
  ++core_generation_;
  durable_seen_ = wal::kNoLsn;
  observe_durable();
  return true;
}

void Run::run_workload() {
  writers_running_ = static_cast<std::uint32_t>(workload_.writers.size());
  for (std::uint32_t w = 0; w < workload_.writers.size(); ++w) {
    scheduler_.spawn(writer(w), "writer");
  }
  if (options_.sync == wal::SyncPolicy::kPeriodic) scheduler_.spawn(syncer(), "syncer");
  if (options_.prepare_segments) scheduler_.spawn(preparer(), "preparer");
  const std::uint64_t until =
      epoch_ == 1 && crash_at_.kind == CrashAt::Kind::kTime ? crash_at_.value : kNever;
  const Scheduler::Outcome outcome = scheduler_.run(until);
  outcome_ = outcome;
  if (outcome == Scheduler::Outcome::kStepLimit) {
    result_.hang = true;
    result_.problems.push_back(fmt::format(
        "hang: {} scheduler steps without finishing (virtual time {} us)", step(),
        scheduler_.now_us()));
  } else if (outcome == Scheduler::Outcome::kIdle && scheduler_.live_tasks() > 0) {
    result_.hang = true;
    result_.problems.push_back(fmt::format(
        "deadlock: {} task(s) parked with nothing left to wake them (virtual time {} us)",
        scheduler_.live_tasks(), scheduler_.now_us()));
  }
  if (!stop_reason_.empty() && stop_reason_ != "crash") result_.problems.push_back(stop_reason_);
}

Task<void> Run::writer(std::uint32_t index) {
  const std::vector<Op>& ops = workload_.writers[index];
  while (next_op_[index] < ops.size()) {
    const Op& op = ops[next_op_[index]];
    if (result_.ops == crash_op_) {
      crash_here(CrashAt{CrashAt::Kind::kOp, result_.ops}, sites_.between_ops());
      co_await Halt{};
    }
    ++result_.ops;
    ++next_op_[index];
    sites_.followed(activity_of(op.kind));
    co_await scheduler_.sleep_for(config_.device.write_latency_us.sample(latency_prng_), "op");
    const std::size_t surveyed = survey_ != nullptr ? survey_->ops.size() : 0;
    if (survey_ != nullptr) survey_->ops.push_back({op.kind, halting_->operations() + 1, 0});
    co_await do_op(op);
    if (survey_ != nullptr) survey_->ops[surveyed].last = halting_->operations();
    if (stop_requested_) co_await Halt{};
  }
  if (--writers_running_ == 0) {
    live_->stopping = true;
    live_->syncer_wake.notify_all();
    live_->preparer_wake.notify_all();
  }
}

Task<void> Run::syncer() {
  // Log::Impl::periodic_loop on virtual time.
  while (!live_->stopping) {
    if (core().poisoned() || core().sync_in_flight()) {
      co_await live_->syncer_wake.wait();
      continue;
    }
    const std::uint64_t now = scheduler_.now_us();
    if (core().sync_due(now)) {
      const wal::Status status = co_await lead_sync(Activity::kSyncer);
      status.ignore_error("reported to every later caller as kPoisoned");
      continue;
    }
    const std::uint64_t due = core().next_sync_due_us();
    if (due == kNever) {
      co_await live_->syncer_wake.wait();
    } else {
      co_await live_->syncer_wake.wait_until(std::max(due, now));
    }
  }
}

Task<void> Run::preparer() {
  // Log::Impl::prepare_loop on virtual time. The preparation is an I/O that completes after the
  // device's latency while the writers go on; its Fs calls happen at completion, as run_sync's
  // do in lead_sync, so a failure and the poisoning it causes are one step.
  while (!live_->stopping) {
    if (!core().spare_wanted()) {
      co_await live_->preparer_wake.wait();
      continue;
    }
    wal::PrepareTicket ticket = core().begin_prepare();
    note("prepare-begin", core().last_lsn(), 0);
    co_await scheduler_.sleep_for(config_.device.fsync_latency_us.sample(latency_prng_),
                                  "prepare-done");
    sites_.doing(Activity::kPreparer);
    wal::LogCore::run_prepare(ticket);
    drain_faults();
    core().finish_prepare(std::move(ticket));
    note("prepare-end", core().has_spare() ? 1 : 0, core().poisoned() ? 1 : 0);
    live_->sync_done.notify_all();  // a reopen waits for it; a poisoned log fails its waiters
    if (stop_requested_) co_await Halt{};
    if (!core().has_spare() && !core().poisoned() && !live_->stopping) {
      // A full disk: try again later (Log waits 100 ms).
      co_await live_->preparer_wake.wait_until(scheduler_.now_us() + 100'000);
    }
  }
}

Task<void> Run::do_op(const Op& op) {
  switch (op.kind) {
    case OpKind::kAppend:
    case OpKind::kBatch:
      co_await op_append(op);
      break;
    case OpKind::kCheckpoint:
      co_await op_checkpoint(op);
      break;
    case OpKind::kSync:
      co_await op_sync(op);
      break;
    case OpKind::kRead:
      op_read(op);
      break;
    case OpKind::kTruncate:
      op_truncate(op);
      break;
    case OpKind::kReopen:
      co_await op_reopen(op);
      break;
  }
}

Task<wal::Status> Run::commit(wal::Lsn lsn, Activity who) {
  // Log::Impl::wait_durable_locked on virtual time.
  const std::uint64_t waiting_on = core_generation_;
  for (;;) {
    // Another writer closed and reopened the log while this one waited: its LSN belongs to the
    // closed core, whose close() already said what became durable.
    if (core_generation_ != waiting_on) {
      co_return wal::Status::closed("the log was closed and reopened while waiting for durability");
    }
    const wal::CommitStep decision = core().commit_step(lsn, scheduler_.now_us());
    switch (decision.action) {
      case wal::CommitAction::kDurable:
        co_return wal::Status::ok();
      case wal::CommitAction::kFailed:
        co_return core().poison_cause();
      case wal::CommitAction::kLead: {
        wal::Status status = co_await lead_sync(who);
        if (!status) co_return status;
        break;
      }
      case wal::CommitAction::kWait:
        co_await live_->sync_done.wait();
        break;
      case wal::CommitAction::kWaitUntil:
        co_await live_->sync_done.wait_until(decision.until_us);
        break;
    }
  }
}

Task<wal::Status> Run::lead_sync(Activity who) {
  sites_.doing(who, true);
  wal::Result<wal::SyncTicket> ticket = core().begin_sync();
  drain_faults();
  if (!ticket) co_return ticket.error();
  const std::uint64_t sync_index = result_.syncs++;
  oracle_.sync_started(ticket->target_lsn, step());
  note("sync-begin", sync_index, ticket->target_lsn);
  if (sync_index == crash_sync_ && !crash_after_sync_) {
    crash_here(CrashAt{CrashAt::Kind::kBeforeSync, sync_index}, {who, kBeforeFdatasync});
    co_await Halt{};
  }
  // The fdatasync is an I/O: it completes after the device's latency, while other tasks run.
  const std::uint64_t latency =
      ticket->file ? config_.device.fsync_latency_us.sample(latency_prng_) : 0;
  co_await scheduler_.sleep_for(latency, "fsync-done");
  sites_.doing(who, true);
  const wal::Status status = wal::LogCore::run_sync(*ticket);
  drain_faults();
  core().finish_sync(*ticket, status);
  note("sync-end", sync_index, static_cast<std::uint64_t>(status.code()));
  if (status) observe_durable();
  live_->sync_done.notify_all();
  live_->syncer_wake.notify_all();
  if (sync_index == crash_sync_ && crash_after_sync_) {
    crash_here(CrashAt{CrashAt::Kind::kAfterSync, sync_index}, {who, kAfterFdatasync});
    co_await Halt{};
  }
  co_return status;
}

Task<void> Run::op_append(const Op& op) {
  const bool batch = op.kind == OpKind::kBatch;
  const Activity activity = batch ? Activity::kBatch : Activity::kAppend;
  const std::uint64_t call = begin(batch ? CallKind::kBatch : CallKind::kAppend, op);
  std::vector<std::vector<std::byte>> payloads;
  std::vector<std::span<const std::byte>> views;
  for (std::uint32_t part = 0; part < op.entry_bytes.size(); ++part) {
    payloads.push_back(workload_.payload(op, part));
  }
  for (const std::vector<std::byte>& payload : payloads) views.emplace_back(payload);
  const std::uint64_t due_before = core().next_sync_due_us();
  wal::LsnRange range;
  sites_.doing(activity);
  if (batch) {
    const bool had_spare = core().has_spare();
    wal::Result<wal::LsnRange> appended = core().append_batch(views);
    after_rotation(had_spare);
    if (!appended) {
      end(call, appended.error());
      co_return;
    }
    range = *appended;
  } else {
    const bool had_spare = core().has_spare();
    wal::Result<wal::Lsn> appended = core().append(views[0]);
    after_rotation(had_spare);
    if (!appended) {
      end(call, appended.error());
      co_return;
    }
    range = {*appended, *appended};
  }
  for (wal::Lsn lsn = range.first; lsn <= range.last; ++lsn) {
    const auto part = static_cast<std::uint32_t>(lsn - range.first);
    oracle_.issue(call, lsn, batch ? wal::EntryType::kBatch : wal::EntryType::kData,
                  payloads[part], PayloadId{op.writer, op.index, part}, step(),
                  batch ? range : wal::LsnRange{});
  }
  if (options_.sync == wal::SyncPolicy::kPeriodic &&
      (core().next_sync_due_us() != due_before || core().sync_due(scheduler_.now_us()))) {
    live_->syncer_wake.notify_all();
  }
  wal::Status status;
  if (promises_durability()) status = co_await commit(range.last, activity);
  if (status) observe_durable();
  end(call, status);
}

Task<void> Run::op_checkpoint(const Op& op) {
  const std::uint64_t call = begin(CallKind::kCheckpoint, op);
  const std::vector<std::byte> payload = workload_.payload(op, 0);
  const bool had_spare = core().has_spare();
  sites_.doing(Activity::kCheckpoint);
  wal::Result<wal::Lsn> lsn = core().append_checkpoint(payload);
  after_rotation(had_spare);
  if (!lsn) {
    end(call, lsn.error());
    co_return;
  }
  oracle_.issue(call, *lsn, wal::EntryType::kCheckpoint, payload, PayloadId{op.writer, op.index, 0},
                step());
  const wal::Status status = co_await commit(*lsn, Activity::kCheckpoint);
  if (status) observe_durable();
  end(call, status);
}

Task<void> Run::op_sync(const Op& op) {
  // The sync's target is every LSN handed out so far.
  const wal::Lsn target = core().last_lsn();
  const std::uint64_t call = begin(CallKind::kSync, op, {target, target});
  wal::Status status;
  if (core().poisoned()) {
    status = core().poison_status();
  } else {
    status = co_await commit(core().last_lsn(), Activity::kSync);
  }
  if (status) observe_durable();
  end(call, status);
}

void Run::op_read(const Op& op) {
  const wal::Lsn from = position(op.position_ppm);
  if (from == wal::kNoLsn) return;
  const std::uint64_t call = begin(CallKind::kRead, op, {from, from});
  sites_.doing(Activity::kRead);
  wal::Result<std::unique_ptr<wal::Reader>> reader = core().reader(from);
  if (!reader) {
    end(call, reader.error());
    return;
  }
  wal::Status status;
  wal::Lsn previous = wal::kNoLsn;
  for (;;) {
    wal::Result<std::optional<wal::Entry>> next = (*reader)->next();
    if (!next) {
      status = next.error();
      break;
    }
    if (!next->has_value()) break;
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
    const Expected* expected = oracle_.find(found.lsn);
    if (expected == nullptr || expected->fingerprint != found.fingerprint ||
        expected->type != found.type) {
      live_violations_.push_back(Violation{
          Invariant::kIntegrity, found.lsn, step(),
          fmt::format("integrity: a live read from LSN {} returned LSN {} with fp {:#018x}, "
                      "expected {} [trace step {}]",
                      from, found.lsn, found.fingerprint,
                      expected ? fmt::format("{:#018x}", expected->fingerprint) : "no entry",
                      step())});
      break;
    }
  }
  end(call, status);
}

void Run::op_truncate(const Op& op) {
  const wal::Lsn at = position(op.position_ppm);
  if (at == wal::kNoLsn) return;
  // The WAL keeps what its last durable checkpoint needs, and a rotation inside another
  // writer's call may have made a checkpoint durable that no call has returned yet: observe
  // the watermark first, so the oracle's cut uses the checkpoint the WAL is entitled to use.
  observe_durable();
  const std::uint64_t call = begin(CallKind::kTruncate, op, {at, at});
  sites_.doing(Activity::kTruncateFront);
  end(call, core().truncate_front(at));
}

Task<void> Run::op_reopen(const Op& op) {
  // Log::close: wait for the sync in flight, then close and open again; then check it as a
  // recovery without power loss (nothing issued may be missing).
  while (core().sync_in_flight() || core().prepare_in_flight()) {
    co_await live_->sync_done.wait();
  }
  const std::uint64_t call = begin(CallKind::kClose, op);
  sites_.doing(Activity::kReopen);
  end(call, core().close());
  live_->core.reset();
  const std::uint64_t handles = fs_.open_handles();
  std::unique_ptr<wal::LogCore> reopened;
  Recovery recovery = recover(wal_fs(), &reopened);
  // An open that an injected fault failed is tried again, as an application would.
  for (int attempt = 1; !reopened && !halted() && recovery.open_status.injected() &&
                        attempt < kReopenAttempts;
       ++attempt) {
    recovery = recover(wal_fs(), &reopened);
  }
  if (halted()) co_await Halt{};  // the power went out during the close or the reopen
  CheckInput input;
  input.oracle = &oracle_;
  input.mode = options_.recovery;
  input.retention = options_.max_segments != 0 || options_.max_bytes != 0;
  input.recovery = &recovery;
  input.open_handles_after_close = handles;
  input.step = step();
  judge(input);
  if (!reopened && result_.checks.passed()) {
    // An open that failed acceptably (an injected fault, reported damage): the application
    // gives up; what follows is as after a crash.
    trigger_stop("crash");
    co_await Halt{};
  }
  if (!reopened || !result_.checks.passed()) {
    trigger_stop(reopened ? "a clean reopen broke an invariant"
                          : "reopen failed: " + recovery.open_status.to_string());
    co_await Halt{};
  }
  live_->core = std::move(reopened);
  ++core_generation_;
  durable_seen_ = wal::kNoLsn;
  observe_durable();
  live_->sync_done.notify_all();
  live_->preparer_wake.notify_all();  // the new core has no spare yet
}

Recovery Run::recover(wal::Fs& fs, std::unique_ptr<wal::LogCore>* keep, bool from_checkpoint) {
  drain_faults();
  const std::size_t faults_before = oracle_.faults().size();
  Recovery r = recover_once(fs, keep, from_checkpoint);
  drain_faults();
  for (std::size_t i = faults_before; i < oracle_.faults().size(); ++i) {
    r.read_faults = r.read_faults || oracle_.faults()[i].kind == FaultKind::kReadEio;
    r.misdirected_writes =
        r.misdirected_writes || oracle_.faults()[i].kind == FaultKind::kMisdirectedWrite;
    r.injected_during = true;
  }
  return r;
}

Recovery Run::recover_once(wal::Fs& fs, std::unique_ptr<wal::LogCore>* keep,
                           bool from_checkpoint) {
  Recovery r;
  const Op none;
  const std::uint64_t call = begin(CallKind::kOpen, none);
  wal::Result<std::unique_ptr<wal::LogCore>> opened =
      wal::LogCore::open(fs, clock_, config_.dir, options_);
  end(call, opened.status());
  if (!opened) {
    r.open_status = opened.error();
    return r;
  }
  std::unique_ptr<wal::LogCore> core = std::move(opened).value();
  read_recovery(*core, from_checkpoint, r);
  if (keep != nullptr) *keep = std::move(core);
  return r;
}

void Run::judge(const CheckInput& input) {
  // Each judgement decides anew whether its recovery becomes the history: a clean reopen's
  // earlier rebase must not let a later failed recovery start an epoch (swarm seed 4790).
  rebased_ = false;
  CheckResult checks = check(input);
  for (const InvariantVerdict& verdict : checks.verdicts()) {
    InvariantVerdict& total = result_.checks[verdict.invariant];
    total.checked = total.checked || verdict.checked;
    total.violations.insert(total.violations.end(), verdict.violations.begin(),
                            verdict.violations.end());
  }
  if (!checks.passed() || input.recovery == nullptr || !input.recovery->open_status.is_ok()) {
    return;
  }
  const Recovery& recovery = *input.recovery;
  std::vector<Oracle::Recovered> kept;
  if (recovery.read_status.is_ok()) {
    for (const RecoveredEntry& entry : recovery.entries) kept.push_back({entry.lsn, entry.type});
  } else {
    // An injected read error cut the read-back short; the log the WAL opened ends where it
    // hands out LSNs next, and the history up to there stands as the checker accepted it.
    const wal::Lsn first =
        recovery.entries.empty() ? oracle_.excused_below() : recovery.entries.front().lsn;
    for (const auto& [lsn, expected] : oracle_.entries()) {
      if (lsn >= first && lsn < recovery.next_lsn) kept.push_back({lsn, expected.type});
    }
  }
  // Past media damage the WAL may skip LSNs it saw in records it could not keep, and the
  // checker allowed it: the calls after this reopen are numbered from there.
  oracle_.rebase(kept, oracle_.power_lost(),
                 oracle_.media_damage_injected() ? recovery.next_lsn : wal::kNoLsn);
  rebased_ = true;
}

void Run::power_loss() {
  drain_faults();
  oracle_.crash(step());
  note("power-loss", result_.ops, result_.syncs);
  scheduler_.abandon();
  live_.reset();  // the process is gone: buffered entries dropped, handles released
  if (epoch_ == 1) result_.script.crash = crash_point_reached();
  wal_fs_ = &faults_->top();  // the fs-op halting layer was the crash; recovery runs past it
  ++result_.crashes;
  if (explorer_) return;  // the explorer enumerates the survival outcomes itself
  if (crash_reached_) {
    reached(crashed_site_);
  } else {
    const bool timed = epoch_ == 1 && crash_at_.kind == CrashAt::Kind::kTime &&
                       outcome_ == Scheduler::Outcome::kDeadline;
    reached(timed ? sites_.at_time() : sites_.between_ops());
  }
  faults::crash(fs_, config_.crash.power_loss, crash_prng_);
  apply_media_faults();
}

CheckResult Run::check_crash_state(const sim::SimFsState& state, std::uint64_t hash) {
  // Each state's recovery is checked and thrown away: without faults its Fs calls need no
  // record (the oracle reads faults from the trace).
  sim::Trace* fs_trace = fs_.trace();
  if (!may_inject(config_)) fs_.set_trace(nullptr);
  const Oracle before = oracle_;
  CheckResult totals = std::move(result_.checks);
  result_.checks = CheckResult();
  fs_.restore(state);
  crash_state_hash_ = hash;
  recover_and_check(1);
  crash_state_hash_.reset();
  CheckResult checks = std::move(result_.checks);
  result_.checks = std::move(totals);
  oracle_ = before;
  fs_.set_trace(fs_trace);
  return checks;
}

void Run::apply_media_faults() {
  faults_->after_power_loss(result_.crashes, result_.ops - ops_at_last_crash_);
  ops_at_last_crash_ = result_.ops;
}

void Run::recover_and_check(std::uint32_t count) {
  // count > 1: the first recoveries lose power after a seeded number of Fs operations.
  // `reference` recovers the image as it was before the last of them, uninterrupted: a crash
  // during recovery must not change what the next recovery finds. That holds for what the WAL
  // writes, not for injected damage: a misdirected write of the interrupted recovery (the open
  // rewrites the unproven tail, wal/src/unproven_tail.h) or media damage after its power loss
  // changes the bytes the judged recovery reads, and the two recoveries read different images.
  // The reference is then not compared (swarm seeds 11936, 17173: a rewrite landed on the
  // header of LSN 27, resp. inside LSN 1; the judged recovery rightly cut a torn tail there and
  // its own repeat agreed, while the reference of the undamaged image kept every entry). The
  // judged recovery and its repeat, of the same image, are still compared.
  Recovery reference;
  bool reference_comparable = true;
  std::vector<wal::DamagedRange> earlier_damage;
  auto keep_damage = [&](const Recovery& recovery) {
    earlier_damage.insert(earlier_damage.end(), recovery.report.damage.begin(),
                          recovery.report.damage.end());
  };
  for (std::uint32_t extra = 1; extra < count; ++extra) {
    const sim::SimFsState before = fs_.state();
    HaltingFs counter(wal_fs(), HaltingFs::kUnlimited);
    reference = recover(counter, nullptr);
    keep_damage(reference);
    fs_.restore(before);
    // Drawn even when the script says, so the survival choices after it stay the same.
    std::uint64_t budget = crash_prng_.below(counter.operations() + 1);
    if (config_.script && extra - 1 < config_.script->recovery_crashes.size()) {
      budget = config_.script->recovery_crashes[extra - 1];
    }
    recovery_crashes_.push_back(budget);
    HaltingFs halting(wal_fs(), budget);
    note("crash-during-recovery", budget, counter.operations());
    sites_.doing(Activity::kRecovery);
    const std::size_t faults_before_cut = oracle_.faults().size();
    const Recovery cut = recover(halting, nullptr);
    cut.open_status.ignore_error("the power went out during recovery");
    reached(halting.halted() ? sites_.in_call(halting)
                             : CrashSite{Activity::kRecovery, kBetweenOps});
    keep_damage(cut);
    oracle_.crash(step());
    faults::crash(fs_, config_.crash.power_loss, crash_prng_);
    ++result_.crashes;
    apply_media_faults();
    drain_faults();
    const auto since_cut =
        oracle_.faults().begin() + static_cast<std::ptrdiff_t>(faults_before_cut);
    reference_comparable = std::none_of(since_cut, oracle_.faults().end(), [](const Fault& f) {
      return is_media_damage(f.kind);
    });
  }
  // crash.epochs: the application's own open of this image, which the next epoch runs on,
  // comes after the checks (next_epoch): the checking recoveries close the log, and a close
  // trims what the application's log would still hold.
  if (epoch_ < config_.crash.epochs) resume_from_ = fs_.state();
  // The memo holds only what the WAL alone decides: no faults, no environment decorator.
  const bool keyed = memo_ != nullptr && count == 1 && !decorated_ && !may_inject(config_) &&
                     RecoveryMemo::settled(fs_.state());
  const std::uint64_t key =
      !keyed ? 0 : crash_state_hash_ ? *crash_state_hash_ : sim::durable_hash(fs_.state());
  const RecoveredImage* memoized = keyed ? memo_->find(key) : nullptr;
  RecoveredImage fresh;
  if (memoized != nullptr) {
    memo_->count_hit();
    replay_calls(*memoized);
  } else {
    fresh = recover_close_recover(keyed);
  }
  const RecoveredImage& image = memoized != nullptr ? *memoized : fresh;
  CheckInput input;
  input.oracle = &oracle_;
  input.mode = options_.recovery;
  input.retention = options_.max_segments != 0 || options_.max_bytes != 0;
  input.recovery = &image.recovery;
  if (count > 1 && reference_comparable) input.repeats.push_back(std::move(reference));
  input.repeats.insert(input.repeats.end(), image.repeats.begin(), image.repeats.end());
  input.open_handles_after_close = image.open_handles_after_close;
  input.earlier_damage = std::move(earlier_damage);
  input.step = step();
  judge(input);
  if (keyed && memoized == nullptr) memo_->keep(key, std::move(fresh));
}

RecoveredImage Run::recover_close_recover(bool memoize) {
  RecoveredImage image;
  std::unique_ptr<wal::LogCore> core;
  image.recovery = recover(wal_fs(), &core);
  if (core) {
    const Op none;
    const std::uint64_t call = begin(CallKind::kClose, none);
    image.closed = true;
    image.close_status = core->close();
    end(call, image.close_status);
    core.reset();
    image.open_handles_after_close = fs_.open_handles();
    const bool keyed = memoize && RecoveryMemo::settled(fs_.state());
    const std::uint64_t key = keyed ? sim::durable_hash(fs_.state()) : 0;
    if (const Recovery* repeat = keyed ? memo_->find_repeat(key) : nullptr; repeat != nullptr) {
      end(begin(CallKind::kOpen, none), repeat->open_status);
      image.repeats.push_back(*repeat);
      return image;
    }
    std::unique_ptr<wal::LogCore> again;
    image.repeats.push_back(recover(wal_fs(), &again, false));
    if (again) again->close().ignore_error("the second recovery is only compared");
    if (keyed) memo_->keep_repeat(key, image.repeats.back());
  }
  return image;
}

// The oracle's view of recover_close_recover(), for an image recovered before: the same calls
// with the same outcomes, in the same order.
void Run::replay_calls(const RecoveredImage& image) {
  const Op none;
  end(begin(CallKind::kOpen, none), image.recovery.open_status);
  if (!image.closed) return;
  end(begin(CallKind::kClose, none), image.close_status);
  end(begin(CallKind::kOpen, none), image.repeats.back().open_status);
}

void Run::close_and_reopen_clean() {
  if (live_ && live_->core) {
    live_->stopping = true;
    const Op none;
    const std::uint64_t call = begin(CallKind::kClose, none);
    end(call, core().close());
  }
  scheduler_.abandon();
  live_.reset();
  result_.script.crash = CrashAt{CrashAt::Kind::kNone, 0};
  const std::uint64_t handles = fs_.open_handles();
  faults_->after_power_loss(1, result_.ops);  // media damage at rest before the reopen
  std::unique_ptr<wal::LogCore> core;
  const Recovery recovery = recover(wal_fs(), &core);
  std::vector<Recovery> repeats;
  if (core) {
    core->close().ignore_error("compared through the second recovery");
    core.reset();
    repeats.push_back(recover(wal_fs(), &core, false));
    if (core) core->close().ignore_error("the second recovery is only compared");
  }
  CheckInput input;
  input.oracle = &oracle_;
  input.mode = options_.recovery;
  input.retention = options_.max_segments != 0 || options_.max_bytes != 0;
  input.recovery = &recovery;
  input.repeats = std::move(repeats);
  input.open_handles_after_close = handles;
  input.step = step();
  judge(input);
}

}  // namespace

void settle_verdict(RunResult& result, const ExpectConfig& expect,
                    std::vector<Violation> live_violations,
                    const std::vector<std::string>& contract_violations) {
  for (const std::string& violation : contract_violations) {
    result.problems.push_back("Fs contract violation: " + violation);
  }
  for (Violation& violation : live_violations) {
    result.checks[violation.invariant].checked = true;
    result.checks[violation.invariant].violations.push_back(std::move(violation));
  }
  bool violated = false;
  for (Invariant invariant : result.checks.violated()) {
    if (!expect.invariants.empty() && expect.invariants.count(invariant) == 0) continue;
    if (!violated && result.failure.empty()) {
      result.failure = result.checks[invariant].violations.front().message;
    }
    violated = true;
  }
  if (!result.problems.empty() && result.failure.empty()) {
    result.failure = result.problems.front();
  }
  result.passed = !violated && result.problems.empty();
  result.matched = result.passed == expect.pass;
}

RunResult run_simulation(const RunConfig& config, std::uint64_t seed, sim::Trace* trace) {
  // Any other system under test is a registered harness::Target (target.h).
  if (config.target != "wal") return run_target(config, seed, trace);
  if (config.crash.at.kind == CrashAt::Kind::kInsideOp && !config.script) {
    // A survey pass without a crash finds the ops' Fs operations; the same run then loses
    // power at the one aimed at (a run is a pure function of config and seed).
    RunConfig surveyed = config;
    surveyed.crash.at = CrashAt{CrashAt::Kind::kFsOp, HaltingFs::kUnlimited};
    OpSurvey survey;
    {
      sim::Trace quiet(may_inject(config));
      Run run(surveyed, seed, quiet);
      run.set_survey(&survey);
      run.execute();
    }
    surveyed.crash.at = aim_inside_op(survey, seed);
    return run_simulation(surveyed, seed, trace);
  }
  sim::Trace own(may_inject(config));
  Run run(config, seed, trace != nullptr ? *trace : own);
  return run.execute();
}

namespace {

std::string describe_plan(const sim::CrashPlan& plan) {
  std::string text;
  for (const auto& [inode, fates] : plan.files) {
    text += fmt::format("{}file inode {}: {}", text.empty() ? "" : "; ", inode,
                        faults::describe_fates(fates));
  }
  for (const auto& [inode, survive] : plan.dirs) {
    std::string kept;
    for (bool s : survive) kept += s ? 'K' : 'D';
    text += fmt::format("{}dir inode {}: {}", text.empty() ? "" : "; ", inode, kept);
  }
  return text.empty() ? "nothing pending" : text;
}

}  // namespace

ExploreResult explore(const RunConfig& base, std::uint64_t seed, std::uint64_t max_states,
                      bool memoize) {
  ExploreResult out;
  if (base.target != "wal") {
    out.problem = "exploration runs the wal target only (target \"" + base.target + "\")";
    return out;
  }
  RunConfig config = base;
  config.crash.count = 1;
  config.crash.epochs = 1;
  faults::EnumerateOptions options;
  options.policy = config.crash.power_loss.policy;
  options.lose_unsynced_dir_ops = config.crash.power_loss.lose_unsynced_dir_ops;
  bool cut = false;
  RecoveryMemo memo;
  for (std::uint64_t n = 0; !cut; ++n) {
    const CrashAt at{CrashAt::Kind::kFsOp, n};
    if (config.script) {
      config.script->crash = at;
    } else {
      config.crash.at = at;
    }
    bool reached = false;
    sim::Trace trace(may_inject(config));
    Run run(config, seed, trace);
    run.set_explorer([&](Run& live) {
      reached = live.reached_crash();
      ++out.crash_points;
      const sim::SimFsState state = live.crash_state();
      options.max_states = max_states - out.states;
      std::uint64_t index = 0;
      const faults::EnumerationResult walked = faults::enumerate_crash_states(
          state, config.device, options,
          [&](const sim::SimFsState& after, const sim::CrashPlan& plan, std::uint64_t hash) {
            CheckResult checks = live.check_crash_state(after, hash);
            ++out.states;
            if (!checks.passed()) {
              ++out.failed_states;
              if (!out.first_failure) {
                ExploreFailure failure;
                failure.crash = at;
                failure.state = index;
                failure.plan = describe_plan(plan);
                failure.checks = std::move(checks);
                failure.repro = fmt::format(
                    "walsim explore --seed {}: crash {} state #{} ({})", seed, at.to_string(),
                    index, failure.plan);
                out.first_failure = std::move(failure);
              }
            }
            ++index;
            return true;
          });
      out.plans += walked.plans;
      if (!walked.complete) cut = true;
    }, memoize ? &memo : nullptr);
    const RunResult result = run.execute();
    if (!result.problems.empty()) {
      out.problem = fmt::format("crash {}: {}", at.to_string(), result.problems.front());
      return out;
    }
    if (!reached) {
      out.complete = !cut;
      return out;
    }
    if (out.states >= max_states) cut = true;
  }
  return out;
}

}  // namespace harness
