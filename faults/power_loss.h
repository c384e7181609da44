// Power loss (SPEC 3.3): a pure function (SimFs state, device model, PRNG) -> post-crash state,
// for every crash policy. The policy chooses a sim::CrashPlan; sim::apply_crash builds the state.
//
//   drop-unsynced  every pending write and dir op is lost: exactly the durable image survives
//   prefix         per file, a prefix of its pending ops survives, whole
//   reorder        any subset of each file's pending ops survives, whole
//   torn           as reorder, and a surviving write may be torn: each piece of it between
//                  sector boundaries (absolute file offsets) survives or not; with
//                  atomic_sector = false a piece may also survive only in part (a prefix of it).
//                  What did not survive of a torn write reads as torn_fill says
//                  (sim/torn_fill.h): its old content (stale), zeros, or junk (random); with
//                  torn_scope "sector" (no powersafe overwrite) so does the rest of each
//                  sector it did not finish, older durable bytes beside the write included
//   garbage-tail   as reorder, and a surviving write may leave the file grown but the data not
//                  written: the part past the old end reads as zeros or junk
//   process        not a power loss: the process dies (kill -9) and the machine does not, so
//                  the page cache survives whole: every file reads as before, pending writes
//                  and directory ops stay pending (a later power loss may still drop them),
//                  only the handles die. Draws nothing. A target is judged as after a power
//                  loss (a process crash is milder), unless it holds itself to what it
//                  promises across a process crash (harness::TargetEnv::process_crash;
//                  LevelDB: "no writes will be lost even if sync == false")
// Ops made durable by sync_data (forced) survive every policy. Pending directory ops survive or
// vanish one by one when lose_unsynced_dir_ops, else all survive (drop-unsynced loses them all).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "sim/crash_plan.h"
#include "sim/device_model.h"
#include "sim/prng.h"
#include "sim/sim_fs.h"
#include "sim/sim_fs_state.h"
#include "sim/torn_fill.h"

namespace faults {

enum class CrashPolicy : std::uint8_t {
  kDropUnsynced,
  kPrefix,
  kReorder,
  kTorn,
  kGarbageTail,
  kProcess,  // last: added after the rest
};

// "drop-unsynced", "prefix", "reorder", "torn", "garbage-tail", "process" (crash.policy).
std::string_view to_string(CrashPolicy policy);
std::optional<CrashPolicy> parse_crash_policy(std::string_view text);

struct PowerLossOptions {
  CrashPolicy policy = CrashPolicy::kTorn;
  bool lose_unsynced_dir_ops = true;
  sim::TornFill torn_fill = sim::TornFill::kStale;  // torn only
  sim::TornScope torn_scope = sim::TornScope::kWrite;  // torn only; draws nothing more
  friend bool operator==(const PowerLossOptions&, const PowerLossOptions&) = default;
};

// The pieces of a write between absolute sector boundaries, relative to the write's start.
std::vector<sim::ByteRange> sector_pieces(const sim::PendingOp& write,
                                          const sim::DeviceModel& device);

sim::CrashPlan choose_crash_plan(const sim::SimFsState& state, const sim::DeviceModel& device,
                                 const PowerLossOptions& options, sim::Prng& prng);

// The pure function.
sim::SimFsState power_loss(const sim::SimFsState& state, const sim::DeviceModel& device,
                           const PowerLossOptions& options, sim::Prng& prng);

// Crashes `fs` in place (every handle goes stale) and records what survived, file by file, in
// its trace.
void crash(sim::SimFs& fs, const PowerLossOptions& options, sim::Prng& prng);
// The same with the plan already chosen (by choose_crash_plan, or a caller that watches it).
void crash_with_plan(sim::SimFs& fs, const sim::CrashPlan& plan, CrashPolicy policy);

}  // namespace faults
