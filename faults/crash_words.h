// What a power loss kept and lost, in words and by path: the crash rows of a report's timeline
// and the failure diagnosis (sim/harness/crash_diagnosis.h) say it this way, so that nobody has
// to decode "dir inode 2: DDDD" or "K K T[0,512)" against inode numbers nobody showed them.
//
// Every item carries the trace seq of the call that made it ("#40"): the step numbering of the
// timeline, the failure text and `walsim replay --trace`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sim/crash_plan.h"
#include "sim/sim_fs_state.h"

namespace faults {

// A path for every inode a name (visible, durable or pending) reaches from the root: "/" for
// the root, "/wal/000001.wal" below it. The first name found wins (hard links are rare here).
std::map<sim::InodeId, std::string> inode_paths(const sim::SimFsState& state);

// The path of `inode`, or "an unlinked file (inode N)".
std::string path_of(const std::map<sim::InodeId, std::string>& paths, sim::InodeId inode);

// "/wal" + "000001.wal" -> "/wal/000001.wal".
std::string join_path(const std::string& dir, const std::string& name);

// What of a torn write reached the disk, absolute and with touching pieces joined:
// "[4096,4608) [5120,5632)"; "" when nothing did.
std::string kept_ranges(const sim::PendingOp& op, const sim::OpFate& fate);

// One pending file op and what became of it: "[4096,4608) written at #40: lost".
std::string describe_file_op(const sim::PendingOp& op, const sim::OpFate& fate);
// One pending directory op and whether it survived: "new entry /wal/000002.wal (#31): lost".
std::string describe_dir_op(const std::string& dir_path, const sim::DirOp& op, bool survived);

struct CrashLine {
  std::string path;   // the file or directory
  std::string words;  // what survived of its pending ops
};

// One line per file and directory that had pending ops in `before`, saying what `plan` kept.
// Consecutive contiguous writes with the same fate are one range:
//   "/wal/000001.wal": "durable size 4096; [4096,8192) lost (3 writes, #40..#52);
//                       [8192,8704) torn: kept [8192,8704) (#60)"
//   "/wal":            "new entry 000002.wal (#31): lost"
std::vector<CrashLine> describe_crash(const sim::SimFsState& before, const sim::CrashPlan& plan);

// The fate `plan` gives op `index` of file `inode` (forced ops always survive).
sim::OpFate fate_of(const sim::CrashPlan& plan, sim::InodeId inode, std::size_t index,
                    const sim::PendingOp& op);
bool dir_op_survives(const sim::CrashPlan& plan, sim::InodeId inode, std::size_t index);

}  // namespace faults
