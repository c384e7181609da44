// The deterministic scheduler: one thread, virtual time in microseconds, and a queue of events
// (a task resuming, a timer, an I/O completion). Nothing here reads the wall clock or starts a
// thread; the only source of choice is a seeded sim::Prng.
//
// Order. Events run in virtual-time order. Among the events due at the same virtual time (the
// ready set), the base order is FIFO by sequence number (the order they were scheduled in); the
// scheduler then draws prng.below(ready_count) and runs the event at that index of the base
// order. When exactly one event is ready no number is drawn, so a run without ties consumes no
// randomness. Every step is recorded in the trace as a note "schedule" with subject = the event's
// label, a = virtual time, b = sequence number, so the trace hash pins every choice.
//
// Bounds. run() stops after max_steps events and reports kStepLimit: a livelocked run is a hang
// in the report, never an endless loop. A run whose queue empties while tasks are still parked
// (live_tasks() > 0) is a deadlock; the caller decides how to report it.
//
// Lifetimes. spawn() takes ownership of a task's frame; abandon() (a crash) drops every pending
// event and destroys every task frame. WaitQueues hold handles of parked tasks, so a caller that
// abandons the scheduler must drop its WaitQueues too without notifying them.
#pragma once

#include <coroutine>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <wal/clock.h>

#include "sim/harness/task.h"
#include "sim/prng.h"
#include "sim/trace.h"

namespace harness {

inline constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

// Identifies a scheduled event so it can be cancelled.
struct EventId {
  std::uint64_t time_us = 0;
  std::uint64_t seq = 0;
};

class Scheduler {
 public:
  enum class Outcome : std::uint8_t {
    kIdle,       // no event left
    kStopped,    // stop() was called
    kDeadline,   // the next event lies past run()'s until_us
    kStepLimit,  // max_steps reached: a hang
  };

  // `trace` may be null (no record); it must outlive the scheduler.
  Scheduler(std::uint64_t seed, std::uint64_t max_steps, sim::Trace* trace);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  std::uint64_t now_us() const { return now_us_; }
  std::uint64_t steps() const { return steps_; }
  std::size_t pending_events() const { return events_.size(); }
  std::size_t live_tasks() const { return tasks_.size(); }

  // `label` names the event in the trace; it must outlive the event (use a string literal).
  // REQUIRES: time_us >= now_us().
  EventId schedule_at(std::uint64_t time_us, std::string_view label, std::function<void()> fn);
  EventId schedule_after(std::uint64_t delay_us, std::string_view label,
                         std::function<void()> fn) {
    return schedule_at(now_us_ + delay_us, label, std::move(fn));
  }
  // False if the event already ran or was cancelled.
  bool cancel(EventId id);

  // Starts `task` as a root task at the current virtual time (after the events already due).
  void spawn(Task<void> task, std::string_view label);

  // Runs events until none is left, stop() is called, the next event is due after `until_us`
  // (virtual time then advances to until_us), or the step bound is hit.
  Outcome run(std::uint64_t until_us = kNever);
  // Makes the running run() return kStopped after the current event.
  void stop() { stop_requested_ = true; }
  // A crash: drops every event and destroys every task frame.
  void abandon();

  // Awaitables for tasks.
  auto sleep_until(std::uint64_t time_us, std::string_view label = "wake") {
    struct Awaiter {
      Scheduler& scheduler;
      std::uint64_t time_us;
      std::string_view label;
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<> self) {
        scheduler.schedule_at(time_us, label, [self] { self.resume(); });
      }
      void await_resume() const noexcept {}
    };
    return Awaiter{*this, time_us < now_us_ ? now_us_ : time_us, label};
  }
  auto sleep_for(std::uint64_t delay_us, std::string_view label = "wake") {
    return sleep_until(now_us_ + delay_us, label);
  }
  // Lets every other event due now compete with this task (a scheduling point).
  auto yield(std::string_view label = "yield") { return sleep_until(now_us_, label); }

 private:
  struct Event {
    std::string_view label;
    std::function<void()> fn;
  };
  using Key = std::pair<std::uint64_t, std::uint64_t>;  // (time_us, seq)

  void step();
  void reap_finished_tasks();

  sim::Prng prng_;
  std::uint64_t max_steps_;
  sim::Trace* trace_;
  std::uint64_t now_us_ = 0;
  std::uint64_t steps_ = 0;
  std::uint64_t next_seq_ = 0;
  bool stop_requested_ = false;
  std::map<Key, Event> events_;
  std::vector<std::coroutine_handle<>> tasks_;  // root frames, in spawn order
};

// A condition variable for simulated tasks: wait() parks the task until notify_all().
class WaitQueue {
 public:
  WaitQueue(Scheduler& scheduler, std::string_view label)
      : scheduler_(scheduler), label_(label) {}
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;

  // co_await wait(): true once notified.
  // co_await wait_until(t): true if notified, false if virtual time reached t first.
  auto wait_until(std::uint64_t deadline_us) {
    struct Awaiter {
      WaitQueue& queue;
      std::uint64_t deadline_us;
      std::shared_ptr<Waiter> waiter = std::make_shared<Waiter>();
      bool await_ready() const noexcept { return false; }
      void await_suspend(std::coroutine_handle<> self) { queue.park(self, deadline_us, waiter); }
      bool await_resume() const noexcept { return waiter->notified; }
    };
    return Awaiter{*this, deadline_us};
  }
  auto wait() { return wait_until(kNever); }

  // Wakes every parked task (each at the current virtual time, in parking order).
  void notify_all();
  // Tasks parked and not yet woken.
  std::size_t waiters() const;

 private:
  struct Waiter {
    std::coroutine_handle<> handle;
    bool fired = false;
    bool notified = false;
    bool has_timer = false;
    EventId timer;
  };
  void park(std::coroutine_handle<> self, std::uint64_t deadline_us,
            const std::shared_ptr<Waiter>& waiter);

  Scheduler& scheduler_;
  std::string_view label_;
  std::vector<std::shared_ptr<Waiter>> waiters_;
};

// wal::Clock on the scheduler's virtual time, for the WAL under simulation.
class SimClock final : public wal::Clock {
 public:
  explicit SimClock(const Scheduler& scheduler) : scheduler_(scheduler) {}
  std::uint64_t now_us() override { return scheduler_.now_us(); }

 private:
  const Scheduler& scheduler_;
};

}  // namespace harness
