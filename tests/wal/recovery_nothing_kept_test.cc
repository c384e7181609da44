// A log whose every segment is damaged from its header on keeps nothing: it starts over. It
// starts past every LSN a segment's name shows was handed out (not at the oldest name, which
// handed LSNs 1.. out a second time), and its repair keeps that evidence until the new segment
// replaces it, so a power loss that drops some of the repair's unlinks leaves the next recovery
// the same choice (swarm media seeds 3085375, 3113139, 3119650, 3123514: the interrupted
// repair left only the older name, and the next recovery went back to it).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <wal/log.h>
#include <wal/posix_fs.h>

#include "recovery.h"
#include "testutil/counting_fs.h"
#include "testutil/segment_builder.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace {

using testutil::SegmentBuilder;

constexpr std::uint64_t kSalt = 0x0123'4567'89ab'cdefull;

// Segments 1 (LSNs 1..3) and 4 (LSNs 4..5), each with a flipped bit in its header.
std::vector<SegmentBuilder> damaged_log(const testutil::TempDir& dir) {
  std::vector<SegmentBuilder> segments;
  segments.emplace_back(ChecksumKind::kCrc32c, kSalt, 1);
  segments.back().data("a").data("b").data("c");
  segments.emplace_back(ChecksumKind::kCrc32c, kSalt, 4);
  segments.back().data("d").data("e");
  for (SegmentBuilder& seg : segments) {
    seg.bytes()[30] ^= std::byte{0x08};  // inside first_lsn: the header's crc fails
    testutil::write_file(dir.sub(seg.name()), seg.bytes());
  }
  return segments;
}

Result<Lsn> first_append(const std::string& dir, Fs& fs) {
  Options options;
  options.fs = &fs;
  options.recovery = RecoveryMode::kPointInTime;
  options.sync = SyncPolicy::kImmediate;
  Result<std::unique_ptr<Log>> opened = Log::open(dir, options);
  if (!opened) return opened.error();
  const std::string payload = "x";
  Result<Lsn> lsn = (*opened)->append(std::as_bytes(std::span(payload)));
  (*opened)->close().ignore_error("the test only needs the LSN");
  return lsn;
}

TEST(RecoveryNothingKept, StartsPastTheNewestSegmentName) {
  testutil::TempDir dir;
  damaged_log(dir);
  // tolerate-tail and absolute refuse the open: the damage has written data behind it.
  for (RecoveryMode mode : {RecoveryMode::kPointInTime, RecoveryMode::kSkipCorrupted}) {
    Options options;
    options.recovery = mode;
    options.read_only = true;
    const Result<recovery::ScanResult> scan = recovery::scan(posix_fs(), dir.path(), options);
    ASSERT_TRUE(scan.is_ok()) << to_string(mode) << ": " << scan.error().to_string();
    EXPECT_TRUE(scan->empty) << to_string(mode);
    EXPECT_EQ(scan->next_lsn, 4u) << to_string(mode);
  }
}

TEST(RecoveryNothingKept, TheRepairKeepsTheNewestNameUntilTheNewSegmentReplacesIt) {
  testutil::TempDir dir;
  damaged_log(dir);
  testutil::CountingFs fs(posix_fs());
  const Result<Lsn> lsn = first_append(dir.path(), fs);
  ASSERT_TRUE(lsn.is_ok()) << lsn.error().to_string();
  EXPECT_EQ(*lsn, 4u);
  const std::vector<std::string> unlinked = fs.unlinked();
  EXPECT_NE(std::find(unlinked.begin(), unlinked.end(), dir.sub(recovery::segment_name(1))),
            unlinked.end());
  EXPECT_EQ(std::find(unlinked.begin(), unlinked.end(), dir.sub(recovery::segment_name(4))),
            unlinked.end());
  EXPECT_FALSE(std::filesystem::exists(dir.sub(recovery::segment_name(1))));
}

// The repair's unlinks are dropped or kept one by one by a power loss before its sync_dir (and
// the new segment comes after that sync_dir). With segment 4 never unlinked, what a crash can
// leave is the whole damaged log, or segment 4 alone: both go on at LSN 4. (Before, the first
// went on at 1 and the second at 4.)
TEST(RecoveryNothingKept, EveryImageACrashInTheRepairLeavesGoesOnAtTheSameLsn) {
  testutil::TempDir whole;
  damaged_log(whole);
  testutil::TempDir newest_only;
  damaged_log(newest_only);
  std::filesystem::remove(newest_only.sub(recovery::segment_name(1)));
  for (const testutil::TempDir* dir : {&whole, &newest_only}) {
    const Result<Lsn> lsn = first_append(dir->path(), posix_fs());
    ASSERT_TRUE(lsn.is_ok()) << lsn.error().to_string();
    EXPECT_EQ(*lsn, 4u) << dir->path();
  }
}

}  // namespace
}  // namespace wal
