// The log's own directory entries (segments, FRONT) that cannot be read as files at all: a
// directory, a FIFO, a socket, a device, a symlink that cannot be followed (a loop), a file
// without read permission. Recovery reports such an entry as unreadable damage; FORMAT.md says
// point-in-time cuts there, and walctl repair moves it aside whole (renamed, never deleted).
#pragma once

#include <string>
#include <vector>

namespace walctl {

struct UnreadableEntry {
  std::string name;
  std::string why;  // "is a directory", "cannot be opened: Permission denied", ...
};

// Checked with lstat/stat and a non-blocking open, so a FIFO never blocks the check.
std::vector<UnreadableEntry> unreadable_entries(const std::string& dir,
                                                const std::vector<std::string>& names);

}  // namespace walctl
