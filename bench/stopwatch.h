// Wall-clock intervals on the monotonic clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace bench {

using SteadyClock = std::chrono::steady_clock;

inline std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        SteadyClock::now().time_since_epoch())
                                        .count());
}

class Stopwatch {
 public:
  Stopwatch() : start_(now_ns()) {}
  double seconds() const { return static_cast<double>(now_ns() - start_) / 1e9; }

 private:
  std::uint64_t start_;
};

}  // namespace bench
