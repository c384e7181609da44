// wal::Runtime and wal::Clock on a ThreadScheduler: wal::Log's mutex, condition variables and
// threads become the scheduler's, its deadlines run on virtual time. Give the same object as
// Options::runtime and Options::clock, and run every call of the Log inside
// ThreadScheduler::run.
#pragma once

#include <wal/clock.h>
#include <wal/runtime.h>

#include "sim/thread_scheduler.h"

namespace sim {

class SimRuntime final : public wal::Runtime, public wal::Clock {
 public:
  explicit SimRuntime(ThreadScheduler& scheduler) : scheduler_(scheduler) {}

  std::unique_ptr<Mutex> make_mutex() override;
  std::unique_ptr<CondVar> make_condvar() override;
  std::unique_ptr<Thread> start_thread(std::string_view name, std::function<void()> body) override;
  std::uint64_t now_us() override { return scheduler_.now_us(); }

  ThreadScheduler& scheduler() { return scheduler_; }

 private:
  ThreadScheduler& scheduler_;
};

}  // namespace sim
