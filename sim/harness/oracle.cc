#include "sim/harness/oracle.h"

#include <algorithm>

#include <fmt/format.h>

#include "sim/harness/payload.h"
#include "sim/harness/script.h"
#include "wal/src/record_format.h"

namespace harness {

std::string_view to_string(CallKind kind) {
  switch (kind) {
    case CallKind::kOpen: return "open";
    case CallKind::kAppend: return "append";
    case CallKind::kBatch: return "append_batch";
    case CallKind::kCheckpoint: return "checkpoint";
    case CallKind::kSync: return "sync";
    case CallKind::kWaitDurable: return "wait_durable";
    case CallKind::kRead: return "read";
    case CallKind::kTruncate: return "truncate_front";
    case CallKind::kClose: return "close";
  }
  return "?";
}

std::string_view to_string(CallState state) {
  switch (state) {
    case CallState::kInFlight: return "in flight";
    case CallState::kOk: return "ok";
    case CallState::kFailed: return "failed";
    case CallState::kInFlightAtCrash: return "in flight at crash";
  }
  return "?";
}

std::string_view to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::kFsyncEio: return "fsync_eio";
    case FaultKind::kWriteEio: return "write_eio";
    case FaultKind::kWriteShort: return "write_short";
    case FaultKind::kNoSpace: return "enospc_after_bytes";
    case FaultKind::kReadEio: return "read_eio";
    case FaultKind::kBitFlip: return "bit_flip";
    case FaultKind::kLatentSector: return "latent_sector";
    case FaultKind::kMisdirectedWrite: return "misdirected_write";
    case FaultKind::kReadShort: return "read_short";
    case FaultKind::kCloseEio: return "close_eio";
  }
  return "?";
}

CallKind call_kind_of(OpKind kind) {
  switch (kind) {
    case OpKind::kAppend: return CallKind::kAppend;
    case OpKind::kBatch: return CallKind::kBatch;
    case OpKind::kSync: return CallKind::kSync;
    case OpKind::kCheckpoint: return CallKind::kCheckpoint;
    case OpKind::kRead: return CallKind::kRead;
    case OpKind::kTruncate: return CallKind::kTruncate;
    case OpKind::kReopen: return CallKind::kClose;
  }
  return CallKind::kAppend;
}

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  for (auto kind = FaultKind::kFsyncEio; kind <= FaultKind::kCloseEio;
       kind = static_cast<FaultKind>(static_cast<int>(kind) + 1)) {
    if (to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

bool poisons_log(FaultKind kind) {
  return kind == FaultKind::kFsyncEio || kind == FaultKind::kWriteEio ||
         kind == FaultKind::kWriteShort;
}

bool poisons_log(FaultKind kind, std::string_view path, std::uint64_t offset) {
  if (poisons_log(kind)) return true;
  // A full disk poisons where it refused a segment's records, wherever that segment's handle
  // was opened: a spare renamed into place still writes as "spare-segment.tmp" (swarm seed
  // 28735). A new segment's header write or preallocation (offset 0) and the FRONT marker only
  // fail or postpone that step, and the WAL says so without poisoning (swarm seed 69532).
  return kind == FaultKind::kNoSpace && offset >= wal::format::kSegmentHeaderBytes &&
         file_class(path).find("FRONT") == std::string::npos;
}

bool poisons_log(const Fault& fault) {
  return poisons_log(fault.kind, fault.path, fault.offset);
}

bool is_media_damage(FaultKind kind) {
  return kind == FaultKind::kBitFlip || kind == FaultKind::kLatentSector ||
         kind == FaultKind::kMisdirectedWrite;
}

std::string Call::describe() const {
  return fmt::format("{} #{} (writer {} op {}, epoch {})", to_string(kind), id, writer, op, epoch);
}

std::uint64_t Oracle::begin(CallKind kind, std::uint32_t writer, std::uint64_t op,
                            std::uint64_t step, wal::LsnRange lsns) {
  if (kind == CallKind::kOpen) ++epoch_;
  if (kind == CallKind::kTruncate) excuse_truncation(lsns.first);
  Call call;
  call.id = calls_.size();
  call.kind = kind;
  call.writer = writer;
  call.op = op;
  call.epoch = epoch_;
  call.lsns = lsns;
  call.begin_seq = next_seq_++;
  call.begin_step = step;
  calls_.push_back(std::move(call));
  return calls_.back().id;
}

void Oracle::issue(std::uint64_t call_id, wal::Lsn lsn, wal::EntryType type,
                   std::span<const std::byte> payload, PayloadId id, std::uint64_t step,
                   wal::LsnRange batch) {
  WAL_ASSERT(lsn != wal::kNoLsn);
  Call& call = mutable_call(call_id);
  if (call.lsns.first == wal::kNoLsn) call.lsns.first = lsn;
  call.lsns.last = std::max(call.lsns.last, lsn);
  call.issued.first = call.issued.first == wal::kNoLsn ? lsn : std::min(call.issued.first, lsn);
  call.issued.last = call.issued.last == wal::kNoLsn ? lsn : std::max(call.issued.last, lsn);
  Expected expected;
  expected.lsn = lsn;
  expected.type = type;
  expected.size_bytes = static_cast<std::uint32_t>(payload.size());
  expected.fingerprint = fingerprint(payload);
  expected.id = id;
  expected.call_id = call_id;
  expected.batch = batch;
  expected.issued_step = step;
  const wal::Lsn last = last_issued();
  wal::Lsn next = last == wal::kNoLsn ? wal::kNoLsn : last + 1;
  if (issue_floor_ != wal::kNoLsn && (next == wal::kNoLsn || issue_floor_ > next)) {
    next = issue_floor_;
  }
  if (next != wal::kNoLsn && lsn != next) {
    anomalies_.push_back(IssueAnomaly{lsn, next, call_id, step});
  }
  // A reused LSN keeps its first owner: the history stays unambiguous and the anomaly above
  // reports the reuse.
  entries_.emplace(lsn, expected);
}

void Oracle::excuse_truncation(wal::Lsn point) {
  // truncate_front keeps whatever the last durable checkpoint needs (SPEC 2.2): only what
  // lies below both the point and that checkpoint may go. A checkpoint below an earlier excused
  // cut may itself be gone, and a log whose newer checkpoints were lost to media damage then
  // holds none the WAL could know of (swarm seed 11238): only a checkpoint that must still be
  // in the log caps the cut.
  wal::Lsn cut = point;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->first < excused_below_) break;
    if (it->second.type == wal::EntryType::kCheckpoint && it->second.durable) {
      cut = std::min(cut, it->first);
      break;
    }
  }
  excused_below_ = std::max(excused_below_, cut);
}

void Oracle::end(std::uint64_t call_id, const wal::Status& status, std::uint64_t step) {
  Call& call = mutable_call(call_id);
  // Between the call and the moment the WAL took its lock, another thread's sync may have made
  // a newer checkpoint durable, and the WAL rightly kept only what that one needs (swarm seed
  // 1191906): the truncation is excused up to the checkpoint durable by its return.
  if (call.kind == CallKind::kTruncate) excuse_truncation(call.lsns.first);
  WAL_ASSERT(call.state == CallState::kInFlight);
  call.state = status.is_ok() ? CallState::kOk : CallState::kFailed;
  call.code = status.code();
  call.injected = status.injected();
  if (!status.is_ok()) call.error = status.to_string();
  call.end_seq = next_seq_++;
  call.end_step = step;
}

void Oracle::acknowledge_durable(std::uint64_t call_id, std::uint64_t step) {
  const Call& acknowledged = call(call_id);
  const bool sync = acknowledged.kind == CallKind::kSync;
  const auto cover = [&](auto from, auto to) {
    for (auto it = from; it != to; ++it) {
      Expected& expected = it->second;
      if (expected.durable) continue;
      if (expected.call_id == call_id || (sync && it->first <= acknowledged.lsns.last)) {
        expected.durable = true;
        expected.durable_step = step;
      }
    }
  };
  // Only the entries the call was issued can carry its id (issue() is the only place one is
  // set, and a reused LSN keeps its first owner), and a sync covers everything up to its
  // target: a walk of those ranges, not of the whole history at every acknowledgement.
  if (acknowledged.issued.first != wal::kNoLsn) {
    cover(entries_.lower_bound(acknowledged.issued.first),
          entries_.upper_bound(acknowledged.issued.last));
  }
  if (sync && acknowledged.lsns.last != wal::kNoLsn) {
    cover(entries_.begin(), entries_.upper_bound(acknowledged.lsns.last));
  }
}

void Oracle::observe_durable(wal::Lsn lsn, std::uint64_t step) {
  observations_.push_back(DurableObservation{lsn, epoch_, next_seq_++, step});
  if (lsn <= durable_lsn_) return;
  for (auto it = entries_.upper_bound(durable_lsn_); it != entries_.end() && it->first <= lsn;
       ++it) {
    if (it->second.durable) continue;
    it->second.durable = true;
    it->second.durable_step = step;
  }
  durable_lsn_ = lsn;
}

void Oracle::sync_started(wal::Lsn target, std::uint64_t step) {
  sync_starts_.push_back(SyncStart{target, epoch_, next_seq_++, step});
}

void Oracle::observe_first_lsn(wal::Lsn lsn) { excused_below_ = std::max(excused_below_, lsn); }

void Oracle::fault(FaultKind kind, std::uint64_t step, std::string where,
                   std::optional<wal::LsnRange> hit, std::string path, std::uint64_t offset) {
  faults_.push_back(
      Fault{kind, epoch_, next_seq_++, step, std::move(where), hit, std::move(path), offset});
}

void Oracle::crash(std::uint64_t step) {
  for (Call& call : calls_) {
    if (call.state != CallState::kInFlight) continue;
    if (call.kind == CallKind::kTruncate) excuse_truncation(call.lsns.first);
    call.state = CallState::kInFlightAtCrash;
    call.end_seq = next_seq_;
    call.end_step = step;
  }
  ++next_seq_;
  power_lost_ = true;
}

void Oracle::rebase(std::span<const Recovered> entries, bool after_crash, wal::Lsn next_lsn,
                    std::uint64_t step) {
  issue_floor_ = next_lsn;
  rebased_at_ = step;
  std::map<wal::Lsn, Expected> kept;
  // Entries before the first recovered one were truncated away; they stay known, because a
  // crash before the truncation's unlinks were durable may legitimately bring them back.
  const wal::Lsn first = entries.empty() ? wal::kNoLsn : entries.front().lsn;
  for (auto it = entries_.begin(); it != entries_.end() && it->first < first; ++it) {
    kept.emplace(it->first, it->second);
  }
  wal::Lsn durable = wal::kNoLsn;
  for (const Recovered& entry : entries) {
    auto it = entries_.find(entry.lsn);
    WAL_ASSERT(it != entries_.end());  // the checker accepted this recovery
    Expected expected = it->second;
    if (after_crash && !expected.durable) {
      expected.durable = true;  // the crash image is the media now
      expected.durable_step = step;
    }
    if (expected.durable) durable = std::max(durable, expected.lsn);
    kept.emplace(entry.lsn, expected);
  }
  entries_ = std::move(kept);
  durable_lsn_ = durable;
  power_lost_ = false;
}

const Call& Oracle::call(std::uint64_t id) const {
  WAL_ASSERT(id < calls_.size());
  return calls_[id];
}

Call& Oracle::mutable_call(std::uint64_t id) {
  WAL_ASSERT(id < calls_.size());
  return calls_[id];
}

const Expected* Oracle::find(wal::Lsn lsn) const {
  auto it = entries_.find(lsn);
  return it == entries_.end() ? nullptr : &it->second;
}

const Expected* Oracle::find(const PayloadId& id) const {
  for (const auto& [lsn, expected] : entries_) {
    if (expected.id == id) return &expected;
  }
  return nullptr;
}

wal::Lsn Oracle::last_issued() const {
  return entries_.empty() ? wal::kNoLsn : entries_.rbegin()->first;
}

bool Oracle::media_damage_injected() const {
  return std::any_of(faults_.begin(), faults_.end(),
                     [](const Fault& fault) { return is_media_damage(fault.kind); });
}

}  // namespace harness
