// Zero heap allocations per append in steady state, under every sync policy, and across segment
// rotations onto a prepared spare: this binary replaces the global operator new and counts the
// calls the appending thread makes while a loop of appends runs (Log's background threads, which
// prepare spare segments and run periodic syncs, allocate off the append path).
// GCC pairs the replaced operator delete's free() with inlined `new` expressions and warns of a
// mismatch; here both sides are malloc/free by construction.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <new>
#include <thread>

#include <wal/log.h>

#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace {
thread_local bool counting = false;
std::atomic<std::uint64_t> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (counting) allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (counting) allocations.fetch_add(1);
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
  counting = true;
  escaped = new std::string(1000, 'x');
  counting = false;
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
  counting = true;
  bool all_ok = true;
  for (int i = 0; i < GetParam().appends; ++i) {
    all_ok &= (*log)->append(entry).is_ok();
    if (i % 8 == 0) all_ok &= (*log)->append_batch(batch).is_ok();
  }
  counting = false;
  EXPECT_TRUE(all_ok);
  EXPECT_EQ(allocations.load(), 0u) << "heap allocations during " << GetParam().appends
                                    << " appends under " << to_string(GetParam().policy);
  ASSERT_TRUE((*log)->close().is_ok());
}

// Appends `count` entries one by one, counting the allocations each makes on this thread; before
// each append, waits until the spare segment is ready if `wait_for_spare` (a rotation finds one
// only when the background preparation kept up, which a tight loop does not guarantee).
std::uint64_t allocations_across_rotations(const Options& options, int count,
                                           bool wait_for_spare, MetricsSnapshot* metrics) {
  testutil::TempDir dir;
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  EXPECT_TRUE(log.is_ok()) << log.status().to_string();
  if (!log) return 0;
  const std::string payload(100, 'p');
  const std::span<const std::byte> entry = testutil::bytes_of(payload);
  auto spare_ready = [&] {
    const MetricsSnapshot m = (*log)->metrics();
    return m.segments_prepared > m.rotations_onto_spare;
  };
  allocations.store(0);
  std::uint64_t during_warm_up = 0;
  for (int i = 0; i < count; ++i) {
    for (int waited = 0; wait_for_spare && !spare_ready() && waited < 10000; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    counting = true;
    const bool ok = (*log)->append(entry).is_ok();
    counting = false;
    EXPECT_TRUE(ok);
    // The first rotation reserves what later ones reuse (the finished writer above all).
    if ((*log)->metrics().rotations < 2) during_warm_up = allocations.load();
  }
  *metrics = (*log)->metrics();
  EXPECT_TRUE((*log)->close().is_ok());
  return allocations.load() - during_warm_up;
}

TEST(AllocRotationTest, RotationsOntoAPreparedSpareDoNotAllocate) {
  Options options;
  options.sync = SyncPolicy::kNone;
  options.segment_bytes = 64 << 10;  // a rotation every ~450 appends of 144-byte records
  options.buffer_bytes = 16 << 10;
  MetricsSnapshot metrics;
  const std::uint64_t counted = allocations_across_rotations(options, 5000, true, &metrics);
  EXPECT_GE(metrics.rotations, 10u);
  EXPECT_EQ(metrics.rotations_onto_spare, metrics.rotations);
  EXPECT_EQ(counted, 0u) << "heap allocations across " << metrics.rotations << " rotations";
}

// Without spares every rotation creates its segment inline (names, paths, file handles): the
// count above would see those allocations, so its zero means something.
TEST(AllocRotationTest, InlineRotationsAllocateAndTheCounterSeesIt) {
  Options options;
  options.sync = SyncPolicy::kNone;
  options.segment_bytes = 64 << 10;
  options.buffer_bytes = 16 << 10;
  options.prepare_segments = false;
  MetricsSnapshot metrics;
  const std::uint64_t counted = allocations_across_rotations(options, 5000, false, &metrics);
  EXPECT_GE(metrics.rotations, 10u);
  EXPECT_EQ(metrics.rotations_onto_spare, 0u);
  EXPECT_GE(counted, metrics.rotations - 1);
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
