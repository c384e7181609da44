// walsim's exit codes: one per kind of outcome, so a script can tell a failing run from a bad
// scenario file from a typo on the command line. `walsim --help` prints this table.
#pragma once

#include "sim/walsim/scenario.h"

namespace walsim {

enum ExitCode : int {
  kExitOk = 0,           // every run matched its expect.verdict (validate: every file is valid)
  kExitMismatch = 1,     // a run did not match its expect.verdict (or shrink found no failure)
  kExitUsage = 2,        // bad command line
  kExitSyntax = 3,       // a scenario file is not TOML
  kExitUnknownKey = 4,   // a scenario has a key the format does not know
  kExitType = 5,         // a scenario value has the wrong type
  kExitRange = 6,        // a scenario value is out of range / not an allowed word
  kExitMissing = 7,      // a scenario lacks a required key
  kExitUnavailable = 8,  // valid, but this build cannot do it (mutants, a subcommand not built)
  kExitIo = 9,           // a file could not be read or written
  kExitUnmodellable = 10,    // trace, crashes: a call walsim cannot model (the message names it)
  kExitCheckerRejects = 11,  // crashes: the checker fails on the state left with nothing lost
};

inline constexpr const char* kExitCodeTable =
    "Exit codes:\n"
    "  0  every run matched its expect.verdict (validate: all files valid)\n"
    "  1  some run did not match its expect.verdict (replay: the run did not; shrink: the seed\n"
    "     passes, nothing to shrink; real: a seed failed, or --diff found a mismatch)\n"
    "  2  usage error (trace: D missing, not a directory or holding a FIFO, socket or device;\n"
    "     a command that cannot be executed)\n"
    "  3  scenario is not valid TOML (trace show: the trace file is malformed)\n"
    "  4  scenario has an unknown key\n"
    "  5  scenario value has the wrong type\n"
    "  6  scenario value out of range or not an allowed word\n"
    "  7  scenario lacks a required key\n"
    "  8  not available here (mutants without WAL_FIU, explore/real of a non-WAL target,\n"
    "     real on tmpfs, trace where ptrace is not permitted)\n"
    "  9  I/O error (a file or report directory could not be read or written)\n"
    " 10  trace, crashes: the program made a call walsim cannot model (a shared writable map,\n"
    "     O_DIRECT, io_uring, ...; a symbolic link in a replay); the message names it\n"
    " 11  crashes: the checker rejects the state the program left with nothing lost\n"
    " 70  stalled: a simulated thread blocked outside the scheduler (a lock it does not own),\n"
    "     so the run could not go on deterministically; the message names the thread\n";

inline int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kSyntax: return kExitSyntax;
    case ErrorKind::kUnknownKey: return kExitUnknownKey;
    case ErrorKind::kType: return kExitType;
    case ErrorKind::kRange: return kExitRange;
    case ErrorKind::kMissing: return kExitMissing;
    case ErrorKind::kUnavailable: return kExitUnavailable;
    case ErrorKind::kIo: return kExitIo;
  }
  return kExitUsage;
}

}  // namespace walsim
