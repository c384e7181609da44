// Append throughput of wal::Log per sync policy on the disk under the working directory (run
// it from the build dir on ext4: tmpfs fsync is free and proves nothing), 100-byte entries.
//   ./bench/wal_append_bench --benchmark_filter=Append
// WAL_BENCH_DIR overrides where the temporary logs go.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <wal/log.h>

namespace {

std::string bench_dir(const char* name) {
  const char* base = std::getenv("WAL_BENCH_DIR");
  std::filesystem::path root = base != nullptr ? base : "wal-bench-tmp";
  std::filesystem::path dir = root / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(root);
  return dir.string();
}

std::unique_ptr<wal::Log> shared_log;

void append_loop(benchmark::State& state, wal::SyncPolicy policy, const char* name) {
  if (state.thread_index() == 0) {
    wal::Options options;
    options.sync = policy;
    auto log = wal::Log::open(bench_dir(name), options);
    if (!log) {
      state.SkipWithError(log.error().to_string().c_str());
      return;
    }
    shared_log = std::move(log).value();
  }
  const std::string payload(100, 'x');
  const auto bytes = std::as_bytes(std::span<const char>(payload.data(), payload.size()));
  for (auto _ : state) {
    auto lsn = shared_log->append(bytes);
    if (!lsn) {
      state.SkipWithError(lsn.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(*lsn);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size()));
  if (state.thread_index() == 0) {
    const wal::MetricsSnapshot metrics = shared_log->metrics();
    state.counters["syncs"] = static_cast<double>(metrics.syncs);
    state.counters["group_avg"] = metrics.group_size.count == 0
                                      ? 0.0
                                      : static_cast<double>(metrics.group_size.sum) /
                                            static_cast<double>(metrics.group_size.count);
    state.counters["sync_p50_us"] =
        static_cast<double>(metrics.sync_latency_us.quantile_permille(500));
    if (!shared_log->close().is_ok()) state.SkipWithError("close failed");
    shared_log.reset();
  }
}

void BM_AppendNone(benchmark::State& state) {
  append_loop(state, wal::SyncPolicy::kNone, "none");
}
void BM_AppendImmediate(benchmark::State& state) {
  append_loop(state, wal::SyncPolicy::kImmediate, "immediate");
}
void BM_AppendGrouped(benchmark::State& state) {
  append_loop(state, wal::SyncPolicy::kGrouped, "grouped");
}
void BM_AppendPeriodic(benchmark::State& state) {
  append_loop(state, wal::SyncPolicy::kPeriodic, "periodic");
}

BENCHMARK(BM_AppendNone)->UseRealTime();
BENCHMARK(BM_AppendImmediate)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_AppendGrouped)->Threads(1)->Threads(8)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_AppendPeriodic)->Threads(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
