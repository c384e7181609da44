// The info LOG line both engines write (LevelDB's PosixLogger format, which RocksDB's loggers
// keep): "YYYY/MM/DD-hh:mm:ss.uuuuuu sim <message>\n", on virtual time (UTC) with "sim" for the
// thread id, so that a seed writes the same LOG bytes. `hides` (the run's directory, whose name
// varies) is replaced by "<db>", and an address (RocksDB logs pointers) by "0x<addr>".
#pragma once

#include <cstdarg>
#include <cstdint>
#include <string>
#include <string_view>

namespace kv {

std::string info_log_line(std::uint64_t now_us, const char* format, std::va_list arguments,
                          std::string_view hides);

}  // namespace kv
