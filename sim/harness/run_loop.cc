// The one run loop (run_loop.h): the streams, the crash point, the threads, the power loss, the
// epochs and the verdict, the same for every system under test.
#include "sim/harness/run_loop.h"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "faults/power_loss.h"
#include "sim/harness/wal_log_route.h"

namespace harness {
namespace {

const char kPowerToken = 0;  // what the power thread waits on

sim::ThreadLimits thread_limits(const RunConfig& config) {
  sim::ThreadLimits limits;
  limits.max_steps = config.max_steps;
  return limits;
}

}  // namespace

void RunLoop::keep_forever(std::shared_ptr<void> held) {
  // Still reachable, so a leak checker does not report what is kept on purpose.
  static std::mutex graveyard_mutex;
  static auto* graveyard = new std::vector<std::shared_ptr<void>>();
  const std::lock_guard<std::mutex> lock(graveyard_mutex);
  graveyard->push_back(std::move(held));
}

bool may_inject(const RunConfig& config) {
  return config.faults.any() || config.decorate_fs ||
         (config.script && !config.script->faults.empty());
}

RunLoop::RunLoop(const RunConfig& config, std::uint64_t seed, sim::Trace& trace)
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
  crash_point_prng_ = prng_.fork();
  const Script* script = config.script ? &*config.script : nullptr;
  faults_ = std::make_unique<FaultStack>(decorated_ ? *decorated_ : fs_, fs_, config.faults,
                                         script ? &script->faults : nullptr, prng_.fork());
  crash_at_ = script ? script->crash : config.crash.at;
  const bool by_fs_op = crash_at_.kind == CrashAt::Kind::kFsOp;
  halting_ = std::make_unique<HaltingFs>(faults_->top(),
                                         by_fs_op ? crash_at_.value : HaltingFs::kUnlimited);
  yielding_ = std::make_unique<sim::YieldingFs>(*halting_, threads_, config.device);
  choose_crash_point();
  // Forked last: a run of one epoch draws exactly what it drew before epochs existed.
  epoch_prng_ = prng_.fork();
  next_op_.assign(workload_.writers.size(), 0);
}

Workload RunLoop::make_workload_or_script(std::uint64_t seed) const {
  // The seed is drawn either way, so a scripted run's other streams match the original's.
  if (!config_.script) return make_workload(seed, config_.workload);
  Workload workload;
  workload.seed = config_.script->payload_seed;
  workload.writers = config_.script->writers;
  if (workload.writers.empty()) workload.writers.emplace_back();
  return workload;
}

void RunLoop::choose_crash_point() {
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
        crash_here(CrashAt{CrashAt::Kind::kFsOp, crash_at_.value}, site_of_this_cut());
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

CrashSite RunLoop::site_of_this_cut() {
  const ThreadCtx& now = ctx();
  return site_of_cut(now.activity, now.ticket, halting_->cut_call(), halting_->last_admitted());
}

void RunLoop::crash_here(CrashAt where, CrashSite site) {
  if (stop_requested_) return;
  halting_->cut_now();
  crash_reached_ = true;
  crashed_at_ = where;
  crashed_site_ = site;
  trigger_stop("crash");
}

CrashAt RunLoop::crash_point_reached() const {
  if (!crash_configured() && !gave_up_) return CrashAt{CrashAt::Kind::kNone, 0};
  if (crash_reached_) return crashed_at_;
  // A time crash the workload outran stays one: its power thread took part in the schedule,
  // and a replay without it would interleave differently (swarm seed 2712's shrink).
  if (crash_at_.kind == CrashAt::Kind::kTime) return crash_at_;
  // Not reached: the power went out after the last op, as before op `ops`.
  return CrashAt{CrashAt::Kind::kOp, result_.ops};
}

void RunLoop::trigger_stop(std::string why) {
  if (stop_requested_) return;
  stop_requested_ = true;
  stop_reason_ = std::move(why);
  note("stop", 0, 0);
  // Whatever stops the run ends the process: nothing more reaches the disk.
  halting_->cut_now();
}

void RunLoop::note_time() {
  // The timeline's clock (walsim's run record reads virtual time from these).
  const std::uint64_t now = threads_.now_us();
  if (now != noted_us_) {
    noted_us_ = now;
    trace_.note("schedule", "time", now, 0);
  }
}

void RunLoop::note(std::string_view what, std::uint64_t a, std::uint64_t b) {
  note_time();
  trace_.note("harness", what, a, b);
}

RunLoop::ThreadCtx& RunLoop::ctx() {
  const int id = sim::ThreadScheduler::current_thread();
  auto [it, fresh] = threads_ctx_.try_emplace(id);
  if (fresh) {
    // wal::Log's own threads say who they are by name.
    const std::string_view name = sim::ThreadScheduler::current_thread_name();
    if (name == "wal-syncer") it->second.activity = Activity::kSyncer;
    if (name == "wal-preparer") it->second.activity = Activity::kPreparer;
  }
  return it->second;
}

RunResult RunLoop::execute() {
  // The WAL's log lines of this run go into its trace (wal_log_route.h), with virtual time.
  route_wal_log();
  const ScopedWalLogListener log_lines([this](std::string_view level, std::string_view text) {
    note_time();
    trace_.note("log", level, 0, 0, text);
  });
  result_.seed = seed_;
  fs_.make_durable_dirs(config_.dir);
  const bool opened = run_workload(Activity::kOpen);
  if (survey_ != nullptr) return std::move(result_);
  if (result_.problems.empty()) {
    // A first open that failed honestly (an injected fault), or a store that failed and was
    // given up, is a process that restarts and recovers, as after a power loss.
    if (crash_configured() || !opened || gave_up_) {
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
  before_finish();
  report_foreign_calls();  // a foreign thread's call after the last run of the threads
  result_.script.payload_seed = workload_.seed;
  result_.script.writers = workload_.writers;
  result_.script.faults = faults_->fired();
  result_.script.recovery_crashes = recovery_crashes_;
  count_faults();
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

bool RunLoop::run_threads(const std::function<void()>& body) {
  const sim::ThreadScheduler::Outcome outcome = threads_.run(body);
  threads_ended();
  report_foreign_calls();
  if (outcome == sim::ThreadScheduler::Outcome::kDone) return true;
  result_.hang = true;
  const char* what = outcome == sim::ThreadScheduler::Outcome::kDeadlock ? "deadlock"
                     : outcome == sim::ThreadScheduler::Outcome::kStepLimit
                         ? "hang: the step limit"
                         : "stalled: a thread blocked outside the scheduler";
  std::string threads = threads_.describe();
  std::replace(threads.begin(), threads.end(), '\n', ';');
  result_.problems.push_back(fmt::format("{} after {} scheduler steps (virtual time {} us): {}",
                                         what, threads_.steps(), threads_.now_us(), threads));
  return false;
}

void RunLoop::report_foreign_calls() {
  std::optional<std::string> foreign = threads_.take_foreign_call();
  if (!foreign) return;
  result_.problems.push_back(
      "not deterministic: " + *foreign +
      "; the call was refused with an I/O error. A thread of the system under test ran outside "
      "the simulation: run it on the Env's or runtime's threads, or turn it off");
}

bool RunLoop::run_workload(Activity how) {
  bool opened = false;
  workload_done_ = false;
  threads_ctx_.clear();
  if (!run_threads([this, how, &opened] { main_thread(how, &opened); })) return opened;
  if (!stop_reason_.empty() && stop_reason_ != "crash" && stop_reason_ != "gave-up") {
    result_.problems.push_back(stop_reason_);
  }
  return opened;
}

void RunLoop::main_thread(Activity how, bool* opened) {
  ctx().activity = how;
  sites_.followed(how);
  if (!open_live(how)) return;
  *opened = true;
  std::vector<int> writers;
  for (std::uint32_t w = 0; w < workload_.writers.size(); ++w) {
    writers.push_back(threads_.spawn("writer", [this, w] { writer(w); }));
  }
  const bool timed = epoch_ == 1 && crash_at_.kind == CrashAt::Kind::kTime;
  const int power = timed ? threads_.spawn("power", [this] { power_thread(); }) : -1;
  for (int writer : writers) threads_.join(writer);
  workload_done_ = true;
  if (power >= 0) {
    threads_.wake_all(&kPowerToken);
    threads_.join(power);
  }
  if (survey_ != nullptr) {
    halting_->cut_now();  // a survey only watches; the store is dropped, not closed
  } else if (crash_configured() && !halted()) {
    // The crash point was never reached: the power goes out after the last op.
    halting_->cut_now();
  } else if (!crash_configured() && !halted()) {
    close_live();
  }
  // On a simulated thread: the store's own threads end here.
  drop_live();
}

void RunLoop::power_thread() {
  // crash.at = time:US. A workload that ends first leaves the power on (the crash then comes
  // after the last op).
  if (threads_.block(&kPowerToken, crash_at_.value, "the power cut at a virtual time")) return;
  if (workload_done_) return;
  crash_here(CrashAt{CrashAt::Kind::kTime, crash_at_.value}, sites_.at_time());
}

void RunLoop::writer(std::uint32_t index) {
  const std::vector<Op>& ops = workload_.writers[index];
  while (next_op_[index] < ops.size() && !stop_requested_) {
    const Op& op = ops[next_op_[index]];
    if (result_.ops == crash_op_) {
      crash_here(CrashAt{CrashAt::Kind::kOp, result_.ops}, sites_.between_ops());
      return;
    }
    ++result_.ops;
    ++next_op_[index];
    sites_.followed(activity_of(op.kind));
    threads_.sleep_for(config_.device.write_latency_us.sample(latency_prng_));
    if (stop_requested_) return;
    const std::size_t surveyed = survey_ != nullptr ? survey_->ops.size() : 0;
    if (survey_ != nullptr) {
      survey_->ops.push_back({op.kind, op.index, halting_->operations() + 1, 0});
    }
    do_op(op);
    if (survey_ != nullptr) survey_->ops[surveyed].last = halting_->operations();
  }
}

bool RunLoop::next_epoch() {
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

void RunLoop::power_loss() {
  before_power_loss();
  note("power-loss", result_.ops, result_.syncs);
  if (epoch_ == 1) result_.script.crash = crash_point_reached();
  ++result_.crashes;
  if (explorer_) return;  // the explorer enumerates the survival outcomes itself
  reached(crash_reached_ ? crashed_site_ : sites_.between_ops());
  if (forced_state_) {
    fs_.restore(*forced_state_);
    // One crash image: a later epoch's power loss is its own.
    forced_state_.reset();
  } else if (config_.power_loss_hook != nullptr && result_.crashes == 1) {
    // The same draw as faults::crash, so the run after it goes on as the unwatched one.
    const sim::CrashPlan plan = faults::choose_crash_plan(fs_.state(), fs_.device(),
                                                          config_.crash.power_loss, crash_prng_);
    if (std::optional<sim::SimFsState> instead =
            config_.power_loss_hook->first_power_loss(fs_.state(), plan)) {
      fs_.restore(*instead);
    } else {
      faults::crash_with_plan(fs_, plan, config_.crash.power_loss.policy);
    }
  } else {
    faults::crash(fs_, config_.crash.power_loss, crash_prng_);
  }
  apply_media_faults();
}

void RunLoop::apply_media_faults() {
  faults_->after_power_loss(result_.crashes, result_.ops - ops_at_last_crash_);
  ops_at_last_crash_ = result_.ops;
}

std::uint64_t RunLoop::recovery_crash_budget(std::uint64_t operations) {
  // Drawn even when the script says, so the survival choices after it stay the same.
  std::uint64_t budget = crash_prng_.below(operations + 1);
  // The script lists them in order over the whole run, every epoch's recoveries included.
  const std::size_t index = recovery_crashes_.size();
  if (config_.script && index < config_.script->recovery_crashes.size()) {
    budget = config_.script->recovery_crashes[index];
  }
  recovery_crashes_.push_back(budget);
  return budget;
}

void RunLoop::recovery_lost_power(const HaltingFs& halting) {
  reached(halting.halted() ? site_of_cut(Activity::kRecovery, false, halting.cut_call(),
                                         halting.last_admitted())
                           : CrashSite{Activity::kRecovery, kBetweenOps});
  faults::crash(fs_, config_.crash.power_loss, crash_prng_);
  ++result_.crashes;
  apply_media_faults();
}

void RunLoop::on_sync_begin(wal::Lsn target) {
  ThreadCtx& self = ctx();
  self.ticket = true;
  sync_event(true);
  if (halted()) return;
  const std::uint64_t sync_index = result_.syncs++;
  sync_started(target);
  note("sync-begin", sync_index, target);
  if (sync_index == crash_sync_ && !crash_after_sync_) {
    crash_here(CrashAt{CrashAt::Kind::kBeforeSync, sync_index},
               {self.activity, kBeforeFdatasync});
  }
}

void RunLoop::on_sync_end(wal::Lsn target, const wal::Status& status) {
  static_cast<void>(target);
  sync_event(false);
  ThreadCtx& self = ctx();
  self.ticket = false;
  if (halted()) return;
  note("sync-end", result_.syncs - 1, static_cast<std::uint64_t>(status.code()));
  if (result_.syncs - 1 == crash_sync_ && crash_after_sync_) {
    crash_here(CrashAt{CrashAt::Kind::kAfterSync, crash_sync_},
               {self.activity, kAfterFdatasync});
  }
}

}  // namespace harness
