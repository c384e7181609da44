// Checks for walctl's numeric flags. CLI11's own checks (PositiveNumber, Range) print their
// bounds as doubles ("Value 0 not in range 0.000000 to 1797693...") and its conversion clamps
// an overflowing integer to the type's maximum; these accept plain decimal text only and say,
// in integers, why a value is refused. Each returns "" when `text` is fine, else the message
// (main.cc wraps them in CLI11 validators, which prefix the flag's name). No CLI11 here: the
// fuzz target builds every walctl file but main.cc.
#pragma once

#include <cstdint>
#include <string>

namespace walctl {

// A whole number from `min` to `max` (decimal digits only: no sign, no fraction, no overflow).
// `what` names the value in the message ("a segment size in bytes").
std::string check_whole_number(const std::string& text, std::uint64_t min, std::uint64_t max,
                               const std::string& what);

// An LSN (1 and up).
std::string check_lsn(const std::string& text);

// A finite decimal number of seconds from `min` to `max`.
std::string check_seconds(const std::string& text, double min, double max);

}  // namespace walctl
