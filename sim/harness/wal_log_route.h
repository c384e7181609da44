// The WAL's own log lines in simulation. The WAL logs through the spdlog logger "wal"
// (wal/src/logger.h): each simulated power cut poisons a log and logs an error, which on a
// terminal printed `[error]` lines with wall-clock timestamps among walsim's output. In a run
// they belong to the run: route_wal_log() gives the logger one sink that hands each line to the
// listener of the calling thread, and the run loop listens for the length of its run, so the
// line becomes a note in that run's trace, at virtual time, like every other event (the
// timeline's "log" rows, `walsim replay --trace`). A line from a thread no run listens on is
// dropped: walsim's terminal shows only walsim's output.
//
// Runs may execute on several threads of one process at once, each with its own listener (a
// thread_local pointer). Simulated threads are fibers on the run's own OS thread, so they share
// its listener; with ThreadLimits::os_threads a line from a simulated thread has no listener
// and is dropped.
//
// The lines are part of the trace, so of its hash: route_wal_log() fixes the logger's level
// (warn, the WAL's default) so that every process that runs a simulation hashes the same lines.
#pragma once

#include <functional>
#include <string_view>

namespace harness {

// Makes the "wal" logger send its lines to the calling thread's listener (the sink once per
// process) at the warn level (every call: a quiet_wal_log() in between would change what a
// run's trace holds). The logger's earlier sinks (stderr) are dropped.
void route_wal_log();

// While alive, the WAL's log lines on this thread go to `listener` (level: "error", "warning",
// ...; text: the line without time stamp or logger name). Nests: the previous listener comes
// back at its end.
class ScopedWalLogListener {
 public:
  using Listener = std::function<void(std::string_view level, std::string_view text)>;
  explicit ScopedWalLogListener(Listener listener);
  ~ScopedWalLogListener();
  ScopedWalLogListener(const ScopedWalLogListener&) = delete;
  ScopedWalLogListener& operator=(const ScopedWalLogListener&) = delete;

 private:
  Listener listener_;
  const Listener* previous_;
};

}  // namespace harness
