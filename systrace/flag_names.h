// Symbolic names of the flag words and error numbers a trace holds, for `walsim trace show` and
// for the recorder's error messages: O_CREAT|O_TRUNC rather than 01100.
#pragma once

#include <cstdint>
#include <string>

namespace systrace {

// O_RDONLY / O_WRONLY / O_RDWR, then every other known bit; unknown bits as one octal number.
std::string open_flags_name(std::uint32_t flags);
// renameat2's RENAME_NOREPLACE|RENAME_EXCHANGE|RENAME_WHITEOUT ("0" for none).
std::string rename_flags_name(std::uint32_t flags);
// fallocate's mode: FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, ... ("0" for none).
std::string fallocate_mode_name(std::uint32_t mode);
// sync_file_range's SYNC_FILE_RANGE_WAIT_BEFORE|WRITE|WAIT_AFTER ("0" for none).
std::string sync_file_range_flags_name(std::uint32_t flags);
// ENOENT for 2; "errno 4095" for a number without a name.
std::string errno_name(std::int64_t error);

}  // namespace systrace
