// Running a piece of the harness in a forked child process, so that the system under test
// aborting (a WAL_ASSERT calls abort()) or crashing is a verdict the parent reads, not the end
// of walsim. The child inherits the parent's whole state (the scenario, the switched-on mutant)
// and runs the same deterministic code, so the verdict is the one an in-process run would
// give: the same seed gives the same result.
#pragma once

#include <functional>
#include <string>

namespace walsim {

struct ChildOutcome {
  bool completed = false;  // the body returned (else the child died: see `death`)
  std::string output;      // what the body returned, when completed
  std::string death;       // "the system under test aborted: SIGABRT (Aborted)", when not
  std::string stderr_text;  // what the child printed to stderr (its last 4 KiB), either way
};

// Runs `body` in a child; its return value comes back through a pipe. Its stdout is the
// parent's; its stderr is captured into stderr_text (not shown), or with `capture_stderr`
// false, the parent's too.
ChildOutcome run_isolated(const std::function<std::string()>& body, bool capture_stderr = true);

// How a child that did not exit 0 ended: "the system under test aborted: SIGABRT (Aborted)",
// "... exited with status 3". `status` is waitpid's.
std::string describe_death(int status);

// The reason of a dead child, one line: its death and the last line it printed to stderr
// (for a WAL_ASSERT, the failed expression and where).
std::string death_reason(const ChildOutcome& outcome);

// fork() with a pipe from the child to the parent, stdio flushed first (or the child would
// print the parent's buffered output again): in the parent {child's pid, read end}, in the
// child {0, write end}. walsim exits 9 when the system refuses a pipe or a process.
struct Forked {
  int pid = -1;
  int fd = -1;
};
Forked fork_with_pipe();

// Writes all of `text` to `fd`, retrying on EINTR; a child that cannot report exits 3.
void write_all_or_exit(int fd, const std::string& text);

// Ends a forked child with `code` through _exit(): none of the parent's atexit handlers or
// static destructors run twice. A coverage build (WAL_COVERAGE, docs/coverage.md) first writes
// the child's gcov counters, which only exit() would write: the swarm runs every seed in a
// child, so without this a coverage figure would count none of them.
[[noreturn]] void exit_child(int code);

}  // namespace walsim
