// Concurrency is injected, as storage (Fs) and time (Clock) are. wal::Log takes its threads,
// its mutex and its condition variables from a Runtime: in production std_runtime() (std::
// threads on the OS scheduler), in simulation a runtime whose threads a seeded scheduler runs
// one at a time on virtual time (sim/thread_scheduler.h), so the production Log runs unchanged
// under crashes and every interleaving is a pure function of the seed.
//
// The contract a Runtime keeps, and the only one Log relies on: a Mutex excludes; a CondVar
// wait releases the mutex, returns after a notify, after the duration on the runtime's clock,
// or spuriously, and holds the mutex again on return; a Thread runs its body once and join()
// returns after it ended. Every blocking call of Log goes through these, so a runtime that owns
// them sees every point where Log's threads can interleave.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace wal {

class Runtime {
 public:
  class Mutex {
   public:
    virtual ~Mutex() = default;
    virtual void lock() = 0;
    virtual void unlock() = 0;
  };

  class CondVar {
   public:
    virtual ~CondVar() = default;
    // `mutex` is held by the caller; it is released while waiting and held again on return.
    virtual void wait(Mutex& mutex) = 0;
    virtual void wait_for(Mutex& mutex, std::uint64_t duration_us) = 0;
    virtual void notify_one() = 0;
    virtual void notify_all() = 0;
  };

  class Thread {
   public:
    virtual ~Thread() = default;  // join() first
    virtual void join() = 0;
  };

  virtual ~Runtime() = default;
  [[nodiscard]] virtual std::unique_ptr<Mutex> make_mutex() = 0;
  [[nodiscard]] virtual std::unique_ptr<CondVar> make_condvar() = 0;
  // Starts `body` on a new thread; `name` is for diagnostics.
  [[nodiscard]] virtual std::unique_ptr<Thread> start_thread(std::string_view name,
                                                             std::function<void()> body) = 0;
};

// std::thread, std::mutex, std::condition_variable. Thread-safe; lives forever.
Runtime& std_runtime();

}  // namespace wal
