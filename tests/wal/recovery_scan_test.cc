// recovery::scan, one test per decision, each in all four modes, checking the exact report
// (kind, segment, offset, LSN) and next_lsn. Segments are written byte by byte with the codec
// (testutil::SegmentBuilder) into a real directory and scanned through posix_fs().
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <wal/log.h>
#include <wal/posix_fs.h>

#include "recovery.h"
#include "testutil/segment_builder.h"
#include "testutil/temp_dir.h"

namespace wal::recovery {
namespace {

using testutil::SegmentBuilder;

constexpr std::uint64_t kLogSalt = 0xfeed'0000'0000'0001ull;
constexpr std::uint64_t kOldSalt = 0xdead'0000'0000'0002ull;
constexpr RecoveryMode kEveryMode[] = {RecoveryMode::kTolerateTail, RecoveryMode::kAbsolute,
                                       RecoveryMode::kPointInTime, RecoveryMode::kSkipCorrupted};

class RecoveryScan : public ::testing::Test {
 protected:
  SegmentBuilder segment(Lsn first_lsn, ChecksumKind kind = ChecksumKind::kCrc32c) {
    return SegmentBuilder(kind, kLogSalt, first_lsn);
  }
  void put(SegmentBuilder& seg) { testutil::write_file(dir_.sub(seg.name()), seg.bytes()); }
  void put_file(const std::string& name, std::span<const std::byte> bytes) {
    testutil::write_file(dir_.sub(name), bytes);
  }
  Result<ScanResult> scan_in(RecoveryMode mode) {
    Options options;
    options.recovery = mode;
    return scan(posix_fs(), dir_.path(), options);
  }
  // Scans in every mode.
  std::map<RecoveryMode, Result<ScanResult>> scan_all() {
    std::map<RecoveryMode, Result<ScanResult>> results;
    for (RecoveryMode mode : kEveryMode) results.emplace(mode, scan_in(mode));
    return results;
  }

  testutil::TempDir dir_;
};

// The message of a failed open names segment, offset and LSN.
void expect_fails_naming(const Result<ScanResult>& result, Code code, const std::string& segment,
                         std::uint64_t offset, Lsn lsn) {
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code(), code) << result.error().to_string();
  const std::string& message = result.error().message();
  EXPECT_NE(message.find(segment), std::string::npos) << message;
  EXPECT_NE(message.find("offset " + std::to_string(offset)), std::string::npos) << message;
  EXPECT_NE(message.find("LSN " + std::to_string(lsn)), std::string::npos) << message;
}

void expect_damage(const DamagedRange& range, DamageKind kind, const std::string& segment,
                   std::uint64_t offset, Lsn lsn) {
  EXPECT_EQ(range.kind, kind) << to_string(range.kind) << ": " << range.reason;
  EXPECT_EQ(range.segment, segment);
  EXPECT_EQ(range.offset, offset);
  EXPECT_EQ(range.lsn, lsn);
  EXPECT_FALSE(range.reason.empty());
}

TEST_F(RecoveryScan, CleanLogOpensInEveryModeAtTheNextLsn) {
  SegmentBuilder first = segment(1);
  first.data("a").data("b", 1).batch({"c", "d", "e"}, 2);
  SegmentBuilder second = segment(6, ChecksumKind::kXxh3);
  second.checkpoint("ck", 5).data("f", 5).zeros(4096);
  put(first);
  put(second);
  for (auto& [mode, result] : scan_all()) {
    ASSERT_TRUE(result.is_ok()) << to_string(mode) << ": " << result.error().to_string();
    const ScanResult& scanned = *result;
    EXPECT_TRUE(scanned.report.clean()) << scanned.report.to_string();
    EXPECT_FALSE(scanned.empty);
    EXPECT_EQ(scanned.next_lsn, 8u);
    EXPECT_EQ(scanned.report.segments_scanned, 2u);
    EXPECT_EQ(scanned.report.first_lsn, 1u);
    EXPECT_EQ(scanned.report.last_good_lsn, 7u);
    EXPECT_EQ(scanned.report.checkpoint_lsn, 6u);
    EXPECT_EQ(scanned.report.records_recovered, 5u);
    ASSERT_EQ(scanned.segments.size(), 2u);
    EXPECT_EQ(scanned.segments[0].last_lsn, 5u);
    EXPECT_EQ(scanned.segments[0].end_offset, first.end_offset());
    EXPECT_EQ(scanned.segments[1].first_lsn, 6u);
    EXPECT_EQ(scanned.segments[1].end_offset, second.end_offset());
    EXPECT_EQ(scanned.segments[1].file_bytes, second.bytes().size());
    EXPECT_EQ(scanned.segments[1].checkpoints, std::vector<Lsn>{6});
    EXPECT_EQ(scanned.header.checksum, ChecksumKind::kXxh3);
    EXPECT_EQ(scanned.header.salt, kLogSalt);
    EXPECT_TRUE(scanned.leftovers.empty());
  }
}

TEST_F(RecoveryScan, EmptyDirectoryIsANewLog) {
  for (auto& [mode, result] : scan_all()) {
    ASSERT_TRUE(result.is_ok());
    EXPECT_TRUE(result->empty);
    EXPECT_EQ(result->next_lsn, 1u);
    EXPECT_TRUE(result->report.clean());
  }
}

TEST_F(RecoveryScan, MissingDirectoryIsNotFound) {
  Options options;
  const Result<ScanResult> result = scan(posix_fs(), dir_.sub("nope"), options);
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.error().code(), Code::kNotFound);
}

TEST_F(RecoveryScan, HeaderOnlySegmentContinuesAtItsFirstLsn) {
  SegmentBuilder seg = segment(42);
  seg.zeros(8192);
  put(seg);
  for (auto& [mode, result] : scan_all()) {
    ASSERT_TRUE(result.is_ok()) << to_string(mode);
    EXPECT_TRUE(result->report.clean());
    EXPECT_EQ(result->next_lsn, 42u);
    ASSERT_EQ(result->segments.size(), 1u);
    EXPECT_EQ(result->segments[0].last_lsn, 41u);
    EXPECT_EQ(result->segments[0].end_offset, format::kSegmentHeaderBytes);
  }
}

TEST_F(RecoveryScan, TornTailIsCutExceptInAbsolute) {
  SegmentBuilder seg = segment(1);
  seg.data("one").data("two", 1).data("three", 2).data(std::string(200, 'x'), 2);
  const std::size_t torn_at = seg.record_offset(3);
  // The last write reached the disk only in part: its second half reads as zeros.
  testutil::zero_range(seg.bytes(), torn_at + 100, seg.bytes().size() - torn_at - 100);
  seg.zeros(1024);
  put(seg);
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kAbsolute), Code::kCorruption, seg.name(), torn_at, 4);
  for (RecoveryMode mode : {RecoveryMode::kTolerateTail, RecoveryMode::kPointInTime,
                            RecoveryMode::kSkipCorrupted}) {
    const Result<ScanResult>& result = results.at(mode);
    ASSERT_TRUE(result.is_ok()) << to_string(mode) << ": " << result.error().to_string();
    EXPECT_EQ(result->next_lsn, 4u);
    EXPECT_TRUE(result->report.torn_tail);
    EXPECT_EQ(result->report.last_good_lsn, 3u);
    EXPECT_EQ(result->report.bytes_cut, 104u);  // the torn record's bytes that were written
    ASSERT_EQ(result->report.damage.size(), 1u);
    expect_damage(result->report.damage[0], DamageKind::kTornTail, seg.name(), torn_at, 4);
    ASSERT_EQ(result->segments.size(), 1u);
    EXPECT_EQ(result->segments[0].end_offset, torn_at);
    EXPECT_TRUE(result->leftovers.empty());
  }
}

TEST_F(RecoveryScan, RecordRunningPastTheEndOfFileIsATornTail) {
  SegmentBuilder seg = segment(1);
  seg.data("one").data(std::string(500, 'y'));
  const std::size_t torn_at = seg.record_offset(1);
  testutil::truncate_to(seg.bytes(), torn_at + 60);  // no preallocation: the file just ends
  put(seg);
  const Result<ScanResult> result = scan_in(RecoveryMode::kTolerateTail);
  ASSERT_TRUE(result.is_ok()) << result.error().to_string();
  EXPECT_EQ(result->next_lsn, 2u);
  ASSERT_EQ(result->report.damage.size(), 1u);
  expect_damage(result->report.damage[0], DamageKind::kTornTail, seg.name(), torn_at, 2);
}

TEST_F(RecoveryScan, LostWriteBeforeUnprovenRecordsIsStillATail) {
  // Writeback reordered: LSN 2 never reached the disk, LSNs 3 and 4 did; nothing had been
  // synced past LSN 1, so nothing durable is lost.
  SegmentBuilder seg = segment(1);
  seg.data("one").data("two", 1).data("three", 1).data("four", 1).zeros(512);
  const std::size_t hole = seg.record_offset(1);
  testutil::zero_range(seg.bytes(), hole, seg.record_offset(2) - hole);
  put(seg);
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kAbsolute), Code::kCorruption, seg.name(), hole, 2);
  for (RecoveryMode mode : {RecoveryMode::kTolerateTail, RecoveryMode::kPointInTime,
                            RecoveryMode::kSkipCorrupted}) {
    const Result<ScanResult>& result = results.at(mode);
    ASSERT_TRUE(result.is_ok()) << to_string(mode) << ": " << result.error().to_string();
    EXPECT_EQ(result->next_lsn, 2u);
    EXPECT_TRUE(result->report.torn_tail);
    EXPECT_EQ(result->report.bytes_cut, seg.end_offset() - hole);
    ASSERT_EQ(result->report.damage.size(), 1u);
    expect_damage(result->report.damage[0], DamageKind::kTornTail, seg.name(), hole, 2);
    EXPECT_NE(result->report.damage[0].reason.find("(LSNs 3..4) discarded"), std::string::npos)
        << result->report.damage[0].reason;
  }
}

TEST_F(RecoveryScan, DamageProvenDurableIsCorruption) {
  SegmentBuilder seg = segment(1);
  seg.data("one").data("two", 1).data("three", 2).data("four", 3).data("five", 4).zeros(512);
  const std::size_t damaged = seg.record_offset(2);
  testutil::flip_byte(seg.bytes(), damaged + format::kRecordHeaderBytes + 1);
  put(seg);
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kAbsolute), Code::kCorruption, seg.name(), damaged, 3);
  expect_fails_naming(results.at(RecoveryMode::kTolerateTail), Code::kCorruption, seg.name(), damaged, 3);
  EXPECT_NE(results.at(RecoveryMode::kTolerateTail).error().message().find("durable"),
            std::string::npos);

  const Result<ScanResult>& point = results.at(RecoveryMode::kPointInTime);
  ASSERT_TRUE(point.is_ok()) << point.error().to_string();
  EXPECT_EQ(point->next_lsn, 3u);
  EXPECT_FALSE(point->report.torn_tail);
  ASSERT_EQ(point->report.damage.size(), 1u);
  expect_damage(point->report.damage[0], DamageKind::kBadChecksum, seg.name(), damaged, 3);
  EXPECT_EQ(point->segments[0].end_offset, damaged);

  const Result<ScanResult>& skip = results.at(RecoveryMode::kSkipCorrupted);
  ASSERT_TRUE(skip.is_ok()) << skip.error().to_string();
  EXPECT_EQ(skip->next_lsn, 6u);
  EXPECT_EQ(skip->report.records_skipped, 1u);
  EXPECT_EQ(skip->report.records_recovered, 4u);
  EXPECT_FALSE(skip->report.torn_tail);
  ASSERT_EQ(skip->report.damage.size(), 1u);
  expect_damage(skip->report.damage[0], DamageKind::kBadChecksum, seg.name(), damaged, 3);
  EXPECT_EQ(skip->report.damage[0].length, seg.record_offset(3) - damaged);
  EXPECT_EQ(skip->segments[0].end_offset, seg.end_offset());
}

TEST_F(RecoveryScan, DamageInAnEarlierSegmentFollowedByDataIsCorruption) {
  SegmentBuilder first = segment(1);
  first.data("one").data("two").data("three").zeros(256);
  const std::size_t damaged = first.record_offset(2);
  testutil::flip_byte(first.bytes(), damaged + 2);  // header checksum
  SegmentBuilder second = segment(4);
  second.data("four").data("five");  // durable hints prove nothing: only the segment order does
  put(first);
  put(second);
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kAbsolute), Code::kCorruption, first.name(), damaged, 3);
  expect_fails_naming(results.at(RecoveryMode::kTolerateTail), Code::kCorruption, first.name(), damaged, 3);

  const Result<ScanResult>& point = results.at(RecoveryMode::kPointInTime);
  ASSERT_TRUE(point.is_ok());
  EXPECT_EQ(point->next_lsn, 3u);
  ASSERT_EQ(point->segments.size(), 1u);
  EXPECT_EQ(point->leftovers, std::vector<std::string>{second.name()});
  ASSERT_EQ(point->report.damage.size(), 1u);
  expect_damage(point->report.damage[0], DamageKind::kBadChecksum, first.name(), damaged, 3);

  const Result<ScanResult>& skip = results.at(RecoveryMode::kSkipCorrupted);
  ASSERT_TRUE(skip.is_ok());
  EXPECT_EQ(skip->next_lsn, 6u);
  EXPECT_EQ(skip->report.records_skipped, 1u);
  ASSERT_EQ(skip->segments.size(), 2u);
  EXPECT_EQ(skip->segments[0].end_offset, damaged);
  ASSERT_EQ(skip->report.damage.size(), 1u);
  expect_damage(skip->report.damage[0], DamageKind::kBadChecksum, first.name(), damaged, 3);
}

TEST_F(RecoveryScan, SkipCorruptedNeverCutsAwayTheProofOfAnEarlierSkip) {
  // LSN 3 damaged, proven durable only by LSN 6's durable_hint; LSN 5 damaged too, and nothing
  // proves it. Cutting at LSN 5 would drop LSN 6, the proof: a second recovery would then take
  // LSN 3 for the tail and lose LSN 4, which the first kept. (Swarm seed 5500.)
  SegmentBuilder seg = segment(1);
  seg.data("one").data("two", 1).data("three", 2).data("four", 2).data("five", 3).data("six", 4);
  seg.zeros(256);
  const std::size_t first_damage = seg.record_offset(2);
  const std::size_t second_damage = seg.record_offset(4);
  testutil::flip_byte(seg.bytes(), first_damage + format::kRecordHeaderBytes + 1);
  testutil::flip_byte(seg.bytes(), second_damage + format::kRecordHeaderBytes + 1);
  put(seg);
  const Result<ScanResult> first = scan_in(RecoveryMode::kSkipCorrupted);
  ASSERT_TRUE(first.is_ok()) << first.error().to_string();
  EXPECT_EQ(first->next_lsn, 7u);
  EXPECT_EQ(first->report.records_recovered, 4u);
  EXPECT_EQ(first->report.records_skipped, 2u);
  EXPECT_FALSE(first->report.torn_tail);
  ASSERT_EQ(first->report.damage.size(), 2u);
  expect_damage(first->report.damage[0], DamageKind::kBadChecksum, seg.name(), first_damage, 3);
  expect_damage(first->report.damage[1], DamageKind::kBadChecksum, seg.name(), second_damage, 5);
  ASSERT_EQ(first->segments.size(), 1u);
  EXPECT_EQ(first->segments[0].end_offset, seg.end_offset());

  // What a writable open does with the result: truncate the segment where the log goes on.
  // Recovering again must give the same log.
  put_file(seg.name(), std::span(seg.bytes()).first(first->segments[0].end_offset));
  const Result<ScanResult> second = scan_in(RecoveryMode::kSkipCorrupted);
  ASSERT_TRUE(second.is_ok()) << second.error().to_string();
  EXPECT_EQ(second->next_lsn, first->next_lsn);
  EXPECT_EQ(second->report.records_recovered, first->report.records_recovered);
  EXPECT_EQ(second->segments[0].end_offset, first->segments[0].end_offset);
}

TEST_F(RecoveryScan, TornEndOfASegmentFollowedOnlyByAnEmptySegmentIsATail) {
  // The writer rotated; the old segment's last write and the new segment's records were lost.
  SegmentBuilder first = segment(1);
  first.data("one").data("two").data("three").zeros(128);
  const std::size_t torn_at = first.record_offset(2);
  testutil::flip_byte(first.bytes(), torn_at + format::kRecordHeaderBytes);
  SegmentBuilder second = segment(4);
  second.zeros(1024);
  put(first);
  put(second);
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kAbsolute), Code::kCorruption, first.name(), torn_at, 3);
  for (RecoveryMode mode : {RecoveryMode::kTolerateTail, RecoveryMode::kPointInTime,
                            RecoveryMode::kSkipCorrupted}) {
    const Result<ScanResult>& result = results.at(mode);
    ASSERT_TRUE(result.is_ok()) << to_string(mode) << ": " << result.error().to_string();
    EXPECT_EQ(result->next_lsn, 3u);
    EXPECT_TRUE(result->report.torn_tail);
    ASSERT_EQ(result->segments.size(), 1u);
    EXPECT_EQ(result->segments[0].end_offset, torn_at);
    EXPECT_EQ(result->leftovers, std::vector<std::string>{second.name()});
    ASSERT_EQ(result->report.damage.size(), 1u);
    expect_damage(result->report.damage[0], DamageKind::kTornTail, first.name(), torn_at, 3);
  }
}

TEST_F(RecoveryScan, IntactRecordWithAnUnexpectedLsnIsStale) {
  SegmentBuilder seg = segment(1);
  seg.data("one").data("two", 1).data("old two", 1, /*lsn=*/2).data("three", 2, /*lsn=*/3).data("four", 3);
  const std::size_t stale_at = seg.record_offset(2);
  put(seg);
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kTolerateTail), Code::kCorruption, seg.name(), stale_at, 3);
  EXPECT_NE(results.at(RecoveryMode::kTolerateTail).error().message().find("LSN 2 where LSN 3"),
            std::string::npos);
  const Result<ScanResult>& skip = results.at(RecoveryMode::kSkipCorrupted);
  ASSERT_TRUE(skip.is_ok());
  EXPECT_EQ(skip->next_lsn, 5u);
  EXPECT_EQ(skip->report.records_skipped, 0u);  // nothing lost: only a stray record skipped
  expect_damage(skip->report.damage.at(0), DamageKind::kStaleRecord, seg.name(), stale_at, 3);
}

TEST_F(RecoveryScan, ZeroedHeaderOfTheLastSegmentIsCutAsATail) {
  SegmentBuilder first = segment(1);
  first.data("one").data("two").data("three");
  put(first);
  put_file(segment_name(4), testutil::Bytes(4096));
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kAbsolute), Code::kCorruption, segment_name(4), 0, 4);
  for (RecoveryMode mode : {RecoveryMode::kTolerateTail, RecoveryMode::kPointInTime,
                            RecoveryMode::kSkipCorrupted}) {
    const Result<ScanResult>& result = results.at(mode);
    ASSERT_TRUE(result.is_ok()) << to_string(mode) << ": " << result.error().to_string();
    EXPECT_EQ(result->next_lsn, 4u);
    EXPECT_TRUE(result->report.torn_tail);
    EXPECT_EQ(result->leftovers, std::vector<std::string>{segment_name(4)});
    ASSERT_EQ(result->segments.size(), 1u);
    ASSERT_EQ(result->report.damage.size(), 1u);
    expect_damage(result->report.damage[0], DamageKind::kBadSegmentHeader, segment_name(4), 0, 4);
  }
}

TEST_F(RecoveryScan, EmptyFinalSegmentFileIsReportedNotACrash) {
  SegmentBuilder first = segment(1);
  first.data("one");
  put(first);
  put_file(segment_name(2), {});
  const Result<ScanResult> result = scan_in(RecoveryMode::kTolerateTail);
  ASSERT_TRUE(result.is_ok());
  EXPECT_EQ(result->next_lsn, 2u);
  ASSERT_EQ(result->report.damage.size(), 1u);
  expect_damage(result->report.damage[0], DamageKind::kBadSegmentHeader, segment_name(2), 0, 2);
  EXPECT_NE(result->report.damage[0].reason.find("empty"), std::string::npos);
}

TEST_F(RecoveryScan, DamagedSegmentHeaderOverRecordsIsCorruption) {
  SegmentBuilder first = segment(1);
  first.data("one");
  SegmentBuilder second = segment(2);
  second.data("two").data("three");
  testutil::flip_byte(second.bytes(), 20);  // inside the salt: header crc fails
  put(first);
  put(second);
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kTolerateTail), Code::kCorruption, second.name(), 0, 2);
  expect_fails_naming(results.at(RecoveryMode::kAbsolute), Code::kCorruption, second.name(), 0, 2);
  const Result<ScanResult>& point = results.at(RecoveryMode::kPointInTime);
  ASSERT_TRUE(point.is_ok());
  EXPECT_EQ(point->next_lsn, 2u);
  expect_damage(point->report.damage.at(0), DamageKind::kBadSegmentHeader, second.name(), 0, 2);
  const Result<ScanResult>& skip = results.at(RecoveryMode::kSkipCorrupted);
  ASSERT_TRUE(skip.is_ok());
  EXPECT_EQ(skip->next_lsn, 2u);  // nothing after it to resume from
  expect_damage(skip->report.damage.at(0), DamageKind::kBadSegmentHeader, second.name(), 0, 2);
}

TEST_F(RecoveryScan, StaleRecordsOfAnOlderSaltAreCutAsTail) {
  SegmentBuilder seg = segment(1);
  seg.data("one").data("two");
  const std::size_t stale_at = seg.bytes().size();
  // Bytes a previous incarnation of the log left in a reused file: intact, but another salt.
  SegmentBuilder old(ChecksumKind::kCrc32c, kOldSalt, 3);
  old.data("three-old").data("four-old");
  seg.raw(std::span(old.bytes()).subspan(format::kSegmentHeaderBytes));
  put(seg);
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kAbsolute), Code::kCorruption, seg.name(), stale_at, 3);
  EXPECT_NE(results.at(RecoveryMode::kAbsolute).error().message().find("stale-record"),
            std::string::npos);
  for (RecoveryMode mode : {RecoveryMode::kTolerateTail, RecoveryMode::kPointInTime,
                            RecoveryMode::kSkipCorrupted}) {
    const Result<ScanResult>& result = results.at(mode);
    ASSERT_TRUE(result.is_ok()) << to_string(mode);
    EXPECT_EQ(result->next_lsn, 3u);
    EXPECT_EQ(result->report.records_recovered, 2u);
    ASSERT_EQ(result->report.damage.size(), 1u);
    expect_damage(result->report.damage[0], DamageKind::kTornTail, seg.name(), stale_at, 3);
    EXPECT_NE(result->report.damage[0].reason.find("salt"), std::string::npos);
  }
}

TEST_F(RecoveryScan, SegmentOfAnotherLogIsStale) {
  SegmentBuilder first = segment(1);
  first.data("one");
  SegmentBuilder foreign(ChecksumKind::kCrc32c, kOldSalt, 2);
  foreign.data("two");
  put(first);
  put(foreign);
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kAbsolute), Code::kCorruption, foreign.name(), 0, 2);
  const Result<ScanResult>& tolerate = results.at(RecoveryMode::kTolerateTail);
  ASSERT_TRUE(tolerate.is_ok());
  EXPECT_EQ(tolerate->next_lsn, 2u);
  EXPECT_EQ(tolerate->leftovers, std::vector<std::string>{foreign.name()});
  expect_damage(tolerate->report.damage.at(0), DamageKind::kStaleRecord, foreign.name(), 0, 2);
}

TEST_F(RecoveryScan, MissingSegmentBetweenSegmentsIsCorruption) {
  SegmentBuilder first = segment(1);
  first.data("1").data("2").data("3");
  SegmentBuilder third = segment(6);
  third.data("6").data("7");
  put(first);
  put(third);
  auto results = scan_all();
  expect_fails_naming(results.at(RecoveryMode::kAbsolute), Code::kCorruption, third.name(), 0, 4);
  expect_fails_naming(results.at(RecoveryMode::kTolerateTail), Code::kCorruption, third.name(), 0, 4);
  const Result<ScanResult>& point = results.at(RecoveryMode::kPointInTime);
  ASSERT_TRUE(point.is_ok());
  EXPECT_EQ(point->next_lsn, 4u);
  EXPECT_EQ(point->leftovers, std::vector<std::string>{third.name()});
  expect_damage(point->report.damage.at(0), DamageKind::kMissingSegment, third.name(), 0, 4);
  const Result<ScanResult>& skip = results.at(RecoveryMode::kSkipCorrupted);
  ASSERT_TRUE(skip.is_ok());
  EXPECT_EQ(skip->next_lsn, 8u);
  EXPECT_EQ(skip->report.records_skipped, 2u);
  EXPECT_EQ(skip->segments.size(), 2u);
  expect_damage(skip->report.damage.at(0), DamageKind::kMissingSegment, third.name(), 0, 4);
}

TEST_F(RecoveryScan, LeftoverTempFilesNeverBlockOpening) {
  SegmentBuilder seg = segment(1);
  seg.data("one");
  put(seg);
  put_file(segment_name(2) + ".tmp", testutil::as_bytes("half a header"));
  put_file("FRONT.tmp", testutil::as_bytes("x"));
  put_file("LOCK", {});
  put_file("README.txt", testutil::as_bytes("not ours"));
  for (auto& [mode, result] : scan_all()) {
    ASSERT_TRUE(result.is_ok()) << to_string(mode) << ": " << result.error().to_string();
    EXPECT_TRUE(result->report.clean());
    EXPECT_EQ(result->next_lsn, 2u);
    EXPECT_EQ(result->leftovers, (std::vector<std::string>{segment_name(2) + ".tmp", "FRONT.tmp"}));
  }
}

TEST_F(RecoveryScan, SegmentsWhollyBelowTheFrontMarkerAreLeftovers) {
  SegmentBuilder a = segment(1);
  a.data("1").data("2").data("3");
  SegmentBuilder b = segment(4);
  b.data("4").data("5").data("6");
  SegmentBuilder c = segment(7);
  c.data("7").data("8");
  put(a);
  put(b);
  put(c);
  put_file(std::string(kFrontMarkerName), encode_front_marker(5));
  for (auto& [mode, result] : scan_all()) {
    ASSERT_TRUE(result.is_ok()) << to_string(mode) << ": " << result.error().to_string();
    EXPECT_TRUE(result->report.clean());
    EXPECT_EQ(result->leftovers, std::vector<std::string>{a.name()});
    ASSERT_EQ(result->segments.size(), 2u);
    EXPECT_EQ(result->segments[0].name, b.name());
    EXPECT_EQ(result->report.first_lsn, 5u);
    EXPECT_EQ(result->next_lsn, 9u);
  }
}

TEST_F(RecoveryScan, GapBelowTheFrontIsExpected) {
  // truncate_front(7) deleted 00..04 but not yet 00..01 when the process died.
  SegmentBuilder a = segment(1);
  a.data("1").data("2").data("3");
  SegmentBuilder c = segment(7);
  c.data("7").data("8");
  put(a);
  put(c);
  put_file(std::string(kFrontMarkerName), encode_front_marker(7));
  for (auto& [mode, result] : scan_all()) {
    ASSERT_TRUE(result.is_ok()) << to_string(mode) << ": " << result.error().to_string();
    EXPECT_TRUE(result->report.clean());
    EXPECT_EQ(result->leftovers, std::vector<std::string>{a.name()});
    EXPECT_EQ(result->report.first_lsn, 7u);
    EXPECT_EQ(result->next_lsn, 9u);
  }
}

// Version 2 changed the directory protocol, not the bytes (wal/FORMAT.md 8): a log written by a
// version-1 release, or one mixing both, reads as it always did.
TEST_F(RecoveryScan, VersionOneSegmentsStillRead) {
  SegmentBuilder first = segment(1);
  first.data("a").data("b", 1);
  testutil::set_u32(first.bytes(), 8, 1);
  testutil::reseal_segment_header(first.bytes());
  SegmentBuilder second = segment(3);
  second.data("c", 2);
  put(first);
  put(second);
  for (auto& [mode, result] : scan_all()) {
    ASSERT_TRUE(result.is_ok()) << to_string(mode) << ": " << result.error().to_string();
    EXPECT_TRUE(result->report.clean()) << result->report.to_string();
    EXPECT_EQ(result->next_lsn, 4u);
  }
}

TEST_F(RecoveryScan, FutureFormatVersionIsUnsupportedNamingFileAndVersion) {
  SegmentBuilder seg = segment(1);
  seg.data("one");
  testutil::set_u32(seg.bytes(), 8, format::kFormatVersion + 1);
  testutil::reseal_segment_header(seg.bytes());  // as a newer release would write it
  put(seg);
  for (auto& [mode, result] : scan_all()) {
    ASSERT_FALSE(result.is_ok());
    EXPECT_EQ(result.error().code(), Code::kUnsupported);
    EXPECT_NE(result.error().message().find(seg.name()), std::string::npos);
    const std::string version = "version " + std::to_string(format::kFormatVersion + 1);
    EXPECT_NE(result.error().message().find(version), std::string::npos)
        << result.error().message();
  }
}

TEST_F(RecoveryScan, RecordLargerThanTheReadChunkIsRecovered) {
  SegmentBuilder seg = segment(1);
  const std::string big(3u << 20, 'b');
  seg.data("small").data(big).data("after");
  put(seg);
  Options options;
  options.max_entry_bytes = 4u << 20;
  const Result<ScanResult> result = scan(posix_fs(), dir_.path(), options);
  ASSERT_TRUE(result.is_ok()) << result.error().to_string();
  EXPECT_TRUE(result->report.clean());
  EXPECT_EQ(result->next_lsn, 4u);
}

TEST_F(RecoveryScan, ReportRendersEveryDamagedRange) {
  SegmentBuilder seg = segment(1);
  seg.data("one").data("two");
  testutil::flip_byte(seg.bytes(), seg.record_offset(1) + 3);
  put(seg);
  const Result<ScanResult> result = scan_in(RecoveryMode::kTolerateTail);
  ASSERT_TRUE(result.is_ok());
  const std::string text = result->report.to_string();
  EXPECT_NE(text.find("torn-tail"), std::string::npos) << text;
  EXPECT_NE(text.find(seg.name()), std::string::npos) << text;
  EXPECT_NE(text.find("offset " + std::to_string(seg.record_offset(1))), std::string::npos) << text;
}

TEST_F(RecoveryScan, VerifyReportsDamageAndNeverWrites) {
  SegmentBuilder seg = segment(1);
  seg.data("one").data("two", 1).zeros(64);
  testutil::flip_byte(seg.bytes(), seg.record_offset(1) + 1);
  put(seg);
  put_file("leftover.tmp", testutil::as_bytes("x"));
  Options options;
  const Result<RecoveryReport> report = verify(posix_fs(), dir_.path(), options);
  ASSERT_TRUE(report.is_ok()) << report.error().to_string();
  EXPECT_TRUE(report->torn_tail);
  ASSERT_EQ(report->damage.size(), 1u);
  EXPECT_EQ(report->damage[0].offset, seg.record_offset(1));
  options.recovery = RecoveryMode::kAbsolute;
  EXPECT_EQ(verify(posix_fs(), dir_.path(), options).status().code(), Code::kCorruption);
  EXPECT_EQ(testutil::read_file(dir_.sub(seg.name())), seg.bytes());
  EXPECT_EQ(testutil::read_file(dir_.sub("leftover.tmp")).size(), 1u);
}

}  // namespace
}  // namespace wal::recovery
