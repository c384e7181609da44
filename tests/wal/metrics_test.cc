// Metrics: log2 histograms, quantiles, and the Prometheus text exposition of a live log.
#include <gtest/gtest.h>

#include <string>

#include <wal/log.h>
#include <wal/metrics.h>

#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace {

TEST(HistogramTest, BucketsArePowersOfTwo) {
  Histogram histogram;
  for (std::uint64_t value : {0, 1, 2, 3, 4, 1000}) histogram.record(value);
  const HistogramSnapshot snapshot = histogram.snapshot();
  EXPECT_EQ(snapshot.count, 6u);
  EXPECT_EQ(snapshot.sum, 1010u);
  EXPECT_EQ(snapshot.max, 1000u);
  EXPECT_EQ(snapshot.buckets[0], 1u);   // 0
  EXPECT_EQ(snapshot.buckets[1], 1u);   // 1
  EXPECT_EQ(snapshot.buckets[2], 2u);   // 2..3
  EXPECT_EQ(snapshot.buckets[3], 1u);   // 4..7
  EXPECT_EQ(snapshot.buckets[10], 1u);  // 512..1023
  EXPECT_EQ(snapshot.quantile_permille(500), 3u);
  EXPECT_EQ(snapshot.quantile_permille(1000), 1023u);
  EXPECT_EQ(HistogramSnapshot{}.quantile_permille(500), 0u);
}

TEST(PrometheusTest, CountersAndHistogramsOfALiveLog) {
  testutil::TempDir dir;
  Options options;
  options.sync = SyncPolicy::kImmediate;
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(log.is_ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->append(testutil::bytes_of("12345")).is_ok());
  const MetricsSnapshot metrics = (*log)->metrics();
  EXPECT_EQ(metrics.appends, 3u);
  EXPECT_EQ(metrics.append_bytes, 15u);
  EXPECT_EQ(metrics.syncs, 3u);  // kImmediate: one per append
  EXPECT_EQ(metrics.group_size.count, 3u);
  EXPECT_EQ(metrics.group_size.sum, 3u);
  EXPECT_EQ(metrics.sync_latency_us.count, 3u);

  const std::string text = to_prometheus(metrics);
  EXPECT_NE(text.find("# HELP wal_appends_total "), std::string::npos);
  EXPECT_NE(text.find("# TYPE wal_appends_total counter\nwal_appends_total 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("wal_append_bytes_total 15\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE wal_sync_latency_us histogram\n"), std::string::npos);
  EXPECT_NE(text.find("wal_group_size_bucket{le=\"0\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("wal_group_size_bucket{le=\"1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("wal_group_size_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("wal_group_size_sum 3\n"), std::string::npos);
  EXPECT_NE(text.find("wal_group_size_count 3\n"), std::string::npos);
  EXPECT_NE(text.find("wal_sync_latency_us_count 3\n"), std::string::npos);
  // Every sample line belongs to a metric announced by a TYPE line.
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("#")) continue;
    const std::string name = line.substr(0, line.find_first_of("{ "));
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (family.ends_with(suffix) && text.find("# TYPE " + name + " ") == std::string::npos) {
        family = family.substr(0, family.size() - std::string(suffix).size());
      }
    }
    EXPECT_NE(text.find("# TYPE " + family + " "), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace wal
