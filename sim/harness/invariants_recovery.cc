// The checks of what recovery brings back against the history: durability, prefix, integrity,
// atomic-batch, checkpoint and idempotent-recovery. Each judges recovered entries, not calls.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/harness/invariants_internal.h"

namespace harness::invariants_internal {

void Checker::durability() {
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

std::string Checker::owed_text(const Expected& e) const {
  return e.durable ? fmt::format("acknowledged durable at step {}", e.durable_step)
                   : fmt::format("issued at step {} with no power loss since", e.issued_step);
}

void Checker::prefix() {
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

std::string Checker::owner_text(const RecoveredEntry& found) const {
  if (!found.id) return "";
  const Expected* owner = oracle_.find(*found.id);
  if (owner == nullptr) return fmt::format(" = payload of {} (never issued)", to_string(*found.id));
  if (owner->lsn == found.lsn) return "";
  return fmt::format(" = payload of {} issued at LSN {}", to_string(*found.id), owner->lsn);
}

void Checker::integrity() {
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

void Checker::atomic_batch() {
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

void Checker::checkpoint() {
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

void Checker::check_reader_from_checkpoint(const Recovery& r, wal::Lsn latest) {
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

void Checker::idempotent_recovery() {
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

}  // namespace harness::invariants_internal
