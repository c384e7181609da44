// Target: the trace file reader (systrace/trace_file.h), which `walsim trace show` and
// `walsim crashes` run on files from anywhere. Beyond "no crash": the format has one encoding
// per trace, so bytes that decode must encode back to themselves; bytes that do not must give
// a message with the byte offset and an empty trace; and showing a decoded trace must work.
#include <fmt/format.h>

#include <algorithm>

#include "fuzz_bytes.h"
#include "systrace/trace_file.h"
#include "targets.h"

namespace wal_fuzz {

Violation trace_file(std::span<const std::byte> input) {
  const std::string bytes = to_string(input);
  systrace::Trace trace;
  const std::string error = systrace::decode(bytes, trace);
  if (!error.empty()) {
    if (!error.starts_with("byte ")) return fmt::format("an error without its offset: {}", error);
    if (!(trace == systrace::Trace{})) return "a failed decode left a trace behind";
    return std::nullopt;
  }
  if (systrace::encode(trace) != bytes) return "a decoded trace encodes to other bytes";
  const std::string shown = systrace::show(trace);
  const auto lines = static_cast<std::size_t>(std::count(shown.begin(), shown.end(), '\n'));
  if (lines != trace.calls.size()) {
    return fmt::format("show printed {} lines for {} calls", lines, trace.calls.size());
  }
  return std::nullopt;
}

}  // namespace wal_fuzz
