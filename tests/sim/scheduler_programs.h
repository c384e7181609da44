// Small programs for sim::ThreadScheduler that both of its backends must run the same way
// (thread_scheduler_concurrent_test.cc on OS threads under TSan, fiber_scheduler_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <wal/log.h>
#include <wal/runtime.h>

#include "sim/sim_fs.h"
#include "sim/sim_runtime.h"
#include "sim/thread_scheduler.h"
#include "sim/yielding_fs.h"

namespace sim_test {

// Three threads take turns on one SimMutex; the order they got it in is the run's story.
inline std::string interleaving(std::uint64_t seed, sim::ThreadLimits limits, std::uint64_t* hash) {
  sim::ThreadScheduler scheduler(seed, limits);
  sim::SimRuntime runtime(scheduler);
  std::string order;
  const sim::ThreadScheduler::Outcome outcome = scheduler.run([&] {
    auto mutex = runtime.make_mutex();
    std::vector<std::unique_ptr<wal::Runtime::Thread>> threads;
    for (char name : {'a', 'b', 'c'}) {
      threads.push_back(runtime.start_thread(std::string(1, name), [&, name] {
        for (int i = 0; i < 5; ++i) {
          std::lock_guard<wal::Runtime::Mutex> lock(*mutex);
          order += name;
        }
      }));
    }
    for (auto& thread : threads) thread->join();
  });
  EXPECT_EQ(outcome, sim::ThreadScheduler::Outcome::kDone) << scheduler.describe();
  *hash = scheduler.trace_hash();
  return order;
}

// The production wal::Log with grouped commit on the scheduler: the same seed, the same run.
inline std::uint64_t log_schedule(std::uint64_t seed, sim::ThreadLimits limits) {
  sim::SimFs fs;
  fs.make_durable_dirs("/");
  sim::ThreadScheduler scheduler(seed, limits);
  sim::SimRuntime runtime(scheduler);
  sim::YieldingFs yielding(fs, scheduler, sim::DeviceModel{});
  const sim::ThreadScheduler::Outcome outcome = scheduler.run([&] {
    wal::Options options;
    options.fs = &yielding;
    options.clock = &runtime;
    options.runtime = &runtime;
    options.salt = 0x5eed;
    options.segment_bytes = 4096;
    auto log = wal::Log::open("/wal", options);
    ASSERT_TRUE(log.is_ok()) << log.error().to_string();
    std::vector<std::unique_ptr<wal::Runtime::Thread>> writers;
    for (int w = 0; w < 3; ++w) {
      writers.push_back(runtime.start_thread("writer", [&, w] {
        for (int i = 0; i < 10; ++i) {
          const std::string payload = std::to_string(w) + "/" + std::to_string(i);
          EXPECT_TRUE((*log)->append(std::as_bytes(std::span(payload))).is_ok());
        }
      }));
    }
    for (auto& writer : writers) writer->join();
    EXPECT_EQ((*log)->durable_lsn(), 30u);
    EXPECT_TRUE((*log)->close().is_ok());
  });
  EXPECT_EQ(outcome, sim::ThreadScheduler::Outcome::kDone) << scheduler.describe();
  return scheduler.trace_hash();
}

}  // namespace sim_test
