// The hostile-input corpus: broken logs built from a real one. A base log is written through
// wal::Log on the real disk (small segments, so it has several); every case copies it and breaks
// the copy one way: truncated at each kind of boundary, zeroed sectors, bit flips, wrong magic, a
// future format version, huge length fields, duplicated, missing and foreign segments, a file
// where the directory should be, a directory where a segment should be, no permission.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <wal/types.h>

namespace hostile {

// What was appended: LSN -> (entry type name as walctl prints it, payload).
struct Written {
  std::map<wal::Lsn, std::pair<std::string, std::string>> entries;
  bool holds(wal::Lsn lsn, const std::string& type, const std::string& payload) const {
    const auto it = entries.find(lsn);
    return it != entries.end() && it->second.first == type && it->second.second == payload;
  }
};

// A base log in `dir` (created), and another log (another salt, other payloads) in `other`.
struct BaseLogs {
  std::string dir;
  std::string other;
  Written written;
  std::vector<std::string> segments;  // names, oldest first
};
// Builds both logs under `root` once.
BaseLogs build_base_logs(const std::string& root);

struct Case {
  std::string name;
  // Copies the base log to `path` (the log directory to be) and breaks it. Returns false when
  // the case cannot be built here (with the reason in `skip`).
  std::function<bool(const BaseLogs& base, const std::string& path, std::string* skip)> make;
  bool clean = false;           // the log is intact: verify must say so
  bool not_a_directory = false;  // every command must answer "not found" (6)
  bool no_log = false;  // no segment, no FRONT: verify, dump, stat and repair say "no log here" (7)
};
std::vector<Case> cases();
// gtest prints a case by its name.
inline void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

// Every file in `dir` (not recursive) with its bytes; directories as "<dir>", symlinks as
// "<symlink to TARGET>" (never followed: one may be a loop).
std::map<std::string, std::string> snapshot(const std::string& dir);

// Copies `from` into a new directory `to`, one level: files with their bytes, directories as
// empty directories, symlinks as symlinks (a loop stays a loop).
void copy_dir(const std::string& from, const std::string& to);

// Every non-zero byte a repair removed from a segment or FRONT of `before` is in one of its
// "<name>.cut-<offset>[.<n>]" side files in `after`, and every directory or symlink it moved is
// in `after` under its name or a side name; otherwise a description of the first lost one.
std::optional<std::string> lost_by_repair(const std::map<std::string, std::string>& before,
                                          const std::map<std::string, std::string>& after);

}  // namespace hostile
