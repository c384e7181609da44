#include "sim/thread_scheduler.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <wal/assert.h>

#include "sim/prng.h"

namespace sim {
namespace {

enum class ThreadState : std::uint8_t { kRunnable, kBlocked, kDone };

struct SimThread {
  int id = 0;
  std::string name;
  ThreadState state = ThreadState::kRunnable;
  const void* token = nullptr;
  std::optional<std::uint64_t> deadline_us;
  std::string what;
  bool timed_out = false;
  std::condition_variable baton;  // notified when this thread may run
  std::thread os;
};

thread_local ThreadScheduler* tls_scheduler = nullptr;
thread_local SimThread* tls_thread = nullptr;

std::uint64_t schedule_mix(std::uint64_t hash, std::uint64_t value) {
  hash ^= value + 0x9e3779b97f4a7c15ull + (hash << 6) + (hash >> 2);
  return hash * 0xff51afd7ed558ccdull;
}

}  // namespace

struct ThreadScheduler::State {
  State(std::uint64_t seed, Limits limits_in) : prng(seed), limits(limits_in) {}

  using Lock = std::unique_lock<std::mutex>;

  // The holder of the baton, with `mutex` held and its own state already set, chooses who runs
  // next and hands over; returns once `self` holds the baton again (at once if it is done).
  void hand_over(Lock& lock, SimThread& self) {
    ++steps;
    if (steps > limits.max_steps) finish(Outcome::kStepLimit);
    int next = finished ? -1 : choose();
    while (next < 0 && !finished) {
      std::optional<std::uint64_t> earliest;
      bool all_done = true;
      for (const auto& thread : threads) {
        if (thread->state != ThreadState::kDone) all_done = false;
        if (thread->state == ThreadState::kBlocked && thread->deadline_us) {
          earliest = std::min(earliest.value_or(*thread->deadline_us), *thread->deadline_us);
        }
      }
      if (!earliest) {
        finish(all_done ? Outcome::kDone : Outcome::kDeadlock);
        break;
      }
      now_us = std::max(now_us, *earliest);
      for (const auto& thread : threads) {
        if (thread->state == ThreadState::kBlocked && thread->deadline_us &&
            *thread->deadline_us <= now_us) {
          thread->state = ThreadState::kRunnable;
          thread->timed_out = true;
        }
      }
      next = choose();
    }
    if (next >= 0) {
      hash = schedule_mix(schedule_mix(hash, static_cast<std::uint64_t>(next)), now_us);
      current = next;
      threads[static_cast<std::size_t>(next)]->baton.notify_one();
    }
    if (self.state == ThreadState::kDone) return;
    wait_for_baton(lock, self);
  }

  // Returns when `self` may run. A run that ended before it could (a deadlock, the step limit,
  // a stall) parks it here for good (see ~ThreadScheduler): it must never run again.
  void wait_for_baton(Lock& lock, SimThread& self) {
    self.baton.wait(lock, [&] { return current == self.id || aborted(); });
    if (aborted()) self.baton.wait(lock, [] { return false; });
  }
  bool aborted() const { return finished && outcome != Outcome::kDone; }

  // A runnable thread, drawn by the PRNG among them in id order; -1 if none.
  int choose() {
    runnable.clear();
    for (const auto& thread : threads) {
      if (thread->state == ThreadState::kRunnable) runnable.push_back(thread->id);
    }
    if (runnable.empty()) return -1;
    return runnable[static_cast<std::size_t>(prng.below(runnable.size()))];
  }

  void finish(Outcome result) {
    if (finished) return;
    finished = true;
    outcome = result;
    if (aborted()) {
      last_holder = current;
      current = -1;
      for (const auto& thread : threads) thread->baton.notify_all();
    }
    run_done.notify_all();
  }

  void make_runnable(SimThread& thread) {
    thread.state = ThreadState::kRunnable;
    thread.token = nullptr;
    thread.deadline_us.reset();
    thread.timed_out = false;
  }

  std::mutex mutex;
  Prng prng;
  const Limits limits;
  std::vector<std::unique_ptr<SimThread>> threads;
  std::vector<int> runnable;
  int current = -1;
  int last_holder = -1;  // who held the baton when a run was aborted (a stall names it)
  std::uint64_t now_us = 0;
  std::uint64_t steps = 0;
  std::uint64_t hash = 0x7468'7265'6164'7321ull;
  bool started = false;
  bool finished = false;
  Outcome outcome = Outcome::kDone;
  std::condition_variable run_done;
};

ThreadScheduler::ThreadScheduler(std::uint64_t seed, Limits limits)
    : state_(new State(seed, limits)) {}

ThreadScheduler::~ThreadScheduler() {
  if (state_->started && state_->outcome != Outcome::kDone) {
    // Parked threads wait on condition variables inside *state_ forever: freeing it would pull
    // the memory from under them. Leak it, and the threads with it.
    for (auto& thread : state_->threads) {
      if (thread->os.joinable()) thread->os.detach();
    }
    // Still reachable, so a leak checker does not report what is kept on purpose.
    static std::mutex graveyard_mutex;
    static std::vector<State*>* graveyard = new std::vector<State*>();
    const std::lock_guard<std::mutex> lock(graveyard_mutex);
    graveyard->push_back(state_);
    return;
  }
  delete state_;
}

ThreadScheduler* ThreadScheduler::current() { return tls_scheduler; }

int ThreadScheduler::spawn(std::string name, std::function<void()> body) {
  State& s = *state_;
  State::Lock lock(s.mutex);
  auto thread = std::make_unique<SimThread>();
  thread->id = static_cast<int>(s.threads.size());
  thread->name = std::move(name);
  SimThread* raw = thread.get();
  s.threads.push_back(std::move(thread));
  raw->os = std::thread([this, raw, body = std::move(body)] {
    State& st = *state_;
    {
      State::Lock wait(st.mutex);
      st.wait_for_baton(wait, *raw);
    }
    tls_scheduler = this;
    tls_thread = raw;
    body();
    State::Lock done(st.mutex);
    raw->state = ThreadState::kDone;
    for (auto& other : st.threads) {
      if (other->state == ThreadState::kBlocked && other->token == raw) st.make_runnable(*other);
    }
    st.hand_over(done, *raw);
  });
  return raw->id;
}

void ThreadScheduler::join(int id) {
  State& s = *state_;
  WAL_ASSERT(id >= 0 && static_cast<std::size_t>(id) < s.threads.size());
  SimThread* target = s.threads[static_cast<std::size_t>(id)].get();
  for (;;) {
    {
      State::Lock lock(s.mutex);
      if (target->state == ThreadState::kDone) break;
    }
    block(target, std::nullopt, "join " + target->name);
  }
  State::Lock lock(s.mutex);
  target->os.join();
}

void ThreadScheduler::yield() {
  State& s = *state_;
  State::Lock lock(s.mutex);
  s.hand_over(lock, *tls_thread);
}

bool ThreadScheduler::block(const void* token, std::optional<std::uint64_t> deadline_us,
                            std::string_view what) {
  State& s = *state_;
  SimThread& self = *tls_thread;
  State::Lock lock(s.mutex);
  self.state = ThreadState::kBlocked;
  self.token = token;
  self.deadline_us = deadline_us;
  self.what = what;
  self.timed_out = false;
  s.hand_over(lock, self);
  const bool woken = !self.timed_out;
  s.make_runnable(self);
  return woken;
}

void ThreadScheduler::wake_one(const void* token) {
  State& s = *state_;
  State::Lock lock(s.mutex);
  std::vector<SimThread*> waiting;
  for (auto& thread : s.threads) {
    if (thread->state == ThreadState::kBlocked && thread->token == token) waiting.push_back(thread.get());
  }
  if (waiting.empty()) return;
  s.make_runnable(*waiting[static_cast<std::size_t>(s.prng.below(waiting.size()))]);
}

void ThreadScheduler::wake_all(const void* token) {
  State& s = *state_;
  State::Lock lock(s.mutex);
  for (auto& thread : s.threads) {
    if (thread->state == ThreadState::kBlocked && thread->token == token) s.make_runnable(*thread);
  }
}

void ThreadScheduler::sleep_for(std::uint64_t duration_us) {
  std::uint64_t deadline = 0;
  {
    State::Lock lock(state_->mutex);
    deadline = state_->now_us + duration_us;
  }
  static const char kSleeping = 0;  // a token nothing wakes
  block(&kSleeping, deadline, "sleep");
}

std::uint64_t ThreadScheduler::draw(std::uint64_t low, std::uint64_t high) {
  State::Lock lock(state_->mutex);
  return state_->prng.range(low, high);
}

ThreadScheduler::Outcome ThreadScheduler::run(std::function<void()> main) {
  State& s = *state_;
  WAL_ASSERT(!s.started);
  s.started = true;
  spawn("main", std::move(main));
  State::Lock lock(s.mutex);
  s.current = 0;
  s.threads[0]->baton.notify_one();
  std::uint64_t seen = s.steps;
  while (!s.finished) {
    const bool progressed = s.run_done.wait_for(lock, std::chrono::milliseconds(s.limits.stall_ms),
                                                [&] { return s.finished || s.steps != seen; });
    if (s.finished) break;
    if (!progressed) {
      s.finish(Outcome::kStalled);
      break;
    }
    seen = s.steps;
  }
  if (s.outcome == Outcome::kDone) {
    for (auto& thread : s.threads) {
      if (thread->os.joinable()) {
        lock.unlock();
        thread->os.join();
        lock.lock();
      }
    }
  }
  return s.outcome;
}

std::string ThreadScheduler::describe() const {
  State& s = *state_;
  State::Lock lock(s.mutex);
  std::string text;
  for (const auto& thread : s.threads) {
    if (thread->state == ThreadState::kDone) continue;
    const bool stalled = s.outcome == Outcome::kStalled && thread->id == s.last_holder;
    text += fmt::format("thread {} '{}': {}\n", thread->id, thread->name,
                        stalled ? std::string("held the baton and blocked outside the scheduler")
                        : thread->state == ThreadState::kBlocked ? "waits on " + thread->what
                                                                 : std::string("runnable"));
  }
  return text;
}

std::uint64_t ThreadScheduler::steps() const {
  State::Lock lock(state_->mutex);
  return state_->steps;
}
std::uint64_t ThreadScheduler::trace_hash() const {
  State::Lock lock(state_->mutex);
  return state_->hash;
}
std::uint64_t ThreadScheduler::now_us() const {
  State::Lock lock(state_->mutex);
  return state_->now_us;
}

}  // namespace sim
