// Every durability decision of the WAL, as pure functions of a small state, so the production
// runtime (wal::Log, real threads) and the simulator (virtual time) make the same choices.
#pragma once

#include <cstdint>

#include <wal/log_core.h>
#include <wal/options.h>
#include <wal/types.h>

namespace wal::detail {

struct CommitState {
  Lsn last_lsn = kNoLsn;     // last LSN handed out
  Lsn durable_lsn = kNoLsn;  // every entry <= this survives a power loss
  Lsn covered_lsn = kNoLsn;  // durable_lsn, or the target of the ticket in flight if higher
  bool sync_in_flight = false;
  bool poisoned = false;
  // When the oldest entry above covered_lsn was appended (valid while last_lsn > covered_lsn
  // and the policy needs a clock: kPeriodic interval, kGrouped window).
  std::uint64_t first_uncovered_us = 0;
  std::uint64_t uncovered_bytes = 0;  // record bytes above covered_lsn
};

// Whether appends must timestamp the first entry above the covered mark.
bool needs_append_clock(const Options& options);

CommitStep commit_step(const Options& options, const CommitState& state, Lsn lsn,
                       std::uint64_t now_us);
bool sync_due(const Options& options, const CommitState& state, std::uint64_t now_us);
std::uint64_t next_sync_due_us(const Options& options, const CommitState& state);

}  // namespace wal::detail
