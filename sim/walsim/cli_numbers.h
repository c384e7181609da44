// Numbers on walsim's command line. CLI11 alone turns `--seed -1` into 2^64-1 and clamps
// 99999999999999999999999 to 2^64-1, so a typo silently runs a different sweep. Every unsigned
// option goes through unsigned_in(): decimal digits only, no sign, no overflow, within a range
// the message states in plain integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace CLI {
class Validator;
}  // namespace CLI

namespace walsim {

// Decimal digits only (no sign, space, exponent or hex); nullopt when not that or above 2^64-1.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

// A CLI11 validator: the value is an unsigned integer in [min, max]. CLI11 prefixes its message
// with the option's name, and walsim exits with kExitUsage.
CLI::Validator unsigned_in(std::uint64_t min, std::uint64_t max);

}  // namespace walsim
