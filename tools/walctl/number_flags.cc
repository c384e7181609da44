#include "number_flags.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace walctl {

std::string check_whole_number(const std::string& text, std::uint64_t min, std::uint64_t max,
                               const std::string& what) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    return fmt::format("'{}' is not {} (a whole number from {} to {})", text, what, min, max);
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error == std::errc::result_out_of_range || (error == std::errc() && value > max)) {
    return fmt::format("{} is too large for {} (at most {})", text, what, max);
  }
  if (error != std::errc() || end != text.data() + text.size()) {
    return fmt::format("'{}' is not {}", text, what);
  }
  if (value < min) return fmt::format("{} is too small for {} (at least {})", text, what, min);
  return std::string();
}

std::string check_lsn(const std::string& text) {
  if (!text.empty() && text.find_first_not_of('0') == std::string::npos) {
    return fmt::format("{} is not an LSN (LSNs start at 1)", text);
  }
  return check_whole_number(text, 1, std::numeric_limits<std::uint64_t>::max(), "an LSN");
}

std::string check_seconds(const std::string& text, double min, double max) {
  const std::string wanted = fmt::format("a number of seconds from {} to {}", min, max);
  double value = 0;
  const char* last = text.data() + text.size();
  const auto [end, error] = std::from_chars(text.data(), last, value);
  if (text.empty() || error == std::errc::invalid_argument || end != last) {
    return fmt::format("'{}' is not {}", text, wanted);
  }
  if (error == std::errc::result_out_of_range || !std::isfinite(value) || value < min ||
      value > max) {
    return fmt::format("{} is not {}", text, wanted);
  }
  return std::string();
}

}  // namespace walctl
