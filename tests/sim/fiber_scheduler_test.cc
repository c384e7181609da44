// sim::ThreadScheduler on fibers, the backend the simulator runs wal::Log on: the same seed
// gives the same schedule as on OS threads (the backend carries threads, the seed alone
// decides), a deadlock is still a verdict, and a fiber blocked outside the scheduler ends the
// process with its own exit code and a message naming it, never a silent hang.
#include <gtest/gtest.h>

#include <mutex>

#include "tests/sim/scheduler_programs.h"

namespace {

using Outcome = sim::ThreadScheduler::Outcome;

sim::ThreadLimits backend(bool os_threads) {
  sim::ThreadLimits limits;
  limits.os_threads = os_threads;
  return limits;
}

TEST(FiberScheduler, RunsTheSameScheduleAsOsThreads) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::uint64_t fiber_hash = 0;
    std::uint64_t os_hash = 0;
    EXPECT_EQ(sim_test::interleaving(seed, backend(false), &fiber_hash),
              sim_test::interleaving(seed, backend(true), &os_hash))
        << "seed " << seed;
    EXPECT_EQ(fiber_hash, os_hash) << "seed " << seed;
    EXPECT_EQ(sim_test::log_schedule(seed, backend(false)),
              sim_test::log_schedule(seed, backend(true)))
        << "seed " << seed;
  }
}

TEST(FiberScheduler, RunsAgainAfterARunThatFinished) {
  sim::ThreadScheduler scheduler(11);
  int runs = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(scheduler.run([&] {
      const int child = scheduler.spawn("child", [&] { scheduler.sleep_for(5); });
      scheduler.join(child);
      ++runs;
    }), Outcome::kDone);
  }
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(scheduler.now_us(), 15u);  // virtual time goes on from run to run
}

TEST(FiberScheduler, AThreadWaitingForeverIsADeadlockVerdict) {
  auto* scheduler = new sim::ThreadScheduler(5);  // kept: its fibers never end
  static const char kNobody = 0;
  const Outcome outcome = scheduler->run([scheduler] {
    const int waiter = scheduler->spawn("waiter", [scheduler] {
      scheduler->block(&kNobody, std::nullopt, "a wakeup nobody sends");
    });
    scheduler->join(waiter);
  });
  EXPECT_EQ(outcome, Outcome::kDeadlock);
  const std::string threads = scheduler->describe();
  EXPECT_NE(threads.find("'waiter': waits on a wakeup nobody sends"), std::string::npos)
      << threads;
  delete scheduler;
}

TEST(FiberSchedulerDeathTest, AFiberBlockedOnAForeignLockEndsTheProcessSayingSo) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        static auto* foreign = new std::mutex;
        sim::ThreadLimits limits;
        limits.stall_ms = 200;
        auto* scheduler = new sim::ThreadScheduler(3, limits);
        static_cast<void>(scheduler->run([scheduler] {
          const int holder = scheduler->spawn("holder", [scheduler] {
            foreign->lock();
            scheduler->sleep_for(10);  // suspended with the foreign lock held
            foreign->unlock();
          });
          scheduler->sleep_for(1);
          foreign->lock();  // blocks the OS thread every fiber runs on
          foreign->unlock();
          scheduler->join(holder);
        }));
      },
      testing::ExitedWithCode(sim::kStalledExitCode),
      "stalled: simulated thread 'main' blocked outside the scheduler");
}

}  // namespace
