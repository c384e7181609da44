// The production Runtime: the standard library's primitives behind the interface, nothing
// added. A StdCondVar waits on the std::mutex inside the StdMutex it is given, so the waits
// cost what std::condition_variable costs (no condition_variable_any and its second mutex).
#include <wal/runtime.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace wal {
namespace {

class StdMutex final : public Runtime::Mutex {
 public:
  void lock() override { mutex_.lock(); }
  void unlock() override { mutex_.unlock(); }
  std::mutex& native() { return mutex_; }

 private:
  std::mutex mutex_;
};

class StdCondVar final : public Runtime::CondVar {
 public:
  void wait(Runtime::Mutex& mutex) override {
    std::unique_lock<std::mutex> lock(native(mutex), std::adopt_lock);
    cond_.wait(lock);
    lock.release();  // the caller still holds it
  }
  void wait_for(Runtime::Mutex& mutex, std::uint64_t duration_us) override {
    std::unique_lock<std::mutex> lock(native(mutex), std::adopt_lock);
    cond_.wait_for(lock, std::chrono::microseconds(duration_us));
    lock.release();
  }
  void notify_one() override { cond_.notify_one(); }
  void notify_all() override { cond_.notify_all(); }

 private:
  // Only StdMutexes come from std_runtime(): mixing runtimes is a programming error.
  static std::mutex& native(Runtime::Mutex& mutex) { return static_cast<StdMutex&>(mutex).native(); }

  std::condition_variable cond_;
};

class StdThread final : public Runtime::Thread {
 public:
  explicit StdThread(std::function<void()> body) : thread_(std::move(body)) {}
  void join() override {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
};

class StdRuntime final : public Runtime {
 public:
  std::unique_ptr<Mutex> make_mutex() override { return std::make_unique<StdMutex>(); }
  std::unique_ptr<CondVar> make_condvar() override { return std::make_unique<StdCondVar>(); }
  std::unique_ptr<Thread> start_thread(std::string_view, std::function<void()> body) override {
    return std::make_unique<StdThread>(std::move(body));
  }
};

}  // namespace

Runtime& std_runtime() {
  static StdRuntime runtime;
  return runtime;
}

}  // namespace wal
