// The real-disk modes (SPEC 4.5 b, c), bounded: a few seeds of a small workload on ext4 under
// the build tree. Longer sweeps belong in `make soak`.
#include <gtest/gtest.h>

#include <cstdlib>

#include "sim/harness/real_disk.h"
#include "testutil/temp_dir.h"

namespace harness {
namespace {

// WAL_REAL_SEEDS=N runs N seeds per case instead of the bounded few (for long runs by hand;
// `make soak` goes through `walsim real --kill`).
std::uint64_t seeds(std::uint64_t bounded) {
  const char* env = std::getenv("WAL_REAL_SEEDS");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : bounded;
}

RunConfig small(wal::SyncPolicy policy) {
  RunConfig config;
  config.wal.segment_bytes = 32 << 10;  // rotations on the real disk too
  config.wal.sync = policy;
  config.wal.sync_interval_us = 500;
  config.workload.writers = 2;
  config.workload.ops = 40;
  config.workload.entry_bytes_max = 600;
  config.workload.batch_ratio = {1, 6};
  config.workload.sync_ratio = {1, 10};
  config.workload.truncate_ratio = {1, 40};
  config.workload.reopen_ratio = {1, 40};
  config.workload.checkpoint_every = 10;
  return config;
}

TEST(RealDiskTest, KillNineAtASeededMomentLosesNothingAcknowledged) {
  int killed = 0;
  for (wal::SyncPolicy policy : {wal::SyncPolicy::kGrouped, wal::SyncPolicy::kNone}) {
    for (std::uint64_t seed = 1; seed <= seeds(4); ++seed) {
      testutil::TempDir dir;
      const RealResult r = run_kill(small(policy), seed, dir.sub("log"));
      EXPECT_TRUE(r.passed) << "seed " << seed << " " << r.describe();
      EXPECT_TRUE(r.checks[Invariant::kDurability].checked);
      killed += r.killed ? 1 : 0;
    }
  }
  EXPECT_GE(killed, 4);  // most seeds kill the child before it finishes
}

TEST(RealDiskTest, LibfiuSyscallFailuresAreReportedHonestly) {
  std::map<std::string, std::uint64_t> seen;
  for (std::uint64_t seed = 1; seed <= seeds(6); ++seed) {
    testutil::TempDir dir;
    const RealResult r = run_fiu(small(wal::SyncPolicy::kGrouped), seed, dir.sub("log"));
    EXPECT_TRUE(r.passed) << "seed " << seed << " " << r.describe();
    EXPECT_TRUE(r.checks[Invariant::kErrorHonesty].checked);
    for (const auto& [kind, count] : r.faults_injected) seen[kind] += count;
  }
  EXPECT_GE(seen.size(), 2u);  // several kinds fired over the seeds
}

}  // namespace
}  // namespace harness
