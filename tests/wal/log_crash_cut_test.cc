// A batch is one record: cut the file anywhere inside it (a crash mid-write) and reopen, and
// the batch is recovered whole or not at all; the log then continues at the right LSN and the
// cut bytes never come back.
#include <gtest/gtest.h>

#include <filesystem>
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
using testutil::read_log;
using testutil::Seen;

TEST(CrashCutTest, BatchIsOneRecordRecoveredWholeOrNotAtAll) {
  const std::vector<std::string> batch = {std::string(300, 'a'), std::string(5, 'b'),
                                          std::string(700, 'c'), std::string(), "e"};
  std::vector<std::span<const std::byte>> spans;
  for (const std::string& entry : batch) spans.push_back(bytes_of(entry));
  const std::uint64_t batch_record = format::record_bytes(format::batch_payload_bytes(spans));

  // Cut points: just after the previous record, inside the header, inside the payload, one
  // byte short of the end, and the whole record present.
  for (std::uint64_t keep : {std::uint64_t{0}, std::uint64_t{20}, batch_record / 2,
                             batch_record - 1, batch_record}) {
    SCOPED_TRACE("bytes of the batch record kept: " + std::to_string(keep));
    testutil::TempDir dir;
    Options options;
    options.sync = SyncPolicy::kImmediate;
    std::vector<Seen> before;
    std::uint64_t batch_start = 0;
    const std::string segment = join_path(dir.sub("log"), recovery::segment_name(1));
    {
      Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
      ASSERT_TRUE(log.is_ok());
      for (int i = 1; i <= 3; ++i) {
        const std::string payload = "single " + std::to_string(i);
        ASSERT_TRUE((*log)->append(bytes_of(payload)).is_ok());
        before.push_back({static_cast<Lsn>(i), EntryType::kData, payload});
      }
      ASSERT_TRUE((*log)->close().is_ok());
      batch_start = std::filesystem::file_size(segment);  // closed: trimmed to the used size
    }
    {
      Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
      ASSERT_TRUE(log.is_ok());
      Result<LsnRange> range = (*log)->append_batch(spans);
      ASSERT_TRUE(range.is_ok());
      EXPECT_EQ(*range, (LsnRange{4, 8}));
      ASSERT_TRUE((*log)->close().is_ok());
      ASSERT_EQ(std::filesystem::file_size(segment), batch_start + batch_record)
          << "the batch is exactly one record";
    }
    std::filesystem::resize_file(segment, batch_start + keep);  // the crash

    Result<std::unique_ptr<Log>> reopened = Log::open(dir.sub("log"), options);
    ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
    std::vector<Seen> expected = before;
    if (keep == batch_record) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        expected.push_back({4 + i, EntryType::kBatch, batch[i]});
      }
    } else {
      EXPECT_EQ((*reopened)->recovery_report().last_good_lsn, 3u);
    }
    EXPECT_EQ(read_log(**reopened), expected);

    // LSNs continue after what was recovered, and the cut bytes cannot resurface.
    Result<Lsn> next = (*reopened)->append(bytes_of("next"));
    ASSERT_TRUE(next.is_ok());
    EXPECT_EQ(*next, expected.back().lsn + 1);
    expected.push_back({*next, EntryType::kData, "next"});
    ASSERT_TRUE((*reopened)->close().is_ok());
    Result<std::unique_ptr<Log>> again = Log::open(dir.sub("log"), options);
    ASSERT_TRUE(again.is_ok()) << again.status().to_string();
    EXPECT_TRUE((*again)->recovery_report().clean()) << (*again)->recovery_report().to_string();
    EXPECT_EQ(read_log(**again), expected);
  }
}

}  // namespace
}  // namespace wal
