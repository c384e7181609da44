// Zero heap allocations per append in steady state, under every sync policy: this binary
// replaces the global operator new and counts calls while a loop of appends runs.
// GCC pairs the replaced operator delete's free() with inlined `new` expressions and warns of a
// mismatch; here both sides are malloc/free by construction.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include <wal/log.h>

#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace {
std::atomic<bool> counting{false};
std::atomic<std::uint64_t> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace wal {
namespace {

void* volatile escaped = nullptr;

// The counter itself must see allocations, or the test below could not fail.
TEST(AllocCounterTest, CountsAllocationsWhileOn) {
  allocations.store(0);
  counting.store(true);
  escaped = new std::string(1000, 'x');
  counting.store(false);
  delete static_cast<std::string*>(escaped);
  EXPECT_GE(allocations.load(), 1u);
}

struct Case {
  SyncPolicy policy;
  int appends;  // fewer where each append costs an fdatasync
};

class AllocTest : public ::testing::TestWithParam<Case> {};

TEST_P(AllocTest, SteadyStateAppendsDoNotAllocate) {
  testutil::TempDir dir;
  Options options;
  options.sync = GetParam().policy;
  options.segment_bytes = 8 << 20;  // no rotation inside the loop
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(log.is_ok()) << log.status().to_string();
  const std::string payload(100, 'p');
  const std::span<const std::byte> entry = testutil::bytes_of(payload);
  const std::span<const std::byte> batch[] = {entry, entry, entry};
  for (int i = 0; i < 16; ++i) ASSERT_TRUE((*log)->append(entry).is_ok());  // warm up

  allocations.store(0);
  counting.store(true);
  bool all_ok = true;
  for (int i = 0; i < GetParam().appends; ++i) {
    all_ok &= (*log)->append(entry).is_ok();
    if (i % 8 == 0) all_ok &= (*log)->append_batch(batch).is_ok();
  }
  counting.store(false);
  EXPECT_TRUE(all_ok);
  EXPECT_EQ(allocations.load(), 0u) << "heap allocations during " << GetParam().appends
                                    << " appends under " << to_string(GetParam().policy);
  ASSERT_TRUE((*log)->close().is_ok());
}

INSTANTIATE_TEST_SUITE_P(EveryPolicy, AllocTest,
                         ::testing::Values(Case{SyncPolicy::kNone, 20000},
                                           Case{SyncPolicy::kPeriodic, 20000},
                                           Case{SyncPolicy::kImmediate, 200},
                                           Case{SyncPolicy::kGrouped, 200}),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param.policy));
                         });

}  // namespace
}  // namespace wal
