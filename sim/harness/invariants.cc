#include "sim/harness/invariants.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

namespace harness {
namespace {

constexpr std::size_t kMaxMessagesPerInvariant = 8;
constexpr wal::Lsn kNoLimit = std::numeric_limits<wal::Lsn>::max();

constexpr std::string_view kNames[kInvariantCount] = {
    "durability",     "prefix",     "integrity",           "atomic-batch",
    "lsn-continuity", "checkpoint", "idempotent-recovery", "error-honesty",
    "corruption-detected", "no-leak",
};

std::string_view type_name(wal::EntryType type) {
  switch (type) {
    case wal::EntryType::kData: return "data";
    case wal::EntryType::kBatch: return "batch";
    case wal::EntryType::kCheckpoint: return "checkpoint";
  }
  return "unknown-type";
}

std::string describe(const Expected& e) {
  return fmt::format("{}, {} {} bytes fp {:#018x}", to_string(e.id), type_name(e.type),
                     e.size_bytes, e.fingerprint);
}

std::string describe(const RecoveredEntry& e) {
  return fmt::format("{} {} bytes fp {:#018x}", type_name(e.type), e.size_bytes, e.fingerprint);
}

bool same_content(const Expected& expected, const RecoveredEntry& found) {
  return expected.type == found.type && expected.size_bytes == found.size_bytes &&
         expected.fingerprint == found.fingerprint;
}

bool same_entry(const RecoveredEntry& a, const RecoveredEntry& b) {
  return a.lsn == b.lsn && a.type == b.type && a.size_bytes == b.size_bytes &&
         a.fingerprint == b.fingerprint;
}

std::string range_text(wal::Lsn first, wal::Lsn last) {
  return first == last ? fmt::format("LSN {}", first) : fmt::format("LSNs {}..{}", first, last);
}

// Facts every invariant shares, computed once.
class Checker {
 public:
  Checker(const CheckInput& input, CheckResult& result)
      : in_(input), oracle_(*input.oracle), result_(result) {
    WAL_ASSERT(input.oracle != nullptr);
    media_ = oracle_.media_damage_injected();
    for (const Fault& fault : oracle_.faults()) {
      if (poisons(fault)) {
        poisoned_epochs_.insert(fault.epoch);
        last_poisoning_step_ = std::max(last_poisoning_step_, fault.step);
        any_poisoning_ = true;
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

  void run() {
    if (in_.recovery != nullptr) {
      durability();
      prefix();
      integrity();
      atomic_batch();
      checkpoint();
      idempotent_recovery();
      corruption_detected();
    }
    lsn_continuity();
    error_honesty();
    no_leak();
  }

 private:
  void compute_excuses(const Recovery& r) {
    excused_below_ = oracle_.excused_below();
    if (in_.retention) {
      // A checkpoint the WAL made durable before anyone heard of it (a rotation's sync covered
      // it while its own call still waited, then the power went out) and that recovery brings
      // back is as good as an acknowledged one: retention may already have dropped what lay
      // before it (swarm seed 1428).
      bool durable_checkpoint = false;
      for (const auto& [lsn, e] : oracle_.entries()) {
        if (e.type != wal::EntryType::kCheckpoint) continue;
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
      // Nothing kept, but recovery saw where the log began: the first record it reported
      // damaged (swarm --media-faults seed 3174: retention had dropped LSN 1, a bit flip hit
      // LSN 2, point-in-time kept nothing).
      if (!durable_checkpoint && r.entries.empty() && media_) {
        wal::Lsn first_seen = kNoLimit;
        for (const wal::DamagedRange& damage : r.report.damage) {
          if (damage.lsn != wal::kNoLsn) first_seen = std::min(first_seen, damage.lsn);
        }
        if (first_seen != kNoLimit) excused_below_ = std::max(excused_below_, first_seen);
      }
    }
    // An injected read error stops the read-back: what lies after it was not seen, not lost.
    if (partial_) read_cut_from_ = last_ + 1;
    // Reported damage excuses what follows it only when damage was really injected: a WAL that
    // damages its own log, or calls mid-log damage a torn tail, is never excused.
    if (!media_) return;
    for (const auto* reported : {&r.report.damage, &in_.earlier_damage}) {
      for (const wal::DamagedRange& damage : *reported) {
        if (damage.kind != wal::DamageKind::kTornTail) {
          damage_from_ = std::min(damage_from_, damage.lsn);
        }
      }
    }
    if (!r.read_status.is_ok()) damage_from_ = std::min(damage_from_, last_ + 1);
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
  bool poisons(const Fault& fault) const {
    return poisons_log(fault) && (fault.kind != FaultKind::kNoSpace || !oracle_.preallocated());
  }

  // Torn-tail-excused: see compute_excuses.
  bool torn_excused(wal::Lsn lsn) const { return lsn >= torn_from_ && proven_.count(lsn) == 0; }
  bool excused(wal::Lsn lsn) const {
    return lsn < excused_below_ || lsn >= damage_from_ || lsn >= read_cut_from_ ||
           torn_excused(lsn);
  }
  // After a power loss only durable entries are owed; after a clean reopen, every one, except
  // in an epoch a failed write or sync poisoned: what was not durable then may never reach the
  // disk (the WAL told its callers so).
  bool owed(const Expected& e) const {
    if (e.durable) return true;
    if (oracle_.power_lost()) return false;
    // A failed write or fsync leaves the file's unsynced pages in an unknown state (dropped on
    // btrfs, marked clean and evictable on ext4), whichever open of the log it came in: the
    // page cache outlives the process. So nothing unsynced before it is owed (swarm seed 5451:
    // a clean close under `none`, then an open whose fsync failed on btrfs).
    if (any_poisoning_ && last_poisoning_step_ >= e.issued_step) return false;
    return poisoned_epochs_.count(oracle_.call(e.call_id).epoch) == 0;
  }
  bool recovered(wal::Lsn lsn) const { return recovered_.count(lsn) != 0; }

  std::string owed_text(const Expected& e) const {
    return e.durable ? fmt::format("acknowledged durable at step {}", e.durable_step)
                     : fmt::format("issued at step {} with no power loss since", e.issued_step);
  }

  void add(Invariant invariant, wal::Lsn lsn, std::uint64_t step, std::string message) {
    InvariantVerdict& verdict = result_[invariant];
    verdict.checked = true;
    verdict.violations.push_back(
        Violation{invariant, lsn, step,
                  fmt::format("{}: {} [trace step {}]", to_string(invariant), message, step)});
  }
  void mark_checked(Invariant invariant) { result_[invariant].checked = true; }

  bool acceptable_open_failure() const {
    const wal::Status& status = in_.recovery->open_status;
    // The WAL may wrap an injected error in its own (damage it could not read past).
    if (status.injected() || in_.recovery->injected_during) return true;
    if (in_.mode == wal::RecoveryMode::kAbsolute && status.code() == wal::Code::kCorruption) {
      return true;
    }
    return media_ &&
           (status.code() == wal::Code::kCorruption || status.code() == wal::Code::kIoError);
  }

  void durability() {
    mark_checked(Invariant::kDurability);
    const Recovery& r = *in_.recovery;
    if (!opened_) {
      if (!acceptable_open_failure()) {
        add(Invariant::kDurability, wal::kNoLsn, in_.step,
            fmt::format("recovery failed with no injected cause: {}", r.open_status.to_string()));
      }
      return;
    }
    if (!r.read_status.is_ok() && !r.read_status.injected() && !media_) {
      add(Invariant::kDurability, last_ + 1, in_.step,
          fmt::format("reading the recovered log back failed after LSN {}: {}", last_,
                      r.read_status.to_string()));
    }
    for (const auto& [lsn, e] : oracle_.entries()) {
      if (!owed(e) || excused(lsn) || recovered(lsn)) continue;
      add(Invariant::kDurability, lsn, in_.step,
          fmt::format("LSN {} ({}) {}, not recovered; recovery ended at LSN {}", lsn,
                      describe(e), owed_text(e), last_));
    }
  }

  void prefix() {
    if (!opened_) return;
    mark_checked(Invariant::kPrefix);
    const std::vector<RecoveredEntry>& entries = in_.recovery->entries;
    if (entries.empty()) return;
    const wal::Lsn first = entries.front().lsn;
    // Nothing issued before the first recovered entry may be missing unless excused.
    std::vector<wal::Lsn> missing;
    for (const auto& [lsn, e] : oracle_.entries()) {
      if (lsn >= first) break;
      if (!excused(lsn)) missing.push_back(lsn);
    }
    if (!missing.empty()) {
      add(Invariant::kPrefix, missing.front(), in_.step,
          fmt::format("{} missing before the first recovered LSN {}",
                      range_text(missing.front(), missing.back()), first));
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const wal::Lsn lsn = entries[i].lsn;
      if (oracle_.find(lsn) == nullptr) {
        const wal::Lsn last_issued = oracle_.last_issued();
        add(Invariant::kPrefix, lsn, in_.step,
            lsn > last_issued
                ? fmt::format("phantom LSN {} ({}): beyond the last LSN issued ({})", lsn,
                              describe(entries[i]), last_issued)
                : fmt::format("phantom LSN {} ({}): never issued in the surviving history", lsn,
                              describe(entries[i])));
      }
      if (i == 0) continue;
      const wal::Lsn previous = entries[i - 1].lsn;
      if (lsn == previous) {
        add(Invariant::kPrefix, lsn, in_.step,
            fmt::format("duplicate LSN {} at positions {} and {}", lsn, i - 1, i));
      } else if (lsn < previous) {
        add(Invariant::kPrefix, lsn, in_.step,
            fmt::format("LSN {} recovered after LSN {}: out of order", lsn, previous));
      } else if (lsn > previous + 1) {
        // Only issued LSNs can be missing: past the last one the gap is a phantom's (reported
        // above), and walking it could take 2^64 steps (a flipped high bit of an LSN field).
        const wal::Lsn gap_end = std::min(lsn, oracle_.last_issued() + 1);
        for (wal::Lsn gap = previous + 1; gap < gap_end; ++gap) {
          if (excused(gap)) continue;
          add(Invariant::kPrefix, gap, in_.step,
              fmt::format("gap: {} missing between recovered LSNs {} and {}",
                          range_text(previous + 1, lsn - 1), previous, lsn));
          break;
        }
      }
    }
  }

  std::string owner_text(const RecoveredEntry& found) const {
    if (!found.id) return "";
    const Expected* owner = oracle_.find(*found.id);
    if (owner == nullptr) return fmt::format(" = payload of {} (never issued)", to_string(*found.id));
    if (owner->lsn == found.lsn) return "";
    return fmt::format(" = payload of {} issued at LSN {}", to_string(*found.id), owner->lsn);
  }

  void integrity() {
    if (!opened_) return;
    mark_checked(Invariant::kIntegrity);
    for (const RecoveredEntry& found : in_.recovery->entries) {
      const Expected* expected = oracle_.find(found.lsn);
      if (expected == nullptr || same_content(*expected, found)) continue;
      add(Invariant::kIntegrity, found.lsn, in_.step,
          fmt::format("LSN {}: expected {}, found {}{}", found.lsn, describe(*expected),
                      describe(found), owner_text(found)));
    }
  }

  void atomic_batch() {
    if (!opened_) return;
    mark_checked(Invariant::kAtomicBatch);
    wal::Lsn done_through = wal::kNoLsn;
    for (const auto& [lsn, e] : oracle_.entries()) {
      if (e.batch.first == wal::kNoLsn || lsn <= done_through) continue;
      done_through = e.batch.last;
      std::vector<wal::Lsn> present, absent;
      bool any_excused = false;
      for (wal::Lsn l = e.batch.first; l <= e.batch.last; ++l) {
        any_excused = any_excused || excused(l);
        (recovered(l) ? present : absent).push_back(l);
      }
      if (present.empty() || absent.empty() || any_excused) continue;
      add(Invariant::kAtomicBatch, absent.front(), in_.step,
          fmt::format("batch {} (call #{}) recovered in part: {} of {} entries, first missing "
                      "LSN {}",
                      range_text(e.batch.first, e.batch.last), e.call_id, present.size(),
                      present.size() + absent.size(), absent.front()));
    }
  }

  void lsn_continuity() {
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
      // what was issued (swarm --media-faults seeds 3257, 4039).
      const bool skipped_damaged = media_ && r.next_lsn > last_ + 1 &&
                                   oracle_.last_issued() != wal::kNoLsn &&
                                   r.next_lsn <= oracle_.last_issued() + 1;
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

  void checkpoint() {
    if (!opened_) return;
    mark_checked(Invariant::kCheckpoint);
    const Recovery& r = *in_.recovery;
    // The last checkpoint owed, then whether it can be judged: one past a read cut or damage
    // is unseen, and an older one is no stand-in for it (retention may rightly have dropped the
    // older one's segments; swarm seed 608).
    const Expected* owed_checkpoint = nullptr;
    for (const auto& [lsn, e] : oracle_.entries()) {
      if (e.type == wal::EntryType::kCheckpoint && owed(e) && lsn >= oracle_.excused_below()) {
        owed_checkpoint = &e;
      }
    }
    if (owed_checkpoint != nullptr) {
      const wal::Lsn lsn = owed_checkpoint->lsn;
      if (lsn >= damage_from_ || lsn >= read_cut_from_ || torn_excused(lsn)) {
        owed_checkpoint = nullptr;
      }
    }
    wal::Lsn latest = wal::kNoLsn;
    for (const RecoveredEntry& entry : r.entries) {
      if (entry.type == wal::EntryType::kCheckpoint) latest = std::max(latest, entry.lsn);
    }
    if (owed_checkpoint != nullptr && latest < owed_checkpoint->lsn) {
      add(Invariant::kCheckpoint, owed_checkpoint->lsn, in_.step,
          fmt::format("the last durable checkpoint, LSN {} ({}), is not recovered; latest "
                      "recovered checkpoint: {}",
                      owed_checkpoint->lsn, describe(*owed_checkpoint),
                      latest == wal::kNoLsn ? std::string("none") : std::to_string(latest)));
    }
    if (r.report.checkpoint_lsn != latest && !partial_) {
      add(Invariant::kCheckpoint, latest, in_.step,
          fmt::format("RecoveryReport.checkpoint_lsn is {} but the latest recovered checkpoint "
                      "is {}",
                      r.report.checkpoint_lsn, latest));
    }
    // An injected read error may cut one read-back and not the other: nothing to compare.
    if (!r.read_faults && !r.misdirected_writes) check_reader_from_checkpoint(r, latest);
  }

  void check_reader_from_checkpoint(const Recovery& r, wal::Lsn latest) {
    if (!r.from_checkpoint.has_value()) {
      if (r.from_checkpoint_status.is_ok()) return;  // not exercised
      if (r.from_checkpoint_status.injected()) return;
      if (latest == wal::kNoLsn && r.from_checkpoint_status.code() == wal::Code::kNotFound) return;
      add(Invariant::kCheckpoint, latest, in_.step,
          fmt::format("reader_from_checkpoint() failed: {}", r.from_checkpoint_status.to_string()));
      return;
    }
    const std::vector<RecoveredEntry>& got = *r.from_checkpoint;
    std::vector<RecoveredEntry> want;
    for (const RecoveredEntry& entry : r.entries) {
      if (entry.lsn >= latest) want.push_back(entry);
    }
    // Without a checkpoint, "from the checkpoint" may mean nothing or the whole log.
    if (latest == wal::kNoLsn && got.empty()) return;
    const std::size_t common = std::min(got.size(), want.size());
    for (std::size_t i = 0; i < common; ++i) {
      if (same_entry(got[i], want[i])) continue;
      add(Invariant::kCheckpoint, want[i].lsn, in_.step,
          fmt::format("reader_from_checkpoint() entry {}: expected LSN {} ({}), got LSN {} ({})",
                      i, want[i].lsn, describe(want[i]), got[i].lsn, describe(got[i])));
      return;
    }
    if (got.size() != want.size()) {
      add(Invariant::kCheckpoint, latest, in_.step,
          fmt::format("reader_from_checkpoint() returned {} entries, expected {} (checkpoint "
                      "LSN {} through {})",
                      got.size(), want.size(), latest, last_));
    }
  }

  void idempotent_recovery() {
    if (in_.repeats.empty()) return;
    mark_checked(Invariant::kIdempotentRecovery);
    const Recovery& first = *in_.recovery;
    for (std::size_t n = 0; n < in_.repeats.size(); ++n) {
      const Recovery& again = in_.repeats[n];
      const std::string which = fmt::format("recovery #{}", n + 2);
      // An open that an injected fault made fail recovered nothing to compare.
      if (first.open_status.injected() || again.open_status.injected()) continue;
      // Nor one whose read-back an injected read error cut short.
      if (first.read_status.injected() || again.read_status.injected()) continue;
      if (first.read_faults || again.read_faults) continue;
      if (first.misdirected_writes || again.misdirected_writes) continue;
      if (first.open_status.code() != again.open_status.code()) {
        add(Invariant::kIdempotentRecovery, wal::kNoLsn, in_.step,
            fmt::format("{} opened with {}, the first with {}", which,
                        again.open_status.to_string(), first.open_status.to_string()));
        continue;
      }
      const std::size_t common = std::min(first.entries.size(), again.entries.size());
      std::size_t i = 0;
      while (i < common && same_entry(first.entries[i], again.entries[i])) ++i;
      if (i < common) {
        add(Invariant::kIdempotentRecovery, first.entries[i].lsn, in_.step,
            fmt::format("{} differs at entry {}: LSN {} ({}) then LSN {} ({})", which, i,
                        first.entries[i].lsn, describe(first.entries[i]), again.entries[i].lsn,
                        describe(again.entries[i])));
      } else if (first.entries.size() != again.entries.size()) {
        add(Invariant::kIdempotentRecovery, wal::kNoLsn, in_.step,
            fmt::format("{} recovered {} entries, the first {}", which, again.entries.size(),
                        first.entries.size()));
      } else if (first.next_lsn != again.next_lsn) {
        add(Invariant::kIdempotentRecovery, again.next_lsn, in_.step,
            fmt::format("{} hands out LSN {} next, the first {}", which, again.next_lsn,
                        first.next_lsn));
      }
    }
  }

  void error_honesty() {
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
      const bool covered_before = call.begin_seq < fault.seq && call.lsns.last != wal::kNoLsn &&
                                  call.kind != CallKind::kTruncate &&
                                  call.lsns.last <= allowed[call.epoch];
      if (covered_before) continue;
      add(Invariant::kErrorHonesty, call.lsns.first, call.end_step,
          fmt::format("{} returned OK after the injected {} at step {} ({}); the log must refuse "
                      "work until reopened",
                      call.describe(), to_string(fault.kind), fault.step, fault.where));
    }
    if (oracle_.preallocated()) enospc_fails_cleanly(poisoned);
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

  // With preallocated segments an ENOSPC fails the call cleanly (SPEC 2.6): a call refused as
  // poisoned after one, with no failed write or sync before it in that open, shows a full disk
  // that surfaced in the middle of a record.
  void enospc_fails_cleanly(const std::map<std::uint32_t, const Fault*>& poisoned) {
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
      if (!reported.insert(call.epoch).second) continue;
      add(Invariant::kErrorHonesty, call.lsns.first, call.end_step,
          fmt::format("{} was refused as poisoned after the injected {} at step {} ({}); with "
                      "preallocated segments ENOSPC must fail the call cleanly, not poison the "
                      "log",
                      call.describe(), to_string(it->second->kind), it->second->step,
                      it->second->where));
    }
  }

  void corruption_detected() {
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

  void no_leak() {
    if (!in_.open_handles_after_close.has_value()) return;
    mark_checked(Invariant::kNoLeak);
    if (*in_.open_handles_after_close == 0) return;
    add(Invariant::kNoLeak, wal::kNoLsn, in_.step,
        fmt::format("{} file handle(s) still open after close()", *in_.open_handles_after_close));
  }

  const CheckInput& in_;
  const Oracle& oracle_;
  CheckResult& result_;
  bool media_ = false;
  std::set<std::uint32_t> poisoned_epochs_;
  bool any_poisoning_ = false;
  std::uint64_t last_poisoning_step_ = 0;  // the latest failed write or fsync (trace step)
  bool opened_ = false;
  bool partial_ = false;  // an injected read error cut the read-back short
  std::map<wal::Lsn, const RecoveredEntry*> recovered_;
  wal::Lsn last_ = wal::kNoLsn;
  wal::Lsn excused_below_ = wal::kNoLsn;
  wal::Lsn damage_from_ = kNoLimit;
  // An injected read error cut the read-back here: what follows was not seen, not lost (the
  // next LSN the WAL hands out still shows what it lost).
  wal::Lsn read_cut_from_ = kNoLimit;
  wal::Lsn torn_from_ = kNoLimit;      // media damage only: the first torn-tail LSN reported
  std::set<wal::Lsn> proven_;          // durable entries a later record proves durable
};

void cap_messages(InvariantVerdict& verdict) {
  if (verdict.violations.size() <= kMaxMessagesPerInvariant) return;
  const std::size_t more = verdict.violations.size() - kMaxMessagesPerInvariant;
  verdict.violations.resize(kMaxMessagesPerInvariant);
  Violation tail = verdict.violations.back();
  tail.message = fmt::format("{}: ... and {} more", to_string(verdict.invariant), more);
  verdict.violations.push_back(std::move(tail));
}

}  // namespace

std::string_view to_string(Invariant invariant) {
  return kNames[static_cast<std::size_t>(invariant)];
}

std::optional<Invariant> parse_invariant(std::string_view name) {
  for (std::size_t i = 0; i < kInvariantCount; ++i) {
    if (kNames[i] == name) return static_cast<Invariant>(i);
  }
  return std::nullopt;
}

RecoveredEntry RecoveredEntry::from(wal::Lsn lsn, wal::EntryType type,
                                    std::span<const std::byte> bytes) {
  RecoveredEntry entry;
  entry.lsn = lsn;
  entry.type = type;
  entry.size_bytes = static_cast<std::uint32_t>(bytes.size());
  entry.fingerprint = harness::fingerprint(bytes);
  entry.id = identify_payload(bytes);
  return entry;
}

RecoveredEntry RecoveredEntry::from(const wal::Entry& entry) {
  return from(entry.lsn, entry.type, entry.payload);
}

CheckResult::CheckResult() {
  for (std::size_t i = 0; i < kInvariantCount; ++i) {
    verdicts_[i].invariant = static_cast<Invariant>(i);
  }
}

const InvariantVerdict& CheckResult::operator[](Invariant invariant) const {
  return verdicts_[static_cast<std::size_t>(invariant)];
}

InvariantVerdict& CheckResult::operator[](Invariant invariant) {
  return verdicts_[static_cast<std::size_t>(invariant)];
}

bool CheckResult::passed() const {
  return std::none_of(verdicts_.begin(), verdicts_.end(),
                      [](const InvariantVerdict& v) { return v.violated(); });
}

std::vector<Violation> CheckResult::violations() const {
  std::vector<Violation> all;
  for (const InvariantVerdict& verdict : verdicts_) {
    all.insert(all.end(), verdict.violations.begin(), verdict.violations.end());
  }
  return all;
}

std::vector<Invariant> CheckResult::checked() const {
  std::vector<Invariant> out;
  for (const InvariantVerdict& verdict : verdicts_) {
    if (verdict.checked) out.push_back(verdict.invariant);
  }
  return out;
}

std::vector<Invariant> CheckResult::violated() const {
  std::vector<Invariant> out;
  for (const InvariantVerdict& verdict : verdicts_) {
    if (verdict.violated()) out.push_back(verdict.invariant);
  }
  return out;
}

std::string CheckResult::summary() const {
  if (passed()) return fmt::format("all {} checked invariants hold", checked().size());
  std::string text;
  for (const Violation& violation : violations()) {
    text += violation.message;
    text += '\n';
  }
  return text;
}

CheckResult check(const CheckInput& input) {
  CheckResult result;
  Checker(input, result).run();
  for (std::size_t i = 0; i < kInvariantCount; ++i) {
    cap_messages(result[static_cast<Invariant>(i)]);
  }
  return result;
}

}  // namespace harness
