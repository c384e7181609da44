// Group commit with real threads: concurrent appenders share fdatasyncs, and no append returns
// before a completed sync covered its bytes. Runs under TSan too (label `concurrency`).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <wal/log.h>
#include <wal/posix_fs.h>

#include "record_format.h"
#include "recovery.h"
#include "testutil/counting_fs.h"
#include "testutil/log_entries.h"
#include "testutil/temp_dir.h"

namespace wal {
namespace {

using testutil::bytes_of;

constexpr int kThreads = 8;
constexpr int kAppendsPerThread = 100;

struct Ack {
  Lsn lsn;
  std::uint64_t synced_end;  // the counting Fs's mark right after append() returned
};

// LSN -> byte offset just past its record, by walking the segment with the codec.
std::map<Lsn, std::uint64_t> record_ends(const std::string& path, std::uint64_t salt,
                                         std::size_t bytes) {
  std::vector<std::byte> data(bytes);
  auto file = posix_fs().open(path, OpenMode::kReadOnly);
  EXPECT_TRUE(file.is_ok());
  auto read = (*file)->read_at(0, data);
  EXPECT_TRUE(read.is_ok());
  data.resize(*read);
  std::map<Lsn, std::uint64_t> ends;
  std::size_t offset = format::kSegmentHeaderBytes;
  while (offset < data.size()) {
    auto record = format::decode_record(ChecksumKind::kCrc32c, salt, kNoLsn, 1 << 20,
                                        std::span<const std::byte>(data).subspan(offset));
    if (record.status != format::DecodeStatus::kOk) break;
    offset += record.total_bytes;
    for (std::uint32_t i = 0; i < record.meta.count; ++i) ends[record.meta.lsn + i] = offset;
  }
  return ends;
}

TEST(GroupCommitConcurrentTest, ThreadsShareSyncsAndNoAppendReturnsBeforeItsSync) {
  testutil::TempDir dir;
  testutil::CountingFs fs(posix_fs());
  Options options;
  options.fs = &fs;
  options.sync = SyncPolicy::kGrouped;
  options.segment_bytes = 4 << 20;  // one segment holds the whole run
  options.salt = 0x5eed5eed;
  const std::string segment = join_path(dir.sub("log"), recovery::segment_name(1));

  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(log.is_ok()) << log.status().to_string();
  const std::uint64_t syncs_at_open = fs.syncs();

  std::mutex acks_mutex;
  std::vector<Ack> acks;
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      for (int i = 0; i < kAppendsPerThread; ++i) {
        const std::string payload = "thread " + std::to_string(t) + " entry " + std::to_string(i);
        Result<Lsn> lsn = (*log)->append(bytes_of(payload));
        if (!lsn) {
          failures.fetch_add(1);
          continue;
        }
        const std::uint64_t mark = fs.synced_end(segment);
        std::lock_guard<std::mutex> lock(acks_mutex);
        acks.push_back({*lsn, mark});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);
  const std::uint64_t appends = kThreads * kAppendsPerThread;
  ASSERT_EQ(acks.size(), appends);
  const std::uint64_t syncs = fs.syncs() - syncs_at_open;
  EXPECT_EQ((*log)->durable_lsn(), appends);
  ASSERT_TRUE((*log)->close().is_ok());

  // Group commit: followers ride on the leader's fdatasync.
  EXPECT_LT(syncs * 2, appends) << syncs << " syncs for " << appends << " appends";
  RecordProperty("syncs", static_cast<int>(syncs));
  const MetricsSnapshot metrics = (*log)->metrics();
  EXPECT_GT(metrics.group_size.max, 1u);

  // Every acknowledged append lay below the bytes a completed sync had covered when it returned.
  const std::map<Lsn, std::uint64_t> ends = record_ends(segment, options.salt, 4 << 20);
  ASSERT_EQ(ends.size(), appends);
  std::vector<Lsn> lsns;
  for (const Ack& ack : acks) {
    lsns.push_back(ack.lsn);
    auto it = ends.find(ack.lsn);
    ASSERT_NE(it, ends.end()) << "LSN " << ack.lsn;
    EXPECT_LE(it->second, ack.synced_end) << "LSN " << ack.lsn << " acknowledged before synced";
  }
  std::sort(lsns.begin(), lsns.end());
  for (std::size_t i = 0; i < lsns.size(); ++i) ASSERT_EQ(lsns[i], i + 1);
}

TEST(PeriodicConcurrentTest, BackgroundSyncerMakesEverythingDurableWithoutExplicitSync) {
  testutil::TempDir dir;
  testutil::CountingFs fs(posix_fs());
  Options options;
  options.fs = &fs;
  options.sync = SyncPolicy::kPeriodic;
  options.sync_interval_us = 200;
  Result<std::unique_ptr<Log>> log = Log::open(dir.sub("log"), options);
  ASSERT_TRUE(log.is_ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) ASSERT_TRUE((*log)->append(bytes_of("periodic")).is_ok());
    });
  }
  for (std::thread& thread : threads) thread.join();
  // No sync call at all: only the background syncer can move durable_lsn. The deadline is a
  // bound on a hang, not a timing assertion.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((*log)->durable_lsn() < 200 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ((*log)->durable_lsn(), 200u);
  EXPECT_GE((*log)->metrics().syncs, 1u);
  ASSERT_TRUE((*log)->close().is_ok());
  EXPECT_GE(fs.syncs(), 1u);
}

}  // namespace
}  // namespace wal
