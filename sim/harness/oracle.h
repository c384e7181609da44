// The oracle: what the application was told, and therefore what recovery owes it (SPEC 4.2).
//
// It records every WAL call (begin, outcome, the LSNs it got), every injected fault, every
// durable_lsn the WAL reported, and every crash. From that it keeps, per LSN handed out, the
// entry that must be there (type, size, fingerprint, identity) and whether it is
//   * durable:   an OK observation of durable_lsn() >= its LSN (an append that returned under a
//                policy that promises durability, a later sync, checkpoint or wait_durable, the
//                periodic syncer...); it must survive any crash;
//   * pending:   handed an LSN but never covered; a crash may keep or lose it.
// Like RocksDB's expected values with pending bits, uncertainty is modelled instead of guessed:
// because durable_lsn is a watermark, the valid recoveries after a crash are exactly "every
// durable entry, then a prefix of the pending ones, and nothing else".
//
// The oracle trusts nothing the WAL says except as a claim to be checked: it never reads the
// log. Every record carries the trace step it happened at, for the checker's messages.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <wal/status.h>
#include <wal/types.h>

#include "sim/harness/payload.h"
#include "sim/harness/workload.h"

namespace harness {

enum class CallKind : std::uint8_t {
  kOpen,  // LogCore::open: starts a new epoch
  kAppend,
  kBatch,
  kCheckpoint,
  kSync,
  kWaitDurable,
  kRead,
  kTruncate,
  kClose,
};

// The call a workload op makes first (a reopen starts with its close).
CallKind call_kind_of(OpKind kind);

enum class CallState : std::uint8_t {
  kInFlight,         // begun, not returned yet
  kOk,
  kFailed,
  kInFlightAtCrash,  // never returned: the power went out
};

std::string_view to_string(CallKind kind);
std::string_view to_string(CallState state);

struct Call {
  std::uint64_t id = 0;
  CallKind kind = CallKind::kAppend;
  std::uint32_t writer = 0;
  std::uint64_t op = 0;        // workload op index
  std::uint32_t epoch = 0;     // which open of the log it ran against
  CallState state = CallState::kInFlight;
  wal::LsnRange lsns;          // LSNs handed out; kTruncate: the truncation point; kSync: its
                               // target (the last LSN handed out when it began)
  wal::LsnRange issued;        // the lowest and highest LSN issue() gave an entry of this call
  wal::Code code = wal::Code::kOk;
  bool injected = false;       // the error came from an injected fault
  std::string error;
  std::uint64_t begin_seq = 0;  // oracle order, shared with faults and observations
  std::uint64_t end_seq = 0;
  std::uint64_t begin_step = 0;  // trace steps
  std::uint64_t end_step = 0;

  std::string describe() const;  // "append #12 (writer 0 op 33)"
};

enum class FaultKind : std::uint8_t {
  kFsyncEio,
  kWriteEio,
  kWriteShort,
  kNoSpace,
  kReadEio,
  kBitFlip,
  kLatentSector,
  kMisdirectedWrite,
  kReadShort,  // last two: added after the rest, so the kinds before keep their numbers
  kCloseEio,
};

// The SPEC 3.4 key ("fsync_eio", "enospc_after_bytes" -> kNoSpace, ...).
std::string_view to_string(FaultKind kind);
// The kind a trace's fault event names (to_string's inverse); nullopt for any other name.
std::optional<FaultKind> parse_fault_kind(std::string_view name);
// A failed write or sync leaves the log's state unknown: the WAL must refuse work until reopen.
bool poisons_log(FaultKind kind);
// Damage to data at rest, which recovery must repair or report (corruption-detected).
bool is_media_damage(FaultKind kind);

struct Fault {
  FaultKind kind = FaultKind::kFsyncEio;
  std::uint32_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint64_t step = 0;
  std::string where;  // file and offset, for messages
  // Media damage: the LSNs of the records it hit, read from the image before it (last is
  // UINT64_MAX when it reaches past what could be followed); unset when unknown or none.
  std::optional<wal::LsnRange> hit;
  // The file (as its handle was opened) and the offset of the call it failed, when known.
  std::string path;
  std::uint64_t offset = 0;
};

// The same, for a fault that fired: a full disk that refused a segment's bytes poisons the log
// as a failed write does (the WAL cannot tell what of the write reached the file), while a full
// disk at the FRONT marker only postpones the housekeeping.
bool poisons_log(FaultKind kind, std::string_view path, std::uint64_t offset);
bool poisons_log(const Fault& fault);

struct Expected {
  wal::Lsn lsn = wal::kNoLsn;
  wal::EntryType type = wal::EntryType::kData;
  std::uint32_t size_bytes = 0;
  std::uint64_t fingerprint = 0;
  PayloadId id;
  std::uint64_t call_id = 0;
  wal::LsnRange batch;               // the whole batch, for kBatch entries
  bool durable = false;
  std::uint64_t durable_step = 0;    // when it was first covered
  std::uint64_t issued_step = 0;
};

// The WAL handed out an LSN that was not last_issued() + 1: reused or skipped.
struct IssueAnomaly {
  wal::Lsn lsn = wal::kNoLsn;
  wal::Lsn expected_lsn = wal::kNoLsn;
  std::uint64_t call_id = 0;
  std::uint64_t step = 0;
};

struct DurableObservation {
  wal::Lsn lsn = wal::kNoLsn;
  std::uint32_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint64_t step = 0;
};

// A sync ticket began: the WAL handed everything up to `target` to the OS and started its
// fdatasync.
struct SyncStart {
  wal::Lsn target = wal::kNoLsn;
  std::uint32_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint64_t step = 0;
};

class Oracle {
 public:
  // A call starts. kOpen starts a new epoch. For kTruncate, `lsns.first` is the truncation point;
  // for kSync, `lsns` is its target.
  std::uint64_t begin(CallKind kind, std::uint32_t writer, std::uint64_t op, std::uint64_t step,
                      wal::LsnRange lsns = {});
  // The WAL handed `lsn` to an entry of call `call_id` (batch: the batch's whole range).
  // An LSN other than last_issued() + 1 is kept as an IssueAnomaly (lsn-continuity).
  void issue(std::uint64_t call_id, wal::Lsn lsn, wal::EntryType type,
             std::span<const std::byte> payload, PayloadId id, std::uint64_t step,
             wal::LsnRange batch = {});
  // The call returned `status`.
  void end(std::uint64_t call_id, const wal::Status& status, std::uint64_t step);
  // Call `call_id` returned OK and so promised durability (SPEC 4.2: an append under grouped or
  // immediate, a checkpoint, a sync): its entries, and for a sync every entry up to its target,
  // are acknowledged durable from `step` on, whatever durable_lsn() said.
  void acknowledge_durable(std::uint64_t call_id, std::uint64_t step);
  // The WAL said every entry <= lsn is durable (an OK durable_lsn() observation).
  void observe_durable(wal::Lsn lsn, std::uint64_t step);
  // The WAL reported its oldest entry (retention may have dropped older segments).
  void observe_first_lsn(wal::Lsn lsn);
  // A sync ticket covering up to `target` began (its data is with the OS from here on).
  void sync_started(wal::Lsn target, std::uint64_t step);
  void fault(FaultKind kind, std::uint64_t step, std::string where,
             std::optional<wal::LsnRange> hit = std::nullopt, std::string path = {},
             std::uint64_t offset = 0);
  // Power loss: calls still in flight will never return.
  void crash(std::uint64_t step);
  // Recovery was checked and found valid: its entries are now the log. After a crash they are
  // what the media holds, so durable; after a clean reopen they keep their old state.
  struct Recovered {
    wal::Lsn lsn;
    wal::EntryType type;
  };
  // `next_lsn`: the LSN the reopened log hands out next, as the checker accepted it (past
  // media damage it may skip LSNs it saw in records it could not keep); kNoLsn: last kept + 1.
  // `step`: now. An entry the crash image made durable became so now: the durable hints of
  // records written before now never covered it (media seed 3069927).
  void rebase(std::span<const Recovered> entries, bool after_crash,
              wal::Lsn next_lsn = wal::kNoLsn, std::uint64_t step = 0);

  // The log preallocates its segments (Options::preallocate): a full disk then shows as ENOSPC
  // where a segment is created, which fails that call cleanly and never poisons the log
  // (SPEC 2.6; error-honesty checks it).
  void set_preallocated(bool preallocated) { preallocated_ = preallocated; }
  bool preallocated() const { return preallocated_; }

  const std::vector<Call>& calls() const { return calls_; }
  const std::vector<Fault>& faults() const { return faults_; }
  const std::vector<DurableObservation>& durable_observations() const { return observations_; }
  const std::vector<SyncStart>& sync_starts() const { return sync_starts_; }
  const std::map<wal::Lsn, Expected>& entries() const { return entries_; }
  const std::vector<IssueAnomaly>& issue_anomalies() const { return anomalies_; }
  const Call& call(std::uint64_t id) const;
  const Expected* find(wal::Lsn lsn) const;
  const Expected* find(const PayloadId& id) const;

  wal::Lsn durable_lsn() const { return durable_lsn_; }  // highest covered LSN
  wal::Lsn last_issued() const;                          // kNoLsn if none
  // The next LSN the last rebase accepted (kNoLsn: none declared): a log reopened past
  // damage may go on from there although the LSNs below it were never kept.
  wal::Lsn issue_floor() const { return issue_floor_; }
  // The step of the last rebase (0: none): faults before it were judged with the recovery the
  // rebase accepted, and what they destroyed is gone from entries().
  std::uint64_t rebased_at() const { return rebased_at_; }
  // Entries below this may legitimately be gone: truncate_front points, capped at the last
  // checkpoint known durable when the truncation began (the WAL keeps what it needs; the point
  // is only attempted: a crash or error inside truncate_front may leave its unlinks done), and
  // reported first LSNs.
  wal::Lsn excused_below() const { return excused_below_; }
  std::uint32_t epoch() const { return epoch_; }
  // A power loss happened since the last rebase (false: a clean reopen, where nothing issued may
  // be lost).
  bool power_lost() const { return power_lost_; }
  bool media_damage_injected() const;

 private:
  Call& mutable_call(std::uint64_t id);
  // A truncate_front to `point` may have dropped what lies below it and below the newest
  // checkpoint known durable now.
  void excuse_truncation(wal::Lsn point);

  std::uint64_t next_seq_ = 0;
  std::uint32_t epoch_ = 0;
  bool power_lost_ = false;
  bool preallocated_ = false;
  wal::Lsn issue_floor_ = wal::kNoLsn;  // the next LSN a rebase declared (rebase)
  std::uint64_t rebased_at_ = 0;
  wal::Lsn durable_lsn_ = wal::kNoLsn;
  wal::Lsn excused_below_ = wal::kNoLsn;
  std::vector<Call> calls_;  // calls_[id]
  std::vector<Fault> faults_;
  std::vector<DurableObservation> observations_;
  std::vector<SyncStart> sync_starts_;
  std::map<wal::Lsn, Expected> entries_;
  std::vector<IssueAnomaly> anomalies_;
};

}  // namespace harness
