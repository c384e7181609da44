// A recorded program (systrace/trace_file.h) replayed into a SimFs, one call at a time, so that
// the simulator's durability model says what each call left pending and a power loss after any
// call can be built from it (crash_states.h).
//
// The mapping is POSIX's, with one choice stated: fdatasync makes a file's data and the size
// needed to read it durable (POSIX's "metadata needed for data retrieval"), so it replays as
// SimFs's sync(); the WAL's own seam is stricter (fs.h), a recorded program is held to POSIX.
// sync_file_range is a hint and changes nothing; sync and syncfs make everything durable.
// Failed calls (result < 0) are skipped: the kernel did nothing. What SimFs does not model
// (symbolic links) stops the replay with a message naming the call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <wal/fs.h>

#include "sim/sim_fs.h"
#include "sim/trace.h"
#include "systrace/trace_file.h"

namespace crashes {

class Replay {
 public:
  Replay(const systrace::Trace& trace, sim::DeviceModel device);

  // Loads D as it was before the program ran (the kInit* calls), every byte durable, and stops
  // before the first call of the run. "" or the problem, naming the call.
  [[nodiscard]] std::string start();
  // Applies the next call. "" or the problem, naming the call ("call 41 rename ...: ...").
  [[nodiscard]] std::string step();
  bool done() const { return next_ >= trace_->calls.size(); }
  // Calls applied so far: the crash point "after call N" (1-based; 0 before the run's first).
  std::size_t applied() const { return next_; }
  // Whether the last step changed what a crash could leave or what had been acknowledged.
  bool changed() const { return changed_; }

  const sim::SimFsState& state() const { return fs_.state(); }
  const sim::DeviceModel& device() const { return fs_.device(); }
  // The call (1-based) that made a pending op or dir op of state(), from its seq.
  std::size_t call_of(std::uint64_t seq) const;
  // The path a file op's call reached its file by (the name it was opened under), or "".
  std::string path_at(std::size_t call) const;
  // What the program had written to its standard output so far.
  const std::string& output() const { return output_; }

 private:
  [[nodiscard]] std::string apply(const systrace::Call& call);
  [[nodiscard]] std::string durable_dirs(const std::string& path);
  wal::File* file(std::uint64_t id);

  const systrace::Trace* trace_;
  sim::Trace sim_trace_;
  sim::SimFs fs_;
  std::size_t next_ = 0;
  bool changed_ = false;
  std::string output_;
  std::map<std::uint64_t, std::unique_ptr<wal::File>> files_;  // by trace file id
  std::map<std::uint64_t, std::string> opened_as_;  // trace file id -> path of its last open
  std::map<std::size_t, std::string> named_at_;     // file call -> opened_as_ when it was made
  // call_of: the first SimFs trace seq of each call applied (ascending).
  std::vector<std::pair<std::uint64_t, std::size_t>> seq_starts_;
};

}  // namespace crashes
