// The differential (SPEC 4.5a, sim/harness/differential.h): the same seeded fs operations, and
// the same seeded WAL workload, on PosixFs in a directory on ext4 and on SimFs; every outcome and
// the visible files must match. Then the differential itself is pointed at a SimFs that drops a
// write, to show that it reports the op, the file and the offset.
// WAL_DIFF_SEEDS=N runs N seeds per test instead of the bounded default, from seed
// WAL_DIFF_FIRST_SEED (1), so soak shards can run disjoint ranges (scripts/soak).
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <string>

#include "sim/harness/differential.h"
#include "testutil/temp_dir.h"

namespace {

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* env = std::getenv(name);
  return env != nullptr && *env != '\0' ? std::strtoull(env, nullptr, 10) : fallback;
}

struct SeedRange {
  std::uint64_t first, count;
};
SeedRange seed_range(std::uint64_t bounded) {
  return {env_or("WAL_DIFF_FIRST_SEED", 1), env_or("WAL_DIFF_SEEDS", bounded)};
}

// A small WAL workload that goes through everything the differential compares: rotation,
// batches, checkpoints, reads, truncation and reopens, under each sync policy in turn.
harness::RunConfig wal_config(std::uint64_t seed) {
  static constexpr wal::SyncPolicy kPolicies[] = {wal::SyncPolicy::kNone,
                                                  wal::SyncPolicy::kImmediate,
                                                  wal::SyncPolicy::kPeriodic,
                                                  wal::SyncPolicy::kGrouped};
  harness::RunConfig config;
  config.wal.segment_bytes = 16 << 10;
  config.wal.sync = kPolicies[seed % 4];
  config.wal.preallocate = seed % 3 != 0;
  config.wal.buffer_bytes = 4096;
  config.workload.writers = 2;
  config.workload.ops = 120;
  config.workload.entry_bytes_min = 1;
  config.workload.entry_bytes_max = 3000;
  config.workload.batch_ratio = {10, 100};
  config.workload.sync_ratio = {15, 100};
  config.workload.read_ratio = {5, 100};
  config.workload.truncate_ratio = {5, 100};
  config.workload.reopen_ratio = {3, 100};
  config.workload.checkpoint_every = 25;
  return config;
}

TEST(Differential, FsOperationsMatchTheRealDisk) {
  const SeedRange range = seed_range(12);
  for (std::uint64_t seed = range.first; seed < range.first + range.count; ++seed) {
    testutil::TempDir dir;
    const harness::DiffResult result = harness::diff_fs_ops({}, seed, dir.sub("fs"));
    ASSERT_TRUE(result.ok) << "seed " << seed << ": " << result.first_mismatch;
    EXPECT_GT(result.ops, 150u);
    EXPECT_GT(result.snapshots, 1u);
  }
}

TEST(Differential, WalWorkloadWritesTheSameFilesAndRecoversTheSameLog) {
  const SeedRange range = seed_range(6);
  for (std::uint64_t seed = range.first; seed < range.first + range.count; ++seed) {
    testutil::TempDir dir;
    const harness::DiffResult result = harness::diff_wal(wal_config(seed), seed, dir.path());
    ASSERT_TRUE(result.ok) << "seed " << seed << ": " << result.first_mismatch;
    EXPECT_GT(result.snapshots, 2u);
    EXPECT_GT(result.entries, 0u);
  }
}

TEST(Differential, ScenarioShapeDrivesTheFsOperations) {
  harness::RunConfig config;
  config.workload.ops = 40;
  config.workload.entry_bytes_min = 7;
  config.workload.entry_bytes_max = 9;
  const harness::FsOpsConfig ops = harness::fs_ops_config(config);
  EXPECT_EQ(ops.ops, 40u);
  EXPECT_EQ(ops.write_bytes_min, 7u);
  EXPECT_EQ(ops.write_bytes_max, 9u);
  testutil::TempDir dir;
  const harness::DiffResult result = harness::diff_fs_ops(ops, 3, dir.path());
  EXPECT_TRUE(result.ok) << result.first_mismatch;
  EXPECT_GT(result.ops, 40u);
}

TEST(Differential, ReportsTheFileAndOffsetOfADroppedWalWrite) {
  testutil::TempDir dir;
  // The differential destroys its SimFs side (and this decorator) before it returns.
  std::shared_ptr<const harness::DropNthWrite::Dropped> drop;
  harness::DiffOptions options;
  options.decorate_sim = [&drop](wal::Fs& sim) {
    auto fs = std::make_unique<harness::DropNthWrite>(sim, 3);
    drop = fs->dropped();
    return fs;
  };
  harness::RunConfig config = wal_config(1);  // kImmediate: a sync after every append
  config.wal.preallocate = true;               // the same size on both sides: bytes differ
  const harness::DiffResult result = harness::diff_wal(config, 1, dir.path(), options);
  ASSERT_FALSE(result.ok);
  ASSERT_NE(drop, nullptr);
  ASSERT_FALSE(drop->path.empty()) << result.first_mismatch;
  const std::string file = drop->path.substr(drop->path.rfind('/') + 1);
  std::smatch match;
  const std::regex shape("^after op \\d+ \\w+ sync: file wal/(\\S+) offset (\\d+): "
                         "real 0x[0-9a-f]{2}, sim 0x[0-9a-f]{2} \\(size \\d+\\)$");
  ASSERT_TRUE(std::regex_search(result.first_mismatch, match, shape)) << result.first_mismatch;
  EXPECT_EQ(match[1].str(), file) << result.first_mismatch;
  const std::uint64_t offset = std::stoull(match[2].str());
  EXPECT_GE(offset, drop->offset) << result.first_mismatch;
  EXPECT_LT(offset, drop->offset + drop->bytes) << result.first_mismatch;
}

TEST(Differential, ReportsADroppedRawWrite) {
  testutil::TempDir dir;
  harness::DiffOptions options;
  options.decorate_sim = [](wal::Fs& sim) {
    return std::make_unique<harness::DropNthWrite>(sim, 1);
  };
  const harness::DiffResult result = harness::diff_fs_ops({}, 1, dir.sub("fs"), options);
  ASSERT_FALSE(result.ok);
  EXPECT_TRUE(std::regex_search(result.first_mismatch,
                                std::regex("(^step \\d+ .*|^at the end): .*real .*sim ")))
      << result.first_mismatch;
  EXPECT_TRUE(std::regex_search(result.first_mismatch, std::regex("f[0-3]")))
      << result.first_mismatch;
}

}  // namespace
