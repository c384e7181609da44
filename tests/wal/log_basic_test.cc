// Log round trips under every sync policy, LSN continuity across reopen, the directory lock and
// read-only opens.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include <wal/log.h>

#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace {

using testutil::bytes_of;
using testutil::read_log;
using testutil::Seen;

// Appends a mix of entries (empty ones, batches, a checkpoint) and returns what a reader
// must see.
std::vector<Seen> append_mix(Log& log, int rounds) {
  std::vector<Seen> expected;
  for (int i = 0; i < rounds; ++i) {
    const std::string payload(static_cast<std::size_t>(i * 7 % 300), static_cast<char>('a' + i % 26));
    Result<Lsn> lsn = log.append(bytes_of(payload));
    EXPECT_TRUE(lsn.is_ok()) << lsn.status().to_string();
    if (!lsn) return expected;
    expected.push_back({*lsn, EntryType::kData, payload});
    if (i % 10 == 3) {
      const std::string a = "batch-a-" + std::to_string(i), b = "", c = "batch-c";
      const std::span<const std::byte> entries[] = {bytes_of(a), bytes_of(b), bytes_of(c)};
      Result<LsnRange> range = log.append_batch(entries);
      EXPECT_TRUE(range.is_ok()) << range.status().to_string();
      if (!range) return expected;
      EXPECT_EQ(range->last, range->first + 2);
      expected.push_back({range->first, EntryType::kBatch, a});
      expected.push_back({range->first + 1, EntryType::kBatch, b});
      expected.push_back({range->first + 2, EntryType::kBatch, c});
    }
    if (i == rounds / 2) {
      const std::string state = "checkpoint-state";
      Result<Lsn> checkpoint = log.checkpoint(bytes_of(state));
      EXPECT_TRUE(checkpoint.is_ok()) << checkpoint.status().to_string();
      EXPECT_GE(log.durable_lsn(), *checkpoint);  // durable on return under every policy
      expected.push_back({*checkpoint, EntryType::kCheckpoint, state});
    }
  }
  return expected;
}

class PolicyTest : public ::testing::TestWithParam<SyncPolicy> {};

TEST_P(PolicyTest, AppendReadReopenRoundTrip) {
  testutil::TempDir dir;
  Options options;
  options.sync = GetParam();
  options.segment_bytes = 1 << 20;
  std::vector<Seen> expected;
  {
    Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
    ASSERT_TRUE(log.is_ok()) << log.status().to_string();
    expected = append_mix(**log, 60);
    ASSERT_EQ(expected.front().lsn, 1u);
    ASSERT_EQ((*log)->last_lsn(), expected.back().lsn);
    if (GetParam() == SyncPolicy::kImmediate || GetParam() == SyncPolicy::kGrouped) {
      EXPECT_EQ((*log)->durable_lsn(), (*log)->last_lsn());
    }
    ASSERT_TRUE((*log)->sync().is_ok());
    EXPECT_EQ((*log)->durable_lsn(), (*log)->last_lsn());
    EXPECT_EQ(read_log(**log), expected);
    ASSERT_TRUE((*log)->close().is_ok());
  }
  Result<std::unique_ptr<Log>> reopened = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
  EXPECT_TRUE((*reopened)->recovery_report().clean());
  EXPECT_EQ((*reopened)->recovery_report().last_good_lsn, expected.back().lsn);
  EXPECT_EQ(read_log(**reopened), expected);
  Result<Lsn> next = (*reopened)->append(bytes_of("after reopen"));
  ASSERT_TRUE(next.is_ok());
  EXPECT_EQ(*next, expected.back().lsn + 1);
}

INSTANTIATE_TEST_SUITE_P(EveryPolicy, PolicyTest,
                         ::testing::Values(SyncPolicy::kNone, SyncPolicy::kImmediate,
                                           SyncPolicy::kPeriodic, SyncPolicy::kGrouped),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

TEST(LogOpenTest, SecondOpenOfTheSameDirectoryIsBusy) {
  testutil::TempDir dir;
  Result<std::unique_ptr<Log>> first = Log::open(dir.sub("log"));
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  Result<std::unique_ptr<Log>> second = Log::open(dir.sub("log"));
  ASSERT_FALSE(second.is_ok());
  EXPECT_EQ(second.error().code(), Code::kBusy) << second.error().to_string();
  ASSERT_TRUE((*first)->close().is_ok());
  Result<std::unique_ptr<Log>> third = Log::open(dir.sub("log"));
  EXPECT_TRUE(third.is_ok()) << third.status().to_string();
}

TEST(LogOpenTest, ReadOnlyOpenNeedsNoLockAndRefusesWrites) {
  testutil::TempDir dir;
  Result<std::unique_ptr<Log>> writer = Log::open(dir.sub("log"));
  ASSERT_TRUE(writer.is_ok());
  ASSERT_TRUE((*writer)->append(bytes_of("one")).is_ok());
  ASSERT_TRUE((*writer)->append(bytes_of("two")).is_ok());

  Options read_only;
  read_only.read_only = true;
  Result<std::unique_ptr<Log>> reader_log = Log::open(dir.sub("log"), read_only);
  ASSERT_TRUE(reader_log.is_ok()) << reader_log.status().to_string();
  EXPECT_EQ((*reader_log)->last_lsn(), 2u);
  EXPECT_FALSE((*reader_log)->append(bytes_of("three")).is_ok());
  const std::vector<Seen> expected = {{1, EntryType::kData, "one"}, {2, EntryType::kData, "two"}};
  EXPECT_EQ(read_log(**reader_log), expected);
}

TEST(LogOpenTest, MissingDirectoryWithoutCreateIfMissingIsNotFound) {
  testutil::TempDir dir;
  Options options;
  options.create_if_missing = false;
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("absent"), options);
  ASSERT_FALSE(log.is_ok());
  EXPECT_EQ(log.error().code(), Code::kNotFound) << log.error().to_string();
}

TEST(LogOpenTest, CallsAfterCloseAreClosed) {
  testutil::TempDir dir;
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"));
  ASSERT_TRUE(log.is_ok());
  ASSERT_TRUE((*log)->close().is_ok());
  Result<Lsn> lsn = (*log)->append(bytes_of("late"));
  ASSERT_FALSE(lsn.is_ok());
  EXPECT_EQ(lsn.error().code(), Code::kClosed);
  EXPECT_TRUE((*log)->close().is_ok());  // idempotent
}

TEST(LogOpenTest, EmptyBatchAndOversizedEntryAreInvalidArguments) {
  testutil::TempDir dir;
  Options options;
  options.max_entry_bytes = 64;
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(log.is_ok());
  EXPECT_EQ((*log)->append_batch({}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ((*log)->append(bytes_of(std::string(65, 'x'))).status().code(),
            Code::kInvalidArgument);
  // The log stays usable: a refused argument is not a failure of the log.
  Result<Lsn> lsn = (*log)->append(bytes_of(std::string(64, 'x')));
  ASSERT_TRUE(lsn.is_ok());
  EXPECT_EQ(*lsn, 1u);
}

}  // namespace
}  // namespace wal
