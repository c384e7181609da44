// The spare segment under real threads (run under TSan by `make test-tsan`): appenders rotate
// through many small segments while Log's background thread prepares the next one, outside the
// mutex; every acknowledged entry is read back after a reopen, in LSN order, and both kinds of
// rotation (onto a spare, inline when the preparation lags) may happen.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <wal/log.h>

#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace {

using testutil::bytes_of;

TEST(SpareConcurrentTest, AppendersRotateWhileTheSpareIsPreparedAndNothingIsLost) {
  testutil::TempDir dir;
  Options options;
  options.sync = SyncPolicy::kGrouped;
  options.segment_bytes = 8 << 10;  // a rotation every ~55 entries
  options.buffer_bytes = 4 << 10;
  constexpr int kAppenders = 4;
  constexpr int kPerThread = 300;
  std::mutex mutex;
  std::vector<std::pair<Lsn, std::string>> acknowledged;
  MetricsSnapshot metrics;
  {
    Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
    ASSERT_TRUE(log.is_ok()) << log.status().to_string();
    std::vector<std::thread> threads;
    for (int t = 0; t < kAppenders; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string payload = std::to_string(t) + "/" + std::to_string(i) + std::string(80, 'x');
          Result<Lsn> lsn = (*log)->append(bytes_of(payload));
          ASSERT_TRUE(lsn.is_ok()) << lsn.status().to_string();
          std::lock_guard<std::mutex> lock(mutex);
          acknowledged.emplace_back(*lsn, std::move(payload));
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    metrics = (*log)->metrics();
    ASSERT_TRUE((*log)->close().is_ok());
  }
  EXPECT_GE(metrics.rotations, 10u);
  EXPECT_GE(metrics.segments_prepared, 1u);
  std::sort(acknowledged.begin(), acknowledged.end());

  Result<std::unique_ptr<Log>> reopened = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
  const std::vector<testutil::Seen> seen = testutil::read_log(**reopened);
  ASSERT_EQ(seen.size(), acknowledged.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].lsn, acknowledged[i].first);
    EXPECT_EQ(seen[i].payload, acknowledged[i].second);
  }
  EXPECT_TRUE((*reopened)->close().is_ok());
}

}  // namespace
}  // namespace wal
