// A writable open that finds unproven records in the newest segment writes the segment again
// (fsyncgate) as a synced copy renamed over it, never over its own bytes (wal/FORMAT.md 3.1).
// On the real disk: not one Fs call of the open touches the recovered segment's inode; no temp
// file outlives an open that succeeded; and an open stopped at any of its steps (a process that
// died there) leaves a log the next open recovers whole. Power losses inside the open, with
// every fill of a torn write, are tests/faults/reopen_copy_crash_test.cc.
#include <gtest/gtest.h>

#include <fiu-control.h>
#include <fiu.h>

#include <string>
#include <vector>

#include <wal/clock.h>
#include <wal/log.h>
#include <wal/log_core.h>
#include <wal/posix_fs.h>

#include "mutant.h"
#include "recovery.h"
#include "testutil/log_entries.h"
#include "testutil/step_fs.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace reopen_copy_test {
namespace {

using testutil::bytes_of;
using testutil::Seen;
using testutil::StepFs;

constexpr std::string_view kInPlace = "wal/mutant/rewrite-tail-in-place";

// A log whose process died after acknowledging `entries` durable entries: the newest segment
// still preallocated, and its last records proven by nothing (no later record carries their
// LSNs in its durable watermark). Returns what the log acknowledged.
std::vector<Seen> write_then_die(const std::string& dir, int entries) {
  Options options;
  options.segment_bytes = 64 << 10;
  Result<std::unique_ptr<LogCore>> core = LogCore::open(posix_fs(), system_clock(), dir, options);
  EXPECT_TRUE(core.is_ok()) << core.status().to_string();
  if (!core) return {};
  std::vector<Seen> acknowledged;
  for (int i = 1; i <= entries; ++i) {
    const std::string payload = "entry " + std::to_string(i) + std::string(i * 37, 'x');
    Result<Lsn> lsn = (*core)->append(bytes_of(payload));
    EXPECT_TRUE(lsn.is_ok()) << lsn.status().to_string();
    acknowledged.push_back({*lsn, EntryType::kData, payload});
    if (i % 4 == 0 || i == entries) {  // a few group commits, the last covering everything
      Result<SyncTicket> ticket = (*core)->begin_sync();
      EXPECT_TRUE(ticket.is_ok());
      (*core)->finish_sync(*ticket, LogCore::run_sync(*ticket));
    }
  }
  EXPECT_EQ((*core)->durable_lsn(), static_cast<Lsn>(entries));
  return acknowledged;  // the core dies unclosed: a process crash
}

Options through(Fs& fs) {
  Options options;
  options.segment_bytes = 64 << 10;
  options.sync = SyncPolicy::kImmediate;
  options.prepare_segments = false;  // no background thread calls the Fs
  options.fs = &fs;
  return options;
}

std::vector<std::string> temp_files(const std::string& dir) {
  std::vector<std::string> temps;
  Result<std::vector<std::string>> names = posix_fs().list(dir);
  EXPECT_TRUE(names.is_ok());
  if (!names) return temps;
  for (const std::string& name : *names) {
    if (name.ends_with(recovery::kTempSuffix)) temps.push_back(name);
  }
  return temps;
}

// The steps of a writable open of a crashed log that touch the segment recovery read, by
// inode (`*inode`).
std::vector<StepFs::Step> steps_on_recovered_segment(const testutil::TempDir& tmp,
                                                     std::uint64_t* inode_out) {
  const std::string dir = tmp.sub("log");
  const std::vector<Seen> acknowledged = write_then_die(dir, 9);
  const std::string segment = join_path(dir, recovery::segment_name(1));
  const std::uint64_t inode = StepFs::inode_of(segment);
  EXPECT_NE(inode, 0u);
  *inode_out = inode;
  StepFs steps(posix_fs());
  Result<std::unique_ptr<Log>> log = Log::open(dir, through(steps));
  EXPECT_TRUE(log.is_ok()) << log.status().to_string();
  if (!log) return {};
  EXPECT_EQ(testutil::read_log(**log), acknowledged);
  std::vector<StepFs::Step> touching;
  for (const StepFs::Step& step : steps.steps()) {
    if (step.inode == inode) touching.push_back(step);
  }
  return touching;
}

TEST(ReopenCopyTest, TheOpenNeverTouchesTheSegmentItRecovered) {
  testutil::TempDir tmp;
  std::uint64_t recovered = 0;
  const std::vector<StepFs::Step> touching = steps_on_recovered_segment(tmp, &recovered);
  EXPECT_TRUE(touching.empty()) << touching.front().what << " " << touching.front().path;
  // The copy took the segment's name: another inode now, holding the same entries.
  const std::string segment = join_path(tmp.sub("log"), recovery::segment_name(1));
  EXPECT_NE(StepFs::inode_of(segment), recovered);
}

TEST(ReopenCopyTest, TheInodeCheckSeesARewriteInPlace) {
  // Bug zoo's rewrite-tail-in-place, the open before the copy: the check above must see it.
  ASSERT_EQ(fiu_init(0), 0);
  ASSERT_EQ(wal::mutant::enable(std::string(kInPlace).c_str()), 0);
  testutil::TempDir tmp;
  std::uint64_t recovered = 0;
  const std::vector<StepFs::Step> touching = steps_on_recovered_segment(tmp, &recovered);
  wal::mutant::disable(std::string(kInPlace).c_str());
  bool wrote = false;
  for (const StepFs::Step& step : touching) wrote = wrote || step.what == "write";
  EXPECT_TRUE(wrote);
}

// What a writable open of a crashed log did to the temp copy, up to the directory sync after
// its rename.
std::vector<std::string> steps_of_the_copy() {
  testutil::TempDir tmp;
  const std::string dir = tmp.sub("log");
  write_then_die(dir, 9);
  StepFs steps(posix_fs());
  Result<std::unique_ptr<Log>> log = Log::open(dir, through(steps));
  EXPECT_TRUE(log.is_ok()) << log.status().to_string();
  const std::string temp = join_path(dir, recovery::segment_name(1)) + ".tmp";
  std::vector<std::string> order;
  bool renamed = false;
  for (const StepFs::Step& step : steps.steps()) {
    if (step.path == temp) order.push_back(step.what);
    if (step.what == "rename" && step.path == temp) renamed = true;
    if (renamed && step.what == "sync_dir") {
      order.push_back("sync_dir");
      break;
    }
  }
  return order;
}

TEST(ReopenCopyTest, TheCopyIsSyncedBeforeItIsRenamedOverTheSegment) {
  const std::vector<std::string> expected = {"create", "write", "sync", "rename", "sync_dir"};
  EXPECT_EQ(steps_of_the_copy(), expected);
}

TEST(ReopenCopyTest, TheOrderCheckSeesAnUnsyncedCopy) {
  // Bug zoo's rename-unsynced-tail-copy: the check above must see it.
  ASSERT_EQ(fiu_init(0), 0);
  ASSERT_EQ(wal::mutant::enable("wal/mutant/rename-unsynced-tail-copy"), 0);
  const std::vector<std::string> order = steps_of_the_copy();
  wal::mutant::disable("wal/mutant/rename-unsynced-tail-copy");
  const std::vector<std::string> unsynced = {"create", "write", "rename", "sync_dir"};
  EXPECT_EQ(order, unsynced);
}

TEST(ReopenCopyTest, NoTempFileOutlivesASuccessfulOpen) {
  testutil::TempDir tmp;
  const std::string dir = tmp.sub("log");
  write_then_die(dir, 9);
  {
    Result<std::unique_ptr<Log>> log = Log::open(dir, through(posix_fs()));
    ASSERT_TRUE(log.is_ok()) << log.status().to_string();
    EXPECT_EQ(temp_files(dir), std::vector<std::string>{});
    ASSERT_TRUE((*log)->append(bytes_of("after")).is_ok());
  }
  EXPECT_EQ(temp_files(dir), std::vector<std::string>{});
}

// Every step of a writable open, one run per step: the process stops there (every call that
// would change the disk fails from that step on), then a plain open must recover every
// acknowledged entry and leave no temp file. A log damaged or lost mid-way fails here.
TEST(ReopenCopyTest, AnOpenStoppedAtEachStepLosesNoAcknowledgedEntry) {
  std::uint64_t steps_of_open = 0;
  {
    testutil::TempDir tmp;
    write_then_die(tmp.sub("log"), 9);
    StepFs counting(posix_fs());
    Result<std::unique_ptr<Log>> log = Log::open(tmp.sub("log"), through(counting));
    ASSERT_TRUE(log.is_ok()) << log.status().to_string();
    steps_of_open = counting.steps().size();  // the open's, not the close's
    bool copies = false;
    for (const StepFs::Step& step : counting.steps()) copies = copies || step.what == "rename";
    ASSERT_TRUE(copies) << "the open did not copy: the loop below would test nothing";
  }
  for (std::uint64_t stop = 0; stop < steps_of_open; ++stop) {
    SCOPED_TRACE("stopped before step " + std::to_string(stop));
    testutil::TempDir tmp;
    const std::string dir = tmp.sub("log");
    const std::vector<Seen> acknowledged = write_then_die(dir, 9);
    {
      StepFs stopping(posix_fs(), stop);
      EXPECT_FALSE(Log::open(dir, through(stopping)).is_ok());
    }
    Result<std::unique_ptr<Log>> log = Log::open(dir, through(posix_fs()));
    ASSERT_TRUE(log.is_ok()) << log.status().to_string();
    EXPECT_EQ(testutil::read_log(**log), acknowledged);
    EXPECT_EQ(temp_files(dir), std::vector<std::string>{});
  }
}

}  // namespace
}  // namespace reopen_copy_test
}  // namespace wal
