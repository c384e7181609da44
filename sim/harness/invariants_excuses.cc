// The facts every invariant check shares, computed once per check: what was poisoned, what
// recovery saw, and from them what is owed and what injected faults excuse. Kept apart from the
// checks so that every rule for what may be missing is in one place.
#include <algorithm>
#include <vector>

#include "sim/harness/invariants_internal.h"
#include "sim/harness/script.h"

namespace harness::invariants_internal {

// A segment's file, whatever name its handle was opened under: a spare renamed into place
// still closes as "spare-segment.tmp", a continuation as "<segment>.tmp".
static bool holds_records(std::string_view path) {
  const std::string kind = file_class(path);
  return kind == "#.wal" || kind == "#.wal.tmp" || kind == "spare-segment.tmp";
}

Checker::Checker(const CheckInput& input, CheckResult& result)
    : in_(input), oracle_(*input.oracle), result_(result) {
  WAL_ASSERT(input.oracle != nullptr);
  media_ = oracle_.media_damage_injected();
  for (const Fault& fault : oracle_.faults()) {
    if (poisons(fault)) {
      poisoned_epochs_.insert(fault.epoch);
      last_poisoning_step_ = std::max(last_poisoning_step_, fault.step);
      any_poisoning_ = true;
    }
    if (fault.kind == FaultKind::kCloseEio) {
      first_failed_close_seq_.emplace(fault.epoch, fault.seq);
      if (holds_records(fault.path)) {
        last_failed_segment_close_step_ = std::max(last_failed_segment_close_step_, fault.step);
      }
    }
  }
  // A full disk that failed a sync's write poisons the log too (the WAL cannot tell what of
  // the write reached the file), and the WAL says so: a call that returned kPoisoned.
  for (const Call& call : oracle_.calls()) {
    if (call.state == CallState::kFailed && call.code == wal::Code::kPoisoned) {
      poisoned_epochs_.insert(call.epoch);
    }
  }
  if (in_.recovery == nullptr) return;
  const Recovery& r = *in_.recovery;
  opened_ = r.open_status.is_ok();
  // A read-back cut short by an injected fault saw less, it did not lose anything: an injected
  // read error, or a misdirected write during this recovery's own repair writes that damaged
  // what it had just validated (the reader then reports Corruption, as it must).
  partial_ = !r.read_status.is_ok() &&
             (r.read_status.injected() || r.read_faults || r.misdirected_writes);
  for (const RecoveredEntry& entry : r.entries) {
    recovered_.emplace(entry.lsn, &entry);
    last_ = std::max(last_, entry.lsn);
  }
  compute_excuses(r);
}

void Checker::compute_excuses(const Recovery& r) {
  excused_below_ = oracle_.excused_below();
  if (in_.retention) {
    // A checkpoint the WAL made durable before anyone heard of it (a rotation's sync covered
    // it while its own call still waited, then the power went out) and that recovery brings
    // back is as good as an acknowledged one: retention may already have dropped what lay
    // before it (swarm seed 1428).
    // A checkpoint below an already excused cut may be gone itself: when media damage took the
    // newer ones, the log holds no checkpoint the WAL could protect (swarm media seed 3003435).
    bool durable_checkpoint = false;
    for (const auto& [lsn, e] : oracle_.entries()) {
      if (e.type != wal::EntryType::kCheckpoint || lsn < oracle_.excused_below()) continue;
      const auto found = recovered_.find(lsn);
      const bool proven = found != recovered_.end() &&
                          found->second->fingerprint == e.fingerprint &&
                          found->second->type == wal::EntryType::kCheckpoint;
      if (e.durable || proven) {
        excused_below_ = std::max(excused_below_, lsn);
        durable_checkpoint = true;
      }
    }
    // With no durable checkpoint to protect, retention may drop any prefix of the log: what
    // lies before the first recovered entry is excused. Retention drops a prefix, never a
    // middle, so a gap after that entry is still a loss.
    if (!durable_checkpoint && !r.entries.empty()) {
      excused_below_ = std::max(excused_below_, r.entries.front().lsn);
    }
    // Nothing kept and nothing damaged: retention may have dropped every segment but the
    // newest, whose name the next LSN comes from; what was acknowledged in that one is still
    // owed (scenarios/chaos/checkpoint-beside-syncs.toml seed 3199: max_segments = 1, the
    // rotation's retention dropped LSNs 1-7, and the power loss took the newest segment's
    // unsynced group).
    if (!durable_checkpoint && r.entries.empty() && r.report.damage.empty() &&
        r.open_status.is_ok() && r.next_lsn != wal::kNoLsn) {
      excused_below_ = std::max(excused_below_, r.next_lsn);
    }
    // Nothing kept, but recovery saw where the log began: the first record it reported
    // damaged (swarm --media-faults seed 3174: retention had dropped LSN 1, a bit flip hit
    // LSN 2, point-in-time kept nothing).
    // An earlier recovery of this image may have seen it and cut it away durably: its report
    // counts (swarm media seed 113231: the repeat of a recovery that truncated the damaged
    // first record found an empty log and no damage).
    if (!durable_checkpoint && r.entries.empty() && media_) {
      wal::Lsn first_seen = kNoLimit;
      for (const auto* reported : {&r.report.damage, &in_.earlier_damage}) {
        for (const wal::DamagedRange& damage : *reported) {
          if (damage.lsn != wal::kNoLsn) first_seen = std::min(first_seen, damage.lsn);
        }
      }
      if (first_seen != kNoLimit) excused_below_ = std::max(excused_below_, first_seen);
    }
  }
  // An injected read error stops the read-back: what lies after it was not seen, not lost.
  if (partial_) read_cut_from_ = last_ + 1;
  // Reported damage excuses what follows it only when damage was really injected: a WAL that
  // damages its own log, or calls mid-log damage a torn tail, is never excused.
  if (!media_) return;
  // tolerate-tail cuts only a tail (FORMAT.md 6.1, 6.2): whatever kind it reports (a segment
  // cut whole is kBadSegmentHeader, kStaleRecord or kMissingSegment), what it cut must be
  // unproven, as for a torn tail; damage over proven records fails its open. Excusing all that
  // follows such a report let a damaged header over acknowledged records pass as a torn
  // creation (bug zoo `bad-header-is-tail`).
  const bool tail_only = in_.mode == wal::RecoveryMode::kTolerateTail;
  for (const auto* reported : {&r.report.damage, &in_.earlier_damage}) {
    for (const wal::DamagedRange& damage : *reported) {
      if (damage.kind == wal::DamageKind::kTornTail) continue;
      wal::Lsn& from = tail_only ? torn_from_ : damage_from_;
      from = std::min(from, damage.lsn);
    }
  }
  if (!r.read_status.is_ok()) damage_from_ = std::min(damage_from_, last_ + 1);
  // Point-in-time keeps nothing from the first damaged record on, and an earlier recovery of
  // this image may have done so durably (its cut, its unlinks) and then failed (an injected
  // fsync error), so that its report is lost and the judged recovery sees only the result: a
  // torn tail at the damaged record (swarm media seed 3040623). The damage the oracle knows it
  // injected since the last rebase counts as reported.
  if (in_.mode == wal::RecoveryMode::kPointInTime) {
    for (const Fault& fault : oracle_.faults()) {
      if (is_media_damage(fault.kind) && fault.hit && fault.step > oracle_.rebased_at()) {
        damage_from_ = std::min(damage_from_, fault.hit->first);
      }
    }
  }
  // Damage to the last durable records looks exactly like a torn write: no later record
  // proves they had been synced. A torn-tail report excuses a durable entry only then. A
  // durable entry is provably durable when a later durable entry was issued after it became
  // durable (that record carries a durable hint covering it): calling it a torn tail is then
  // a WAL bug, never excused.
  for (const wal::DamagedRange& damage : r.report.damage) {
    if (damage.kind == wal::DamageKind::kTornTail) torn_from_ = std::min(torn_from_, damage.lsn);
  }
  // A misdirected write of the last durable record leaves zeros where it belonged: a clean
  // end to any reader (soak: misdirected-write-absolute seed 1756). The same rule holds there:
  // only what no later record proves durable may be missing.
  if (r.read_status.is_ok() && !partial_) torn_from_ = std::min(torn_from_, last_ + 1);
  if (torn_from_ == kNoLimit) return;
  // A record that injected damage hit proves nothing: its durable hint may be the damaged
  // bytes, or unreadable (false positive 7 of docs/bug-zoo.md; swarm seed 2359).
  std::vector<wal::LsnRange> hit;
  for (const Fault& fault : oracle_.faults()) {
    if (is_media_damage(fault.kind) && fault.hit) hit.push_back(*fault.hit);
  }
  auto damaged = [&](wal::Lsn lsn) {
    return std::any_of(hit.begin(), hit.end(), [lsn](const wal::LsnRange& range) {
      return lsn >= range.first && lsn <= range.last;
    });
  };
  std::uint64_t latest_later_issue = 0;
  bool any_later = false;
  for (auto it = oracle_.entries().rbegin(); it != oracle_.entries().rend(); ++it) {
    const Expected& e = it->second;
    if (e.durable && any_later && latest_later_issue > e.durable_step) proven_.insert(e.lsn);
    if (e.durable && !damaged(e.lsn)) {
      latest_later_issue = std::max(latest_later_issue, e.issued_step);
      any_later = true;
    }
  }
}

// With preallocated segments a full disk must never reach a segment's bytes (the space was
// reserved), so there it is no excuse: enospc_fails_cleanly reports the poisoning instead.
bool Checker::poisons(const Fault& fault) const {
  return poisons_log(fault) && (fault.kind != FaultKind::kNoSpace || !oracle_.preallocated());
}

// After a power loss only durable entries are owed; after a clean reopen, every one, except
// in an epoch a failed write or sync poisoned: what was not durable then may never reach the
// disk (the WAL told its callers so).
bool Checker::owed(const Expected& e) const {
  if (e.durable) return true;
  if (oracle_.power_lost()) return false;
  // A failed write or fsync leaves the file's unsynced pages in an unknown state (dropped on
  // btrfs, marked clean and evictable on ext4), whichever open of the log it came in: the
  // page cache outlives the process. So nothing unsynced before it is owed (swarm seed 5451:
  // a clean close under `none`, then an open whose fsync failed on btrfs).
  if (any_poisoning_ && last_poisoning_step_ >= e.issued_step) return false;
  // The same for a failed close of a segment (swarm seed 1993: `none`, a clean close whose
  // close(2) failed on btrfs and reported it; the reopen found nothing).
  if (last_failed_segment_close_step_ >= e.issued_step) return false;
  return poisoned_epochs_.count(oracle_.call(e.call_id).epoch) == 0;
}

bool Checker::acceptable_open_failure() const {
  const wal::Status& status = in_.recovery->open_status;
  // The WAL may wrap an injected error in its own (damage it could not read past).
  if (status.injected() || in_.recovery->injected_during) return true;
  if (in_.mode == wal::RecoveryMode::kAbsolute && status.code() == wal::Code::kCorruption) {
    return true;
  }
  return media_ &&
         (status.code() == wal::Code::kCorruption || status.code() == wal::Code::kIoError);
}

}  // namespace harness::invariants_internal
