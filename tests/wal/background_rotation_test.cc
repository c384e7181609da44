// A rotation onto the spare that does not wait for the finished segment's sync
// (Options::background_rotation, wal/FORMAT.md 3.2), on the real disk: nothing is durable past
// the rotation until a sync ticket published it; a process crash before that loses nothing the
// OS accepted (recovery adopts the continuation); a finished segment that lost its tail (a power
// loss before its sync) makes the continuation a leftover, never a hole; a read-only open reads
// an adopted continuation under its temp name. Power losses at every point are the simulator's
// (bug-zoo mutants publish-*, adopt-continuation-after-gap). The simulator has no crash
// without a power loss, so the rule that a process crash loses nothing the OS accepted is shown
// here, with its mutant continuation-is-leftover caught.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <fiu-control.h>
#include <fiu.h>

#include <wal/clock.h>
#include <wal/log_core.h>
#include <wal/posix_fs.h>

#include "mutant.h"
#include "recovery.h"
#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace background_rotation_test {
namespace {

using testutil::bytes_of;
using testutil::Seen;

Options small_segments(SyncPolicy sync = SyncPolicy::kNone) {
  Options options;
  options.segment_bytes = 8 << 10;
  options.buffer_bytes = 4 << 10;
  options.sync = sync;
  options.prepare_segments = false;  // the test drives the spare's preparation itself
  return options;
}

std::unique_ptr<LogCore> open_core(const std::string& dir, const Options& options) {
  Result<std::unique_ptr<LogCore>> core = LogCore::open(posix_fs(), system_clock(), dir, options);
  EXPECT_TRUE(core.is_ok()) << core.status().to_string();
  return core ? std::move(core).value() : nullptr;
}

void prepare_spare(LogCore& core) {
  PrepareTicket ticket = core.begin_prepare();
  LogCore::run_prepare(ticket);
  core.finish_prepare(std::move(ticket));
  ASSERT_TRUE(core.has_spare());
}

// Appends 300-byte entries until the core rotated onto its spare, then `after` more.
std::vector<Seen> append_across_rotation(LogCore& core, int after) {
  std::vector<Seen> appended;
  auto append_one = [&] {
    const std::string payload = "entry " + std::to_string(appended.size() + 1) +
                                std::string(300, 'x');
    Result<Lsn> lsn = core.append(bytes_of(payload));
    EXPECT_TRUE(lsn.is_ok()) << lsn.status().to_string();
    appended.push_back({*lsn, EntryType::kData, payload});
  };
  while (core.has_spare()) append_one();
  for (int i = 0; i < after; ++i) append_one();
  return appended;
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<Seen> read_from(LogCore& core, Lsn from) {
  Result<std::unique_ptr<Reader>> reader = core.reader(from);
  EXPECT_TRUE(reader.is_ok()) << reader.status().to_string();
  return reader ? testutil::read_all(**reader) : std::vector<Seen>{};
}

// A process that rotated onto its spare, appended `after` more entries, handed them to the OS
// and died before any sync published the rotation. Returns what it appended.
std::vector<Seen> crash_after_rotation(const std::string& dir, int after) {
  std::unique_ptr<LogCore> core = open_core(dir, small_segments());
  if (core == nullptr) return {};
  prepare_spare(*core);
  std::vector<Seen> appended = append_across_rotation(*core, after);
  EXPECT_TRUE(core->flush().is_ok());
  EXPECT_TRUE(core->publication_pending());
  return appended;  // the core dies unclosed
}

TEST(BackgroundRotation, NothingPastTheRotationIsDurableUntilASyncPublishesIt) {
  testutil::TempDir dir;
  std::unique_ptr<LogCore> core = open_core(dir.path(), small_segments());
  ASSERT_NE(core, nullptr);
  prepare_spare(*core);
  const std::vector<Seen> appended = append_across_rotation(*core, 3);
  ASSERT_TRUE(core->publication_pending());
  EXPECT_EQ(core->durable_lsn(), kNoLsn);  // the finished segment was not synced either
  const std::string unpublished = recovery::segment_name(appended[appended.size() - 4].lsn);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/" + unpublished + ".tmp"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/" + unpublished));

  Result<SyncTicket> ticket = core->begin_sync();
  ASSERT_TRUE(ticket.is_ok());
  EXPECT_NE(ticket->previous, nullptr);
  core->finish_sync(*ticket, LogCore::run_sync(*ticket));
  EXPECT_FALSE(core->publication_pending());
  EXPECT_EQ(core->durable_lsn(), appended.back().lsn);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/" + unpublished));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/" + unpublished + ".tmp"));
  EXPECT_EQ(read_from(*core, 1), appended);
  ASSERT_TRUE(core->close().is_ok());
}

// A close while a rotation is unpublished names the new segment and syncs the finished one
// (swarm seed 7942: the close finished the new segment only and called both durable).
TEST(BackgroundRotation, ACloseWithARotationUnpublishedPublishesItFirst) {
  testutil::TempDir dir;
  std::unique_ptr<LogCore> core = open_core(dir.path(), small_segments(SyncPolicy::kPeriodic));
  ASSERT_NE(core, nullptr);
  prepare_spare(*core);
  const std::vector<Seen> appended = append_across_rotation(*core, 2);
  ASSERT_TRUE(core->publication_pending());
  ASSERT_TRUE(core->close().is_ok());
  const std::string published = recovery::segment_name(appended[appended.size() - 3].lsn);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/" + published));
  for (const std::string& name : names_in(dir.path())) EXPECT_FALSE(name.ends_with(".tmp"));
  std::unique_ptr<LogCore> again = open_core(dir.path(), small_segments(SyncPolicy::kPeriodic));
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(read_from(*again, 1), appended);
  EXPECT_EQ(again->metrics().snapshot().recovery_bytes_cut, 0u);
  ASSERT_TRUE(again->close().is_ok());
}

TEST(BackgroundRotation, AProcessCrashBeforePublicationLosesNothingTheOsAccepted) {
  testutil::TempDir dir;
  const std::vector<Seen> appended = crash_after_rotation(dir.path(), 5);
  ASSERT_FALSE(appended.empty());
  const std::string continuation = recovery::segment_name(appended[appended.size() - 6].lsn);
  ASSERT_TRUE(std::filesystem::exists(dir.path() + "/" + continuation + ".tmp"));

  Options read_only = small_segments();
  read_only.read_only = true;
  std::unique_ptr<LogCore> reading = open_core(dir.path(), read_only);
  ASSERT_NE(reading, nullptr);
  EXPECT_EQ(reading->last_lsn(), appended.back().lsn);
  EXPECT_EQ(read_from(*reading, 1), appended);  // read under the temp name, not renamed
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/" + continuation + ".tmp"));
  ASSERT_TRUE(reading->close().is_ok());

  std::unique_ptr<LogCore> core = open_core(dir.path(), small_segments(SyncPolicy::kGrouped));
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->last_lsn(), appended.back().lsn);
  EXPECT_EQ(read_from(*core, 1), appended);
  const std::vector<std::string> names = names_in(dir.path());
  EXPECT_TRUE(std::find(names.begin(), names.end(), continuation) != names.end());
  for (const std::string& name : names) EXPECT_FALSE(name.ends_with(".tmp")) << name;
  ASSERT_TRUE(core->append(bytes_of("after")).is_ok());
  ASSERT_TRUE(core->close().is_ok());
}

// The same crash with recovery deleting the continuation as a temp file (the mutant): the
// check above fails, so it can.
TEST(BackgroundRotation, DeletingTheContinuationLosesWhatTheOsAccepted) {
  testutil::TempDir dir;
  const std::vector<Seen> appended = crash_after_rotation(dir.path(), 5);
  ASSERT_FALSE(appended.empty());
  ASSERT_EQ(fiu_init(0), 0);
  ASSERT_EQ(wal::mutant::enable("wal/mutant/continuation-is-leftover"), 0);
  std::unique_ptr<LogCore> core = open_core(dir.path(), small_segments(SyncPolicy::kGrouped));
  wal::mutant::disable("wal/mutant/continuation-is-leftover");
  ASSERT_NE(core, nullptr);
  EXPECT_LT(core->last_lsn(), appended.back().lsn);
  EXPECT_NE(read_from(*core, 1), appended);
  ASSERT_TRUE(core->close().is_ok());
}

TEST(BackgroundRotation, AFinishedSegmentThatLostItsTailMakesTheContinuationALeftover) {
  testutil::TempDir dir;
  const std::vector<Seen> appended = crash_after_rotation(dir.path(), 5);
  ASSERT_FALSE(appended.empty());
  const std::string finished = recovery::segment_name(1);
  // A power loss kept the continuation but not the finished segment's last record: cut it.
  const std::string path = dir.path() + "/" + finished;
  const std::uintmax_t size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size - 100);
  const std::size_t in_finished = appended.size() - 6;  // entries the finished segment held

  std::unique_ptr<LogCore> core = open_core(dir.path(), small_segments(SyncPolicy::kGrouped));
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->last_lsn(), appended[in_finished - 2].lsn);
  EXPECT_EQ(read_from(*core, 1),
            std::vector<Seen>(appended.begin(), appended.begin() + (in_finished - 1)));
  EXPECT_TRUE(core->recovery_report().torn_tail);
  for (const std::string& name : names_in(dir.path())) EXPECT_FALSE(name.ends_with(".tmp"));
  // The LSNs the leftover held are handed out again, to new entries, and nothing old returns.
  Result<Lsn> next = core->append(bytes_of("new"));
  ASSERT_TRUE(next.is_ok());
  EXPECT_EQ(*next, appended[in_finished - 1].lsn);
  ASSERT_TRUE(core->close().is_ok());
}

TEST(BackgroundRotation, OffRotatesTheVersionOneWay) {
  testutil::TempDir dir;
  Options options = small_segments();
  options.background_rotation = false;
  std::unique_ptr<LogCore> core = open_core(dir.path(), options);
  ASSERT_NE(core, nullptr);
  prepare_spare(*core);
  const std::vector<Seen> appended = append_across_rotation(*core, 1);
  EXPECT_FALSE(core->publication_pending());
  EXPECT_EQ(core->durable_lsn(), appended[appended.size() - 3].lsn);  // synced at rotation
  ASSERT_TRUE(core->close().is_ok());
}

}  // namespace
}  // namespace background_rotation_test
}  // namespace wal
