// Fail-stop (SPEC 2.6): a failed fdatasync or write poisons the log until reopen, nothing is
// retried as if it had worked, and recovery afterwards returns nothing partial.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <wal/log.h>
#include <wal/posix_fs.h>

#include "testutil/failing_fs.h"
#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace {

using testutil::bytes_of;
using testutil::FailOp;
using testutil::read_log;
using testutil::Seen;

struct FailCase {
  const char* name;
  SyncPolicy policy;
  FailOp op;
};

class FailStopTest : public ::testing::TestWithParam<FailCase> {};

TEST_P(FailStopTest, FailureGoesToTheAppendThenEverythingIsPoisonedUntilReopen) {
  testutil::TempDir dir;
  testutil::FailingFs fs(posix_fs());
  Options options;
  options.fs = &fs;
  // Failures are injected into the next matching call: keep the spare segment's background
  // preparation (Options::prepare_segments) from taking it. spare_segment_test covers it.
  options.prepare_segments = false;
  options.sync = GetParam().policy;
  std::vector<Seen> acknowledged;
  {
    Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
    ASSERT_TRUE(log.is_ok());
    for (int i = 0; i < 5; ++i) {
      const std::string payload = "before " + std::to_string(i);
      Result<Lsn> lsn = (*log)->append(bytes_of(payload));
      ASSERT_TRUE(lsn.is_ok());
      acknowledged.push_back({*lsn, EntryType::kData, payload});
    }
    fs.fail(GetParam().op, Status::io_error("injected EIO", 5));
    Result<Lsn> failed = (*log)->append(bytes_of("the unlucky one"));
    ASSERT_FALSE(failed.is_ok());
    EXPECT_EQ(failed.error().code(), Code::kIoError) << failed.error().to_string();
    EXPECT_EQ(fs.failures_injected(), 1);

    // The Fs would succeed now (a retried fsync "works"): the log must not believe it.
    Result<Lsn> later = (*log)->append(bytes_of("later"));
    ASSERT_FALSE(later.is_ok());
    EXPECT_EQ(later.error().code(), Code::kPoisoned);
    EXPECT_NE(later.error().message().find("injected EIO"), std::string::npos)
        << later.error().to_string();
    EXPECT_EQ((*log)->sync().code(), Code::kPoisoned);
    // Even for an entry that was durable before the failure, as sync() (session 18).
    EXPECT_EQ((*log)->wait_durable(1).code(), Code::kPoisoned);
    EXPECT_EQ((*log)->checkpoint(bytes_of("cp")).status().code(), Code::kPoisoned);
    EXPECT_EQ((*log)->truncate_front(1).code(), Code::kPoisoned);
    EXPECT_EQ((*log)->durable_lsn(), 5u);
    EXPECT_EQ((*log)->metrics().sync_failures, GetParam().op == FailOp::kSync ? 1u : 0u);
    EXPECT_FALSE((*log)->close().is_ok());  // close reports the poison, it does not hide it
  }
  // Reopen works; recovery returns the acknowledged entries and, of the failed one, either all
  // of it or nothing: never a partial record.
  Result<std::unique_ptr<Log>> reopened = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
  std::vector<Seen> recovered = read_log(**reopened);
  ASSERT_GE(recovered.size(), acknowledged.size());
  ASSERT_LE(recovered.size(), acknowledged.size() + 1);
  EXPECT_EQ(std::vector<Seen>(recovered.begin(), recovered.begin() + 5), acknowledged);
  if (recovered.size() == 6) {
    EXPECT_EQ(recovered.back().payload, "the unlucky one");
  }
  Result<Lsn> next = (*reopened)->append(bytes_of("after reopen"));
  ASSERT_TRUE(next.is_ok()) << next.status().to_string();
  EXPECT_EQ(*next, recovered.size() + 1);
}

INSTANTIATE_TEST_SUITE_P(
    Failures, FailStopTest,
    ::testing::Values(FailCase{"grouped_fdatasync", SyncPolicy::kGrouped, FailOp::kSync},
                      FailCase{"immediate_fdatasync", SyncPolicy::kImmediate, FailOp::kSync},
                      FailCase{"grouped_write", SyncPolicy::kGrouped, FailOp::kWrite}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(FailStopTest, ExplicitSyncFailureUnderNonePoisonsTheCaller) {
  testutil::TempDir dir;
  testutil::FailingFs fs(posix_fs());
  Options options;
  options.fs = &fs;
  // Failures are injected into the next matching call: keep the spare segment's background
  // preparation (Options::prepare_segments) from taking it. spare_segment_test covers it.
  options.prepare_segments = false;
  options.sync = SyncPolicy::kNone;
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(log.is_ok());
  ASSERT_TRUE((*log)->append(bytes_of("pending")).is_ok());
  fs.fail(FailOp::kSync, Status::io_error("injected EIO", 5));
  EXPECT_EQ((*log)->sync().code(), Code::kIoError);
  EXPECT_EQ((*log)->sync().code(), Code::kPoisoned);
  EXPECT_EQ((*log)->durable_lsn(), 0u);
}

}  // namespace
}  // namespace wal
