// What close() leaves on disk under each sync policy, and which name a segment's errors carry
// (it is created as "<name>.tmp" and renamed: errors afterwards must name the real segment).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <fiu-control.h>
#include <fiu.h>
#include <wal/log.h>

#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace {

using testutil::bytes_of;

constexpr std::uint64_t kSegmentCapacity = 1 << 20;
constexpr int kEntries = 100;

std::uintmax_t segment_size(const std::string& dir) {
  return std::filesystem::file_size(std::filesystem::path(dir) / "00000000000000000001.wal");
}

Options small_segments(SyncPolicy policy) {
  Options options;
  options.segment_bytes = kSegmentCapacity;
  options.sync = policy;
  return options;
}

// Appends kEntries entries, syncs when asked, closes; returns the segment's size afterwards.
std::uintmax_t size_after_close(const std::string& dir, SyncPolicy policy, bool sync_first) {
  Result<std::unique_ptr<Log>> log = Log::open(dir, small_segments(policy));
  EXPECT_TRUE(log.is_ok()) << log.status().to_string();
  if (!log) return 0;
  for (int i = 0; i < kEntries; ++i) {
    EXPECT_TRUE((*log)->append(bytes_of("entry " + std::to_string(i))).is_ok());
  }
  if (sync_first) {
    EXPECT_TRUE((*log)->sync().is_ok());
  }
  EXPECT_TRUE((*log)->close().is_ok());
  return segment_size(dir);
}

std::uint64_t entries_in(const std::string& dir, SyncPolicy policy) {
  Result<std::unique_ptr<Log>> log = Log::open(dir, small_segments(policy));
  EXPECT_TRUE(log.is_ok()) << log.status().to_string();
  if (!log) return 0;
  return (*log)->recovery_report().records_recovered;
}

class CloseTrimTest : public ::testing::TestWithParam<SyncPolicy> {};

TEST_P(CloseTrimTest, CloseTrimsThePreallocatedTail) {
  testutil::TempDir dir;
  const std::string path = dir.sub("log");
  const std::uintmax_t size = size_after_close(path, GetParam(), false);
  EXPECT_GT(size, 0u);
  EXPECT_LT(size, kSegmentCapacity);
  EXPECT_EQ(entries_in(path, GetParam()), static_cast<std::uint64_t>(kEntries));
}

INSTANTIATE_TEST_SUITE_P(EverySyncingPolicy, CloseTrimTest,
                         ::testing::Values(SyncPolicy::kImmediate, SyncPolicy::kPeriodic,
                                           SyncPolicy::kGrouped));

TEST(CloseTrimTest, NoneOnlyFlushesWhatIsNotSynced) {
  testutil::TempDir dir;
  const std::string path = dir.sub("log");
  EXPECT_EQ(size_after_close(path, SyncPolicy::kNone, false), kSegmentCapacity);
  EXPECT_EQ(entries_in(path, SyncPolicy::kNone), static_cast<std::uint64_t>(kEntries));
}

TEST(CloseTrimTest, NoneTrimsWhenTheCallerSyncedEverything) {
  // walctl's own group commit: kNone plus sync() per chunk.
  testutil::TempDir dir;
  const std::string path = dir.sub("log");
  EXPECT_LT(size_after_close(path, SyncPolicy::kNone, true), kSegmentCapacity);
  EXPECT_EQ(entries_in(path, SyncPolicy::kNone), static_cast<std::uint64_t>(kEntries));
}

TEST(SegmentErrorTest, ErrorsNameTheSegmentNotItsTempFile) {
  ASSERT_EQ(fiu_init(0), 0);
  testutil::TempDir dir;
  const std::string path = dir.sub("log");
  Result<std::unique_ptr<Log>> log = Log::open(path, small_segments(SyncPolicy::kGrouped));
  ASSERT_TRUE(log.is_ok()) << log.status().to_string();
  ASSERT_EQ(fiu_enable("wal/fs/fdatasync", 1, nullptr, FIU_ONETIME), 0);
  Result<Lsn> failed = (*log)->append(bytes_of("the unlucky one"));
  fiu_disable("wal/fs/fdatasync");
  ASSERT_FALSE(failed.is_ok());
  const std::string message = failed.error().to_string();
  EXPECT_NE(message.find("fdatasync"), std::string::npos) << message;
  EXPECT_NE(message.find("00000000000000000001.wal"), std::string::npos) << message;
  EXPECT_EQ(message.find(".tmp"), std::string::npos) << message;
  (*log)->close().ignore_error("the log is poisoned; only the message was under test");
}

}  // namespace
}  // namespace wal
