// A crash state written to a real directory, for a checker that knows nothing of the
// simulator: the durable tree of a SimFsState as directories and regular files (an inode under
// two names becomes two hard links). Modes are 0755 for directories and 0644 for files; owners,
// times and extended attributes are not part of a trace.
#pragma once

#include <string>

#include "sim/sim_fs_state.h"

namespace crashes {

// Empties `dir` (created if missing; its own entry stays) and writes `state` into it.
// "" or the problem, naming the path.
[[nodiscard]] std::string materialize(const sim::SimFsState& state, const std::string& dir);

// Removes everything below `dir` (not `dir` itself). "" or the problem.
[[nodiscard]] std::string empty_directory(const std::string& dir);

}  // namespace crashes
