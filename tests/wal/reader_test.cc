// The streaming reader: any start LSN, batches entry by entry, tailing up to the durable
// watermark across rotations, and damage reported with segment, offset and LSN.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <wal/log.h>
#include <wal/posix_fs.h>

#include "record_format.h"
#include "recovery.h"
#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace {

using testutil::bytes_of;
using testutil::read_all;
using testutil::read_log;
using testutil::Seen;

TEST(ReaderTest, StartsAtAnyLsnIncludingInsideABatch) {
  testutil::TempDir dir;
  Options options;
  options.sync = SyncPolicy::kNone;
  options.segment_bytes = 1024;  // several segments
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(log.is_ok());
  std::vector<Seen> all;
  for (int i = 0; i < 30; ++i) {
    const std::string payload = "entry-" + std::to_string(i) + std::string(i * 3, '+');
    if (i % 4 == 0) {
      const std::string second = payload + "/2";
      const std::span<const std::byte> entries[] = {bytes_of(payload), bytes_of(second)};
      Result<LsnRange> range = (*log)->append_batch(entries);
      ASSERT_TRUE(range.is_ok());
      all.push_back({range->first, EntryType::kBatch, payload});
      all.push_back({range->last, EntryType::kBatch, second});
    } else {
      Result<Lsn> lsn = (*log)->append(bytes_of(payload));
      ASSERT_TRUE(lsn.is_ok());
      all.push_back({*lsn, EntryType::kData, payload});
    }
  }
  ASSERT_TRUE((*log)->sync().is_ok());
  ASSERT_GT((*log)->metrics().rotations, 2u);
  for (Lsn from = 1; from <= all.size() + 1; ++from) {
    EXPECT_EQ(read_log(**log, from), std::vector<Seen>(all.begin() + (from - 1), all.end()))
        << "from " << from;
  }
}

TEST(ReaderTest, TailsNewEntriesOnlyOnceTheyAreDurable) {
  testutil::TempDir dir;
  Options options;
  options.sync = SyncPolicy::kNone;
  options.segment_bytes = 512;
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(log.is_ok());
  Result<std::unique_ptr<Reader>> reader = (*log)->reader(1);
  ASSERT_TRUE(reader.is_ok());
  EXPECT_TRUE(read_all(**reader).empty());

  Lsn next = 1;
  for (int round = 0; round < 6; ++round) {
    std::vector<Seen> appended;
    for (int i = 0; i < 3; ++i) {
      const std::string payload = "round " + std::to_string(round) + std::string(40, '.');
      ASSERT_TRUE((*log)->append(bytes_of(payload)).is_ok());
      appended.push_back({next++, EntryType::kData, payload});
    }
    // Appended, even handed to the OS, but not durable: invisible. (A rotation syncs the
    // finished segment, so later rounds may see some entries early, never past durable_lsn.)
    const std::vector<Seen> early = read_all(**reader);
    if (round == 0) {
      EXPECT_TRUE(early.empty());
    }
    for (const Seen& seen : early) EXPECT_LE(seen.lsn, (*log)->durable_lsn());
    ASSERT_TRUE((*log)->sync().is_ok());
    std::vector<Seen> seen = early;
    const std::vector<Seen> rest = read_all(**reader);
    seen.insert(seen.end(), rest.begin(), rest.end());
    EXPECT_EQ(seen, appended) << "round " << round;
  }
  EXPECT_GT((*log)->metrics().rotations, 0u);  // the tail crossed segments
}

TEST(ReaderTest, ReaderOfAClosedLogReadsToTheEnd) {
  testutil::TempDir dir;
  Options options;
  options.sync = SyncPolicy::kNone;
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(log.is_ok());
  ASSERT_TRUE((*log)->append(bytes_of("a")).is_ok());
  ASSERT_TRUE((*log)->append(bytes_of("b")).is_ok());
  Result<std::unique_ptr<Reader>> reader = (*log)->reader(1);
  ASSERT_TRUE(reader.is_ok());
  EXPECT_TRUE(read_all(**reader).empty());  // kNone: nothing durable yet
  ASSERT_TRUE((*log)->close().is_ok());
  log->reset();  // the reader outlives the log
  const std::vector<Seen> expected = {{1, EntryType::kData, "a"}, {2, EntryType::kData, "b"}};
  EXPECT_EQ(read_all(**reader), expected);
}

TEST(ReaderTest, DamageIsAnErrorNamingSegmentOffsetAndLsn) {
  testutil::TempDir dir;
  Options options;
  options.sync = SyncPolicy::kGrouped;
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(log.is_ok());
  const std::string payload(100, 'x');
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*log)->append(bytes_of(payload)).is_ok());

  // Flip one payload byte of LSN 5 behind the log's back (media corruption).
  const std::string name = recovery::segment_name(1);
  const std::uint64_t record = format::record_bytes(payload.size());
  const std::uint64_t offset = format::kSegmentHeaderBytes + 4 * record;
  {
    auto file = posix_fs().open(join_path(dir.sub("log"), name), OpenMode::kReadWrite);
    ASSERT_TRUE(file.is_ok());
    const std::byte flipped[] = {std::byte{'y'}};
    ASSERT_TRUE((*file)->write_at(offset + format::kRecordHeaderBytes + 10, flipped).is_ok());
  }
  Result<std::unique_ptr<Reader>> reader = (*log)->reader(1);
  ASSERT_TRUE(reader.is_ok());
  for (Lsn lsn = 1; lsn <= 4; ++lsn) {
    auto entry = (*reader)->next();
    ASSERT_TRUE(entry.is_ok() && entry->has_value());
    EXPECT_EQ((*entry)->lsn, lsn);
  }
  auto damaged = (*reader)->next();
  ASSERT_FALSE(damaged.is_ok());
  EXPECT_EQ(damaged.error().code(), Code::kCorruption);
  const std::string message = damaged.error().message();
  EXPECT_NE(message.find(name), std::string::npos) << message;
  EXPECT_NE(message.find("offset " + std::to_string(offset)), std::string::npos) << message;
  EXPECT_NE(message.find("lsn 5"), std::string::npos) << message;
}

// Salvage: in skip-corrupted mode recovery steps over damaged records; the reader must step over
// exactly those (not stop there, not skip anything else), whether the damage is a record in the
// middle of a segment, the last record of a segment, or a whole segment's header.
TEST(ReaderTest, SkipCorruptedReadsPastEveryRangeRecoverySkipped) {
  testutil::TempDir dir;
  const std::string path = dir.sub("log");
  Options options;
  options.sync = SyncPolicy::kImmediate;  // every entry durable: damage is never a torn tail
  options.segment_bytes = 1024;
  std::vector<Seen> all;
  {
    Result<std::unique_ptr<Log>> log = Log::open(path, options);
    ASSERT_TRUE(log.is_ok());
    for (int i = 0; i < 40; ++i) {
      const std::string payload = "entry-" + std::to_string(i) + std::string(40, 'x');
      Result<Lsn> lsn = (*log)->append(bytes_of(payload));
      ASSERT_TRUE(lsn.is_ok());
      all.push_back({*lsn, EntryType::kData, payload});
    }
    ASSERT_TRUE((*log)->close().is_ok());
  }
  Result<std::vector<std::string>> names = posix_fs().list(path);
  ASSERT_TRUE(names.is_ok());
  std::vector<std::string> segments;
  for (const std::string& name : *names) {
    Lsn first = kNoLsn;
    if (recovery::parse_segment_name(name, &first)) segments.push_back(name);
  }
  ASSERT_GE(segments.size(), 4u);
  auto flip = [&](const std::string& name, std::uint64_t offset) {
    Result<std::unique_ptr<File>> file = posix_fs().open(path + "/" + name, OpenMode::kReadWrite);
    ASSERT_TRUE(file.is_ok());
    std::byte b{};
    ASSERT_TRUE((*file)->read_at(offset, std::span(&b, 1)).is_ok());
    b ^= std::byte{0x10};
    ASSERT_TRUE((*file)->write_at(offset, std::span(&b, 1)).is_ok());
    ASSERT_TRUE((*file)->close().is_ok());
  };
  // A payload byte of the first record of segment 0, and a segment header in the middle.
  flip(segments[0], format::kSegmentHeaderBytes + format::kRecordHeaderBytes + 3);
  flip(segments[2], 20);

  options.recovery = RecoveryMode::kSkipCorrupted;
  Result<std::unique_ptr<Log>> log = Log::open(path, options);
  ASSERT_TRUE(log.is_ok()) << log.status().to_string();
  ASSERT_GE((*log)->recovery_report().damage.size(), 2u);
  const std::vector<Seen> read = read_log(**log);
  ASSERT_FALSE(read.empty());
  // Every entry read is one that was written, in order; only damaged ones are missing.
  std::size_t next = 0;
  for (const Seen& seen : read) {
    while (next < all.size() && all[next].lsn != seen.lsn) ++next;
    ASSERT_LT(next, all.size()) << "phantom or reordered entry at LSN " << seen.lsn;
    EXPECT_EQ(seen, all[next]);
  }
  EXPECT_EQ(read.back().lsn, all.back().lsn);
  EXPECT_EQ(read.size() + (*log)->recovery_report().records_skipped, all.size());
}

}  // namespace
}  // namespace wal
