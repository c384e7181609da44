// Time is injected. The WAL reads the clock only through this interface (sync deadlines,
// latency metrics), so the simulator can run it on virtual time. The WAL never sleeps: waiting
// is the runtime's job (wal::Log in production, the sim scheduler in simulation).
#pragma once

#include <cstdint>

namespace wal {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic microseconds since an arbitrary epoch.
  virtual std::uint64_t now_us() = 0;
};

// std::chrono::steady_clock. Thread-safe; lives forever.
Clock& system_clock();

}  // namespace wal
