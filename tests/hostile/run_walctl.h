// Runs the built walctl binary with a time limit: a hostile input must end in an exit code, never
// a signal and never a hang.
#pragma once

#include <string>
#include <vector>

namespace hostile {

struct Run {
  int exit_code = -1;  // valid when exited
  bool exited = false;
  int signal = 0;      // when killed by one
  bool timed_out = false;
  std::string out;
  std::string err;
};

// $WAL_BUILD_DIR/tools/walctl, or "" when it is not there.
std::string walctl_binary();

// Runs `binary args...` with stdin from /dev/null, stdout/stderr into files under `scratch`;
// kills it after `limit_seconds`.
Run run(const std::string& binary, const std::vector<std::string>& args, const std::string& scratch,
        int limit_seconds = 60);

}  // namespace hostile
