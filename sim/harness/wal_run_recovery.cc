// Recovery and its checks (wal_run.h): after each power loss the crash image is recovered on the
// harness's own thread through LogCore::open (what wal::Log::open runs, minus its threads),
// closed and recovered again, and judged; with crash.count > 1 the first recoveries lose power
// themselves. Also the clean close-and-reopen of a run without a crash, and the explorer's
// per-state check.
#include <algorithm>

#include "sim/harness/read_back.h"
#include "sim/harness/wal_run.h"

namespace harness {

CheckResult WalRun::check_crash_state(const sim::SimFsState& state, std::uint64_t hash) {
  // Each state's recovery is checked and thrown away: without faults its Fs calls need no
  // record (the oracle reads faults from the trace).
  sim::Trace* fs_trace = fs_.trace();
  if (!may_inject(config_)) fs_.set_trace(nullptr);
  Oracle before = oracle_;
  CheckResult totals = std::move(result_.checks);
  result_.checks = CheckResult();
  fs_.restore(state);
  crash_state_hash_ = hash;
  recover_and_check(1);
  crash_state_hash_.reset();
  CheckResult checks = std::move(result_.checks);
  result_.checks = std::move(totals);
  oracle_ = std::move(before);  // moved back: a copy per explored state is all it costs
  fs_.set_trace(fs_trace);
  return checks;
}


CheckInput WalRun::check_input(const Recovery& recovery,
                               std::optional<std::uint64_t> open_handles) {
  CheckInput input;
  input.oracle = &oracle_;
  input.mode = options_.recovery;
  input.retention = options_.max_segments != 0 || options_.max_bytes != 0;
  input.recovery = &recovery;
  input.open_handles_after_close = open_handles;
  input.step = step();
  return input;
}

Recovery WalRun::counted(const std::function<void(Recovery&)>& open_and_read) {
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

Recovery WalRun::recover(wal::Fs& fs, std::unique_ptr<wal::LogCore>* keep, bool from_checkpoint) {
  return counted([&](Recovery& r) {
    const std::uint64_t call = begin_at_rest(CallKind::kOpen);
    wal::Result<std::unique_ptr<wal::LogCore>> opened =
        wal::LogCore::open(fs, runtime_, config_.dir, opening_options());
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

void WalRun::judge(const CheckInput& input) {
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
  // An explored state's oracle is put back once it is judged (check_crash_state): its
  // recovery never becomes the history, so there is nothing to rebase.
  if (crash_state_hash_) return;
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
                 oracle_.media_damage_injected() ? recovery.next_lsn : wal::kNoLsn, step());
  // What this accepted recovery lacked below its first entry was excused here (retention, a
  // truncation, damage); it stays excused when the reason is gone from the history: a later
  // epoch no longer holds the checkpoint that let retention drop it (swarm media seed 3044136:
  // a flip after the power loss made point-in-time discard that checkpoint's segment).
  if (!kept.empty()) oracle_.observe_first_lsn(kept.front().lsn);
  rebased_ = true;
}

void WalRun::recover_and_check(std::uint32_t count) {
  // count > 1: the first recoveries lose power after a seeded number of Fs operations.
  // `reference` recovers the image as it was before the last of them, uninterrupted: a crash
  // during recovery must not change what the next recovery finds. That holds for what the WAL
  // writes, not for injected damage: a misdirected write of the interrupted recovery (the open
  // copies the newest segment, wal/src/unproven_tail.h) or media damage after its power loss
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
    const std::uint64_t budget = recovery_crash_budget(counter.operations());
    HaltingFs halting(rest_fs(), budget);
    note("crash-during-recovery", budget, counter.operations());
    const std::size_t faults_before_cut = oracle_.faults().size();
    const Recovery cut = recover(halting, nullptr);
    cut.open_status.ignore_error("the power went out during recovery");
    keep_damage(cut);
    oracle_.crash(step());
    recovery_lost_power(halting);
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
  CheckInput input = check_input(image.recovery, image.open_handles_after_close);
  if (count > 1 && reference_comparable) input.repeats.push_back(std::move(reference));
  input.repeats.insert(input.repeats.end(), image.repeats.begin(), image.repeats.end());
  input.earlier_damage = std::move(earlier_damage);
  judge(input);
  if (keyed && memoized == nullptr) memo_->keep(key, std::move(fresh));
}

RecoveredImage WalRun::recover_close_recover(bool memoize) {
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
void WalRun::replay_calls(const RecoveredImage& image) {
  end_at_rest(begin_at_rest(CallKind::kOpen), image.recovery.open_status);
  if (!image.closed) return;
  end_at_rest(begin_at_rest(CallKind::kClose), image.close_status);
  end_at_rest(begin_at_rest(CallKind::kOpen), image.repeats.back().open_status);
}

void WalRun::close_and_reopen_clean() {
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
  CheckInput input = check_input(recovery, handles);
  input.repeats = std::move(repeats);
  judge(input);
}

}  // namespace harness
