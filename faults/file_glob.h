// `faults.target`: which files the I/O faults may hit, as a shell glob on the file's base name
// ("MANIFEST-*", "*.log", "#.wal" is not a glob: digits are literal here). fnmatch(3) without
// flags: `*`, `?` and `[...]`; a '/' in the pattern never matches, since only the base name is
// tested. The empty pattern matches every file (no aim).
#pragma once

#include <string_view>

namespace faults {

// The base name of `path` (what follows its last '/').
std::string_view base_name(std::string_view path);

// True when `pattern` is empty or matches base_name(path).
bool glob_matches(std::string_view pattern, std::string_view path);

// A pattern fnmatch(3) can use: non-empty, no '/' (a base name holds none), no NUL.
bool valid_glob(std::string_view pattern);

}  // namespace faults
