#include "sim/walsim/cli_numbers.h"

#include <charconv>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace walsim {

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

CLI::Validator unsigned_in(std::uint64_t min, std::uint64_t max) {
  const std::string range = fmt::format("an integer in [{}, {}]", min, max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        const std::optional<std::uint64_t> value = parse_unsigned(text);
        if (!value || *value < min || *value > max) {
          return fmt::format("'{}' is not {}", text, range);
        }
        return "";
      },
      fmt::format("[{}, {}]", min, max));  // help: "--jobs UINT:[1, 256]"
}

}  // namespace walsim
