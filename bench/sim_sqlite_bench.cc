// Seeded SQLite runs per second per core (#17's speed goal: >= 500/s). One run: 50 transactions
// of the sqlite target (delete/full; 2 connections; inserts, batches, range deletes, a spilling
// transaction every 10) on the simulated disk, a power loss at a random point, recovery, the
// check, and the clean reopen that must give the same database. Google Benchmark;
// items_per_second is over CPU time, i.e. per core.
#include <benchmark/benchmark.h>

#include "bench/seeded_runs.h"
#include "sim/harness/runner.h"

namespace {

harness::RunConfig sqlite_config(const char* journal) {
  harness::RunConfig config;
  config.target = "sqlite";
  config.target_settings = {{"journal_mode", journal}, {"synchronous", "full"}};
  config.workload.writers = 2;
  config.workload.ops = 50;
  config.workload.entry_bytes_min = 10;
  config.workload.entry_bytes_max = 600;
  config.workload.batch_ratio = {3, 10};
  config.workload.read_ratio = {1, 10};
  config.workload.truncate_ratio = {1, 20};
  config.workload.checkpoint_every = 10;
  config.crash.at = *harness::CrashAt::parse("random");
  return config;
}

void BM_SqliteRun(benchmark::State& state, const char* journal) {
  seeded_runs::run_seeds(state, sqlite_config(journal));
}

BENCHMARK_CAPTURE(BM_SqliteRun, delete, "delete")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_SqliteRun, wal, "wal")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
