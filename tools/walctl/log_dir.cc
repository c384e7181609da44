#include "log_dir.h"

#include <fmt/format.h>
#include <wal/posix_fs.h>

#include <cstdio>
#include <vector>

#include "exit_codes.h"
#include "recovery.h"

namespace walctl {
namespace {

namespace recovery = wal::recovery;

bool is_segment(const std::string& name) {
  wal::Lsn first = wal::kNoLsn;
  return recovery::parse_segment_name(name, &first);
}

// A file that makes a directory a log (FORMAT.md section 1).
bool is_log_file(const std::string& name) {
  return name == recovery::kFrontMarkerName || is_segment(name);
}

// A file a log creates besides its segments and FRONT: the lock, and the *.tmp files of a
// creation (a segment's, FRONT's, the spare segment) that a writable open deletes.
bool is_log_scratch(const std::string& name) {
  if (name == recovery::kLockName || name == "spare-segment.tmp") return true;
  const std::string_view suffix = recovery::kTempSuffix;
  if (!name.ends_with(suffix)) return false;
  return is_log_file(name.substr(0, name.size() - suffix.size()));
}

struct Contents {
  bool has_log = false;
  std::vector<std::string> foreign;  // neither log files nor a log's scratch files
};

wal::Result<Contents> contents(wal::Fs& fs, const std::string& dir) {
  wal::Result<std::vector<std::string>> names = fs.list(dir);
  if (!names) return names.error();
  Contents found;
  for (const std::string& name : *names) {
    if (is_log_file(name)) {
      found.has_log = true;
    } else if (!is_log_scratch(name)) {
      found.foreign.push_back(name);
    }
  }
  return found;
}

}  // namespace

wal::Fs& fs_or_posix(wal::Fs* fs) { return fs != nullptr ? *fs : wal::posix_fs(); }

std::optional<int> check_log_dir(wal::Fs& fs, const std::string& command, const std::string& dir,
                                 bool may_create) {
  wal::Result<wal::FileStat> st = fs.stat(dir);
  if (!st) {
    if (st.error().code() == wal::Code::kNotFound) {
      if (may_create) return std::nullopt;
      fmt::print(stderr, "walctl {}: no such log directory: {}\n", command, dir);
      return kExitNotFound;
    }
    return report_failure(command, st.error());
  }
  if (!st->is_directory) {
    fmt::print(stderr, "walctl {}: not a log directory (it is a file): {}\n", command, dir);
    return kExitNotFound;
  }
  return std::nullopt;
}

std::optional<int> check_holds_log(wal::Fs& fs, const std::string& command,
                                   const std::string& dir) {
  wal::Result<Contents> found = contents(fs, dir);
  if (!found) return report_failure(command, found.error());
  if (found->has_log) return std::nullopt;
  fmt::print(stderr, "walctl {}: no log in {}: it holds no segment file and no FRONT marker\n",
             command, dir);
  return kExitNoLog;
}

std::optional<int> check_append_target(const std::string& dir, bool create_in_nonempty) {
  wal::Fs& fs = wal::posix_fs();
  if (auto code = check_log_dir(fs, "append", dir, /*may_create=*/true)) return code;
  if (create_in_nonempty || !fs.stat(dir).is_ok()) return std::nullopt;
  wal::Result<Contents> found = contents(fs, dir);
  if (!found) return report_failure("append", found.error());
  if (found->has_log || found->foreign.empty()) return std::nullopt;
  fmt::print(stderr,
             "walctl append: no log in {}, and it is not empty (it holds {}{}): refusing to "
             "start a log among unrelated files; pass --create-in-nonempty to do it anyway\n",
             dir, found->foreign.front(),
             found->foreign.size() > 1 ? fmt::format(" and {} more", found->foreign.size() - 1)
                                       : std::string());
  return kExitNoLog;
}

wal::Options read_only_options(wal::RecoveryMode mode, wal::Fs* fs) {
  wal::Options options;
  options.fs = fs;
  options.read_only = true;
  options.create_if_missing = false;
  options.recovery = mode;
  options.sync = wal::SyncPolicy::kNone;
  return options;
}

}  // namespace walctl
