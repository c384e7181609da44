// The invariant checker (SPEC 4.3): every invariant evaluated by its contract name from the
// oracle's history and what recovery returned, and nothing else. It knows no WAL internals: it
// compares recovered entries (LSN, type, fingerprint) with the history, reads the
// RecoveryReport only for what it claims, and never reads the log itself.
//
// What excuses a missing entry, and what never does:
//   * below a truncate_front point or a reported first LSN (Oracle::excused_below): excused;
//   * under retention (CheckInput::retention): below the latest durable checkpoint, or, with
//     none, below the first recovered entry (retention drops a prefix, never a middle);
//   * at or after the first damage the RecoveryReport (or the read-back error) reports, when
//     media damage was injected: excused from `durability` and `prefix`;
//   * a torn-tail report excuses only pending entries, and, when media damage was injected,
//     durable entries that no later record could prove durable (a later durable entry issued
//     after they became durable carries a durable hint covering them): damage to the last
//     durable records is indistinguishable from a torn write;
//   * anything missing or altered without a report: never (`corruption-detected`).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <wal/options.h>
#include <wal/reader.h>
#include <wal/recovery_report.h>
#include <wal/status.h>

#include "sim/harness/oracle.h"

namespace harness {

enum class Invariant : std::uint8_t {
  kDurability,
  kPrefix,
  kIntegrity,
  kAtomicBatch,
  kLsnContinuity,
  kCheckpoint,
  kIdempotentRecovery,
  kErrorHonesty,
  kCorruptionDetected,
  kNoLeak,
};
inline constexpr std::size_t kInvariantCount = 10;

// The contract names: "durability", "prefix", ..., "no-leak".
std::string_view to_string(Invariant invariant);
std::optional<Invariant> parse_invariant(std::string_view name);

// One recovered entry, as the checker compares it.
struct RecoveredEntry {
  wal::Lsn lsn = wal::kNoLsn;
  wal::EntryType type = wal::EntryType::kData;
  std::uint32_t size_bytes = 0;
  std::uint64_t fingerprint = 0;
  std::optional<PayloadId> id;  // from the payload's header, when it has one

  static RecoveredEntry from(const wal::Entry& entry);
  static RecoveredEntry from(wal::Lsn lsn, wal::EntryType type, std::span<const std::byte> bytes);
};

// Everything one recovery (LogCore::open and a read-back) produced.
struct Recovery {
  wal::Status open_status;             // why open failed; OK otherwise
  wal::RecoveryReport report;
  std::vector<RecoveredEntry> entries;  // read from the first LSN to the end
  wal::Status read_status;              // an error that stopped the read-back
  wal::Lsn next_lsn = wal::kNoLsn;      // the LSN the reopened log hands out next
  // reader_from_checkpoint(): the entries it returned, or the error. Not checked when absent.
  std::optional<std::vector<RecoveredEntry>> from_checkpoint;
  wal::Status from_checkpoint_status;
  // An injected read_eio hit this recovery: a repeat may legitimately see more or less.
  bool read_faults = false;
  // An injected misdirected_write hit this recovery's own writes (the open copies the newest
  // segment when a record there is unproven, wal/src/unproven_tail.h): the write landed
  // elsewhere and damaged what a repeat reads. Not the WAL's doing; corruption-detected still
  // judges it.
  bool misdirected_writes = false;
  // Any injected fault hit this recovery (an open failing because of it is honest).
  bool injected_during = false;
};

struct CheckInput {
  const Oracle* oracle = nullptr;       // required
  wal::RecoveryMode mode = wal::RecoveryMode::kTolerateTail;
  bool retention = false;               // max_segments/max_bytes set: old segments may go
  const Recovery* recovery = nullptr;   // null: no recovery to judge (only history checks)
  std::vector<Recovery> repeats;        // later recoveries of the same state (idempotence)
  // Damage that recoveries of this crash image reported before the judged one (crashes during
  // recovery): a repair they finished (point-in-time cuts the log at the damage) leaves the
  // judged recovery a clean log, and the loss was still reported, once.
  std::vector<wal::DamagedRange> earlier_damage;
  std::optional<std::uint64_t> open_handles_after_close;  // for no-leak
  std::uint64_t step = 0;               // trace step of the recovery, for messages
};

struct Violation {
  Invariant invariant = Invariant::kDurability;
  wal::Lsn lsn = wal::kNoLsn;  // the LSN at fault, when there is one
  std::uint64_t step = 0;      // trace step where it shows
  std::string message;         // starts with the invariant's name
};

struct InvariantVerdict {
  Invariant invariant = Invariant::kDurability;
  bool checked = false;  // false when the run gave it nothing to judge
  std::vector<Violation> violations;
  bool violated() const { return !violations.empty(); }
};

class CheckResult {
 public:
  CheckResult();
  const InvariantVerdict& operator[](Invariant invariant) const;
  InvariantVerdict& operator[](Invariant invariant);
  const std::array<InvariantVerdict, kInvariantCount>& verdicts() const { return verdicts_; }

  bool passed() const;
  std::vector<Violation> violations() const;  // in invariant order
  std::vector<Invariant> checked() const;
  std::vector<Invariant> violated() const;
  std::string summary() const;  // one line per violation, or "all N checked invariants hold"

 private:
  std::array<InvariantVerdict, kInvariantCount> verdicts_;
};

CheckResult check(const CheckInput& input);

}  // namespace harness
