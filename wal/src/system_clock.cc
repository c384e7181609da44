#include <chrono>

#include <wal/clock.h>

namespace wal {
namespace {

class SteadyClock final : public Clock {
 public:
  std::uint64_t now_us() override {
    auto since_epoch = std::chrono::steady_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
  }
};

}  // namespace

Clock& system_clock() {
  static SteadyClock clock;
  return clock;
}

}  // namespace wal
