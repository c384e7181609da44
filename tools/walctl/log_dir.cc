#include "log_dir.h"

#include <fmt/format.h>
#include <wal/posix_fs.h>

#include <cstdio>

#include "exit_codes.h"

namespace walctl {

std::optional<int> check_log_dir(const std::string& command, const std::string& dir,
                                 bool may_create) {
  wal::Result<wal::FileStat> st = wal::posix_fs().stat(dir);
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

wal::Options read_only_options(wal::RecoveryMode mode) {
  wal::Options options;
  options.read_only = true;
  options.create_if_missing = false;
  options.recovery = mode;
  options.sync = wal::SyncPolicy::kNone;
  return options;
}

}  // namespace walctl
