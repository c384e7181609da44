// The phases of a WAL run (wal_run.h): crash points, the power loss, recovery and its checks,
// crash epochs. The threads themselves are in wal_run_ops.cc.
#include "sim/harness/wal_run.h"

#include <algorithm>

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
  if (log_ != nullptr) static_cast<void>(new std::shared_ptr<wal::Log>(std::move(log_)));
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
  if (log_ == nullptr) return;
  const wal::Lsn durable = log_->durable_lsn();
  drain_faults();
  if (halted() || durable <= durable_seen_) return;
  durable_seen_ = durable;
  oracle_.observe_durable(durable, step());
}

wal::Lsn Run::position(std::uint32_t ppm) {
  const wal::Lsn first = log_->first_lsn();
  const wal::Lsn durable = log_->durable_lsn();
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

Recovery Run::counted(const std::function<void(Recovery&)>& open_and_read) {
  drain_faults();
  const std::size_t faults_before = oracle_.faults().size();
  Recovery r;
  open_and_read(r);
  drain_faults();
  for (std::size_t i = faults_before; i < oracle_.faults().size(); ++i) {
    r.read_faults = r.read_faults || oracle_.faults()[i].kind == FaultKind::kReadEio;
    r.misdirected_writes =
        r.misdirected_writes || oracle_.faults()[i].kind == FaultKind::kMisdirectedWrite;
    r.injected_during = true;
  }
  return r;
}

Recovery Run::recover(wal::Fs& fs, std::unique_ptr<wal::LogCore>* keep, bool from_checkpoint) {
  return counted([&](Recovery& r) {
    const std::uint64_t call = begin_at_rest(CallKind::kOpen);
    wal::Result<std::unique_ptr<wal::LogCore>> opened =
        wal::LogCore::open(fs, runtime_, config_.dir, options_);
    end_at_rest(call, opened.status());
    if (!opened) {
      r.open_status = opened.error();
      return;
    }
    std::unique_ptr<wal::LogCore> core = std::move(opened).value();
    read_recovery(*core, from_checkpoint, r);
    if (keep != nullptr) *keep = std::move(core);
  });
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
    HaltingFs counter(rest_fs(), HaltingFs::kUnlimited);
    reference = recover(counter, nullptr);
    keep_damage(reference);
    fs_.restore(before);
    // Drawn even when the script says, so the survival choices after it stay the same.
    std::uint64_t budget = crash_prng_.below(counter.operations() + 1);
    if (config_.script && extra - 1 < config_.script->recovery_crashes.size()) {
      budget = config_.script->recovery_crashes[extra - 1];
    }
    recovery_crashes_.push_back(budget);
    HaltingFs halting(rest_fs(), budget);
    note("crash-during-recovery", budget, counter.operations());
    const std::size_t faults_before_cut = oracle_.faults().size();
    const Recovery cut = recover(halting, nullptr);
    cut.open_status.ignore_error("the power went out during recovery");
    reached(halting.halted() ? site_of_cut(Activity::kRecovery, false, halting.cut_call(),
                                           halting.last_admitted())
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
  image.recovery = recover(rest_fs(), &core);
  if (core) {
    const std::uint64_t call = begin_at_rest(CallKind::kClose);
    image.closed = true;
    image.close_status = core->close();
    end_at_rest(call, image.close_status);
    core.reset();
    image.open_handles_after_close = fs_.open_handles();
    const bool keyed = memoize && RecoveryMemo::settled(fs_.state());
    const std::uint64_t key = keyed ? sim::durable_hash(fs_.state()) : 0;
    if (const Recovery* repeat = keyed ? memo_->find_repeat(key) : nullptr; repeat != nullptr) {
      end_at_rest(begin_at_rest(CallKind::kOpen), repeat->open_status);
      image.repeats.push_back(*repeat);
      return image;
    }
    std::unique_ptr<wal::LogCore> again;
    image.repeats.push_back(recover(rest_fs(), &again, false));
    if (again) again->close().ignore_error("the second recovery is only compared");
    if (keyed) memo_->keep_repeat(key, image.repeats.back());
  }
  return image;
}

// The oracle's view of recover_close_recover(), for an image recovered before: the same calls
// with the same outcomes, in the same order.
void Run::replay_calls(const RecoveredImage& image) {
  end_at_rest(begin_at_rest(CallKind::kOpen), image.recovery.open_status);
  if (!image.closed) return;
  end_at_rest(begin_at_rest(CallKind::kClose), image.close_status);
  end_at_rest(begin_at_rest(CallKind::kOpen), image.repeats.back().open_status);
}

void Run::close_and_reopen_clean() {
  // The workload's main thread closed the log cleanly (crash.at = none).
  result_.script.crash = CrashAt{CrashAt::Kind::kNone, 0};
  const std::uint64_t handles = fs_.open_handles();
  faults_->after_power_loss(1, result_.ops);  // media damage at rest before the reopen
  std::unique_ptr<wal::LogCore> core;
  const Recovery recovery = recover(rest_fs(), &core);
  std::vector<Recovery> repeats;
  if (core) {
    core->close().ignore_error("compared through the second recovery");
    core.reset();
    repeats.push_back(recover(rest_fs(), &core, false));
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

}  // namespace harness
