// Checks that run before a command touches a log directory, so an operator gets "no such log
// directory" or "no log here" rather than whatever the first failing syscall happened to say.
#pragma once

#include <optional>
#include <string>

#include <wal/fs.h>
#include <wal/options.h>

namespace walctl {

// The file system a command's `fs` argument names (commands.h): null is the real one.
wal::Fs& fs_or_posix(wal::Fs* fs);

// nullopt if `dir` is an existing directory of `fs`; otherwise prints why not and returns the
// exit code. With `may_create`, a missing `dir` is fine (append creates the log).
std::optional<int> check_log_dir(wal::Fs& fs, const std::string& command, const std::string& dir,
                                 bool may_create = false);

// For the commands that read a log (verify, dump, stat, repair): nullopt if `dir` (an existing
// directory) holds a log, i.e. a segment file or a FRONT marker; LOCK and *.tmp files alone are
// no log. Otherwise prints "no log in DIR" and returns kExitNoLog: a clean verdict on, say,
// /tmp would be a lie.
std::optional<int> check_holds_log(wal::Fs& fs, const std::string& command,
                                   const std::string& dir);

// For append: nullopt if `dir` is missing, empty, holds a log, or holds nothing but what a log
// itself creates (LOCK, its *.tmp files); a directory of unrelated files is refused with
// kExitNoLog unless `create_in_nonempty` (a writable open deletes *.tmp files it takes for its
// own, and a log started there mixes with files that are not its).
std::optional<int> check_append_target(const std::string& dir, bool create_in_nonempty);

// Options for opening a log without changing a byte of it (dump, verify, stat), on `fs` (null:
// the real file system).
wal::Options read_only_options(wal::RecoveryMode mode, wal::Fs* fs = nullptr);

}  // namespace walctl
