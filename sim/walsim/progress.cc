#include "sim/walsim/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace walsim {

ProgressLine::ProgressLine(bool on) : ProgressLine(on, ::isatty(STDERR_FILENO) != 0) {}

ProgressLine::ProgressLine(bool on, bool terminal)
    : on_(on), terminal_(terminal), start_(Clock::now()) {}

std::string ProgressLine::format(const ProgressCounts& c, double seconds) {
  std::string text = "walsim: ";
  if (c.scenarios != 0) text += fmt::format("{}/{} scenarios, ", c.scenarios_done, c.scenarios);
  text += c.runs != 0 ? fmt::format("{}/{} runs", c.runs_done, c.runs)
                      : fmt::format("{} runs", c.runs_done);
  text += fmt::format(", {} failing ({} unexpected), {:.1f} s", c.failing, c.unexpected, seconds);
  return text;
}

void ProgressLine::update(const ProgressCounts& counts, bool force) {
  if (!on_) return;
  const auto now = Clock::now();
  const auto every = terminal_ ? std::chrono::milliseconds(100)
                               : std::chrono::duration_cast<std::chrono::milliseconds>(kPlainEvery);
  if (!force && printed_ && now - last_ < every) return;
  last_ = now;
  printed_ = true;
  const std::string line =
      format(counts, std::chrono::duration<double>(now - start_).count());
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void ProgressLine::finish() {
  if (on_ && terminal_ && printed_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace walsim
