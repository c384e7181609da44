// sim::ThreadScheduler on its own: the seed decides the interleaving and nothing else does;
// virtual time moves only through sleeps and timed waits; every way a run can fail to finish
// is a verdict that names its threads, including a thread blocked on a lock the scheduler does
// not own (a foreign std::mutex). Real OS threads run here, so TSan (`make test-tsan`, this file
// is labelled `concurrency`) checks that the baton hand-over orders every access.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <wal/log.h>
#include <wal/runtime.h>

#include "sim/sim_fs.h"
#include "sim/sim_runtime.h"
#include "sim/thread_scheduler.h"
#include "sim/yielding_fs.h"
#include "tests/sim/scheduler_programs.h"

namespace {

using Outcome = sim::ThreadScheduler::Outcome;
using sim_test::interleaving;
using sim_test::log_schedule;

// Real OS threads, so that TSan sees every hand-over (fibers: fiber_scheduler_test.cc).
sim::ThreadLimits os_threads() {
  sim::ThreadLimits limits;
  limits.os_threads = true;
  return limits;
}

TEST(ThreadScheduler, TheSeedAloneDecidesTheInterleaving) {
  std::set<std::string> seen;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    std::uint64_t first_hash = 0;
    std::uint64_t second_hash = 0;
    const std::string first = interleaving(seed, os_threads(), &first_hash);
    EXPECT_EQ(interleaving(seed, os_threads(), &second_hash), first) << "seed " << seed;
    EXPECT_EQ(first_hash, second_hash) << "seed " << seed;
    EXPECT_EQ(first.size(), 15u);
    seen.insert(first);
  }
  EXPECT_GT(seen.size(), 10u) << "the seed does not drive the interleaving";
}

TEST(ThreadScheduler, VirtualTimeMovesOnlyThroughSleepsAndTimedWaits) {
  sim::ThreadScheduler scheduler(7, os_threads());
  sim::SimRuntime runtime(scheduler);
  std::uint64_t woke_at = 0;
  std::uint64_t timed_out_at = 0;
  const Outcome outcome = scheduler.run([&] {
    auto sleeper = runtime.start_thread("sleeper", [&] {
      scheduler.sleep_for(1500);
      woke_at = runtime.now_us();
    });
    auto mutex = runtime.make_mutex();
    auto cond = runtime.make_condvar();
    {
      std::unique_lock<wal::Runtime::Mutex> lock(*mutex);
      cond->wait_for(*mutex, 4000);  // nobody notifies: the deadline ends it
      timed_out_at = runtime.now_us();
    }
    sleeper->join();
  });
  ASSERT_EQ(outcome, Outcome::kDone) << scheduler.describe();
  EXPECT_EQ(woke_at, 1500u);
  EXPECT_EQ(timed_out_at, 4000u);
}

TEST(ThreadScheduler, OppositeLockOrdersEndInADeadlockVerdictNamingEachThread) {
  bool deadlocked = false;
  for (std::uint64_t seed = 1; seed <= 50 && !deadlocked; ++seed) {
    auto* scheduler = new sim::ThreadScheduler(seed, os_threads());  // kept by a run that does not finish
    sim::SimRuntime runtime(*scheduler);
    std::unique_ptr<wal::Runtime::Mutex> first = runtime.make_mutex();
    std::unique_ptr<wal::Runtime::Mutex> second = runtime.make_mutex();
    const Outcome outcome = scheduler->run([&] {
      auto t1 = runtime.start_thread("one", [&] {
        std::lock_guard<wal::Runtime::Mutex> a(*first);
        std::lock_guard<wal::Runtime::Mutex> b(*second);
      });
      auto t2 = runtime.start_thread("two", [&] {
        std::lock_guard<wal::Runtime::Mutex> b(*second);
        std::lock_guard<wal::Runtime::Mutex> a(*first);
      });
      t1->join();
      t2->join();
    });
    if (outcome == Outcome::kDeadlock) {
      deadlocked = true;
      const std::string threads = scheduler->describe();
      EXPECT_NE(threads.find("'one': waits on a mutex"), std::string::npos) << threads;
      EXPECT_NE(threads.find("'two': waits on a mutex"), std::string::npos) << threads;
      // The parked threads hold them for good: kept, and reachable for the leak checker.
      static std::vector<std::unique_ptr<wal::Runtime::Mutex>> kept;
      kept.push_back(std::move(first));
      kept.push_back(std::move(second));
    } else {
      EXPECT_EQ(outcome, Outcome::kDone) << scheduler->describe();
    }
    delete scheduler;
  }
  EXPECT_TRUE(deadlocked) << "50 seeds and the lock-order inversion never deadlocked";
}

// A foreign lock: the holder of the baton blocks in the OS, on a std::mutex that a parked
// thread holds. No scheduling point follows; the run is declared stalled, never a hang.
TEST(ThreadScheduler, AThreadBlockedOnAForeignLockIsAStalledVerdict) {
  // Held or waited on by threads that never end: never destroyed, and reachable.
  static auto* foreign = new std::mutex;
  sim::ThreadLimits limits = os_threads();
  limits.stall_ms = 300;
  auto* scheduler = new sim::ThreadScheduler(3, limits);
  static auto* runtime = new sim::SimRuntime(*scheduler);
  const Outcome outcome = scheduler->run([scheduler] {
    auto holder = runtime->start_thread("holder", [scheduler] {
      foreign->lock();
      scheduler->sleep_for(10);  // parks with the foreign lock held
      foreign->unlock();
    });
    scheduler->sleep_for(1);
    foreign->lock();  // blocks outside the scheduler, holding the baton
    foreign->unlock();
    holder->join();
  });
  EXPECT_EQ(outcome, Outcome::kStalled);
  const std::string threads = scheduler->describe();
  EXPECT_NE(threads.find("'main': held the baton and blocked outside the scheduler"),
            std::string::npos) << threads;
  delete scheduler;  // keeps the state of the parked and blocked threads
}

TEST(ThreadScheduler, RunsTheProductionLogTheSameWayForTheSameSeed) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    EXPECT_EQ(log_schedule(seed, os_threads()), log_schedule(seed, os_threads())) << "seed " << seed;
  }
}

}  // namespace
