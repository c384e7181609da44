// D as it is before the program runs: the kInitDir, kInitFile and kInitSymlink calls a trace
// starts with, so that the replayer builds the same tree before it replays the run.
#pragma once

#include <string>
#include <vector>

#include "systrace/file_ids.h"
#include "systrace/trace_file.h"

namespace systrace {

// Appends D's contents below `real_dir` to `calls` (depth first, names sorted, parents before
// their contents), giving each regular file its id in `ids`. Returns "" or why D cannot be
// recorded: a FIFO, socket or device file (nothing a replay could rebuild) or an unreadable
// entry.
[[nodiscard]] std::string record_initial_dir(const std::string& real_dir, FileIds& ids,
                                             std::vector<Call>& calls);

}  // namespace systrace
