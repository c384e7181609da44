// A store's log on SimFs, for tests: a manual clock, a CoreLog opened on the simulated disk,
// and a power loss that keeps only what the durability model says survives.
#pragma once

#include <memory>
#include <string>

#include <wal/clock.h>
#include <wal/options.h>

#include "examples/common/core_log.h"
#include "faults/power_loss.h"
#include "sim/prng.h"
#include "sim/sim_fs.h"

namespace examples_test {

class ManualClock final : public wal::Clock {
 public:
  std::uint64_t now_us() override { return now_us_ += 10; }

 private:
  std::uint64_t now_us_ = 0;
};

struct SimStoreEnv {
  explicit SimStoreEnv(wal::SyncPolicy policy) {
    options.sync = policy;
    options.segment_bytes = 16 << 10;
    options.buffer_bytes = 4 << 10;
    options.salt = 0x5eed;
    fs.make_durable_dirs(dir);
  }
  std::unique_ptr<examples::CoreLog> open_log() {
    wal::Result<std::unique_ptr<examples::CoreLog>> log =
        examples::CoreLog::open(fs, clock, dir, options);
    WAL_ASSERT(log.is_ok());
    return std::move(log).value();
  }
  // Everything not made durable is lost (the caller must have dropped the store first).
  void power_loss() {
    faults::PowerLossOptions loss;
    loss.policy = faults::CrashPolicy::kDropUnsynced;
    faults::crash(fs, loss, prng);
  }

  sim::SimFs fs;
  ManualClock clock;
  sim::Prng prng{7};
  wal::Options options;
  std::string dir = "/store";
};

}  // namespace examples_test
