#include "sim/sim_runtime.h"

#include <string>

#include <wal/assert.h>

namespace sim {
namespace {

// Owned by whichever simulated thread holds it; only the baton holder ever touches `owner_`.
class SimMutex final : public wal::Runtime::Mutex {
 public:
  explicit SimMutex(ThreadScheduler& scheduler) : scheduler_(scheduler) {}
  void lock() override {
    scheduler_.yield();  // every lock is a point where another thread may get there first
    while (held_) scheduler_.block(this, std::nullopt, "a mutex");
    held_ = true;
  }
  void unlock() override {
    WAL_ASSERT(held_);
    held_ = false;
    scheduler_.wake_all(this);  // they contend again at their next turn
  }

 private:
  ThreadScheduler& scheduler_;
  bool held_ = false;
};

// A notify wakes only threads already waiting, as a real condition variable's does: a wakeup
// sent before the wait is lost, which is exactly the bug class this makes reachable.
class SimCondVar final : public wal::Runtime::CondVar {
 public:
  explicit SimCondVar(ThreadScheduler& scheduler) : scheduler_(scheduler) {}
  void wait(wal::Runtime::Mutex& mutex) override {
    mutex.unlock();
    scheduler_.block(this, std::nullopt, "a condition variable");
    mutex.lock();
  }
  void wait_for(wal::Runtime::Mutex& mutex, std::uint64_t duration_us) override {
    const std::uint64_t deadline = scheduler_.now_us() + duration_us;
    mutex.unlock();
    scheduler_.block(this, deadline, "a condition variable with a deadline");
    mutex.lock();
  }
  void notify_one() override { scheduler_.wake_one(this); }
  void notify_all() override { scheduler_.wake_all(this); }

 private:
  ThreadScheduler& scheduler_;
};

class SimThreadHandle final : public wal::Runtime::Thread {
 public:
  SimThreadHandle(ThreadScheduler& scheduler, int id) : scheduler_(scheduler), id_(id) {}
  void join() override {
    if (id_ < 0) return;
    scheduler_.join(id_);
    id_ = -1;
  }

 private:
  ThreadScheduler& scheduler_;
  int id_;
};

}  // namespace

std::unique_ptr<wal::Runtime::Mutex> SimRuntime::make_mutex() {
  return std::make_unique<SimMutex>(scheduler_);
}
std::unique_ptr<wal::Runtime::CondVar> SimRuntime::make_condvar() {
  return std::make_unique<SimCondVar>(scheduler_);
}
std::unique_ptr<wal::Runtime::Thread> SimRuntime::start_thread(std::string_view name,
                                                               std::function<void()> body) {
  return std::make_unique<SimThreadHandle>(scheduler_, scheduler_.spawn(std::string(name), std::move(body)));
}

}  // namespace sim
