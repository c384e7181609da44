// A registered target in the one run loop (target_run.h).
#include "sim/harness/target_run.h"

#include <mutex>

#include <fmt/format.h>

namespace harness {
namespace {

constexpr int kOpenAttempts = 4;

}  // namespace

TargetRun::TargetRun(const RunConfig& config, const TargetInfo& info, std::uint64_t seed,
                     sim::Trace& trace)
    : RunLoop(config, seed, trace),
      info_(info),
      target_(info.make()),
      app_mutex_(runtime_.make_mutex()) {}

TargetRun::~TargetRun() {
  // After a hang the scheduler's parked threads may still be inside the store.
  if (result_.hang) keep_forever(std::shared_ptr<Target>(std::move(target_)));
}

CheckResult TargetRun::check_crash_state(const sim::SimFsState& state, std::uint64_t hash) {
  static_cast<void>(hash);
  sim::Trace quiet(may_inject(config_));
  TargetRun again(config_, info_, seed_, quiet);
  again.force_crash_state(state);
  RunResult result = again.execute();
  for (const std::string& problem : result.problems) {
    result.checks[Invariant::kDurability].checked = true;
    result.checks[Invariant::kDurability].violations.push_back(
        Violation{Invariant::kDurability, wal::kNoLsn, result.steps, problem});
  }
  return std::move(result.checks);
}

bool TargetRun::media_damage() const {
  for (const auto& [name, count] : trace_.injected_faults()) {
    const std::optional<FaultKind> kind = parse_fault_kind(name);
    if (count != 0 && kind && is_media_damage(*kind)) return true;
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

void TargetRun::count_faults() {
  for (const auto& [name, count] : trace_.injected_faults()) {
    if (count != 0) result_.faults_injected[name] = count;
  }
}

bool TargetRun::open_store(wal::Fs& fs, int attempts) {
  const Op none;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    TargetEnv env;
    env.fs = &fs;
    env.clock = &runtime_;
    env.runtime = &runtime_;
    env.dir = config_.dir;
    env.options = options_;
    env.options.fs = &fs;
    env.options.clock = &runtime_;
    env.options.runtime = &runtime_;
    env.options.listener = this;
    if (const TargetInfo* info = find_target(config_.target)) {
      env.settings = target_settings(*info, config_.target_settings);
    }
    env.seed = seed_;
    env.device = config_.device;
    env.process_crash = config_.crash.power_loss.policy == faults::CrashPolicy::kProcess;
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

bool TargetRun::open_live(Activity how) {
  if (open_store(live_fs(), 1)) return true;
  if (!halted()) {
    open_failed(how == Activity::kOpen ? "opening a new store"
                                       : "reopening a checked recovery");
  }
  return false;
}

void TargetRun::do_op(const Op& op) {
  const std::lock_guard<wal::Runtime::Mutex> one_at_a_time(*app_mutex_);
  if (stop_requested_) return;
  ctx().activity = activity_of(op.kind);
  if (op.kind == OpKind::kReopen) {
    reopen(op);
    return;
  }
  sim::Prng choices = op_choices(workload_.seed, op.index);
  const std::uint64_t call = begin(call_kind_of(op.kind), op);
  Applied applied = target_->apply(op, choices);
  if (halted()) return;  // the call returned after the power cut: to nobody
  end(call, applied.ack == Ack::kFailed ? applied.status : wal::Status::ok());
  note("ack", op.index, static_cast<std::uint64_t>(applied.ack));
  for (Violation& violation : applied.violations) {
    violation.step = step();
    live_violations_.push_back(std::move(violation));
  }
  if (applied.ack != Ack::kFailed) return;
  if (config_.workload.on_error == OnError::kCarryOn &&
      (applied.status.injected() || faults_fired())) {
    // The application reports the error and goes on with its next op on the same handle: the
    // store's own error handling decides what the later ops and the recovery see. (A failed
    // close or open at a reopen still restarts: there is no handle to go on with.)
    note("carried-on", op.index);
    return;
  }
  give_up(applied.status);
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
  const wal::Status closed = target_->close();
  if (halted()) return;
  end(call, closed);
  if (!closed) {
    give_up(closed);
    return;
  }
  if (!open_store(live_fs(), kOpenAttempts)) {
    give_up(open_error_);
    return;
  }
  if (halted()) return;
  judge(target_->check(false));
  if (!result_.checks.passed()) trigger_stop("a clean reopen broke an invariant");
}

void TargetRun::close_live() {
  const Op none;
  const std::uint64_t call = begin(CallKind::kClose, none);
  ctx().activity = Activity::kReopen;
  const wal::Status closed = target_->close();
  end(call, closed);
  if (closed) return;
  if (!closed.injected() && !faults_fired()) {
    result_.problems.push_back("closing the store failed: " + closed.to_string());
    return;
  }
  gave_up_ = true;  // the application restarts and recovers, as after a crash
}

void TargetRun::drop_live() {
  // The process ends here: whatever the store still holds reaches nothing.
  halting_->cut_now();
  target_->crash();
}

void TargetRun::at_rest(wal::Fs& fs, const std::function<void(wal::Fs&)>& body) {
  sim::YieldingFs yielding(fs, threads_, config_.device);
  run_threads([&] {
    ctx().activity = Activity::kRecovery;
    body(yielding);
  });
}

void TargetRun::recover_with_power_cut() {
  const sim::SimFsState before = fs_.state();
  HaltingFs counter(rest_fs(), HaltingFs::kUnlimited);
  at_rest(counter, [&](wal::Fs& fs) {
    open_store(fs, 1);
    counter.cut_now();  // a crash, not a close: what the store would write next is not counted
    target_->crash();
  });
  fs_.restore(before);
  const std::uint64_t budget = recovery_crash_budget(counter.operations());
  HaltingFs halting(rest_fs(), budget);
  note("crash-during-recovery", budget, counter.operations());
  at_rest(halting, [&](wal::Fs& fs) {
    open_store(fs, 1);
    halting.cut_now();
    target_->crash();
  });
  recovery_lost_power(halting);
}

void TargetRun::recover_and_check(std::uint32_t count) {
  for (std::uint32_t extra = 1; extra < count && result_.problems.empty(); ++extra) {
    recover_with_power_cut();
  }
  if (!result_.problems.empty()) return;
  // crash.epochs: the next epoch opens this image (the checks below close the store).
  if (epoch_ < config_.crash.epochs) resume_from_ = fs_.state();
  rebased_ = false;
  bool checked = false;
  at_rest(rest_fs(), [&](wal::Fs& fs) {
    if (!open_store(fs, kOpenAttempts)) {
      open_failed("recovery");
      return;
    }
    check_and_reopen(true, fs);
    checked = true;
  });
  // The target took the recovered state as its truth: a later epoch goes on from it.
  rebased_ = checked && result_.checks.passed() && result_.problems.empty();
}

void TargetRun::close_and_reopen_clean() {
  result_.script.crash = CrashAt{CrashAt::Kind::kNone, 0};
  faults_->after_power_loss(1, result_.ops);  // media damage at rest before the reopen
  at_rest(rest_fs(), [&](wal::Fs& fs) {
    if (!open_store(fs, kOpenAttempts)) {
      open_failed("reopening the store");
      return;
    }
    check_and_reopen(false, fs);
  });
}

void TargetRun::check_and_reopen(bool power_lost, wal::Fs& fs) {
  judge(target_->check(power_lost));
  // Recovering twice gives the same state: a clean close and open must lose nothing.
  const Op none;
  std::uint64_t call = begin(CallKind::kClose, none);
  const wal::Status closed = target_->close();
  end(call, closed);
  if (!closed || !open_store(fs, kOpenAttempts)) {
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
  for (std::string& note : target_->take_notes()) result_.notes.push_back(std::move(note));
}

}  // namespace harness
