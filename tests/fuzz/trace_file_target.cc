// Target: the trace file reader (systrace/trace_file.h), which `walsim trace show` and
// `walsim crashes` run on files from anywhere. Beyond "no crash": the format has one encoding
// per trace, so bytes that decode must encode back to themselves; bytes that do not must give
// a message with the byte offset and an empty trace; and showing a decoded trace must work.
// A trace that decodes is then replayed into SimFs and its first crash states built, as
// `walsim crashes` does before it runs any checker: whatever the calls say (a file where a
// directory should be, "..", offsets near 2^64, writes to files never opened), the replay gives
// an error naming the call or states, never an abort.
#include <fmt/format.h>

#include <algorithm>

#include "crashes/crash_states.h"
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
  crashes::SearchOptions options;
  options.max_states = 64;
  options.max_plans = 2'000;
  sim::DeviceModel device;
  device.sector_bytes = 512;
  // A write at an offset near 4 GiB is a valid trace (a sparse file) but a gigabyte of memory
  // per input: the small disk turns it into the replay's kNoSpace error, which is a path too.
  // 1 MiB, not more: each of up to 64 states copies what the files hold, and with 4 MiB an
  // input that wrote near the end cost ~30x the others; whether libFuzzer reached such inputs
  // (its runs are not the same from one process to the next) swung the ctest smoke run of
  // 200,000 inputs from 9 s to the 60 s cap.
  device.capacity_bytes = 1 << 20;
  std::uint64_t states = 0;
  const crashes::SearchResult searched = crashes::search(
      trace, device, options,
      [&](const crashes::CrashState& state, const sim::SimFsState&, const crashes::Replay&,
          const std::vector<crashes::PendingItem>&) {
        ++states;
        return state.number == states;
      });
  if (searched.error.empty() && searched.states != states) {
    return fmt::format("the search counted {} states and handed over {}", searched.states,
                       states);
  }
  return std::nullopt;
}

}  // namespace wal_fuzz
