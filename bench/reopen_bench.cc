// The cost of a writable open after a crash whose newest segment holds unproven records (every
// crash that leaves records there): the open writes the segment again before its sync
// (wal/FORMAT.md 3.1). Three ways, on the real disk, warm page cache (a process crash, or a
// power loss long enough ago that recovery's own scan warmed it):
//   copy      the WAL: a copy of the segment's used bytes, synced, renamed over it, dir synced
//   in_place  the unproven records written over themselves (the bug-zoo mutant
//             rewrite-tail-in-place: the open before the copy, unsafe on zeroing devices)
//   none      no rewrite at all (trust-page-cache-on-reopen: the floor, unsafe after a failed
//             fsync), i.e. recovery's scan, the cut and one sync
// Argument: MiB of 1 KiB entries in the newest (64 MiB, preallocated) segment, a group commit
// every 64. Each iteration opens a fresh copy of one crashed log (made once, copied outside the
// timing). Medians of 3 repetitions of 10 opens.
#include <benchmark/benchmark.h>
#include <fiu-control.h>
#include <fiu.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include <wal/clock.h>
#include <wal/log.h>
#include <wal/log_core.h>
#include <wal/posix_fs.h>

#include "wal/src/mutant.h"

namespace {

namespace fs = std::filesystem;

fs::path work_root() {
  const char* dir = std::getenv("BENCH_WORK_DIR");
  return dir != nullptr ? fs::path(dir) : fs::path("bench/out/work/reopen");
}

// A log whose process died after `mib` MiB of acknowledged 1 KiB entries, made once per size.
const fs::path& crashed_log(std::int64_t mib) {
  static std::map<std::int64_t, fs::path> made;
  auto it = made.find(mib);
  if (it != made.end()) return it->second;
  const fs::path dir = work_root() / ("template-" + std::to_string(mib));
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  wal::Options options;
  auto core = wal::LogCore::open(wal::posix_fs(), wal::system_clock(), dir.string(), options);
  if (!core) std::abort();
  const std::string entry(1024 - 40, 'e');  // 1 KiB records
  for (std::int64_t i = 1; i <= mib * 1024; ++i) {
    if (!(*core)->append(std::as_bytes(std::span(entry))).is_ok()) std::abort();
    if (i % 64 != 0) continue;
    // A group commit every 64 entries: the records after it prove those before durable, so
    // only the last group or two are unproven (what the in-place rewrite wrote again).
    auto ticket = (*core)->begin_sync();
    if (!ticket) std::abort();
    (*core)->finish_sync(*ticket, wal::LogCore::run_sync(*ticket));
  }
  core->reset();  // unclosed: a process crash, the segment still preallocated
  return made.emplace(mib, dir).first->second;
}

void open_after_crash(benchmark::State& state, const char* mutant) {
  const fs::path& source = crashed_log(state.range(0));
  const fs::path dir = work_root() / "open";
#ifndef FIU_ENABLE
  if (mutant != nullptr) {
    state.SkipWithError("no fault points in this build (WAL_FIU=OFF)");
    return;
  }
#endif
  if (mutant != nullptr && (fiu_init(0) != 0 || wal::mutant::enable(mutant) != 0)) {
    state.SkipWithError("no fault points in this build");
    return;
  }
  wal::Options options;
  options.prepare_segments = false;  // no spare created behind the timing
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(dir);
    fs::copy(source, dir, fs::copy_options::recursive);
    ::sync();  // the copy's writeback does not land in the timed open
    state.ResumeTiming();
    auto log = wal::Log::open(dir.string(), options);
    if (!log) {
      state.SkipWithError(log.status().to_string().c_str());
      break;
    }
    state.PauseTiming();
    log->reset();
    state.ResumeTiming();
  }
  if (mutant != nullptr) wal::mutant::disable(mutant);
  state.counters["MiB"] = static_cast<double>(state.range(0));
}

void BM_OpenAfterCrash_Copy(benchmark::State& state) { open_after_crash(state, nullptr); }
void BM_OpenAfterCrash_InPlace(benchmark::State& state) {
  open_after_crash(state, "wal/mutant/rewrite-tail-in-place");
}
void BM_OpenAfterCrash_None(benchmark::State& state) {
  open_after_crash(state, "wal/mutant/trust-page-cache-on-reopen");
}

#define REOPEN_SIZES                                                                  \
  ->Arg(1)->Arg(16)->Arg(60)->Iterations(10)->Repetitions(3)->ReportAggregatesOnly(true) \
      ->Unit(benchmark::kMillisecond)
BENCHMARK(BM_OpenAfterCrash_Copy) REOPEN_SIZES;
BENCHMARK(BM_OpenAfterCrash_InPlace) REOPEN_SIZES;
BENCHMARK(BM_OpenAfterCrash_None) REOPEN_SIZES;

}  // namespace
BENCHMARK_MAIN();
