// The Checker the invariant checks share (invariants.cc runs it), declared once so that each group
// of checks can live in a file of its own. Internal to the harness: not part of its interface.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "sim/harness/invariants.h"

namespace harness::invariants_internal {

constexpr wal::Lsn kNoLimit = std::numeric_limits<wal::Lsn>::max();

std::string describe(const Expected& e);
std::string describe(const RecoveredEntry& e);
std::string range_text(wal::Lsn first, wal::Lsn last);

inline bool same_content(const Expected& expected, const RecoveredEntry& found) {
  return expected.type == found.type && expected.size_bytes == found.size_bytes &&
         expected.fingerprint == found.fingerprint;
}

inline bool same_entry(const RecoveredEntry& a, const RecoveredEntry& b) {
  return a.lsn == b.lsn && a.type == b.type && a.size_bytes == b.size_bytes &&
         a.fingerprint == b.fingerprint;
}

// Facts every invariant shares, computed once.
class Checker {
 public:
  Checker(const CheckInput& input, CheckResult& result);  // invariants_excuses.cc

  void run();  // invariants.cc

 private:
  // invariants_excuses.cc: what is owed, and what injected faults excuse.
  void compute_excuses(const Recovery& r);
  bool poisons(const Fault& fault) const;
  // Torn-tail-excused: see compute_excuses.
  bool torn_excused(wal::Lsn lsn) const { return lsn >= torn_from_ && proven_.count(lsn) == 0; }
  bool excused(wal::Lsn lsn) const {
    return lsn < excused_below_ || lsn >= damage_from_ || lsn >= read_cut_from_ ||
           torn_excused(lsn);
  }
  bool owed(const Expected& e) const;
  bool recovered(wal::Lsn lsn) const { return recovered_.count(lsn) != 0; }
  bool acceptable_open_failure() const;

  // invariants.cc: recording a verdict.
  void add(Invariant invariant, wal::Lsn lsn, std::uint64_t step, std::string message);
  void mark_checked(Invariant invariant) { result_[invariant].checked = true; }

  // invariants_recovery.cc: what recovery brings back, against what was owed.
  void durability();
  std::string owed_text(const Expected& e) const;
  void prefix();
  std::string owner_text(const RecoveredEntry& found) const;
  void integrity();
  void atomic_batch();
  void checkpoint();
  void check_reader_from_checkpoint(const Recovery& r, wal::Lsn latest);
  void idempotent_recovery();

  // invariants_honesty.cc: what the WAL says (LSNs, OKs, damage reports, closes), against what
  // happened.
  void lsn_continuity();
  void error_honesty();
  void enospc_fails_cleanly(const std::map<std::uint32_t, const Fault*>& poisoned);
  void closes_report_failures();
  void corruption_detected();
  void no_leak();

  const CheckInput& in_;
  const Oracle& oracle_;
  CheckResult& result_;
  bool media_ = false;
  std::set<std::uint32_t> poisoned_epochs_;
  bool any_poisoning_ = false;
  std::uint64_t last_poisoning_step_ = 0;  // the latest failed write or fsync (trace step)
  // A failed close of a segment's file (close_eio) is a failed writeback: its unsynced pages
  // are in the state a failed fsync leaves, so nothing unsynced before it is owed
  // (faults/close_eio_fs.h). And the WAL may poison itself on any failed close (a rotation's,
  // a FRONT marker's) though it need not.
  std::uint64_t last_failed_segment_close_step_ = 0;
  std::map<std::uint32_t, std::uint64_t> first_failed_close_seq_;  // by epoch
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

}  // namespace harness::invariants_internal
