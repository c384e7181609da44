// The device under the simulated filesystem: the keys of SPEC 5 [device]. SimFs uses the sector
// size (latent sectors) and the capacity; faults/power_loss uses sectors, pages and atomicity to
// decide how a pending write can be torn; the harness's scheduler uses the latencies.
#pragma once

#include <cstdint>

#include "sim/prng.h"

namespace sim {

// An inclusive range of microseconds.
struct LatencyRange {
  std::uint64_t min_us = 0;
  std::uint64_t max_us = 0;

  std::uint64_t sample(Prng& prng) const { return prng.range(min_us, max_us); }
  friend bool operator==(const LatencyRange&, const LatencyRange&) = default;
};

struct DeviceModel {
  std::uint32_t sector_bytes = 512;   // unit of a torn write when atomic_sector
  std::uint32_t page_bytes = 4096;    // page-cache granularity
  bool atomic_sector = true;          // false: a sector itself may be half written
  LatencyRange fsync_latency_us{100, 2000};
  LatencyRange write_latency_us{1, 20};
  std::uint64_t capacity_bytes = 0;   // 0: unlimited; else SimFs returns kNoSpace beyond it

  // Index of the sector holding byte `offset`.
  std::uint64_t sector_of(std::uint64_t offset) const { return offset / sector_bytes; }
  friend bool operator==(const DeviceModel&, const DeviceModel&) = default;
};

}  // namespace sim
