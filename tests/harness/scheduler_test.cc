#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/harness/scheduler.h"

namespace harness {
namespace {

// Three tasks that each note their name at every wake-up, all due at the same virtual times,
// so every step is a tie the PRNG must break.
std::vector<std::string> run_ties(std::uint64_t seed, sim::Trace* trace = nullptr) {
  Scheduler scheduler(seed, 10'000, trace);
  std::vector<std::string> order;
  auto task = [&](std::string name) -> Task<void> {
    for (int i = 0; i < 5; ++i) {
      order.push_back(name);
      co_await scheduler.sleep_for(10);
    }
  };
  for (const char* name : {"a", "b", "c", "d"}) scheduler.spawn(task(name), "spawn");
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kIdle);
  EXPECT_EQ(scheduler.live_tasks(), 0u);
  return order;
}

TEST(SchedulerTest, SameSeedGivesTheSameChoices) {
  sim::Trace first_trace, second_trace;
  EXPECT_EQ(run_ties(7, &first_trace), run_ties(7, &second_trace));
  EXPECT_EQ(first_trace.hash(), second_trace.hash());
  EXPECT_GT(first_trace.size(), 0u);
}

TEST(SchedulerTest, DifferentSeedsGiveDifferentChoices) {
  int differing = 0;
  const std::vector<std::string> base = run_ties(1);
  for (std::uint64_t seed = 2; seed < 12; ++seed) differing += run_ties(seed) != base ? 1 : 0;
  // 20 four-way ties: two seeds agreeing on all of them is (1/24)^5-ish; ten all agreeing is
  // impossible unless the seed is ignored.
  EXPECT_GE(differing, 9);
}

TEST(SchedulerTest, TraceHashPinsTheChoices) {
  sim::Trace a, b;
  run_ties(3, &a);
  run_ties(4, &b);
  EXPECT_NE(a.hash(), b.hash());
}

TEST(SchedulerTest, EventsRunInVirtualTimeOrderAndTimeAdvances) {
  Scheduler scheduler(0, 100, nullptr);
  std::vector<std::uint64_t> seen;
  for (std::uint64_t t : {50u, 10u, 30u, 20u}) {
    scheduler.schedule_at(t, "timer", [&] { seen.push_back(scheduler.now_us()); });
  }
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kIdle);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{10, 20, 30, 50}));
  EXPECT_EQ(scheduler.now_us(), 50u);
}

TEST(SchedulerTest, SleepResumesAtTheRightVirtualTime) {
  Scheduler scheduler(0, 100, nullptr);
  std::vector<std::uint64_t> woke;
  auto sleeper = [&]() -> Task<void> {
    co_await scheduler.sleep_for(100);
    woke.push_back(scheduler.now_us());
    co_await scheduler.sleep_until(250);
    woke.push_back(scheduler.now_us());
  };
  scheduler.spawn(sleeper(), "spawn");
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kIdle);
  EXPECT_EQ(woke, (std::vector<std::uint64_t>{100, 250}));
}

TEST(SchedulerTest, CancelledTimerNeverRuns) {
  Scheduler scheduler(0, 100, nullptr);
  int fired = 0;
  const EventId id = scheduler.schedule_at(5, "timer", [&] { ++fired; });
  EXPECT_TRUE(scheduler.cancel(id));
  EXPECT_FALSE(scheduler.cancel(id));
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kIdle);
  EXPECT_EQ(fired, 0);
}

TEST(SchedulerTest, NestedTasksReturnValues) {
  Scheduler scheduler(0, 100, nullptr);
  int result = 0;
  auto inner = [&](int x) -> Task<int> {
    co_await scheduler.sleep_for(5);
    co_return x * 2;
  };
  auto outer = [&]() -> Task<void> { result = co_await inner(21) + co_await inner(1); };
  scheduler.spawn(outer(), "spawn");
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kIdle);
  EXPECT_EQ(result, 44);
  EXPECT_EQ(scheduler.now_us(), 10u);
}

TEST(SchedulerTest, WaitQueueWakesOnNotifyOrDeadline) {
  Scheduler scheduler(0, 100, nullptr);
  WaitQueue queue(scheduler, "sync-done");
  std::vector<std::pair<bool, std::uint64_t>> wakes;
  auto waiter = [&](std::uint64_t deadline) -> Task<void> {
    const bool notified = co_await queue.wait_until(deadline);
    wakes.emplace_back(notified, scheduler.now_us());
  };
  scheduler.spawn(waiter(1000), "spawn");  // notified at 40, before its deadline
  scheduler.spawn(waiter(20), "spawn");    // times out at 20
  scheduler.schedule_at(40, "notify", [&] { queue.notify_all(); });
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kIdle);
  ASSERT_EQ(wakes.size(), 2u);
  EXPECT_EQ(wakes[0], std::make_pair(false, std::uint64_t{20}));
  EXPECT_EQ(wakes[1], std::make_pair(true, std::uint64_t{40}));
  // The cancelled deadline did not drag virtual time to 1000.
  EXPECT_EQ(scheduler.now_us(), 40u);
}

TEST(SchedulerTest, ParkedTaskWithNoEventsIsADeadlockNotALoop) {
  Scheduler scheduler(0, 100, nullptr);
  WaitQueue queue(scheduler, "never");
  auto parked = [&]() -> Task<void> { co_await queue.wait(); };
  scheduler.spawn(parked(), "spawn");
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kIdle);
  EXPECT_EQ(scheduler.live_tasks(), 1u);
  EXPECT_EQ(queue.waiters(), 1u);
}

TEST(SchedulerTest, StepBoundReportsAHang) {
  Scheduler scheduler(0, 50, nullptr);
  auto spinner = [&]() -> Task<void> {
    for (;;) co_await scheduler.yield();
  };
  scheduler.spawn(spinner(), "spawn");
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kStepLimit);
  EXPECT_EQ(scheduler.steps(), 50u);
}

TEST(SchedulerTest, StopAndDeadlineAndAbandon) {
  Scheduler scheduler(0, 1000, nullptr);
  int ticks = 0;
  auto ticker = [&]() -> Task<void> {
    for (;;) {
      ++ticks;
      if (ticks == 3) scheduler.stop();
      co_await scheduler.sleep_for(10);
    }
  };
  scheduler.spawn(ticker(), "spawn");
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kStopped);
  EXPECT_EQ(ticks, 3);
  EXPECT_EQ(scheduler.run(55), Scheduler::Outcome::kDeadline);
  EXPECT_EQ(scheduler.now_us(), 55u);
  EXPECT_EQ(ticks, 6);
  scheduler.abandon();  // a crash: the ticker's frame is destroyed mid-loop
  EXPECT_EQ(scheduler.live_tasks(), 0u);
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kIdle);
  EXPECT_EQ(ticks, 6);
}

TEST(SchedulerTest, SimClockReadsVirtualTime) {
  Scheduler scheduler(0, 10, nullptr);
  SimClock clock(scheduler);
  std::uint64_t seen = 0;
  scheduler.schedule_at(1234, "timer", [&] { seen = clock.now_us(); });
  EXPECT_EQ(scheduler.run(), Scheduler::Outcome::kIdle);
  EXPECT_EQ(seen, 1234u);
}

}  // namespace
}  // namespace harness
