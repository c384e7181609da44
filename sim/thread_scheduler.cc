#include "sim/thread_scheduler.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/context/fiber.hpp>
#include <boost/context/fixedsize_stack.hpp>

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
  std::function<void()> body;
  // OS threads: notified when this thread may run.
  std::condition_variable baton;
  std::thread os;
  // Fibers: the thread's own context while it is suspended, and the run loop's while it runs.
  boost::context::fiber fiber;
  boost::context::fiber loop;
  bool fiber_started = false;
  const void* stack_bottom = nullptr;  // for ASan's view of the switch
  std::size_t stack_size = 0;
  void* fake_stack = nullptr;
};

// AddressSanitizer must be told when the stack changes under it, or it takes the fibers' frames
// for overflows of the one it knows.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WAL_SIM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define WAL_SIM_ASAN 1
#endif
#ifdef WAL_SIM_ASAN
extern "C" void __sanitizer_start_switch_fiber(void** fake_stack_save, const void* bottom,
                                               std::size_t size);
extern "C" void __sanitizer_finish_switch_fiber(void* fake_stack_save, const void** bottom_old,
                                                std::size_t* size_old);
#endif

#ifdef WAL_SIM_ASAN
// The run loop's own stack, as ASan last saw it (learned at the first switch into a fiber).
thread_local const void* tls_loop_bottom = nullptr;
thread_local std::size_t tls_loop_size = 0;
#endif

void entering_fiber(SimThread& thread, void** loop_fake) {
#ifdef WAL_SIM_ASAN
  __sanitizer_start_switch_fiber(loop_fake, thread.stack_bottom, thread.stack_size);
#else
  static_cast<void>(thread);
  static_cast<void>(loop_fake);
#endif
}
void entered_fiber(SimThread& thread) {
#ifdef WAL_SIM_ASAN
  __sanitizer_finish_switch_fiber(thread.fake_stack, &tls_loop_bottom, &tls_loop_size);
#else
  static_cast<void>(thread);
#endif
}
// `ending`: the fiber will never run again, its fake stack can go.
void leaving_fiber(SimThread& thread, bool ending) {
#ifdef WAL_SIM_ASAN
  __sanitizer_start_switch_fiber(ending ? nullptr : &thread.fake_stack, tls_loop_bottom,
                                 tls_loop_size);
#else
  static_cast<void>(thread);
  static_cast<void>(ending);
#endif
}
void left_fiber(void* loop_fake) {
#ifdef WAL_SIM_ASAN
  __sanitizer_finish_switch_fiber(loop_fake, nullptr, nullptr);
#else
  static_cast<void>(loop_fake);
#endif
}

// A fixedsize stack that remembers where it is, for the ASan annotations.
class RecordedStack {
 public:
  RecordedStack(SimThread& thread, std::size_t size) : thread_(thread), inner_(size) {}
  boost::context::stack_context allocate() {
    boost::context::stack_context context = inner_.allocate();
    thread_.stack_size = context.size;
    thread_.stack_bottom = static_cast<const char*>(context.sp) - context.size;
    return context;
  }
  void deallocate(boost::context::stack_context& context) noexcept { inner_.deallocate(context); }

 private:
  SimThread& thread_;
  boost::context::fixedsize_stack inner_;
};

// Fibers block their OS thread when they block outside the scheduler: this notices (see the
// header). One per process, started by the first fiber-backed run.
class Watchdog {
 public:
  static Watchdog& get() {
    static Watchdog* const dog = new Watchdog();  // never destroyed: its thread runs forever
    return *dog;
  }
  void beat() { beats_.fetch_add(1, std::memory_order_relaxed); }
  // A run starts or ends; `holder` names the thread that holds the baton.
  void enter(std::uint32_t stall_ms) {
    const std::lock_guard<std::mutex> lock(mutex_);
    stall_ms_ = std::max<std::uint32_t>(stall_ms, 1);
    ++active_;
    if (!started_) {
      started_ = true;
      std::thread([this] { watch(); }).detach();
    }
  }
  void leave() {
    const std::lock_guard<std::mutex> lock(mutex_);
    --active_;
  }
  void holder(const std::string* name) { holder_.store(name, std::memory_order_relaxed); }

 private:
  void watch() {
    std::uint64_t seen = beats_.load();
    auto quiet_since = std::chrono::steady_clock::now();
    for (;;) {
      std::uint32_t stall_ms = 0;
      int active = 0;
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        stall_ms = stall_ms_;
        active = active_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(std::max<std::uint32_t>(stall_ms / 8, 1)));
      const std::uint64_t now_beats = beats_.load();
      const auto now = std::chrono::steady_clock::now();
      if (now_beats != seen || active == 0) {
        seen = now_beats;
        quiet_since = now;
        continue;
      }
      if (now - quiet_since >= std::chrono::milliseconds(stall_ms)) {
        const std::string* name = holder_.load();
        std::fprintf(stderr,
                     "stalled: simulated thread '%s' blocked outside the scheduler (no scheduling "
                     "point for %u ms of real time); the run cannot go on deterministically\n",
                     name != nullptr ? name->c_str() : "?", stall_ms);
        std::fflush(stderr);
        std::_Exit(kStalledExitCode);
      }
    }
  }

  std::mutex mutex_;
  std::atomic<std::uint64_t> beats_{0};
  std::atomic<const std::string*> holder_{nullptr};
  std::uint32_t stall_ms_ = 20'000;
  int active_ = 0;
  bool started_ = false;
};

// Deep enough for the WAL's calls with a sanitizer's redzones; only touched pages cost memory.
constexpr std::size_t kFiberStackBytes = 1u << 20;

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
  // next: its id, or -1 when the run is over (`finished` is then set).
  int decide() {
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
    }
    return next;
  }

  // OS threads: decide, hand the baton over, and return once `self` holds it again (at once
  // if it is done).
  void hand_over(Lock& lock, SimThread& self) {
    const int next = decide();
    if (next >= 0) threads[static_cast<std::size_t>(next)]->baton.notify_one();
    if (self.state == ThreadState::kDone) return;
    wait_for_baton(lock, self);
  }

  // A scheduling point of the baton holder `self`, its state already set: returns once it may
  // run again.
  void pause(Lock& lock, SimThread& self) {
    if (!fibers) {
      hand_over(lock, self);
      return;
    }
    lock.unlock();
    leaving_fiber(self, false);
    self.loop = std::move(self.loop).resume();
    entered_fiber(self);
    lock.lock();
  }

  // Fibers: the run loop. Resumes the baton holder until it pauses, decides, and again.
  void run_fibers(ThreadScheduler* owner) {
    Watchdog& dog = Watchdog::get();
    dog.enter(limits.stall_ms);
    for (;;) {
      SimThread& thread = *threads[static_cast<std::size_t>(current)];
      dog.beat();
      dog.holder(&thread.name);
      if (!thread.fiber_started) start_fiber(owner, thread);
      void* loop_fake = nullptr;
      tls_scheduler = owner;
      tls_thread = &thread;
      entering_fiber(thread, &loop_fake);
      thread.fiber = std::move(thread.fiber).resume();
      left_fiber(loop_fake);
      tls_scheduler = nullptr;
      tls_thread = nullptr;
      const Lock lock(mutex);
      if (decide() < 0) break;
    }
    dog.holder(nullptr);
    dog.leave();
  }

  // A thread's life, up to its end (returns holding the lock, its state kDone).
  Lock thread_main(ThreadScheduler* owner, SimThread& thread) {
    tls_scheduler = owner;
    tls_thread = &thread;
    thread.body();
    Lock done(mutex);
    thread.state = ThreadState::kDone;
    for (auto& other : threads) {
      if (other->state == ThreadState::kBlocked && other->token == &thread) make_runnable(*other);
    }
    return done;
  }

  void start_fiber(ThreadScheduler* owner, SimThread& thread) {
    thread.fiber_started = true;
    thread.fiber = boost::context::fiber(
        std::allocator_arg, RecordedStack(thread, kFiberStackBytes),
        [this, owner, &thread](boost::context::fiber&& loop) {
          thread.loop = std::move(loop);
          entered_fiber(thread);
          thread_main(owner, thread).unlock();
          leaving_fiber(thread, true);
          return std::move(thread.loop);
        });
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
  const bool fibers = !limits.os_threads;
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
  std::optional<std::string> foreign_call;  // the first refused call (owns_caller)
  std::uint64_t foreign_calls = 0;
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
int ThreadScheduler::current_thread() { return tls_thread != nullptr ? tls_thread->id : -1; }
std::string_view ThreadScheduler::current_thread_name() {
  return tls_thread != nullptr ? std::string_view(tls_thread->name) : std::string_view();
}

bool ThreadScheduler::owns_caller(std::string_view op, std::string_view path) {
  if (tls_scheduler == this) return true;
  char name[16] = "?";  // the kernel's limit for a thread name, with its NUL
  static_cast<void>(pthread_getname_np(pthread_self(), name, sizeof name));
  State& s = *state_;
  const State::Lock lock(s.mutex);
  ++s.foreign_calls;
  if (!s.foreign_call) {
    s.foreign_call = fmt::format("OS thread '{}', which the scheduler does not run, called {} {}",
                                 name, op, path);
  }
  return false;
}

std::optional<std::string> ThreadScheduler::take_foreign_call() {
  State& s = *state_;
  const State::Lock lock(s.mutex);
  if (!s.foreign_call) return std::nullopt;
  std::string text = *s.foreign_call;
  if (s.foreign_calls > 1) text += fmt::format(" (and {} calls more)", s.foreign_calls - 1);
  s.foreign_call.reset();
  s.foreign_calls = 0;
  return text;
}

int ThreadScheduler::spawn(std::string name, std::function<void()> body) {
  State& s = *state_;
  State::Lock lock(s.mutex);
  auto thread = std::make_unique<SimThread>();
  thread->id = static_cast<int>(s.threads.size());
  thread->name = std::move(name);
  thread->body = std::move(body);
  SimThread* raw = thread.get();
  s.threads.push_back(std::move(thread));
  if (s.fibers) return raw->id;  // started by the run loop when first chosen
  raw->os = std::thread([this, raw] {
    State& st = *state_;
    {
      State::Lock wait(st.mutex);
      st.wait_for_baton(wait, *raw);
    }
    State::Lock done = st.thread_main(this, *raw);
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
  if (target->os.joinable()) target->os.join();
}

void ThreadScheduler::yield() {
  State& s = *state_;
  State::Lock lock(s.mutex);
  s.pause(lock, *tls_thread);
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
  s.pause(lock, self);
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
  {
    State::Lock lock(s.mutex);
    WAL_ASSERT(!s.started || (s.finished && s.outcome == Outcome::kDone));
    s.started = true;
    s.finished = false;
    s.threads.clear();  // every one ended and was joined by the last run
  }
  spawn("main", std::move(main));
  if (s.fibers) {
    {
      const State::Lock lock(s.mutex);
      s.current = 0;
    }
    s.run_fibers(this);
    const State::Lock lock(s.mutex);
    return s.outcome;
  }
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

std::string ThreadScheduler::thread_name(int thread) const {
  State::Lock lock(state_->mutex);
  if (thread < 0 || static_cast<std::size_t>(thread) >= state_->threads.size()) return {};
  return state_->threads[static_cast<std::size_t>(thread)]->name;
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
