// The crash states of a recorded program: at every crash point (after each call that changed
// what a crash could leave), the post-crash states a power loss could produce, under the crash
// policies of faults/power_loss.h, deduplicated by what a reader would see.
//
// A crash point's pending ops (file writes, truncates, allocates and directory entry changes
// not yet made durable) are taken in the order the program made them. A plan gives each a fate
// (sim::OpFate). The policies produce these families of plans, each bounded:
//   drop-unsynced  every pending op lost (one plan)
//   prefix         the first j pending ops survive, in program order (j = 0..n): in-order
//                  persistence; j = n is the state the program saw, made durable
//   reorder        the first j survive but one of them, i < j (a later op reached the disk
//                  before an earlier one); every subset when n <= kSubsetLimit
//   torn           the first j-1 survive and write j is torn: sector pieces of it lost, under
//                  each fill of sim/torn_fill.h (stale, zeros, random)
//   garbage-tail   the first j-1 survive and write j grew the file without its data (zeros or
//                  junk)
// A search runs the families one after another over every crash point (all points' in-order
// states before any reordered one), so the state bound cuts the rarest states first; the plan
// bound is shared out between the policies and, within one, between the crash points. A plan is kept as
// a PlanSpec, a few numbers: the state is rebuilt from the replay when it is needed again.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crashes/replay.h"
#include "faults/power_loss.h"
#include "sim/crash_plan.h"
#include "sim/sim_fs_state.h"
#include "sim/torn_fill.h"

namespace crashes {

inline constexpr std::size_t kSubsetLimit = 10;
// Each crash point gets at least this many plans of each policy, whatever --max-plans says.
inline constexpr std::uint64_t kMinPlansPerPoint = 32;

// One op a crash may lose, of one crash point.
struct PendingItem {
  bool dir = false;         // a directory entry op, else a file op
  sim::InodeId inode = 0;   // the file or directory
  std::size_t index = 0;    // in its pending list
  std::size_t call = 0;     // the trace call that made it (1-based)
  bool write = false;       // a file write (can be torn or leave garbage)
  bool grows = false;       // a write past the file's durable end
  std::vector<sim::ByteRange> pieces;  // a write's sector pieces
  std::string path;         // the file's or directory's path (of the visible tree), for words
  std::string what;         // "write 0+4096", "rename a -> b", "create x", ...
};

// The pending items of a state, in the order their calls were made.
std::vector<PendingItem> pending_items(const sim::SimFsState& state, const Replay& replay);

enum class Family : std::uint8_t { kDropAll, kPrefix, kOmitOne, kSubset, kTorn, kGarbage };

struct PlanSpec {
  Family family = Family::kPrefix;
  std::uint32_t keep = 0;     // kPrefix/kOmitOne: items [0, keep) survive; kTorn/kGarbage:
                              // items [0, keep) survive and item `keep` is torn / garbage
  std::uint32_t omit = 0;     // kOmitOne: this one of them is lost
  std::uint64_t mask = 0;     // kSubset: bit i = item i survives; kTorn: bit p = piece p kept
  sim::TornFill fill = sim::TornFill::kStale;  // kTorn, kGarbage
  std::uint64_t seed = 1;  // the search's --seed: where junk (fill random) comes from
};

// The fate of each item under `spec` (aligned with `items`).
std::vector<sim::OpFate> fates_of(const std::vector<PendingItem>& items, const PlanSpec& spec);
// The plan a vector of fates gives (forced ops survive whatever it says).
sim::CrashPlan plan_of(const sim::SimFsState& state, const std::vector<PendingItem>& items,
                       const std::vector<sim::OpFate>& fates);
// What a plan lost or tore, in words ("lost: call 12 create a.tmp; torn: call 14 write ...").
std::string describe(const std::vector<PendingItem>& items,
                     const std::vector<sim::OpFate>& fates);

// "all" or one policy: which families to run.
struct SearchOptions {
  std::vector<faults::CrashPolicy> policies;  // empty: all of them
  std::uint64_t max_states = 10'000;
  // Plans tried at most: each costs a copy of the state, so a program with thousands of ops
  // pending (nothing synced) is bounded here before the states are.
  std::uint64_t max_plans = 200'000;
  bool output_matters = false;  // the checker reads the acknowledged output: part of the key
  std::uint64_t seed = 1;       // the junk a random fill writes is drawn from it alone
};

// One distinct crash state, in search order.
struct CrashState {
  std::uint64_t number = 0;   // 1-based, in search order
  std::size_t point = 0;      // after this call
  PlanSpec spec;
  std::uint64_t hash = 0;     // sim::durable_hash of the state
  std::size_t output_bytes = 0;  // acknowledged output at the point
};

struct SearchResult {
  std::uint64_t plans = 0;
  std::uint64_t states = 0;
  std::uint64_t points = 0;
  bool complete = true;  // no bound cut it short
  bool plans_bound = false;  // the plan bound (not the state bound) cut it short
  std::string error;     // the replay's problem: nothing was searched
};

// Visits each distinct state once: its description, the state itself, the replay stopped at
// its point (for pending items and output). Returns false to stop.
using StateSink = std::function<bool(const CrashState&, const sim::SimFsState&, const Replay&,
                                     const std::vector<PendingItem>&)>;
SearchResult search(const systrace::Trace& trace, const sim::DeviceModel& device,
                    const SearchOptions& options, const StateSink& sink);

// Replays to `point` (after that call): the replay, or "" and the problem.
[[nodiscard]] std::string replay_to(Replay& replay, std::size_t point);

}  // namespace crashes
