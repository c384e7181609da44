// A scripted run: the ops, the faults and the crash point written out instead of drawn from the
// seed, so a failure replays (and shrinks) without the seed's randomness deciding them.
//
// Contract with `walsim shrink` (and anyone replaying a run):
//   * RunConfig::script, when set, replaces the generated workload, the [faults] probabilities
//     and crash.at. Everything else in the RunConfig still applies ([wal], [device],
//     crash.policy and crash.count, expect).
//   * Every RunResult carries in `script` the Script it actually executed: the ops (generated or
//     given), the faults that actually fired, and where the power actually went out. Running the
//     same RunConfig with that script and the same seed reproduces the run bit for bit (same
//     trace hash). Editing it (dropping ops or faults, moving the crash) gives a nearby run.
//   * The seed still decides what a script does not say: the scheduler's tie-breaks and
//     latencies, which pending writes survive a power loss, the WAL's salt, and the small
//     choices inside a fault (how much of a short write lands, where a misdirected write goes:
//     drawn in order of firing from the fault's stream).
//
// Fault schedule. `at` counts calls the WAL makes on its Fs over the whole run (every open,
// recoveries included), 1-based, per op class:
//   fsync_eio           the at-th sync_data()/sync()
//   write_eio, write_short, misdirected_write   the at-th write_at()
//   read_eio            the at-th read_at()
//   enospc_after_bytes  at = the byte budget: every write/allocate that would take the bytes
//                       written past it fails with ENOSPC (not a one-shot fault)
//   bit_flip, latent_sector   applied to durable data after the at-th power loss (1-based; a
//                       `none` crash's clean close counts as 1), before the recovery; where is
//                       drawn from Prng(choice_seed)
// Several faults of one kind are fine (write_eio at 3 and at 17).
// `file` (write, sync and read faults): `at` counts only the calls on files of that class
// (file_class: the name with each run of digits as '#', e.g. "#.wal", "FRONT.tmp"), so the fault
// stays on "the 2nd fsync of FRONT.tmp" when ops before it are dropped. The shrinker anchors
// every such fault to its file this way before cutting ops. An fsync_eio of a directory's
// fsync is always anchored, to the directory's class: its name and a slash ("wal/").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/harness/crash_at.h"
#include "sim/harness/oracle.h"
#include "sim/harness/workload.h"

namespace harness {

struct ScriptedFault {
  FaultKind kind = FaultKind::kWriteEio;
  std::uint64_t at = 0;           // see above: call number, byte budget or power-loss number
  std::uint64_t choice_seed = 0;  // bit_flip, latent_sector: where
  std::string detail;             // informational (where it hit); ignored when replaying
  std::string file;               // set: `at` counts the calls on this class of file only
  // What a fault that fired hit, for anchoring it: the file's class and the call's number among
  // that class's calls of its op class (0: not recorded). Not part of the script's text.
  std::string fired_file;
  std::uint64_t fired_file_at = 0;

  friend bool operator==(const ScriptedFault& a, const ScriptedFault& b) {
    return a.kind == b.kind && a.at == b.at && a.choice_seed == b.choice_seed &&
           a.file == b.file;
  }
};

// A fault record with only the fields that say when it fires.
inline ScriptedFault scripted_fault(FaultKind kind, std::uint64_t at, std::uint64_t choice_seed = 0,
                                    std::string detail = {}) {
  ScriptedFault fault;
  fault.kind = kind;
  fault.at = at;
  fault.choice_seed = choice_seed;
  fault.detail = std::move(detail);
  return fault;
}

// The class of a file for `ScriptedFault::file`: its name without the directory, each run of
// digits replaced by one '#' ("/wal/00000000000000000003.wal" -> "#.wal").
std::string file_class(std::string_view path);
// A directory's class: file_class of its path and a slash ("/wal" -> "wal/").
std::string dir_class(std::string_view dir);
// Whether `text` is a class file_class or dir_class can give.
bool is_file_class(std::string_view text);
bool is_dir_class(std::string_view text);

// The same fault, counted among the calls on the file it fired on (unchanged if not recorded).
ScriptedFault anchored_to_file(const ScriptedFault& fault);

struct Script {
  std::uint64_t payload_seed = 0;        // payload bytes = make_payload(payload_seed, id, size)
  std::vector<std::vector<Op>> writers;  // writers[w]: writer w's ops, in order; Op::index must
                                         // be unique (it names the payloads), need not be dense
  std::vector<ScriptedFault> faults;     // any order
  CrashAt crash{CrashAt::Kind::kNone, 0};
  // crash.count > 1: the Fs-operation budget of each crash during recovery, in order (an
  // absent entry is drawn from the seed, as without a script).
  std::vector<std::uint64_t> recovery_crashes;

  std::uint64_t total_ops() const;
  // Multi-line, human readable: one line per op and per fault, then the crash point.
  std::string describe() const;
};

}  // namespace harness
