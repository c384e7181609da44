// The checks of what the WAL says against what happened: the LSNs it hands out (lsn-continuity),
// the OKs it returns after a fault (error-honesty), the damage it reports (corruption-detected)
// and the handles it leaves open (no-leak).
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "sim/harness/invariants_internal.h"
#include "sim/harness/script.h"

namespace harness::invariants_internal {

void Checker::lsn_continuity() {
  for (const IssueAnomaly& anomaly : oracle_.issue_anomalies()) {
    const Call& call = oracle_.call(anomaly.call_id);
    add(Invariant::kLsnContinuity, anomaly.lsn, anomaly.step,
        fmt::format("{} was handed LSN {}, expected {} ({})", call.describe(), anomaly.lsn,
                    anomaly.expected_lsn,
                    anomaly.lsn < anomaly.expected_lsn ? "reused" : "skipped"));
  }
  if (in_.recovery == nullptr || !opened_) return;
  mark_checked(Invariant::kLsnContinuity);
  const Recovery& r = *in_.recovery;
  if (!r.entries.empty() && !partial_) {
    // Past damage the WAL may go on above LSNs it saw in records it could not keep (a damaged
    // segment's header, a skipped record), so as never to hand them out twice; never above
    // what was issued (swarm --media-faults seeds 3257, 4039), or than an earlier reopen past
    // the same damage already went on from (3074476: the history no longer holds those LSNs).
    wal::Lsn ceiling = oracle_.last_issued() == wal::kNoLsn ? wal::kNoLsn
                                                           : oracle_.last_issued() + 1;
    if (oracle_.issue_floor() != wal::kNoLsn &&
        (ceiling == wal::kNoLsn || oracle_.issue_floor() > ceiling)) {
      ceiling = oracle_.issue_floor();
    }
    const bool skipped_damaged = media_ && r.next_lsn > last_ + 1 && ceiling != wal::kNoLsn &&
                                 r.next_lsn <= ceiling;
    if (r.next_lsn != last_ + 1 && !skipped_damaged) {
      add(Invariant::kLsnContinuity, r.next_lsn, in_.step,
          fmt::format("after reopen the next LSN is {}, expected {} (last recovered + 1)",
                      r.next_lsn, last_ + 1));
    }
    if (r.report.last_good_lsn != last_) {
      add(Invariant::kLsnContinuity, last_, in_.step,
          fmt::format("RecoveryReport.last_good_lsn is {} but the last recovered LSN is {}",
                      r.report.last_good_lsn, last_));
    }
  }
  wal::Lsn durable = wal::kNoLsn;
  for (const auto& [lsn, e] : oracle_.entries()) {
    if (e.durable && lsn < damage_from_ && !torn_excused(lsn)) durable = std::max(durable, lsn);
  }
  if (r.next_lsn <= durable) {
    add(Invariant::kLsnContinuity, r.next_lsn, in_.step,
        fmt::format("after reopen the next LSN is {}, reusing durable LSN(s) up to {}",
                    r.next_lsn, durable));
  }
}

void Checker::error_honesty() {
  mark_checked(Invariant::kErrorHonesty);
  // The first poisoning fault of each epoch: from then on, until the next open, every call
  // that could make or promise durability must fail, and durable_lsn must not move.
  std::map<std::uint32_t, const Fault*> poisoned;
  for (const Fault& fault : oracle_.faults()) {
    if (poisons(fault)) poisoned.emplace(fault.epoch, &fault);
  }
  // What may still become or be durable after the fault, per epoch: what an observation
  // before it said, and the target of a sync ticket begun before it (its data was handed to
  // the OS before the failed operation, so its fdatasync, if it succeeds, covers it). A call
  // that began before the fault and needs nothing beyond that may still return OK.
  std::map<std::uint32_t, wal::Lsn> allowed;
  for (const DurableObservation& seen : oracle_.durable_observations()) {
    auto it = poisoned.find(seen.epoch);
    if (it != poisoned.end() && seen.seq < it->second->seq) {
      allowed[seen.epoch] = std::max(allowed[seen.epoch], seen.lsn);
    }
  }
  for (const SyncStart& sync : oracle_.sync_starts()) {
    auto it = poisoned.find(sync.epoch);
    if (it != poisoned.end() && sync.seq < it->second->seq) {
      allowed[sync.epoch] = std::max(allowed[sync.epoch], sync.target);
    }
  }
  for (const Call& call : oracle_.calls()) {
    auto it = poisoned.find(call.epoch);
    if (it == poisoned.end() || call.kind == CallKind::kRead || call.state != CallState::kOk ||
        call.end_seq < it->second->seq) {
      continue;
    }
    const Fault& fault = *it->second;
    // A sync begun before any LSN was handed out promises nothing (swarm media seed 45767: its
    // OK came after another writer's rotation failed to create the next segment).
    const bool promised_nothing = call.kind == CallKind::kSync && call.lsns.last == wal::kNoLsn;
    const bool covered = call.lsns.last != wal::kNoLsn && call.lsns.last <= allowed[call.epoch];
    const bool covered_before = call.begin_seq < fault.seq && call.kind != CallKind::kTruncate &&
                                (promised_nothing || covered);
    if (covered_before) continue;
    add(Invariant::kErrorHonesty, call.lsns.first, call.end_step,
        fmt::format("{} returned OK after the injected {} at step {} ({}); the log must refuse "
                    "work until reopened",
                    call.describe(), to_string(fault.kind), fault.step, fault.where));
  }
  if (oracle_.preallocated()) enospc_fails_cleanly(poisoned);
  closes_report_failures();
  for (const DurableObservation& seen : oracle_.durable_observations()) {
    auto it = poisoned.find(seen.epoch);
    if (it == poisoned.end() || seen.seq < it->second->seq) continue;
    wal::Lsn& limit = allowed[seen.epoch];
    if (seen.lsn > limit) {
      add(Invariant::kErrorHonesty, seen.lsn, seen.step,
          fmt::format("durable_lsn advanced to {} after the injected {} at step {}, beyond "
                      "what was durable or being synced before it ({})",
                      seen.lsn, to_string(it->second->kind), it->second->step, limit));
      limit = seen.lsn;
    }
  }
}

// A failed close(2) of a segment is a failed writeback of what it held unsynced
// (faults/close_eio_fs.h): the log's close must say so, as a failed fsync would be said
// (google/leveldb#1081 is the bug of not saying it). Segments opened by their own names only:
// a spare is opened as "spare-segment.tmp" and, when unused, discarded whatever its close says.
void Checker::closes_report_failures() {
  for (const Call& call : oracle_.calls()) {
    if (call.kind != CallKind::kClose || call.state != CallState::kOk) continue;
    for (const Fault& fault : oracle_.faults()) {
      if (fault.kind != FaultKind::kCloseEio || fault.seq < call.begin_seq ||
          fault.seq > call.end_seq) {
        continue;
      }
      // A "<segment>.tmp" handle is a segment being created or a copy being made, discarded
      // whatever its close says when that step failed (swarm seed 18380).
      if (file_class(fault.path) != "#.wal") continue;
      add(Invariant::kErrorHonesty, wal::kNoLsn, call.end_step,
          fmt::format("{} returned OK after the injected close_eio at step {} ({}): a failed close "
                      "of a segment loses what it held unsynced and must be reported",
                      call.describe(), fault.step, fault.where));
      break;
    }
  }
}

// With preallocated segments an ENOSPC fails the call cleanly (SPEC 2.6): a call refused as
// poisoned after one, with no failed write or sync before it in that open, shows a full disk
// that surfaced in the middle of a record.
void Checker::enospc_fails_cleanly(const std::map<std::uint32_t, const Fault*>& poisoned) {
  std::map<std::uint32_t, const Fault*> full;
  for (const Fault& fault : oracle_.faults()) {
    if (fault.kind == FaultKind::kNoSpace) full.emplace(fault.epoch, &fault);
  }
  std::set<std::uint32_t> reported;
  for (const Call& call : oracle_.calls()) {
    if (call.state != CallState::kFailed || call.code != wal::Code::kPoisoned) continue;
    auto it = full.find(call.epoch);
    if (it == full.end() || it->second->seq > call.end_seq) continue;
    auto failed = poisoned.find(call.epoch);
    if (failed != poisoned.end() && failed->second->seq < call.end_seq) continue;
    // A failed close may be what poisoned it (swarm seed 2554: a rotation's close(2) of the
    // finished segment failed after its sync; 14440: the FRONT marker's).
    auto closed = first_failed_close_seq_.find(call.epoch);
    if (closed != first_failed_close_seq_.end() && closed->second < call.end_seq) continue;
    if (!reported.insert(call.epoch).second) continue;
    add(Invariant::kErrorHonesty, call.lsns.first, call.end_step,
        fmt::format("{} was refused as poisoned after the injected {} at step {} ({}); with "
                    "preallocated segments ENOSPC must fail the call cleanly, not poison the "
                    "log",
                    call.describe(), to_string(it->second->kind), it->second->step,
                    it->second->where));
  }
}

void Checker::corruption_detected() {
  mark_checked(Invariant::kCorruptionDetected);
  if (!media_) return;
  const Recovery& r = *in_.recovery;
  if (!opened_) {
    if (!acceptable_open_failure()) {
      add(Invariant::kCorruptionDetected, wal::kNoLsn, in_.step,
          fmt::format("open failed with {} instead of reporting the damage",
                      r.open_status.to_string()));
    }
    return;
  }
  for (const RecoveredEntry& found : r.entries) {
    const Expected* expected = oracle_.find(found.lsn);
    if (expected == nullptr || same_content(*expected, found)) continue;
    add(Invariant::kCorruptionDetected, found.lsn, in_.step,
        fmt::format("damaged data returned as valid at LSN {}: expected {}, found {}",
                    found.lsn, describe(*expected), describe(found)));
  }
  const std::string reported =
      r.report.clean() ? "a clean log" : (r.report.torn_tail ? "only a torn tail" : "damage");
  for (const auto& [lsn, e] : oracle_.entries()) {
    if (excused(lsn) || recovered(lsn)) continue;
    const bool in_gap = lsn < last_;
    if (!owed(e) && !in_gap) continue;  // a lost pending tail needs no report
    add(Invariant::kCorruptionDetected, lsn, in_.step,
        fmt::format("LSN {} ({}) silently skipped: missing, and recovery reported {} before it",
                    lsn, describe(e), reported));
  }
  if (in_.mode == wal::RecoveryMode::kAbsolute) {
    for (const wal::DamagedRange& damage : r.report.damage) {
      if (damage.kind == wal::DamageKind::kTornTail) continue;
      add(Invariant::kCorruptionDetected, damage.lsn, in_.step,
          fmt::format("absolute mode opened despite reported damage in {} at offset {}: {}",
                      damage.segment, damage.offset, damage.reason));
      break;
    }
  }
}

void Checker::no_leak() {
  if (!in_.open_handles_after_close.has_value()) return;
  mark_checked(Invariant::kNoLeak);
  if (*in_.open_handles_after_close == 0) return;
  add(Invariant::kNoLeak, wal::kNoLsn, in_.step,
      fmt::format("{} file handle(s) still open after close()", *in_.open_handles_after_close));
}

}  // namespace harness::invariants_internal
