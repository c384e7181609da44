// `walsim trace`: records a run of any program as a Trace (trace_file.h, SPEC 9.4). D's
// contents first, then the program under ptrace with a pipe as its standard output, every
// file-system call that touched D and every write to the pipe, and its exit status last.
// x86_64 Linux only.
#pragma once

#include <unistd.h>

#include <string>
#include <vector>

#include "systrace/trace_file.h"

namespace systrace {

struct RecordOptions {
  std::string dir;                   // D: an existing directory
  std::vector<std::string> command;  // argv; argv[0] is looked up in PATH
  int forward_output = STDOUT_FILENO;  // where the program's standard output goes too (-1: none)
};

enum class RecordStatus {
  kOk,             // trace holds the run, its last call kExit
  kBadDir,         // D is missing, not a directory, or holds what a trace cannot (a FIFO, ...)
  kCannotExecute,  // the command could not be run (not found, not executable)
  kUnmodellable,   // the program made a call no trace can hold: message names it
  kNotPermitted,   // ptrace is not permitted here
  kFailed,         // the recorder's own system calls failed
};

struct Recording {
  RecordStatus status = RecordStatus::kOk;
  std::string message;  // why, when not kOk
  Trace trace;
};

// Runs the command to its end (or, on a call it cannot model, kills it), from the calling
// thread, which must not be tracing anything else.
Recording record(const RecordOptions& options);

}  // namespace systrace
