#include "sim/harness/coverage_matrix.h"

#include <algorithm>
#include <array>
#include <tuple>

#include <fmt/format.h>

#include "sim/harness/oracle.h"
#include "sim/trace.h"

namespace harness {
namespace {

using sim::FsOp;

constexpr std::array<std::string_view, kActivities> kActivityNames = {
    "open",     "append", "batch",    "checkpoint", "sync",     "read",      "truncate_front",
    "reopen",   "syncer", "preparer", "recovery",   "rotation", "retention",
};

// Positions in the matrix's column order: no call in flight first, then the Fs calls.
constexpr std::array<std::string_view, 4> kTimings = {kBetweenOps, kAtTime, kBeforeFdatasync,
                                                      kAfterFdatasync};
constexpr std::array<FsOp, 15> kFsCalls = {
    FsOp::kOpen,   FsOp::kRead,   FsOp::kWrite, FsOp::kSyncData, FsOp::kSync,
    FsOp::kTruncate, FsOp::kAllocate, FsOp::kSize, FsOp::kRename, FsOp::kUnlink,
    FsOp::kList,   FsOp::kMkdir,  FsOp::kSyncDir, FsOp::kStat,    FsOp::kLock,
};

constexpr std::array<FaultKind, 10> kFaultKinds = {
    FaultKind::kFsyncEio, FaultKind::kWriteEio,    FaultKind::kWriteShort,
    FaultKind::kNoSpace,  FaultKind::kReadEio,     FaultKind::kBitFlip,
    FaultKind::kLatentSector, FaultKind::kMisdirectedWrite, FaultKind::kReadShort,
    FaultKind::kCloseEio,
};
constexpr std::array<wal::RecoveryMode, 4> kModes = {
    wal::RecoveryMode::kTolerateTail, wal::RecoveryMode::kAbsolute,
    wal::RecoveryMode::kPointInTime, wal::RecoveryMode::kSkipCorrupted};
constexpr std::array<faults::CrashPolicy, 6> kPolicies = {
    faults::CrashPolicy::kDropUnsynced, faults::CrashPolicy::kPrefix,
    faults::CrashPolicy::kReorder,      faults::CrashPolicy::kTorn,
    faults::CrashPolicy::kGarbageTail,  faults::CrashPolicy::kProcess};

// The Fs calls the unmutated WAL issues in each activity (a `fs-op:N` cut can land on any of
// them, and on nothing else). Read from wal/src and checked against runs: a reached cell outside
// this table shows in reports as "not listed" (tests/walsim/coverage_test.cc sweeps for them).
//   open        LogCore::open of an empty directory (the runner creates the directory, so no
//               mkdir): stat, the lock, the listing, the FRONT probe (an open), then the first
//               segment (open, allocate, header write, fsync, rename, sync_dir; unlink when its
//               creation failed)
//   reopen      the close (flush write, trim, fsync; publishing a background rotation: its
//               fsync, fdatasync, rename, sync_dir) and an open of a log with segments: reading
//               them (open, size, read), cutting a torn tail (truncate), rewriting the unproven
//               tail (write, fsync), preallocating the active one again, deleting leftovers
//               (unlink, sync_dir), publishing an adopted continuation (its copy, rename)
//   recovery    that open, of any crash image: also one with no segment yet (a rename)
//   append, batch, checkpoint   a full buffer's flush (write); as a sync ticket's leader the
//               group's write and its fdatasync (fsync when the size changed), and when the
//               ticket publishes a background rotation, the finished segment's fsync, the
//               rename and the sync_dir
//   sync, syncer                the ticket only
//   read        listing the directory, opening segments and reading them
//   truncate_front   FRONT.tmp (open, truncate, write, fsync), its rename and sync_dir, the
//               unlinks and their sync_dir
//   preparer    spare-segment.tmp: open (after unlinking a stale one), allocate, fsync; and
//               the sync ticket publishing a background rotation (wal/FORMAT.md 3.2): the
//               finished segment's fsync, the group's write and fdatasync, rename, sync_dir,
//               then the retention it waited for (FRONT.tmp: open, truncate, write, ...)
//   rotation    the trim and fsync of the full segment, the new one (open, allocate, header
//               write, fsync, rename, sync_dir, reopen), a failed creation's unlink; a
//               background rotation's trim, header write and rename, and the publication of
//               the last one when no ticket ran since (its syncs, fdatasync included)
//   retention   what truncate_front does, inside a writer's call
std::vector<FsOp> fs_calls_of(Activity activity) {
  switch (activity) {
    case Activity::kOpen:
      return {FsOp::kOpen,   FsOp::kWrite,  FsOp::kSync, FsOp::kAllocate, FsOp::kRename,
              FsOp::kUnlink, FsOp::kList,   FsOp::kSyncDir, FsOp::kStat,  FsOp::kLock};
    case Activity::kReopen:
      return {FsOp::kOpen,   FsOp::kRead,   FsOp::kWrite, FsOp::kSync,    FsOp::kTruncate,
              FsOp::kAllocate, FsOp::kSize, FsOp::kUnlink, FsOp::kList,   FsOp::kSyncDir,
              FsOp::kStat,   FsOp::kLock,   FsOp::kRename, FsOp::kSyncData};
    case Activity::kRecovery:
      return {FsOp::kOpen,     FsOp::kRead, FsOp::kWrite,  FsOp::kSync, FsOp::kTruncate,
              FsOp::kAllocate, FsOp::kSize, FsOp::kRename, FsOp::kUnlink, FsOp::kList,
              FsOp::kSyncDir,  FsOp::kStat, FsOp::kLock};
    case Activity::kAppend:
    case Activity::kBatch:
    case Activity::kCheckpoint:
    case Activity::kSync:
    case Activity::kSyncer:
      // The rename and sync_dir: a ticket that publishes a background rotation.
      return {FsOp::kWrite, FsOp::kSyncData, FsOp::kSync, FsOp::kRename, FsOp::kSyncDir};
    case Activity::kRead:
      return {FsOp::kOpen, FsOp::kRead, FsOp::kList};
    case Activity::kTruncateFront:
    case Activity::kRetention:
      return {FsOp::kOpen,   FsOp::kWrite,  FsOp::kSync,   FsOp::kTruncate,
              FsOp::kRename, FsOp::kUnlink, FsOp::kSyncDir};
    case Activity::kPreparer:
      return {FsOp::kOpen,  FsOp::kSync,     FsOp::kAllocate, FsOp::kUnlink, FsOp::kWrite,
              FsOp::kSyncData, FsOp::kRename, FsOp::kSyncDir, FsOp::kTruncate};
    case Activity::kRotation:
      return {FsOp::kOpen,     FsOp::kWrite,  FsOp::kSync,   FsOp::kTruncate, FsOp::kSyncData,
              FsOp::kAllocate, FsOp::kRename, FsOp::kUnlink, FsOp::kSyncDir};
  }
  return {};
}

bool workload_op(Activity a) {
  switch (a) {
    case Activity::kAppend:
    case Activity::kBatch:
    case Activity::kCheckpoint:
    case Activity::kSync:
    case Activity::kRead:
    case Activity::kTruncateFront:
    case Activity::kReopen:
      return true;
    default:
      return false;
  }
}

bool leads_tickets(const CoverageSpace& s, Activity a) {
  if (a == Activity::kAppend || a == Activity::kBatch) return s.ticket_appends;
  if (a == Activity::kPreparer) return s.background_rotation;  // it publishes rotations
  return a == Activity::kCheckpoint || a == Activity::kSync || a == Activity::kSyncer;
}

bool any_crash(const CoverageSpace& s) {
  return std::any_of(s.crash_kinds.begin(), s.crash_kinds.end(),
                     [](CrashAt::Kind k) { return k != CrashAt::Kind::kNone; });
}

// A registered target (target_run.h): its ops are the store's calls, opaque to the matrix,
// so only where the loop itself puts a power loss is listed: between ops (after a crash point,
// after the last op, or after an op that failed and made the store give up) and at a time.
bool target_permits(const CoverageSpace& s, Activity a, std::string_view at) {
  if (s.ops.count(a) == 0) return false;
  if (at == kBetweenOps) {
    if (a == Activity::kRecovery) return s.recovery_crashes;
    return (any_crash(s) || s.gives_up) && (workload_op(a) || a == Activity::kOpen);
  }
  if (at == kAtTime) {
    return s.crash_kinds.count(CrashAt::Kind::kTime) != 0 &&
           (workload_op(a) || (a == Activity::kOpen && s.no_ops));
  }
  return false;
}

// The reachability rule: may a power loss land at `at` during `a` under this space?
bool permits(const CoverageSpace& s, Activity a, std::string_view at) {
  if (s.target != "wal") return target_permits(s, a, at);
  if (s.ops.count(a) == 0) return false;
  const bool crashes = any_crash(s);
  if (at == kBetweenOps) {
    // Any crash point may fall after the last op (one the run never reaches does); with faults,
    // an open or reopen that fails honestly is a process that gives up and loses power.
    if (a == Activity::kRecovery) return s.recovery_crashes || s.epochs;
    if (s.gives_up && (a == Activity::kOpen || a == Activity::kReopen)) return true;
    return crashes && (workload_op(a) || a == Activity::kOpen);
  }
  if (at == kAtTime) {
    // The writers start their first op at virtual time 0, before any deadline can pass.
    return s.crash_kinds.count(CrashAt::Kind::kTime) != 0 &&
           (workload_op(a) || (a == Activity::kOpen && s.no_ops));
  }
  if (at == kBeforeFdatasync || at == kAfterFdatasync) {
    const CrashAt::Kind explicit_kind =
        at == kBeforeFdatasync ? CrashAt::Kind::kBeforeSync : CrashAt::Kind::kAfterSync;
    return leads_tickets(s, a) && (s.crash_kinds.count(CrashAt::Kind::kPersistencePoints) != 0 ||
                                   s.crash_kinds.count(explicit_kind) != 0);
  }
  // An Fs call: cut by fs-op:N or inside-op (a cut aimed at an op's durability barriers) during
  // the workload, or during a recovery (crash.count > 1).
  const bool cut = a == Activity::kRecovery ? s.recovery_crashes
                                            : s.crash_kinds.count(CrashAt::Kind::kFsOp) != 0 ||
                                                  s.crash_kinds.count(CrashAt::Kind::kInsideOp) != 0;
  if (!cut) return false;
  const std::vector<FsOp> calls = fs_calls_of(a);
  const auto found = std::find_if(calls.begin(), calls.end(),
                                  [&](FsOp op) { return sim::to_string(op) == at; });
  if (found == calls.end()) return false;
  if (*found == FsOp::kAllocate && !s.preallocate) return false;
  // The first Fs call of a run is the first open's stat of the directory, and the open never
  // stats again: only fs-op:0 cuts it there (the swarm draws fs-op:N with N >= 1).
  if (a == Activity::kOpen && *found == FsOp::kStat) return s.cuts_first_call;
  // A ticket publishing a background rotation renames and syncs the directory.
  const bool ticket_activity = a == Activity::kAppend || a == Activity::kBatch ||
                               a == Activity::kCheckpoint || a == Activity::kSync ||
                               a == Activity::kSyncer;
  if (ticket_activity && (*found == FsOp::kRename || *found == FsOp::kSyncDir)) {
    return s.background_rotation;
  }
  // Only a background rotation makes a reopen rename (its publication, the adoption) or the
  // preparer truncate (FRONT.tmp, the retention after a publication).
  if (a == Activity::kReopen && (*found == FsOp::kRename || *found == FsOp::kSyncData)) {
    return s.background_rotation;
  }
  if (a == Activity::kPreparer && *found == FsOp::kTruncate) return s.background_rotation;
  // Without a ticket an append only flushes its buffer, unless a second rotation publishes
  // the first one on its way (syncs included).
  if ((a == Activity::kAppend || a == Activity::kBatch) && *found != FsOp::kWrite) {
    return s.ticket_appends || s.background_rotation;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view cell) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t slash = cell.find('/', start);
    parts.push_back(cell.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

template <typename Names, typename Name>
std::size_t rank_in(const Names& names, const Name& name) {
  const auto found = std::find(names.begin(), names.end(), name);
  return static_cast<std::size_t>(found - names.begin());  // unknown: after every known one
}

std::size_t position_rank(std::string_view at) {
  const std::size_t timing = rank_in(kTimings, at);
  if (timing < kTimings.size()) return timing;
  for (std::size_t i = 0; i < kFsCalls.size(); ++i) {
    if (sim::to_string(kFsCalls[i]) == at) return kTimings.size() + i;
  }
  return kTimings.size() + kFsCalls.size();
}

std::size_t policy_rank(std::string_view name) {
  for (std::size_t i = 0; i < kPolicies.size(); ++i) {
    if (faults::to_string(kPolicies[i]) == name) return i;
  }
  return kPolicies.size();
}

using SortKey = std::tuple<int, std::size_t, std::size_t, std::size_t, std::string_view>;

SortKey sort_key(std::string_view cell) {
  const std::vector<std::string_view> p = split(cell);
  if (p.size() == 4 && p[0] == "crash") {
    const std::optional<Activity> a = parse_activity(p[1]);
    return {0, a ? static_cast<std::size_t>(*a) : kActivities, position_rank(p[2]),
            policy_rank(p[3]), cell};
  }
  if (p.size() == 3 && p[0] == "fault") {
    std::size_t kind = kFaultKinds.size();
    for (std::size_t i = 0; i < kFaultKinds.size(); ++i) {
      if (to_string(kFaultKinds[i]) == p[1]) kind = i;
    }
    std::size_t mode = kModes.size();
    for (std::size_t i = 0; i < kModes.size(); ++i) {
      if (wal::to_string(kModes[i]) == p[2]) mode = i;
    }
    return {1, kind, mode, 0, cell};
  }
  return {2, 0, 0, 0, cell};
}

void add_fault_kinds(const FaultConfig& f, std::set<std::string>& out) {
  const std::pair<sim::Ratio, FaultKind> rates[] = {
      {f.fsync_eio, FaultKind::kFsyncEio},     {f.write_eio, FaultKind::kWriteEio},
      {f.write_short, FaultKind::kWriteShort}, {f.read_eio, FaultKind::kReadEio},
      {f.bit_flip, FaultKind::kBitFlip},       {f.latent_sector, FaultKind::kLatentSector},
      {f.misdirected_write, FaultKind::kMisdirectedWrite},
      {f.read_short, FaultKind::kReadShort},   {f.close_eio, FaultKind::kCloseEio},
  };
  for (const auto& [rate, kind] : rates) {
    if (rate.numerator != 0) out.emplace(to_string(kind));
  }
  if (f.enospc_after_bytes != 0) out.emplace(to_string(FaultKind::kNoSpace));
}

}  // namespace

std::string_view to_string(Activity activity) {
  return kActivityNames[static_cast<std::size_t>(activity)];
}

std::optional<Activity> parse_activity(std::string_view text) {
  const std::size_t i = rank_in(kActivityNames, text);
  if (i == kActivityNames.size()) return std::nullopt;
  return static_cast<Activity>(i);
}

Activity activity_of(OpKind kind) {
  switch (kind) {
    case OpKind::kAppend: return Activity::kAppend;
    case OpKind::kBatch: return Activity::kBatch;
    case OpKind::kSync: return Activity::kSync;
    case OpKind::kCheckpoint: return Activity::kCheckpoint;
    case OpKind::kRead: return Activity::kRead;
    case OpKind::kTruncate: return Activity::kTruncateFront;
    case OpKind::kReopen: return Activity::kReopen;
  }
  return Activity::kAppend;
}

std::string crash_cell(const CrashSite& site, faults::CrashPolicy policy,
                       std::string_view target) {
  if (target != "wal") {
    return fmt::format("crash/{}:{}/{}/{}", target, to_string(site.op), site.at,
                       faults::to_string(policy));
  }
  return fmt::format("crash/{}/{}/{}", to_string(site.op), site.at, faults::to_string(policy));
}

std::string fault_cell(std::string_view fault_kind, wal::RecoveryMode mode) {
  return fmt::format("fault/{}/{}", fault_kind, wal::to_string(mode));
}

CoverageSpace coverage_space(const RunConfig& config) {
  CoverageSpace s;
  s.target = config.target;
  s.policies.insert(config.crash.power_loss.policy);
  s.modes.insert(config.wal.recovery);
  const CrashAt at = config.script ? config.script->crash : config.crash.at;
  s.crash_kinds.insert(at.kind);
  s.cuts_first_call = at.kind == CrashAt::Kind::kFsOp && at.value == 0;
  s.recovery_crashes = config.crash.count > 1;
  s.epochs = config.crash.epochs > 1;
  s.ticket_appends = config.wal.sync == wal::SyncPolicy::kImmediate ||
                     config.wal.sync == wal::SyncPolicy::kGrouped;
  s.preallocate = config.wal.preallocate;
  s.ops = {Activity::kOpen, Activity::kRotation};
  if (config.wal.sync == wal::SyncPolicy::kPeriodic) s.ops.insert(Activity::kSyncer);
  if (config.wal.prepare_segments) s.ops.insert(Activity::kPreparer);
  s.background_rotation = config.wal.prepare_segments && config.wal.background_rotation;
  if (config.wal.max_segments != 0 || config.wal.max_bytes != 0) {
    s.ops.insert(Activity::kRetention);
  }
  if (s.recovery_crashes || s.epochs) s.ops.insert(Activity::kRecovery);
  if (config.script) {
    for (const std::vector<Op>& ops : config.script->writers) {
      for (const Op& op : ops) s.ops.insert(activity_of(op.kind));
    }
    for (const ScriptedFault& fault : config.script->faults) s.faults.emplace(to_string(fault.kind));
    s.no_ops = std::all_of(config.script->writers.begin(), config.script->writers.end(),
                           [](const std::vector<Op>& ops) { return ops.empty(); });
  } else {
    const WorkloadConfig& w = config.workload;
    s.no_ops = w.ops == 0;
    s.ops.insert(Activity::kAppend);
    if (w.batch_ratio.numerator != 0) s.ops.insert(Activity::kBatch);
    if (w.sync_ratio.numerator != 0) s.ops.insert(Activity::kSync);
    if (w.read_ratio.numerator != 0) s.ops.insert(Activity::kRead);
    if (w.truncate_ratio.numerator != 0) s.ops.insert(Activity::kTruncateFront);
    if (w.reopen_ratio.numerator != 0) s.ops.insert(Activity::kReopen);
    if (w.checkpoint_every != 0) s.ops.insert(Activity::kCheckpoint);
    add_fault_kinds(config.faults, s.faults);
  }
  s.gives_up = !s.faults.empty() || config.decorate_fs != nullptr;
  return s;
}

std::vector<std::string> listed_cells(const CoverageSpace& space) {
  std::vector<std::string> cells;
  {
    std::vector<std::string_view> positions(kTimings.begin(), kTimings.end());
    for (FsOp op : kFsCalls) positions.push_back(sim::to_string(op));
    for (int a = 0; a < kActivities; ++a) {
      const auto activity = static_cast<Activity>(a);
      for (std::string_view at : positions) {
        if (!permits(space, activity, at)) continue;
        for (faults::CrashPolicy policy : kPolicies) {
          if (space.policies.count(policy) == 0) continue;
          cells.push_back(crash_cell({activity, at}, policy, space.target));
        }
      }
    }
  }
  for (FaultKind kind : kFaultKinds) {
    if (space.faults.count(std::string(to_string(kind))) == 0) continue;
    for (wal::RecoveryMode mode : kModes) {
      if (space.modes.count(mode) != 0) cells.push_back(fault_cell(to_string(kind), mode));
    }
  }
  return cells;
}

void sort_cells(std::vector<std::string>& cells) {
  std::sort(cells.begin(), cells.end(), [](const std::string& a, const std::string& b) {
    return sort_key(a) < sort_key(b);
  });
}

bool cell_matches(std::string_view pattern, std::string_view cell) {
  // Iterative glob with backtracking to the last '*'.
  std::size_t p = 0;
  std::size_t c = 0;
  std::size_t star = std::string_view::npos;
  std::size_t resume = 0;
  while (c < cell.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = c;
    } else if (p < pattern.size() && pattern[p] == cell[c]) {
      ++p;
      ++c;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      c = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace harness
