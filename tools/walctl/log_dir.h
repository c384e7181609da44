// Checks that run before a command touches a log directory, so an operator gets "no such log
// directory" rather than whatever the first failing syscall happened to say.
#pragma once

#include <optional>
#include <string>

#include <wal/options.h>

namespace walctl {

// nullopt if `dir` is an existing directory; otherwise prints why not and returns the exit code.
// With `may_create`, a missing `dir` is fine (append creates the log).
std::optional<int> check_log_dir(const std::string& command, const std::string& dir,
                                 bool may_create = false);

// Options for opening a log without changing a byte of it (dump, verify, stat).
wal::Options read_only_options(wal::RecoveryMode mode);

}  // namespace walctl
