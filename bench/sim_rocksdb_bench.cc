// Seeded RocksDB runs per second per core. One run: the rocksdb target (Debian's librocksdb
// 7.8.3 through the FileSystem of adapters/rocksdb on SimFs, quiescent mode) doing the workload
// of scenarios/engines/rocksdb-torn-wal-middle.toml: 300 puts of 1 KiB values over 512 keys, 5%
// of them sync writes, a 64 KiB write buffer (a WAL switch and a flush every ~60 puts, with
// their compactions), then a power loss inside a random op under `torn`, recovery, the model's
// check and the clean reopen. The process-crash variant: the same puts, none synced, a process
// crash (nothing lost). Google Benchmark; items_per_second is over CPU time, i.e. per core, as
// bench/sim_leveldb_bench.cc's.
#include <benchmark/benchmark.h>

#include "sim/harness/runner.h"

namespace {

harness::RunConfig rocksdb_config(faults::CrashPolicy policy) {
  harness::RunConfig config;
  config.target = "rocksdb";
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

void BM_RocksdbRun(benchmark::State& state, faults::CrashPolicy policy) {
  const harness::RunConfig config = rocksdb_config(policy);
  std::uint64_t seed = 1;
  std::int64_t failed = 0;
  for (auto _ : state) {
    const harness::RunResult result = harness::run_simulation(config, seed++);
    failed += result.passed ? 0 : 1;  // the torn WAL fails a few seeds: still a whole run
    benchmark::DoNotOptimize(result.trace_hash);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failed"] = static_cast<double>(failed);
}

BENCHMARK_CAPTURE(BM_RocksdbRun, torn, faults::CrashPolicy::kTorn)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RocksdbRun, process, faults::CrashPolicy::kProcess)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
