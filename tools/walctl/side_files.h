// walctl repair's side files: where the bytes it drops, and the entries it moves aside, are
// kept. "<segment>.cut-<offset>" holds bytes cut from that offset; "<name>.cut-0" an entry
// moved aside whole (a damaged FRONT, an unreadable segment). A name never collides: if it is
// taken, ".2", ".3", ... is added. A repair that finds the bytes already kept in one (a repair
// of a repaired log) writes nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <wal/fs.h>

#include "repair_plan.h"

namespace walctl {

// "<segment>.cut-<offset>": the first choice of name for the cut's side file.
std::string side_file_name(const Cut& cut);

// The side file of `cut` (its first `length` bytes) that already holds exactly those bytes.
wal::Result<std::optional<std::string>> already_kept(wal::Fs& fs, const std::string& dir,
                                                     const Cut& cut, std::uint64_t length);

// Copies the cut's first `length` bytes into a new side file, synced; returns its name.
wal::Result<std::string> save_cut(wal::Fs& fs, const std::string& dir, const Cut& cut,
                                  std::uint64_t length);

// Renames `name` (whatever it is) to a free "<name>.cut-0" side name; returns that name. The
// caller syncs the directory.
wal::Result<std::string> move_aside(wal::Fs& fs, const std::string& dir, const std::string& name);

}  // namespace walctl
