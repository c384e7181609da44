// run_target: the runner of runner.h around a registered Target instead of wal::LogCore. The
// same streams are drawn in the same order from the seed (scheduler, latencies, crash survival,
// workload, faults, salt, crash point), the same fault stack, halting layer and power loss are
// used, and the run reports in the same RunResult, so walsim's sweep, replay, shrink and reports
// work on targets unchanged. A target's ops run synchronously inside the scheduler's events: a
// store is one application thread, and the writers interleave at op boundaries.
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "faults/power_loss.h"
#include "sim/harness/crash_site.h"
#include "sim/harness/crash_aim.h"
#include "sim/harness/fault_stack.h"
#include "sim/harness/halting_fs.h"
#include "sim/harness/runner.h"
#include "sim/harness/scheduler.h"
#include "sim/harness/target.h"
#include "sim/sim_fs.h"

namespace harness {
namespace {

constexpr int kOpenAttempts = 4;

// Parks a task for good: the crash that follows destroys its frame.
struct Halt {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const noexcept {}
};

// Each op's own choices: a function of the payload seed and the op's index only, so dropping
// other ops from a script (shrinking) leaves this op's choices as they were.
sim::Prng op_choices(std::uint64_t payload_seed, std::uint32_t index) {
  return sim::Prng(payload_seed ^ (0x9e3779b97f4a7c15ull * (std::uint64_t{index} + 1)));
}

CallKind call_kind(OpKind kind) {
  switch (kind) {
    case OpKind::kAppend:
      return CallKind::kAppend;
    case OpKind::kBatch:
      return CallKind::kBatch;
    case OpKind::kSync:
      return CallKind::kSync;
    case OpKind::kCheckpoint:
      return CallKind::kCheckpoint;
    case OpKind::kRead:
      return CallKind::kRead;
    case OpKind::kTruncate:
      return CallKind::kTruncate;
    case OpKind::kReopen:
      return CallKind::kClose;
  }
  return CallKind::kAppend;
}

bool is_media_fault(std::string_view name) {
  return name == "bit_flip" || name == "latent_sector" || name == "misdirected_write";
}

class TargetRun {
 public:
  TargetRun(const RunConfig& config, const TargetInfo& info, std::uint64_t seed, sim::Trace& trace)
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
        fault_prng_(prng_.fork()),
        target_(info.make()) {
    if (config.decorate_fs) decorated_ = config.decorate_fs(fs_, fault_prng_);
    options_ = config.wal;
    options_.fs = nullptr;
    options_.clock = nullptr;
    options_.salt = prng_.next_u64() | 1;
    crash_point_prng_ = prng_.fork();
    const Script* script = config.script ? &*config.script : nullptr;
    faults_ = std::make_unique<FaultStack>(decorated_ ? *decorated_ : fs_, fs_, config.faults,
                                           script ? &script->faults : nullptr, prng_.fork());
    wal_fs_ = &faults_->top();
    crash_at_ = script ? script->crash : config.crash.at;
    choose_crash_point();
  }

  // crash.at = "inside-op": as Run::set_survey (runner.cc).
  void set_survey(OpSurvey* survey) {
    WAL_ASSERT(halting_ != nullptr && survey != nullptr);
    survey_ = survey;
    halting_->record_barriers(&survey->barriers);
  }

  RunResult execute();

 private:
  Workload make_workload_or_script(std::uint64_t seed) const;
  void choose_crash_point();
  bool crash_configured() const { return crash_at_.kind != CrashAt::Kind::kNone; }
  void crash_here(CrashAt where, CrashSite site);
  CrashAt crash_point_reached() const;
  void trigger_stop(std::string why);
  void reached(const CrashSite& site) {
    ++result_.coverage[crash_cell(site, config_.crash.power_loss.policy, config_.target)];
  }

  bool open_target(wal::Fs& fs, bool retry);
  void open_failed(std::string_view when);
  void run_workload();
  Task<void> writer(std::uint32_t index);
  void do_op(const Op& op);
  void reopen(const Op& op);
  void give_up(const wal::Status& status);
  void power_loss();
  void recover_and_check(std::uint32_t count);
  void close_and_reopen_clean();
  void check_and_reopen(bool power_lost);
  void judge(std::vector<Violation> violations);

  // The fs-op layer's power cut, while that layer is in the stack: the crash takes it out, and
  // a later epoch must not read its old cut as a new one.
  bool halted() const { return halting_ && wal_fs_ == halting_.get() && halting_->halted(); }
  std::uint64_t step() const { return scheduler_.steps(); }
  wal::Fs& wal_fs() { return *wal_fs_; }
  bool faults_fired() const { return trace_.injected_fault_count() != 0; }
  bool media_damage() const;
  std::uint64_t begin(CallKind kind, const Op& op);
  void end(std::uint64_t call, const wal::Status& status);
  void note(std::string_view what, std::uint64_t a = 0, std::uint64_t b = 0) {
    trace_.note("harness", what, a, b);
  }

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
  std::unique_ptr<Target> target_;
  std::unique_ptr<wal::Fs> decorated_;
  std::unique_ptr<FaultStack> faults_;
  std::unique_ptr<HaltingFs> halting_;
  wal::Fs* wal_fs_ = nullptr;
  CrashAt crash_at_;
  OpSurvey* survey_ = nullptr;
  wal::Options options_;
  RunResult result_;

  std::uint64_t crash_op_ = kNever;
  bool crash_reached_ = false;
  CrashAt crashed_at_;
  // The coverage matrix: a store's calls are its own, so only paths name a rotation (a sync
  // ticket's flag stays up).
  CrashSites sites_;
  CrashSite crashed_site_;
  Scheduler::Outcome outcome_ = Scheduler::Outcome::kIdle;
  bool stop_requested_ = false;
  std::string stop_reason_;
  bool gave_up_ = false;
  wal::Status open_error_;
  std::uint64_t next_call_ = 0;
  std::uint64_t ops_at_last_crash_ = 0;
  std::vector<std::uint64_t> recovery_crashes_;
  std::vector<Violation> live_violations_;
};

Workload TargetRun::make_workload_or_script(std::uint64_t seed) const {
  if (!config_.script) return make_workload(seed, config_.workload);
  Workload workload;
  workload.seed = config_.script->payload_seed;
  workload.writers = config_.script->writers;
  if (workload.writers.empty()) workload.writers.emplace_back();
  return workload;
}

void TargetRun::choose_crash_point() {
  const std::uint64_t ops = workload_.total_ops();
  const std::uint64_t random_op = crash_point_prng_.below(ops + 1);
  switch (crash_at_.kind) {
    case CrashAt::Kind::kRandom:
      crash_op_ = random_op;
      break;
    case CrashAt::Kind::kOp:
      crash_op_ = crash_at_.value;
      break;
    case CrashAt::Kind::kPersistencePoints:
    case CrashAt::Kind::kBeforeSync:
    case CrashAt::Kind::kAfterSync:
      // The WAL's sync tickets are inside the target's calls; fs-op:N reaches every moment
      // there, so a target crashes before a seeded op instead.
      result_.notes.push_back(fmt::format(
          "crash.at {}: sync points are the WAL runner's; target '{}' crashes before op {}",
          crash_at_.to_string(), config_.target, random_op));
      crash_op_ = random_op;
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
      WAL_ASSERT(false && "run_target resolves inside-op to fs-op:N before the run");
      break;
  }
}

void TargetRun::crash_here(CrashAt where, CrashSite site) {
  if (stop_requested_) return;
  crash_reached_ = true;
  crashed_at_ = where;
  crashed_site_ = site;
  trigger_stop("crash");
}

CrashAt TargetRun::crash_point_reached() const {
  if (crash_reached_) return crashed_at_;
  if (!crash_configured() && !gave_up_) return CrashAt{CrashAt::Kind::kNone, 0};
  if (outcome_ == Scheduler::Outcome::kDeadline) {
    return CrashAt{CrashAt::Kind::kTime, crash_at_.value};
  }
  return CrashAt{CrashAt::Kind::kOp, result_.ops};
}

void TargetRun::trigger_stop(std::string why) {
  if (stop_requested_) return;
  stop_requested_ = true;
  stop_reason_ = std::move(why);
  note("stop");
  scheduler_.stop();
}

bool TargetRun::media_damage() const {
  for (const auto& [name, count] : trace_.injected_faults()) {
    if (count != 0 && is_media_fault(name)) return true;
  }
  return false;
}

std::uint64_t TargetRun::begin(CallKind kind, const Op& op) {
  note(to_string(kind), op.writer, op.index);
  return next_call_++;
}

void TargetRun::end(std::uint64_t call, const wal::Status& status) {
  note("return", call, static_cast<std::uint64_t>(status.code()));
}

RunResult TargetRun::execute() {
  result_.seed = seed_;
  fs_.make_durable_dirs(config_.dir);
  sites_.followed(Activity::kOpen);
  sites_.doing(Activity::kOpen, true);
  const bool opened = open_target(wal_fs(), false);
  if (!opened && !halted()) open_failed("opening a new store");
  if (opened) run_workload();
  if (survey_ != nullptr) return std::move(result_);
  if (result_.problems.empty()) {
    if (crash_configured() || !opened || gave_up_) {
      power_loss();
      recover_and_check(config_.crash.count);
    } else {
      close_and_reopen_clean();
    }
  }
  result_.script.payload_seed = workload_.seed;
  result_.script.writers = workload_.writers;
  result_.script.faults = faults_->fired();
  result_.script.recovery_crashes = recovery_crashes_;
  for (const auto& [name, count] : trace_.injected_faults()) {
    if (count != 0) result_.faults_injected[name] = count;
  }
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

bool TargetRun::open_target(wal::Fs& fs, bool retry) {
  const Op none;
  for (int attempt = 0; attempt < (retry ? kOpenAttempts : 1); ++attempt) {
    TargetEnv env;
    env.fs = &fs;
    env.clock = &clock_;
    env.dir = config_.dir;
    env.options = options_;
    const std::uint64_t faults_before = trace_.injected_fault_count();
    const std::uint64_t call = begin(CallKind::kOpen, none);
    wal::Status status = target_->open(env);
    end(call, status);
    if (status) return true;
    target_->crash();
    open_error_ = status;
    const bool injected = status.injected() || trace_.injected_fault_count() != faults_before;
    if (!injected) break;
  }
  return false;
}

void TargetRun::open_failed(std::string_view when) {
  if (open_error_.injected() || faults_fired() || media_damage()) {
    result_.notes.push_back(fmt::format("{} failed after injected faults: {}", when,
                                        open_error_.to_string()));
    return;
  }
  result_.problems.push_back(fmt::format("{} failed: {}", when, open_error_.to_string()));
}

void TargetRun::run_workload() {
  for (std::uint32_t w = 0; w < workload_.writers.size(); ++w) {
    scheduler_.spawn(writer(w), "writer");
  }
  const std::uint64_t until = crash_at_.kind == CrashAt::Kind::kTime ? crash_at_.value : kNever;
  outcome_ = scheduler_.run(until);
  if (outcome_ == Scheduler::Outcome::kStepLimit) {
    result_.hang = true;
    result_.problems.push_back(fmt::format("hang: {} scheduler steps without finishing", step()));
  }
  if (!stop_reason_.empty() && stop_reason_ != "crash" && stop_reason_ != "gave-up") {
    result_.problems.push_back(stop_reason_);
  }
}

Task<void> TargetRun::writer(std::uint32_t index) {
  for (const Op& op : workload_.writers[index]) {
    if (result_.ops == crash_op_) {
      crash_here(CrashAt{CrashAt::Kind::kOp, result_.ops}, sites_.between_ops());
      co_await Halt{};
    }
    ++result_.ops;
    sites_.followed(activity_of(op.kind));
    co_await scheduler_.sleep_for(config_.device.write_latency_us.sample(latency_prng_), "op");
    if (survey_ != nullptr) survey_->ops.push_back({op.kind, halting_->operations() + 1, 0});
    do_op(op);
    if (survey_ != nullptr) survey_->ops.back().last = halting_->operations();
    if (stop_requested_) co_await Halt{};
  }
}

void TargetRun::do_op(const Op& op) {
  if (op.kind == OpKind::kReopen) {
    reopen(op);
    return;
  }
  sim::Prng choices = op_choices(workload_.seed, op.index);
  const std::uint64_t call = begin(call_kind(op.kind), op);
  sites_.doing(activity_of(op.kind), true);
  Applied applied = target_->apply(op, choices);
  end(call, applied.ack == Ack::kFailed ? applied.status : wal::Status::ok());
  note("ack", op.index, static_cast<std::uint64_t>(applied.ack));
  for (Violation& violation : applied.violations) {
    violation.step = step();
    live_violations_.push_back(std::move(violation));
  }
  if (applied.ack == Ack::kFailed) give_up(applied.status);
}

void TargetRun::give_up(const wal::Status& status) {
  if (halted()) return;  // the power went out inside the call: the crash is under way
  if (!status.injected() && !faults_fired()) {
    trigger_stop(fmt::format("a store call failed with no fault injected: {}", status.to_string()));
    return;
  }
  // The application stops at its first error and restarts: as after a crash.
  gave_up_ = true;
  note("gave-up", result_.ops);
  trigger_stop("gave-up");
}

void TargetRun::reopen(const Op& op) {
  const std::uint64_t call = begin(CallKind::kClose, op);
  sites_.doing(Activity::kReopen, true);
  const wal::Status closed = target_->close();
  end(call, closed);
  if (!closed) {
    give_up(closed);
    return;
  }
  if (!open_target(wal_fs(), true)) {
    if (halted()) return;
    give_up(open_error_);
    return;
  }
  judge(target_->check(false));
  if (!result_.checks.passed()) trigger_stop("a clean reopen broke an invariant");
}

void TargetRun::power_loss() {
  note("power-loss", result_.ops, 0);
  scheduler_.abandon();
  target_->crash();
  result_.script.crash = crash_point_reached();
  wal_fs_ = &faults_->top();  // the fs-op halting layer was the crash; recovery runs past it
  ++result_.crashes;
  if (crash_reached_) {
    reached(crashed_site_);
  } else {
    const bool timed = crash_at_.kind == CrashAt::Kind::kTime &&
                       outcome_ == Scheduler::Outcome::kDeadline;
    reached(timed ? sites_.at_time() : sites_.between_ops());
  }
  faults::crash(fs_, config_.crash.power_loss, crash_prng_);
  faults_->after_power_loss(result_.crashes, result_.ops - ops_at_last_crash_);
  ops_at_last_crash_ = result_.ops;
}

void TargetRun::recover_and_check(std::uint32_t count) {
  for (std::uint32_t extra = 1; extra < count; ++extra) {
    const sim::SimFsState before = fs_.state();
    HaltingFs counter(wal_fs(), HaltingFs::kUnlimited);
    open_target(counter, false);
    target_->crash();
    fs_.restore(before);
    std::uint64_t budget = crash_prng_.below(counter.operations() + 1);
    if (config_.script && extra - 1 < config_.script->recovery_crashes.size()) {
      budget = config_.script->recovery_crashes[extra - 1];
    }
    recovery_crashes_.push_back(budget);
    HaltingFs halting(wal_fs(), budget);
    note("crash-during-recovery", budget, counter.operations());
    sites_.doing(Activity::kRecovery, true);
    open_target(halting, false);
    target_->crash();
    reached(halting.halted() ? sites_.in_call(halting)
                             : CrashSite{Activity::kRecovery, kBetweenOps});
    faults::crash(fs_, config_.crash.power_loss, crash_prng_);
    ++result_.crashes;
    faults_->after_power_loss(result_.crashes, 0);
  }
  if (!open_target(wal_fs(), true)) {
    open_failed("recovery");
    return;
  }
  check_and_reopen(true);
}

void TargetRun::close_and_reopen_clean() {
  const Op none;
  const std::uint64_t call = begin(CallKind::kClose, none);
  const wal::Status closed = target_->close();
  end(call, closed);
  scheduler_.abandon();
  if (!closed) {
    if (!closed.injected() && !faults_fired()) {
      result_.problems.push_back("closing the store failed: " + closed.to_string());
      return;
    }
    gave_up_ = true;
    power_loss();
    recover_and_check(1);
    return;
  }
  result_.script.crash = CrashAt{CrashAt::Kind::kNone, 0};
  faults_->after_power_loss(1, result_.ops);  // media damage at rest before the reopen
  if (!open_target(wal_fs(), true)) {
    open_failed("reopening the store");
    return;
  }
  check_and_reopen(false);
}

void TargetRun::check_and_reopen(bool power_lost) {
  judge(target_->check(power_lost));
  // Recovering twice gives the same state: a clean close and open must lose nothing.
  const Op none;
  std::uint64_t call = begin(CallKind::kClose, none);
  const wal::Status closed = target_->close();
  end(call, closed);
  if (!closed || !open_target(wal_fs(), true)) {
    if (!closed) open_error_ = closed;
    open_failed("reopening the recovered store");
    return;
  }
  judge(target_->check(false));
  call = begin(CallKind::kClose, none);
  const wal::Status last = target_->close();
  end(call, last);
  if (!last && !last.injected() && !faults_fired()) {
    result_.problems.push_back("closing the store failed: " + last.to_string());
  }
}

void TargetRun::judge(std::vector<Violation> violations) {
  for (const TargetInvariant& invariant : target_->invariants()) {
    result_.checks[invariant.category].checked = true;
  }
  for (Violation& violation : violations) {
    violation.step = step();
    result_.checks[violation.invariant].violations.push_back(std::move(violation));
  }
}

}  // namespace

RunResult run_target(const RunConfig& config, std::uint64_t seed, sim::Trace* trace) {
  const TargetInfo* info = find_target(config.target);
  if (info == nullptr) {
    RunResult result;
    result.seed = seed;
    std::string known = "wal";
    for (const std::string& name : target_names()) known += "|" + name;
    result.failure = fmt::format("unknown target '{}' (this build has {})", config.target, known);
    result.problems.push_back(result.failure);
    result.matched = !config.expect.pass;
    return result;
  }
  if (config.crash.at.kind == CrashAt::Kind::kInsideOp && !config.script) {
    RunConfig surveyed = config;
    surveyed.crash.at = CrashAt{CrashAt::Kind::kFsOp, HaltingFs::kUnlimited};
    OpSurvey survey;
    {
      sim::Trace quiet;
      TargetRun run(surveyed, *info, seed, quiet);
      run.set_survey(&survey);
      run.execute();
    }
    surveyed.crash.at = aim_inside_op(survey, seed);
    return run_target(surveyed, seed, trace);
  }
  sim::Trace own;
  TargetRun run(config, *info, seed, trace != nullptr ? *trace : own);
  return run.execute();
}

}  // namespace harness
