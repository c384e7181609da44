// Seeded RocksDB runs per second per core. One run: the rocksdb target (Debian's librocksdb
// 7.8.3 through the FileSystem of adapters/rocksdb on SimFs, quiescent mode) doing the workload
// of scenarios/engines/rocksdb-torn-wal-middle.toml: 300 puts of 1 KiB values over 512 keys, 5%
// of them sync writes, a 64 KiB write buffer (a WAL switch and a flush every ~60 puts, with
// their compactions), then a power loss inside a random op under `torn`, recovery, the model's
// check and the clean reopen. The process-crash variant: the same puts, none synced, a process
// crash (nothing lost). Google Benchmark; items_per_second is over CPU time, i.e. per core, as
// bench/sim_leveldb_bench.cc's; both time the run of bench/seeded_runs.h.
#include <benchmark/benchmark.h>

#include "bench/seeded_runs.h"

namespace {

void BM_RocksdbRun(benchmark::State& state, faults::CrashPolicy policy) {
  seeded_runs::run_seeds(state, seeded_runs::engine_config("rocksdb", policy));
}

BENCHMARK_CAPTURE(BM_RocksdbRun, torn, faults::CrashPolicy::kTorn)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RocksdbRun, process, faults::CrashPolicy::kProcess)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
