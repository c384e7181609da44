// crash.at = "inside-op" (crash_at.h): the power goes out inside one workload op rather than
// between two. A crash point drawn over ops or over the run's Fs operations almost never lands
// inside the few multi-step calls where a WAL orders its durability barriers (truncate_front's
// FRONT marker, unlinks and directory syncs; a rotation's trim, sync, header, rename and
// directory sync; a reopen's repair), because appends are so many more. So the aim is drawn
// the way media damage is aimed (faults/media_aim.h): the op kind first, among the kinds the
// run has, so that a truncate_front or a reopen weighs as much as the many appends; then one of
// the durability barriers (fsync, fdatasync, directory fsync) made while an op of that kind ran,
// the power going out just before it, where the most is pending: every write, rename and unlink
// since the last barrier survives or not as the crash policy says. Ops with no barrier at all
// (kNone appends, reads) are aimed at one of their Fs operations instead.
//
// Which Fs operations an op makes is known only by running it: the runner runs the seed once
// without a crash to survey them (survey_ops, runner.h; a run is a pure function of config and
// seed, so the run that follows is the same up to the crash), and the chosen point becomes
// `fs-op:N`, the explicit form the run reports and a script replays.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/harness/crash_at.h"
#include "sim/harness/halting_fs.h"
#include "sim/harness/workload.h"

namespace harness {

// What a survey pass saw (runner.h, survey_ops). Fs operations are numbered from 1 in the order
// the system under test made them (HaltingFs::operations(), the numbering of `fs-op:N`).
struct OpSurvey {
  struct Span {
    OpKind kind = OpKind::kAppend;
    std::uint32_t index = 0;  // Op::index: which op, whatever ops a shrinker dropped around it
    std::uint64_t first = 0;  // the op made (or saw made) Fs operations first..last
    std::uint64_t last = 0;   // last < first: none
  };
  std::vector<Span> ops;          // in the order their calls began (as `op:N` counts them)
  std::vector<FsCallKind> calls;  // operation n is calls[n - 1]
  // ... on a file of class files[n - 1] as the fault schedule counts it (file_class, script.h:
  // the name it was opened by), "" for none: where a fault anchored to a file lands.
  std::vector<std::string> files;

  // A durability barrier: a file's sync or sync_data, a directory's sync.
  bool barrier(std::uint64_t operation) const {
    const FsCallKind call = calls.at(operation - 1);
    return call == FsCallKind::kSync || call == FsCallKind::kSyncDir;
  }
};

// The crash point inside an op that `survey` offers, drawn from `seed` on a stream of its own:
// fs-op:N (the N+1th operation never happens), or op:N when no op made any Fs operation.
CrashAt aim_inside_op(const OpSurvey& survey, std::uint64_t seed);

}  // namespace harness
