#include "adapters/kv/info_log.h"

#include <cstdio>
#include <ctime>

namespace kv {
namespace {

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Replaces each "0x" and 8 or more hex digits, not inside a word, by "0x<addr>". RocksDB's LOG
// prints pointers (Options.env, the block cache, "DB pointer ..."), as %p or inside option
// strings it formats first: heap addresses, which differ between processes (ASLR) and between
// runs of one process. No value RocksDB or LevelDB logs is hex that long.
void hide_addresses(std::string& line) {
  constexpr std::size_t kMinDigits = 8;
  for (std::size_t at = line.find("0x"); at != std::string::npos; at = line.find("0x", at + 2)) {
    const auto c = at == 0 ? ' ' : line[at - 1];
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) continue;
    std::size_t end = at + 2;
    while (end < line.size() && is_hex_digit(line[end])) ++end;
    if (end - at - 2 >= kMinDigits) line.replace(at + 2, end - at - 2, "<addr>");
  }
}

}  // namespace

std::string info_log_line(std::uint64_t now_us, const char* format, std::va_list arguments,
                          std::string_view hides) {
  const auto seconds = static_cast<std::time_t>(now_us / 1'000'000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char header[64];
  const int header_bytes = std::snprintf(
      header, sizeof(header), "%04d/%02d/%02d-%02d:%02d:%02d.%06d sim ", parts.tm_year + 1900,
      parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
      static_cast<int>(now_us % 1'000'000));
  std::va_list copy;
  va_copy(copy, arguments);
  const int body_bytes = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string line(header, static_cast<std::size_t>(header_bytes));
  if (body_bytes > 0) {
    std::string body(static_cast<std::size_t>(body_bytes) + 1, '\0');
    std::vsnprintf(body.data(), body.size(), format, arguments);
    body.pop_back();
    line += body;
  }
  for (std::size_t at = hides.empty() ? std::string::npos : line.find(hides);
       at != std::string::npos; at = line.find(hides, at)) {
    line.replace(at, hides.size(), "<db>");
  }
  hide_addresses(line);
  if (line.back() != '\n') line += '\n';
  return line;
}

}  // namespace kv
