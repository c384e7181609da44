// walctl's exit codes: one table, printed by `walctl --help` and in docs/walctl.md.
#pragma once

#include <string_view>

#include <wal/status.h>

namespace walctl {

enum ExitCode : int {
  kExitOk = 0,        // done; verify: clean
  kExitDamage = 1,    // verify found a torn tail or corruption
  kExitUsage = 2,     // bad flag, bad value, missing argument, unusable input
  kExitIo = 3,        // the OS failed an operation (EIO, ENOSPC, permissions, ...)
  kExitRefused = 4,   // corrupt beyond what the command may fix, or an unsupported format
  kExitBusy = 5,      // the log is locked by another process
  kExitNotFound = 6,  // no such log directory (missing, or not a directory)
  kExitNoLog = 7,     // the directory holds no log (no segment, no FRONT); append: and is not empty
};

inline constexpr std::string_view kExitCodeTable =
    "Exit codes:\n"
    "  0  ok; verify: the log is clean\n"
    "  1  verify: damage found (torn tail or corruption)\n"
    "  2  usage error (bad flag, bad value, missing argument, unusable input)\n"
    "  3  I/O error (the OS failed a read, write, sync, ...)\n"
    "  4  corrupt beyond what the command may fix, or refused (see the message)\n"
    "  5  busy: the log is locked by another process\n"
    "  6  not found: no such log directory\n"
    "  7  no log here: the directory holds no segment and no FRONT marker (append: and holds\n"
    "     other files; see --create-in-nonempty)";

// The exit code for a failed wal call.
int exit_code_for(const wal::Status& status);

// Prints "walctl <command>: <status>" to stderr and returns exit_code_for(status).
int report_failure(std::string_view command, const wal::Status& status);

}  // namespace walctl
