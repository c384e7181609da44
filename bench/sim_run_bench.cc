// Simulator throughput (the [harness] goals: >= 1,000 seeded runs/s and >= 20,000 explored crash
// states/s per core). Google Benchmark; items_per_second is over CPU time, i.e. per core.
//
//   BM_SeededRun      one run = 200 ops, 4 writers, grouped commit, 1 power loss at a random
//                     op, recovery (twice: idempotence), every invariant checked.
//   BM_ExploreStates  explore() of a 24-op, 2-writer workload: every fs-op crash point x every
//                     distinct torn-write survival outcome, each recovered and checked.
//
// Both configurations are in bench/sim_workloads.h, shared with
// tests/harness/bench_workloads_golden_test.cc, which pins what they decide on fixed seeds (a
// change made for speed must not move it).
//
// Segments are 64 KiB: the simulator holds files in memory and the WAL preallocates whole
// segments, so the default 64 MiB would measure memset, not the harness.
//
// Lives here until bench/CMakeLists.txt links wal_harness into bench binaries; then it moves
// to bench/sim_run_bench.cc unchanged.
#include <benchmark/benchmark.h>

#include "bench/seeded_runs.h"
#include "bench/sim_workloads.h"
#include "sim/harness/explore.h"
#include "sim/harness/quiet_log.h"
#include "sim/harness/runner.h"

namespace {

void BM_SeededRun(benchmark::State& state) {
  seeded_runs::run_seeds(state, sim_workloads::seeded_run_config());
}
BENCHMARK(BM_SeededRun)->Unit(benchmark::kMicrosecond);

constexpr std::uint64_t kExploreSeeds = 16;

void BM_ExploreStates(benchmark::State& state) {
  const harness::RunConfig config = sim_workloads::explore_config();
  std::int64_t states = 0;
  std::int64_t failed = 0;
  std::uint64_t iteration = 0;
  for (auto _ : state) {
    // A fixed cycle of workloads, so that runs of different lengths compare like with like.
    const std::uint64_t seed = 1 + iteration++ % kExploreSeeds;
    const harness::ExploreResult result = harness::explore(config, seed, 1'000'000);
    states += static_cast<std::int64_t>(result.states);
    failed += static_cast<std::int64_t>(result.failed_states);
  }
  state.SetItemsProcessed(states);
  state.counters["states_per_explore"] =
      static_cast<double>(states) / static_cast<double>(state.iterations());
  state.counters["failed_states"] = static_cast<double>(failed);
}
BENCHMARK(BM_ExploreStates)->Unit(benchmark::kMillisecond)->Iterations(4 * kExploreSeeds);

}  // namespace

int main(int argc, char** argv) {
  harness::quiet_wal_log();  // a line per simulated power cut would be measured too
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
