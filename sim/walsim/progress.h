// The progress line of `walsim run` and `walsim swarm`, on stderr. A terminal gets one line
// redrawn in place ten times a second; anything else (a CI log, a pipe, a file) gets a plain
// line when the work starts, every few seconds, and at the end, so a long sweep in CI is never
// silent. Wall-clock time only: this is the CLI's output, never part of a run.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace walsim {

struct ProgressCounts {
  std::size_t scenarios_done = 0;
  std::size_t scenarios = 0;  // 0: not counted (a swarm draws one scenario per seed)
  std::size_t runs_done = 0;
  std::size_t runs = 0;  // 0: open-ended (a swarm for some seconds)
  std::size_t failing = 0;
  std::size_t unexpected = 0;  // failing where the scenario expects a pass (a zoo's are expected)
};

class ProgressLine {
 public:
  // A plain line at most this often (terminals are redrawn every 100 ms).
  static constexpr std::chrono::seconds kPlainEvery{5};

  // on: the user did not pass --no-progress. `terminal`: whether stderr is one (the default
  // asks isatty).
  explicit ProgressLine(bool on);
  ProgressLine(bool on, bool terminal);

  // `force`: print now whatever the interval (the first and the last line).
  void update(const ProgressCounts& counts, bool force = false);
  // Clears a terminal's line; a plain stream keeps its last line.
  void finish();

  static std::string format(const ProgressCounts& counts, double seconds);

 private:
  using Clock = std::chrono::steady_clock;
  bool on_;
  bool terminal_;
  Clock::time_point start_;
  Clock::time_point last_{};
  bool printed_ = false;
};

}  // namespace walsim
