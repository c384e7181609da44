// The coverage matrix: which crash sites a run reached, and which injected faults fired under
// which recovery mode (issue [swarm], "coverage you can see"). A swarm that passes says little
// unless it also says where it crashed; this names every place, so the places no seed reached
// are listed too.
//
// Two kinds of cell, each a string key (reports and summary.json carry them as plain text):
//   crash/<op>/<at>/<policy>   a power loss: the WAL call or task it interrupted or followed
//                              (Activity), where inside it (an Fs call, or one of the
//                              positions below), and the scenario's crash.policy; under a
//                              target other than the WAL, <op> is "<target>:<activity>"
//                              ("kv:append"): a store's calls are not the WAL's;
//   fault/<kind>/<mode>        an injected fault that fired (its SPEC 3.4 key), under the
//                              scenario's [wal] recovery mode.
//
// A listed cell is one the WAL runner can reach under a configuration (listed_cells): the rule
// is in coverage_matrix.cc, next to the table of the Fs calls each activity issues. A target's
// Fs calls are its own, so for a target only the run loop's positions are listed (between ops,
// time). A reached cell that is not listed is a table that went stale, a mutant's extra calls,
// or a cut inside a target's call; reports show it apart.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <wal/options.h>

#include "faults/power_loss.h"
#include "sim/harness/crash_at.h"
#include "sim/harness/run_config.h"

namespace harness {

// What the run was doing when the power went out. The first eleven are the runner's own calls
// and tasks; rotation and retention are read from the Fs call that was cut (crash_site.h).
enum class Activity : std::uint8_t {
  kOpen,           // the first open of a new log
  kAppend,
  kBatch,
  kCheckpoint,
  kSync,           // a workload sync op
  kRead,
  kTruncateFront,
  kReopen,         // a workload reopen: the close and the open after it
  kSyncer,         // the periodic background sync (kPeriodic)
  kPreparer,       // the background spare-segment preparation
  kRecovery,       // an open of a crash image (a crash during recovery, a later epoch's open)
  kRotation,       // inside a writer's call: publishing the next segment
  kRetention,      // inside a writer's call: the FRONT marker and unlinks of old segments
};
inline constexpr int kActivities = 13;

std::string_view to_string(Activity activity);
std::optional<Activity> parse_activity(std::string_view text);
// The activity of a workload op (kTruncate: kTruncateFront, kReopen: kReopen).
Activity activity_of(OpKind kind);

// Positions that are not an Fs call (those are named by sim::to_string(FsOp)).
inline constexpr std::string_view kBetweenOps = "between-ops";  // no call in flight: op:N,
                                                                // random, after the last op
inline constexpr std::string_view kAtTime = "time";             // time:US
inline constexpr std::string_view kBeforeFdatasync = "before-fdatasync";  // persistence points
inline constexpr std::string_view kAfterFdatasync = "after-fdatasync";

struct CrashSite {
  Activity op = Activity::kOpen;
  std::string_view at = kBetweenOps;  // a position above, or sim::to_string(FsOp)
};

std::string crash_cell(const CrashSite& site, faults::CrashPolicy policy,
                       std::string_view target = "wal");
std::string fault_cell(std::string_view fault_kind, wal::RecoveryMode mode);

// What a configuration (or a space of them) permits: the dimensions listed_cells() crosses.
struct CoverageSpace {
  std::string target = "wal";  // RunConfig::target: another one lists only the loop's positions
  std::set<faults::CrashPolicy> policies;
  std::set<wal::RecoveryMode> modes;
  std::set<CrashAt::Kind> crash_kinds;  // crash.at kinds that may be configured
  std::set<Activity> ops;               // activities that may run
  bool cuts_first_call = false;  // fs-op:0: the open's first call (the stat of its directory)
  bool no_ops = false;           // a workload of no ops: a time:US crash follows the open
  bool recovery_crashes = false;        // crash.count > 1: fs-op cuts during recovery
  bool epochs = false;                  // crash.epochs > 1: later epochs lose power between ops
  bool gives_up = false;   // faults may fire: a failed open or reopen ends in a power loss
  bool ticket_appends = false;  // an append or batch leads a sync (immediate, grouped)
  bool preallocate = false;     // segments are fallocated
  bool background_rotation = false;  // the preparer publishes rotations (leads sync tickets)
  std::set<std::string> faults;  // SPEC 3.4 keys that may fire
};

// The space of one concrete configuration. A listed cell is one this configuration permits,
// not one every seed of it reaches.
CoverageSpace coverage_space(const RunConfig& config);

// Every listed cell of the space, in the matrix's order (activities, positions, policies;
// then faults by kind and mode).
std::vector<std::string> listed_cells(const CoverageSpace& space);

// The matrix's order for any cells (listed or not): the order reports draw them in.
void sort_cells(std::vector<std::string>& cells);

// "crash/*/unlink/*": `*` matches any run of characters (including '/').
bool cell_matches(std::string_view pattern, std::string_view cell);

}  // namespace harness
