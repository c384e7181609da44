// Per-append latencies of one thread, in a buffer sized before the clock starts, so recording
// a sample never allocates.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace bench {

class LatencyLog {
 public:
  explicit LatencyLog(std::size_t capacity) { samples_ns_.reserve(capacity); }
  void add(std::uint64_t ns) {
    if (samples_ns_.size() < samples_ns_.capacity()) samples_ns_.push_back(ns);
  }
  const std::vector<std::uint64_t>& samples() const { return samples_ns_; }

 private:
  std::vector<std::uint64_t> samples_ns_;
};

// The q-quantile (0..1) of all logs together, in microseconds; 0 when empty.
inline double quantile_us(const std::vector<LatencyLog>& logs, double q) {
  std::vector<std::uint64_t> all;
  for (const LatencyLog& log : logs) {
    all.insert(all.end(), log.samples().begin(), log.samples().end());
  }
  if (all.empty()) return 0;
  const auto rank = std::min(all.size() - 1, static_cast<std::size_t>(q * static_cast<double>(all.size())));
  std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(rank), all.end());
  return static_cast<double>(all[rank]) / 1e3;
}

}  // namespace bench
