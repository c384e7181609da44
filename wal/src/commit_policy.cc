#include "commit_policy.h"

#include <limits>

namespace wal::detail {
namespace {
constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > kNever - b ? kNever : a + b;
}
}  // namespace

bool needs_append_clock(const Options& options) {
  return (options.sync == SyncPolicy::kPeriodic && options.sync_interval_us > 0) ||
         (options.sync == SyncPolicy::kGrouped && options.group_window_us > 0);
}

CommitStep commit_step(const Options& options, const CommitState& state, Lsn lsn,
                       std::uint64_t now_us) {
  WAL_ASSERT(lsn <= state.last_lsn);
  if (lsn <= state.durable_lsn) return {CommitAction::kDurable};
  if (state.poisoned) return {CommitAction::kFailed};
  // One ticket at a time: whether or not the sync in flight covers `lsn`, the caller learns
  // more only when it finishes. Followers that arrive meanwhile form the next group.
  if (state.sync_in_flight) return {CommitAction::kWait};
  // Group window: the leader holds off until the oldest waiting entry is `window` old, so that
  // more writers join its group. Only kGrouped asks for it; explicit syncs and checkpoints
  // under other policies lead at once.
  if (options.sync == SyncPolicy::kGrouped && options.group_window_us > 0 &&
      state.last_lsn > state.covered_lsn) {
    const std::uint64_t until = saturating_add(state.first_uncovered_us, options.group_window_us);
    if (now_us < until) return {CommitAction::kWaitUntil, until};
  }
  return {CommitAction::kLead};
}

bool sync_due(const Options& options, const CommitState& state, std::uint64_t now_us) {
  if (options.sync != SyncPolicy::kPeriodic) return false;
  if (state.poisoned || state.sync_in_flight || state.last_lsn <= state.covered_lsn) return false;
  if (options.sync_every_bytes > 0 && state.uncovered_bytes >= options.sync_every_bytes) {
    return true;
  }
  return options.sync_interval_us > 0 &&
         now_us >= saturating_add(state.first_uncovered_us, options.sync_interval_us);
}

std::uint64_t next_sync_due_us(const Options& options, const CommitState& state) {
  if (options.sync != SyncPolicy::kPeriodic || options.sync_interval_us == 0) return kNever;
  if (state.poisoned || state.last_lsn <= state.covered_lsn) return kNever;
  return saturating_add(state.first_uncovered_us, options.sync_interval_us);
}

}  // namespace wal::detail
