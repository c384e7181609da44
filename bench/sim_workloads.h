// The two workloads bench/sim_run_bench.cc times, in one place, so that the test that pins their
// verdicts and trace hashes (tests/harness/bench_workloads_golden_test.cc) pins what is timed.
#pragma once

#include <wal/options.h>

#include "sim/harness/run_config.h"

namespace sim_workloads {

// BM_SeededRun: a run of 200 ops on 4 writers, grouped commit, one power loss.
inline harness::RunConfig seeded_run_config() {
  harness::RunConfig config;
  config.wal.sync = wal::SyncPolicy::kGrouped;
  config.wal.segment_bytes = 64 << 10;
  config.wal.buffer_bytes = 16 << 10;
  config.workload.writers = 4;
  config.workload.ops = 200;
  config.workload.entry_bytes_max = 1024;
  config.crash.count = 1;
  return config;
}

// BM_ExploreStates: a 24-op, 2-writer workload explored at every crash point.
inline harness::RunConfig explore_config() {
  harness::RunConfig config;
  config.wal.sync = wal::SyncPolicy::kGrouped;
  config.wal.segment_bytes = 4 << 10;
  config.wal.buffer_bytes = 1 << 10;
  config.workload.writers = 2;
  config.workload.ops = 24;
  config.workload.entry_bytes_min = 100;
  config.workload.entry_bytes_max = 900;
  config.workload.batch_ratio = {1, 4};
  config.workload.sync_ratio = {1, 6};
  config.workload.checkpoint_every = 5;
  return config;
}

}  // namespace sim_workloads
