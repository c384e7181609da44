// Deterministic threads. Simulated threads run one at a time: whichever holds the baton runs,
// every other one is suspended. At each scheduling point (a lock, a wait, a notify's effect, an
// Fs call, a thread's end) the holder hands the baton to a runnable thread chosen by the seeded
// PRNG, so the interleaving is a pure function of the seed, and code written for threads (the
// production wal::Log, a store's background threads) runs unchanged. Time is virtual: when no
// thread can run, it jumps to the earliest deadline of a timed wait or sleep.
//
// Two ways to carry a simulated thread, the same schedule either way:
//   * fibers (the default): each thread is a Boost.Context fiber on the caller's OS thread, and
//     a switch costs tens of nanoseconds, so a seeded run of the whole WAL costs about what the
//     step-driven core alone did. For code that takes every blocking primitive from the
//     runtime (wal::Log through sim::SimRuntime). thread_local state is shared by all of them.
//   * OS threads (ThreadLimits::os_threads): each a real std::thread, handed the baton through a
//     condition variable (microseconds a switch). For foreign code whose thread_local state
//     must stay per thread, and for TSan, which sees real threads.
//
// What the scheduler does not own it cannot see. A thread blocked on a primitive of its own (a
// std::mutex held by a suspended thread, a foreign library's lock) never comes back. With OS
// threads the run loop notices that no scheduling point happened for `stall_ms` of real time and
// ends the run as kStalled, naming the thread that held the baton: a verdict, never a hang. With
// fibers the blocked thread is the run loop's own OS thread: a process-wide watchdog notices the
// same silence and ends the process with exit code kStalledExitCode and a message naming the
// thread (it cannot return a verdict from a thread that will never run again). The real-time
// watchdog is the only wall clock involved, and it only ever ends a run.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

struct ThreadLimits {
  std::uint64_t max_steps = 20'000'000;
  std::uint32_t stall_ms = 20'000;
  bool os_threads = false;  // see above
};

// The exit code of a process whose fiber-backed run stalled (see above).
inline constexpr int kStalledExitCode = 70;

class ThreadScheduler {
 public:
  enum class Outcome : std::uint8_t {
    kDone,       // every thread ended
    kDeadlock,   // threads remain, none can run and none waits with a deadline
    kStepLimit,  // more scheduling points than allowed: a livelock or a runaway loop
    kStalled,    // a thread blocked outside the scheduler (see above)
  };
  using Limits = ThreadLimits;

  explicit ThreadScheduler(std::uint64_t seed, Limits limits = {});
  // After any outcome but kDone the parked threads still reference the scheduler's state: it is
  // then left allocated on purpose (the process should report and end).
  ~ThreadScheduler();
  ThreadScheduler(const ThreadScheduler&) = delete;
  ThreadScheduler& operator=(const ThreadScheduler&) = delete;

  // Runs `main` as a simulated thread, and every thread it starts, to the end. Again after an
  // outcome of kDone (virtual time, the PRNG and the schedule hash go on); never after another.
  Outcome run(std::function<void()> main);
  // After run(): each thread left and what it waits on (empty after kDone).
  std::string describe() const;
  // The name a thread of the current run was started with ("" for an unknown id).
  std::string thread_name(int thread) const;
  std::uint64_t steps() const;
  // Every scheduling decision (which thread, at what virtual time), hashed in order.
  std::uint64_t trace_hash() const;
  std::uint64_t now_us() const;

  // The scheduler whose simulated thread is calling, or null on any other thread.
  static ThreadScheduler* current();
  // The calling simulated thread's id (unique within one run()) and name; -1 and "" on any
  // other thread.
  static int current_thread();
  static std::string_view current_thread_name();

  // True on this scheduler's own threads. Any other caller is an OS thread the schedule does
  // not run (a library's timer or pool that no adapter took over): its calls cannot be placed
  // in the schedule and would race the baton holder, so it must be refused, never yielded
  // (yield() needs a thread of the scheduler). False then, and the first such call (`op` on
  // `path`, with the OS thread's name) is kept for the run's verdict: see take_foreign_call.
  bool owns_caller(std::string_view op, std::string_view path);
  // The first refused call since the last take, in words, and how many there were; clears.
  std::optional<std::string> take_foreign_call();

  // From simulated threads only.
  int spawn(std::string name, std::function<void()> body);
  void join(int thread);
  void yield();
  // Blocks until wake_one/wake_all(token) or, with a deadline, until virtual time reaches it.
  // Returns false when the deadline ended the wait.
  bool block(const void* token, std::optional<std::uint64_t> deadline_us, std::string_view what);
  void wake_one(const void* token);
  void wake_all(const void* token);
  void sleep_for(std::uint64_t duration_us);
  // A draw from the run's PRNG (e.g. an I/O latency): only the baton holder calls it, so the
  // sequence of draws is as deterministic as the schedule.
  std::uint64_t draw(std::uint64_t low, std::uint64_t high);

 private:
  struct State;
  State* state_;  // see the destructor
};

}  // namespace sim
