// Seeded harness runs timed one per benchmark iteration (run_seeds: sim_run_bench.cc,
// sim_sqlite_bench.cc, and both engines'), and the engine run both engine benchmarks time, in
// one place so that their figures time the same shape (engine_config: sim_leveldb_bench.cc on
// the leveldb target, sim_rocksdb_bench.cc on the rocksdb target): 300 puts of 1 KiB values
// over 512 keys, a 64 KiB write buffer, a power loss inside a random op, `torn` with 5% sync
// writes or a process crash with none.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <benchmark/benchmark.h>

#include "sim/harness/runner.h"

namespace seeded_runs {

inline harness::RunConfig engine_config(std::string target, faults::CrashPolicy policy) {
  harness::RunConfig config;
  config.target = std::move(target);
  config.target_settings = {{"write_buffer_size", "65536"}, {"value_bytes", "1000"}};
  config.workload.writers = 1;
  config.workload.ops = 300;
  config.workload.sync_ratio = policy == faults::CrashPolicy::kProcess ? sim::Ratio{0, 1}
                                                                      : sim::Ratio{1, 20};
  config.crash.at = *harness::CrashAt::parse("inside-op");
  config.crash.power_loss.policy = policy;
  config.crash.power_loss.lose_unsynced_dir_ops = false;
  return config;
}

// One seeded run per iteration, seeds 1, 2, ...; items/s is runs per second of CPU time. A
// seed whose run fails is still a whole run: counted in "failed".
inline void run_seeds(benchmark::State& state, const harness::RunConfig& config) {
  std::uint64_t seed = 1;
  std::int64_t failed = 0;
  for (auto _ : state) {
    const harness::RunResult result = harness::run_simulation(config, seed++);
    failed += result.passed ? 0 : 1;
    benchmark::DoNotOptimize(result.trace_hash);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failed"] = static_cast<double>(failed);
}

}  // namespace seeded_runs
