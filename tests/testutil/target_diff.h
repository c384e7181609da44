// The differential's two checks on an engine target (tests/leveldb, tests/rocksdb): its seeds
// make the same calls and files on the real disk as on SimFs, and a write SimFs drops is seen.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>

#include <gtest/gtest.h>

#include "sim/harness/differential.h"
#include "testutil/temp_dir.h"

namespace testutil {

// Seeds 1..`seeds` of `config`: every call and file alike, a file check after every op.
inline void expect_diff_matches(const harness::RunConfig& config, std::uint64_t seeds) {
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    TempDir dir;
    const harness::DiffResult result = harness::diff_target(config, seed, dir.path());
    EXPECT_TRUE(result.ok) << "seed " << seed << ": " << result.first_mismatch;
    EXPECT_GE(result.snapshots, config.workload.ops);
  }
}

// Seed 1 of `config` with SimFs dropping its nth write (harness::DropNthWrite), for each nth
// of `drops`: every one must end in a mismatch, or the differential is blind there.
inline void expect_dropped_writes_seen(const harness::RunConfig& config,
                                       std::initializer_list<std::uint64_t> drops) {
  for (const std::uint64_t nth : drops) {
    TempDir dir;
    harness::DiffOptions canary;
    canary.decorate_sim = [nth](wal::Fs& sim) {
      return std::make_unique<harness::DropNthWrite>(sim, nth);
    };
    EXPECT_FALSE(harness::diff_target(config, 1, dir.path(), canary).ok)
        << "write " << nth << " dropped unseen";
  }
}

}  // namespace testutil
