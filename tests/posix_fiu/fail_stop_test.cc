// Fail-stop on the real disk (SPEC 2.6): a failed fdatasync poisons the log, every waiter of
// that sync gets the error, later calls get kPoisoned, and a reopen recovers every entry that
// was acknowledged and nothing partial. ENOSPC on a write or a preallocation fails the append
// with kNoSpace. Faults come from our "wal/fs/..." points and from libfiu's POSIX preload.
#include <wal/log.h>

#include <fiu-control.h>
#include <fiu.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "testutil/temp_dir.h"

namespace {

using wal::Code;

void* errno_info(int sys_errno) {
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(sys_errno));
}

std::span<const std::byte> bytes(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

bool preload_active() {
  const char* preload = std::getenv("LD_PRELOAD");
  return preload != nullptr && std::strstr(preload, "fiu_posix_preload") != nullptr;
}

// Disables a fault point when the test leaves, however it leaves.
class Fault {
 public:
  Fault(const char* name, int sys_errno) : name_(name) {
    EXPECT_EQ(fiu_enable(name_, 1, errno_info(sys_errno), 0), 0);
  }
  ~Fault() { fiu_disable(name_); }
  Fault(const Fault&) = delete;
  Fault& operator=(const Fault&) = delete;

 private:
  const char* name_;
};

class FailStop : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(fiu_init(0), 0); }

  std::unique_ptr<wal::Log> open(wal::SyncPolicy policy, std::uint64_t segment_bytes = 1u << 20) {
    wal::Options options;
    options.sync = policy;
    options.segment_bytes = segment_bytes;
    // A fault point fires in whichever thread reaches it first: keep the spare segment's
    // background preparation (Options::prepare_segments) out of these cases, which pin where
    // each failure surfaces. spare_segment_test covers the preparation's failures.
    options.prepare_segments = false;
    auto log = wal::Log::open(dir_.sub("log"), options);
    EXPECT_TRUE(log.is_ok()) << log.status().to_string();
    return log.is_ok() ? std::move(log).value() : nullptr;
  }

  // Closes a poisoned log (its close may fail: that is the point) and recovers everything.
  std::vector<std::string> reopen_and_read(std::unique_ptr<wal::Log> log) {
    if (log != nullptr) log->close().ignore_error("a poisoned log may fail to close");
    log.reset();
    auto reopened = wal::Log::open(dir_.sub("log"), wal::Options{});
    EXPECT_TRUE(reopened.is_ok()) << reopened.status().to_string();
    std::vector<std::string> entries;
    if (!reopened) return entries;
    if ((*reopened)->last_lsn() == wal::kNoLsn) return entries;
    auto reader = (*reopened)->reader(1);
    EXPECT_TRUE(reader.is_ok()) << reader.status().to_string();
    if (!reader) return entries;
    for (;;) {
      auto entry = (*reader)->next();
      EXPECT_TRUE(entry.is_ok()) << entry.status().to_string();
      if (!entry || !entry->has_value()) break;
      EXPECT_EQ((*entry)->lsn, entries.size() + 1) << "LSNs must be contiguous";
      entries.emplace_back(reinterpret_cast<const char*>((*entry)->payload.data()),
                           (*entry)->payload.size());
    }
    return entries;
  }

  testutil::TempDir dir_;
};

// The entries recovered are the acknowledged ones, then possibly some whose sync failed (their
// bytes may have reached the disk anyway: unacknowledged is "unknown", not "absent"), never one
// that was refused before being written, and never a partial one.
void expect_recovered(const std::vector<std::string>& recovered,
                      const std::vector<std::string>& acknowledged,
                      const std::vector<std::string>& maybe) {
  ASSERT_GE(recovered.size(), acknowledged.size());
  for (std::size_t i = 0; i < acknowledged.size(); ++i) {
    EXPECT_EQ(recovered[i], acknowledged[i]) << "acknowledged entry " << i + 1 << " lost";
  }
  for (std::size_t i = acknowledged.size(); i < recovered.size(); ++i) {
    EXPECT_NE(std::find(maybe.begin(), maybe.end(), recovered[i]), maybe.end())
        << "recovered an entry that was never accepted: '" << recovered[i] << "'";
  }
}

TEST_F(FailStop, OurFdatasyncPointPoisonsTheLog) {
  auto log = open(wal::SyncPolicy::kImmediate);
  ASSERT_NE(log, nullptr);
  std::vector<std::string> acknowledged;
  for (const std::string payload : {"a", "b"}) {
    ASSERT_TRUE(log->append(bytes(payload)).is_ok());
    acknowledged.push_back(payload);
  }
  {
    Fault fault("wal/fs/fdatasync", EIO);
    auto failed = log->append(bytes("c"));
    ASSERT_FALSE(failed.is_ok());
    EXPECT_EQ(failed.error().code(), Code::kIoError) << failed.error().to_string();
    EXPECT_EQ(failed.error().sys_errno(), EIO);
  }
  // The fault is gone, but nothing is retried as if it had worked: the log stays poisoned.
  auto later = log->append(bytes("d"));
  ASSERT_FALSE(later.is_ok());
  EXPECT_EQ(later.error().code(), Code::kPoisoned) << later.error().to_string();
  EXPECT_EQ(log->sync().code(), Code::kPoisoned);
  EXPECT_EQ(log->checkpoint(bytes("cp")).status().code(), Code::kPoisoned);
  EXPECT_EQ(log->durable_lsn(), 2u);
  expect_recovered(reopen_and_read(std::move(log)), acknowledged, {"c"});
}

TEST_F(FailStop, RealFdatasyncEioThroughThePreloadPoisonsTheLog) {
  if (!preload_active()) GTEST_SKIP() << "LD_PRELOAD does not carry fiu_posix_preload.so";
  auto log = open(wal::SyncPolicy::kGrouped);
  ASSERT_NE(log, nullptr);
  std::vector<std::string> acknowledged;
  for (const std::string payload : {"a", "b", "c"}) {
    ASSERT_TRUE(log->append(bytes(payload)).is_ok());
    acknowledged.push_back(payload);
  }
  {
    Fault fault("posix/io/sync/fdatasync", EIO);
    auto failed = log->append(bytes("d"));
    ASSERT_FALSE(failed.is_ok());
    EXPECT_EQ(failed.error().code(), Code::kIoError) << failed.error().to_string();
    EXPECT_EQ(failed.error().sys_errno(), EIO);
  }
  EXPECT_EQ(log->append(bytes("e")).status().code(), Code::kPoisoned);
  EXPECT_EQ(log->durable_lsn(), 3u);
  expect_recovered(reopen_and_read(std::move(log)), acknowledged, {"d"});
}

TEST_F(FailStop, EveryWaiterOfAFailedGroupSyncGetsTheError) {
  auto log = open(wal::SyncPolicy::kGrouped);
  ASSERT_NE(log, nullptr);
  constexpr int kThreads = 6;
  std::vector<std::string> acknowledged;
  for (int i = 0; i < kThreads; ++i) {
    const std::string payload = "before-" + std::to_string(i);
    ASSERT_TRUE(log->append(bytes(payload)).is_ok());
    acknowledged.push_back(payload);
  }
  std::vector<wal::Status> results(kThreads);
  std::vector<std::string> attempted;
  for (int i = 0; i < kThreads; ++i) attempted.push_back("after-" + std::to_string(i));
  {
    Fault fault("wal/fs/fdatasync", EIO);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        results[static_cast<std::size_t>(i)] =
            log->append(bytes(attempted[static_cast<std::size_t>(i)])).status();
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  int io_errors = 0;
  for (const wal::Status& status : results) {
    // No sibling of the failed sync is reported durable.
    EXPECT_TRUE(status.code() == Code::kIoError || status.code() == Code::kPoisoned)
        << status.to_string();
    if (status.code() == Code::kIoError) ++io_errors;
  }
  EXPECT_GE(io_errors, 1) << "the sync's own failure must reach at least its leader";
  EXPECT_EQ(log->durable_lsn(), static_cast<wal::Lsn>(kThreads));
  expect_recovered(reopen_and_read(std::move(log)), acknowledged, attempted);
}

TEST_F(FailStop, ShortWriteWithEnospcFailsCleanlyAndRecoversNothingPartial) {
  auto log = open(wal::SyncPolicy::kImmediate);
  ASSERT_NE(log, nullptr);
  const std::vector<std::string> acknowledged = {"first", "second"};
  for (const std::string& payload : acknowledged) ASSERT_TRUE(log->append(bytes(payload)).is_ok());
  const std::string big(3000, 'z');  // half of its record reaches the file before the error
  {
    Fault fault("wal/fs/write_short", ENOSPC);
    auto failed = log->append(bytes(big));
    ASSERT_FALSE(failed.is_ok());
    EXPECT_EQ(failed.error().code(), Code::kNoSpace) << failed.error().to_string();
  }
  EXPECT_FALSE(log->append(bytes("after")).is_ok());
  EXPECT_EQ(reopen_and_read(std::move(log)), acknowledged);
}

TEST_F(FailStop, RealPwriteEnospcThroughThePreloadFailsCleanly) {
  if (!preload_active()) GTEST_SKIP() << "LD_PRELOAD does not carry fiu_posix_preload.so";
  auto log = open(wal::SyncPolicy::kImmediate);
  ASSERT_NE(log, nullptr);
  const std::vector<std::string> acknowledged = {"first", "second"};
  for (const std::string& payload : acknowledged) ASSERT_TRUE(log->append(bytes(payload)).is_ok());
  {
    Fault fault("posix/io/rw/pwrite", ENOSPC);
    auto failed = log->append(bytes("third"));
    ASSERT_FALSE(failed.is_ok());
    EXPECT_EQ(failed.error().code(), Code::kNoSpace) << failed.error().to_string();
  }
  EXPECT_FALSE(log->append(bytes("after")).is_ok());
  EXPECT_EQ(reopen_and_read(std::move(log)), acknowledged);
}

TEST_F(FailStop, FallocateEnospcAtRotationFailsTheAppendAndNothingElse) {
  // 1000-byte entries in 4 KiB segments: the fourth append needs a new segment.
  auto log = open(wal::SyncPolicy::kImmediate, 4096);
  ASSERT_NE(log, nullptr);
  std::vector<std::string> acknowledged;
  for (char c : std::string("abc")) {
    acknowledged.push_back(std::string(1000, c));
    ASSERT_TRUE(log->append(bytes(acknowledged.back())).is_ok());
  }
  {
    Fault fault("wal/fs/fallocate", ENOSPC);
    auto failed = log->append(bytes(std::string(1000, 'x')));
    ASSERT_FALSE(failed.is_ok());
    EXPECT_EQ(failed.error().code(), Code::kNoSpace) << failed.error().to_string();
  }
  // Nothing was published: the log is not poisoned and the LSN was not consumed.
  acknowledged.push_back(std::string(1000, 'd'));
  auto next = log->append(bytes(acknowledged.back()));
  ASSERT_TRUE(next.is_ok()) << next.status().to_string();
  EXPECT_EQ(*next, 4u);
  EXPECT_EQ(reopen_and_read(std::move(log)), acknowledged);
}

}  // namespace
