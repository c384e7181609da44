// A log whose every segment is damaged from its header on keeps nothing: it starts over. It
// starts past every LSN a segment's name shows was handed out (not at the oldest name, which
// handed LSNs 1.. out a second time), and its repair is crash-consistent: the new segment is
// renamed over the newest one before the older ones are unlinked, so every image a power loss
// in the repair can leave recovers to the same (swarm media seeds 3085375, 3113139, 3119650,
// 3123514: an interrupted repair left only the older name, and the next recovery went back to
// it; 3018379, 3044004: it left an intact later segment alone, and the next recovery kept it).
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

// The new segment 4 is renamed into place before segment 1 is unlinked, and segment 4 itself is
// never unlinked.
void expect_renamed_before_unlinked(const std::vector<std::string>& ops,
                                    const testutil::TempDir& dir) {
  const std::string newest = dir.sub(recovery::segment_name(4));
  const auto renamed = std::find(ops.begin(), ops.end(), "rename " + newest + ".tmp -> " + newest);
  const auto unlinked = std::find(ops.begin(), ops.end(),
                                  "unlink " + dir.sub(recovery::segment_name(1)));
  ASSERT_NE(renamed, ops.end());
  ASSERT_NE(unlinked, ops.end());
  EXPECT_LT(renamed - ops.begin(), unlinked - ops.begin());
  EXPECT_EQ(std::find(ops.begin(), ops.end(), "unlink " + newest), ops.end());
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

// The decision is the rename of the new segment over the newest one; the segments the scan gave
// up are unlinked only after it, and the newest is never unlinked.
TEST(RecoveryNothingKept, TheRepairRenamesTheNewSegmentBeforeItUnlinksTheOldOnes) {
  testutil::TempDir dir;
  damaged_log(dir);
  testutil::CountingFs fs(posix_fs());
  const Result<Lsn> lsn = first_append(dir.path(), fs);
  ASSERT_TRUE(lsn.is_ok()) << lsn.error().to_string();
  EXPECT_EQ(*lsn, 4u);
  expect_renamed_before_unlinked(fs.name_ops(), dir);
  EXPECT_FALSE(std::filesystem::exists(dir.sub(recovery::segment_name(1))));
}

// Segment 1 damaged, segment 4 intact: point-in-time keeps nothing (the damage comes first).
// Had the repair unlinked segment 1 first, a crash could leave segment 4 alone, and the next
// recovery would keep LSNs 4..5 that this one gave up (swarm media seed 3044004).
TEST(RecoveryNothingKept, AnIntactLaterSegmentIsGivenUpBeforeTheOlderOneGoes) {
  testutil::TempDir dir;
  std::vector<SegmentBuilder> segments = damaged_log(dir);
  testutil::write_file(dir.sub(segments[1].name()), SegmentBuilder(ChecksumKind::kCrc32c, kSalt, 4)
                                                        .data("d")
                                                        .data("e")
                                                        .bytes());
  testutil::CountingFs fs(posix_fs());
  const Result<Lsn> lsn = first_append(dir.path(), fs);
  ASSERT_TRUE(lsn.is_ok()) << lsn.error().to_string();
  EXPECT_EQ(*lsn, 4u);
  expect_renamed_before_unlinked(fs.name_ops(), dir);
}

// Segment 1 damaged, segments 4 and 6 intact: the new segment replaces 6, and 4 goes before 1.
// Had 1 gone first, a crash could leave 4 beside the new 6, and the next recovery would keep
// LSNs 4..5 that this one gave up (swarm media seed 40386).
TEST(RecoveryNothingKept, TheGivenUpSegmentsGoNewestFirst) {
  testutil::TempDir dir;
  damaged_log(dir);
  testutil::write_file(dir.sub(recovery::segment_name(4)),
                       SegmentBuilder(ChecksumKind::kCrc32c, kSalt, 4).data("d").data("e").bytes());
  testutil::write_file(dir.sub(recovery::segment_name(6)),
                       SegmentBuilder(ChecksumKind::kCrc32c, kSalt, 6).data("f").bytes());
  testutil::CountingFs fs(posix_fs());
  const Result<Lsn> lsn = first_append(dir.path(), fs);
  ASSERT_TRUE(lsn.is_ok()) << lsn.error().to_string();
  EXPECT_EQ(*lsn, 6u);
  const std::vector<std::string> ops = fs.name_ops();
  const auto unlinked = [&](Lsn first) {
    return std::find(ops.begin(), ops.end(), "unlink " + dir.sub(recovery::segment_name(first))) -
           ops.begin();
  };
  ASSERT_LT(unlinked(4), static_cast<std::ptrdiff_t>(ops.size()));
  ASSERT_LT(unlinked(1), static_cast<std::ptrdiff_t>(ops.size()));
  EXPECT_LT(unlinked(4), unlinked(1));
}

// What a crash in the repair can leave: the whole damaged log (before the rename), or the new
// segment 4 beside what remains of segment 1 (after it): all go on at LSN 4. (Before, the
// damaged log went on at 1, and segment 4 alone at 4.)
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
