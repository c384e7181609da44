// LogCore driven directly, as the simulator drives it: a manual clock and explicit protocol
// steps, checking the decisions commit_step / sync_due / next_sync_due_us make.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <limits>

#include <wal/clock.h>
#include <wal/log_core.h>
#include <wal/posix_fs.h>

#include "record_format.h"
#include "recovery.h"
#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace {

using testutil::bytes_of;

class ManualClock final : public Clock {
 public:
  std::uint64_t now_us() override { return now; }
  std::uint64_t now = 1000;
};

std::unique_ptr<LogCore> open_core(const testutil::TempDir& dir, ManualClock& clock,
                                   Options options) {
  Result<std::unique_ptr<LogCore>> core =
      LogCore::open(posix_fs(), clock, dir.sub("log"), options);
  EXPECT_TRUE(core.is_ok()) << core.status().to_string();
  return core ? std::move(core).value() : nullptr;
}

void sync_once(LogCore& core) {
  Result<SyncTicket> ticket = core.begin_sync();
  ASSERT_TRUE(ticket.is_ok());
  core.finish_sync(*ticket, LogCore::run_sync(*ticket));
}

TEST(LogCoreTest, GroupCommitLeaderFollowersAndWindow) {
  testutil::TempDir dir;
  ManualClock clock;
  Options options;
  options.sync = SyncPolicy::kGrouped;
  options.group_window_us = 100;
  std::unique_ptr<LogCore> core = open_core(dir, clock, options);
  ASSERT_NE(core, nullptr);

  Result<Lsn> first = core->append(bytes_of("a"));
  ASSERT_TRUE(first.is_ok());
  CommitStep step = core->commit_step(*first, clock.now);
  EXPECT_EQ(step.action, CommitAction::kWaitUntil);
  EXPECT_EQ(step.until_us, 1100u);  // the window runs from the first waiting entry
  clock.now = 1100;
  EXPECT_EQ(core->commit_step(*first, clock.now).action, CommitAction::kLead);

  Result<SyncTicket> ticket = core->begin_sync();
  ASSERT_TRUE(ticket.is_ok());
  EXPECT_EQ(ticket->target_lsn, *first);
  EXPECT_FALSE(ticket->full_sync);  // preallocated: the size does not change
  Result<Lsn> second = core->append(bytes_of("b"));  // arrives while the sync runs
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(core->commit_step(*first, clock.now).action, CommitAction::kWait);
  EXPECT_EQ(core->commit_step(*second, clock.now).action, CommitAction::kWait);
  EXPECT_EQ(core->durable_lsn(), 0u);
  core->finish_sync(*ticket, LogCore::run_sync(*ticket));
  EXPECT_EQ(core->durable_lsn(), *first);
  EXPECT_EQ(core->commit_step(*first, clock.now).action, CommitAction::kDurable);
  // The follower leads the next group once its own window has passed.
  EXPECT_EQ(core->commit_step(*second, clock.now).action, CommitAction::kWaitUntil);
  clock.now += 100;
  EXPECT_EQ(core->commit_step(*second, clock.now).action, CommitAction::kLead);
  ASSERT_TRUE(core->close().is_ok());
}

TEST(LogCoreTest, PeriodicDeadlinesAndByteThreshold) {
  testutil::TempDir dir;
  ManualClock clock;
  Options options;
  options.sync = SyncPolicy::kPeriodic;
  options.sync_interval_us = 500;
  options.sync_every_bytes = 1000;
  std::unique_ptr<LogCore> core = open_core(dir, clock, options);
  ASSERT_NE(core, nullptr);
  constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

  EXPECT_EQ(core->next_sync_due_us(), kNever);
  EXPECT_FALSE(core->sync_due(clock.now));
  ASSERT_TRUE(core->append(bytes_of("x")).is_ok());
  EXPECT_EQ(core->next_sync_due_us(), 1500u);
  EXPECT_FALSE(core->sync_due(1499));
  EXPECT_TRUE(core->sync_due(1500));
  sync_once(*core);
  EXPECT_EQ(core->durable_lsn(), 1u);
  EXPECT_EQ(core->next_sync_due_us(), kNever);

  // The byte threshold fires before the deadline.
  const std::string big(600, 'y');
  ASSERT_TRUE(core->append(bytes_of(big)).is_ok());
  EXPECT_FALSE(core->sync_due(clock.now));
  ASSERT_TRUE(core->append(bytes_of(big)).is_ok());
  EXPECT_TRUE(core->sync_due(clock.now));
  ASSERT_TRUE(core->close().is_ok());
}

TEST(LogCoreTest, FailedSyncPoisonsAndWaitersGetTheCause) {
  testutil::TempDir dir;
  ManualClock clock;
  Options options;
  options.sync = SyncPolicy::kGrouped;
  options.preallocate = false;
  std::unique_ptr<LogCore> core = open_core(dir, clock, options);
  ASSERT_NE(core, nullptr);
  Result<Lsn> lsn = core->append(bytes_of("doomed"));
  ASSERT_TRUE(lsn.is_ok());
  Result<SyncTicket> ticket = core->begin_sync();
  ASSERT_TRUE(ticket.is_ok());
  EXPECT_TRUE(ticket->full_sync);  // not preallocated: the file grew, fsync it
  core->finish_sync(*ticket, Status::io_error("fdatasync: Input/output error", 5));
  EXPECT_TRUE(core->poisoned());
  EXPECT_EQ(core->durable_lsn(), 0u);
  EXPECT_EQ(core->commit_step(*lsn, clock.now).action, CommitAction::kFailed);
  EXPECT_EQ(core->poison_cause().code(), Code::kIoError);
  EXPECT_EQ(core->poison_status().code(), Code::kPoisoned);
  EXPECT_EQ(core->append(bytes_of("more")).status().code(), Code::kPoisoned);
  EXPECT_EQ(core->begin_sync().status().code(), Code::kPoisoned);
  EXPECT_EQ(core->close().code(), Code::kPoisoned);
}

TEST(LogCoreTest, WithoutAGivenSaltTheSaltIsAFunctionOfClockAndDirectory) {
  // Determinism under simulation: a new log's bytes depend only on the injected clock and the
  // directory name unless Options::salt says otherwise.
  testutil::TempDir dir;
  auto new_log_salt = [&](std::uint64_t now, std::uint64_t given) -> std::uint64_t {
    std::filesystem::remove_all(dir.sub("log"));
    ManualClock clock;
    clock.now = now;
    Options options;
    options.sync = SyncPolicy::kNone;
    options.salt = given;
    std::unique_ptr<LogCore> core = open_core(dir, clock, options);
    if (core == nullptr || !core->close().is_ok()) return 0;
    auto file = posix_fs().open(dir.sub("log") + "/" + recovery::segment_name(1),
                                OpenMode::kReadOnly);
    if (!file) return 0;
    std::array<std::byte, format::kSegmentHeaderBytes> bytes{};
    if (!(*file)->read_at(0, bytes).is_ok()) return 0;
    return format::decode_segment_header(bytes).header.salt;
  };
  const std::uint64_t salt = new_log_salt(1000, 0);
  EXPECT_NE(salt, 0u);
  EXPECT_EQ(new_log_salt(1000, 0), salt);
  EXPECT_NE(new_log_salt(1001, 0), salt);
  EXPECT_EQ(new_log_salt(1000, 0xabcdef), 0xabcdefu);
}

}  // namespace
}  // namespace wal
