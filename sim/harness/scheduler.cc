#include "sim/harness/scheduler.h"

#include <algorithm>
#include <iterator>

namespace harness {

Scheduler::Scheduler(std::uint64_t seed, std::uint64_t max_steps, sim::Trace* trace)
    : prng_(seed), max_steps_(max_steps), trace_(trace) {}

Scheduler::~Scheduler() { abandon(); }

EventId Scheduler::schedule_at(std::uint64_t time_us, std::string_view label,
                               std::function<void()> fn) {
  WAL_ASSERT(time_us >= now_us_);
  const EventId id{time_us, next_seq_++};
  events_.emplace(Key{id.time_us, id.seq}, Event{label, std::move(fn)});
  return id;
}

bool Scheduler::cancel(EventId id) { return events_.erase(Key{id.time_us, id.seq}) == 1; }

void Scheduler::spawn(Task<void> task, std::string_view label) {
  const std::coroutine_handle<> handle = task.release();
  WAL_ASSERT(handle);
  tasks_.push_back(handle);
  schedule_at(now_us_, label, [handle] { handle.resume(); });
}

Scheduler::Outcome Scheduler::run(std::uint64_t until_us) {
  stop_requested_ = false;
  for (;;) {
    if (stop_requested_) return Outcome::kStopped;
    if (events_.empty()) return Outcome::kIdle;
    const std::uint64_t next_us = events_.begin()->first.first;
    if (next_us > until_us) {
      now_us_ = std::max(now_us_, until_us);
      return Outcome::kDeadline;
    }
    if (steps_ >= max_steps_) return Outcome::kStepLimit;
    step();
  }
}

void Scheduler::step() {
  const std::uint64_t time_us = events_.begin()->first.first;
  // The ready set is every event due at time_us; std::map orders it FIFO by sequence number.
  const auto first = events_.begin();
  const auto last = events_.lower_bound(Key{time_us, kNever});
  const auto ready = static_cast<std::uint64_t>(std::distance(first, last));
  auto chosen = first;
  if (ready > 1) std::advance(chosen, static_cast<std::ptrdiff_t>(prng_.below(ready)));

  const std::uint64_t seq = chosen->first.second;
  Event event = std::move(chosen->second);
  events_.erase(chosen);
  now_us_ = time_us;
  ++steps_;
  if (trace_ != nullptr) trace_->note("schedule", event.label, time_us, seq);
  event.fn();
  reap_finished_tasks();
}

void Scheduler::reap_finished_tasks() {
  auto finished = [](std::coroutine_handle<> handle) {
    if (!handle.done()) return false;
    handle.destroy();
    return true;
  };
  tasks_.erase(std::remove_if(tasks_.begin(), tasks_.end(), finished), tasks_.end());
}

void Scheduler::abandon() {
  // Events first: their callbacks hold handles of the frames destroyed next.
  events_.clear();
  for (std::coroutine_handle<> handle : tasks_) handle.destroy();
  tasks_.clear();
}

void WaitQueue::park(std::coroutine_handle<> self, std::uint64_t deadline_us,
                     const std::shared_ptr<Waiter>& waiter) {
  waiter->handle = self;
  waiters_.push_back(waiter);
  if (deadline_us == kNever) return;
  waiter->has_timer = true;
  std::weak_ptr<Waiter> weak = waiter;
  waiter->timer = scheduler_.schedule_at(
      std::max(deadline_us, scheduler_.now_us()), label_, [weak] {
        const std::shared_ptr<Waiter> timed_out = weak.lock();
        if (!timed_out || timed_out->fired) return;
        timed_out->fired = true;
        timed_out->handle.resume();
      });
}

void WaitQueue::notify_all() {
  std::vector<std::shared_ptr<Waiter>> woken;
  woken.swap(waiters_);
  for (const std::shared_ptr<Waiter>& waiter : woken) {
    if (waiter->fired) continue;  // its deadline already resumed it
    waiter->fired = true;
    waiter->notified = true;
    if (waiter->has_timer) scheduler_.cancel(waiter->timer);
    const std::coroutine_handle<> handle = waiter->handle;
    scheduler_.schedule_at(scheduler_.now_us(), label_, [handle] { handle.resume(); });
  }
}

std::size_t WaitQueue::waiters() const {
  return static_cast<std::size_t>(std::count_if(
      waiters_.begin(), waiters_.end(),
      [](const std::shared_ptr<Waiter>& waiter) { return !waiter->fired; }));
}

}  // namespace harness
