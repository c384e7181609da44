// The user's checker, run on one crash state: `/bin/sh -c COMMAND` with `{dir}` replaced by the
// state's directory and `{output}` by a file holding what the program had printed on its
// standard output before the crash point (what it had acknowledged), both shell-quoted. Exit 0
// means consistent. It runs in a process group of its own with stdin from /dev/null; its output
// is kept (the last few KiB) for the report; past `timeout_ms` the group is killed and the state
// counts as failed (a recovery that hangs is a finding too). The only wall clock of
// `walsim crashes` is this timeout: a checker that finishes in time gives the same verdict on
// every run.
#pragma once

#include <cstdint>
#include <string>

namespace crashes {

struct CheckerRun {
  bool passed = false;
  int exit_code = -1;      // -1 when killed or not started
  int signal = 0;          // the signal that ended it, 0 if none
  bool timed_out = false;
  std::uint64_t timeout_ms = 0;  // what it was given
  std::string output;      // its stdout and stderr, the last kOutputKept bytes
  std::string problem;     // it could not be started (then passed is false)

  std::string verdict() const;  // "exit 3", "timed out after 10 s", "killed by signal 11"
};

inline constexpr std::size_t kOutputKept = 4096;

// The command with {dir} and {output} replaced (shell-quoted).
std::string checker_command(const std::string& command, const std::string& dir,
                            const std::string& output_file);
// Quotes `text` for /bin/sh.
std::string shell_quote(const std::string& text);

CheckerRun run_checker(const std::string& command, std::uint64_t timeout_ms);

}  // namespace crashes
