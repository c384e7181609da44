// The log's own directory entries (segments, FRONT) that cannot be read as files at all: a
// directory, a FIFO, a socket, a device, a symlink that cannot be followed (a loop), a file
// without read permission. Recovery reports such an entry as unreadable damage; FORMAT.md says
// point-in-time cuts there, and walctl repair moves it aside whole (renamed, never deleted).
#pragma once

#include <string>
#include <vector>

#include <wal/fs.h>

namespace walctl {

struct UnreadableEntry {
  std::string name;
  std::string why;  // "is a directory", "cannot be opened: Permission denied", ...
};

// On the real file system checked with lstat/stat and a non-blocking open, so a FIFO never
// blocks the check. Another wal::Fs (an in-memory one) knows only files and directories: there
// an entry is unreadable when it is a directory or its open fails.
std::vector<UnreadableEntry> unreadable_entries(wal::Fs& fs, const std::string& dir,
                                                const std::vector<std::string>& names);

}  // namespace walctl
