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

// What the device claims to software that asks (SQLite's xDeviceCharacteristics, the IOCAP
// flags): not how it behaves at a power loss, which crash.policy and atomic_sector say. A claim
// the crash model does not honour is a non-compliant device, and software that relies on it
// is what such a scenario tests.
struct DeviceClaims {
  bool atomic_write = false;         // every write of any size is all-or-nothing
  bool safe_append = false;          // a file grows only after its new data is written
  bool sequential = false;           // writes reach the medium in the order they were made
  bool powersafe_overwrite = true;   // a write never damages bytes outside its own range
  friend bool operator==(const DeviceClaims&, const DeviceClaims&) = default;
};

struct DeviceModel {
  std::uint32_t sector_bytes = 512;   // unit of a torn write when atomic_sector
  std::uint32_t page_bytes = 4096;    // page-cache granularity
  bool atomic_sector = true;          // false: a sector itself may be half written
  LatencyRange fsync_latency_us{100, 2000};
  LatencyRange write_latency_us{1, 20};
  std::uint64_t capacity_bytes = 0;   // 0: unlimited; else SimFs returns kNoSpace beyond it
  DeviceClaims claims;

  // Index of the sector holding byte `offset`.
  std::uint64_t sector_of(std::uint64_t offset) const { return offset / sector_bytes; }
  friend bool operator==(const DeviceModel&, const DeviceModel&) = default;
};

}  // namespace sim
