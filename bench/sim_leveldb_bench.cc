// Seeded LevelDB runs per second per core (#18). One run: the leveldb target (Debian's
// libleveldb 1.23 through the Env of adapters/leveldb on SimFs, quiescent mode) doing the
// workload of scenarios/engines/leveldb-193-log-switch.toml: 300 puts of 1 KiB values over 512
// keys, 5% of them sync writes, a 64 KiB write buffer (a log switch and a level-0 table every
// ~60 puts), then a power loss inside a random op under `torn`, recovery, the model's check
// and the clean reopen. The process-crash variant is #1081's scenario without its fault: the
// same switches, a process crash, nothing lost. Google Benchmark; items_per_second is over CPU
// time, i.e. per core. The run: bench/seeded_runs.h, shared with sim_rocksdb_bench.cc.
#include <benchmark/benchmark.h>

#include "bench/seeded_runs.h"

namespace {

void BM_LeveldbRun(benchmark::State& state, faults::CrashPolicy policy) {
  seeded_runs::run_seeds(state, seeded_runs::engine_config("leveldb", policy));
}

BENCHMARK_CAPTURE(BM_LeveldbRun, torn, faults::CrashPolicy::kTorn)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_LeveldbRun, process, faults::CrashPolicy::kProcess)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
