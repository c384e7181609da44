// Crash states of a recorded program checked per second (#19's speed goal: >= 200/s on 2
// cores): `walsim crashes` end to end with the trivial checker `true`, so what is timed is
// walsim's part (replay, plans, dedup, writing each state to a real directory, starting the
// checker process), not a checker's. The trace is synthetic, as a program that keeps
// appending to and renaming a few files without syncing would record it, so states never run
// out. Real time (UseRealTime): the checkers run in processes of their own, `jobs` at a time.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "crashes/crashes.h"

namespace {

systrace::Trace busy_program() {
  systrace::Trace trace;
  trace.dir = "/bench";
  std::uint64_t file = 0;
  const auto add = [&](systrace::CallKind kind, const std::string& path) -> systrace::Call& {
    systrace::Call call;
    call.kind = kind;
    call.syscall = "bench";
    call.path = path;
    trace.calls.push_back(call);
    return trace.calls.back();
  };
  for (int f = 0; f < 6; ++f) {
    const std::string name = "f" + std::to_string(f);
    systrace::Call& open = add(systrace::CallKind::kOpen, name + ".tmp");
    open.file = ++file;
    open.created = true;
    for (int w = 0; w < 8; ++w) {
      systrace::Call& write = add(systrace::CallKind::kWrite, "");
      write.file = file;
      write.offset = static_cast<std::uint64_t>(w) * 600;
      write.data = std::string(600, static_cast<char>('a' + w));
    }
    add(systrace::CallKind::kRename, name + ".tmp").path2 = name;
  }
  return trace;
}

void BM_CrashStatesChecked(benchmark::State& state) {
  const systrace::Trace trace = busy_program();
  crashes::CrashesOptions options;
  options.checker = "true";
  options.jobs = static_cast<std::uint32_t>(state.range(0));
  options.max_states = 400;
  const char* tmp = std::getenv("TMPDIR");
  options.work_dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/walsim-crashes-bench";
  std::uint64_t checked = 0;
  for (auto _ : state) {
    const crashes::CrashesResult result = crashes::check_crashes(trace, options);
    if (result.problem != crashes::Problem::kNone) {
      state.SkipWithError(result.error.c_str());
      break;
    }
    checked += result.checked;
  }
  std::filesystem::remove_all(options.work_dir);
  state.SetItemsProcessed(static_cast<std::int64_t>(checked));
  state.counters["states_per_s"] =
      benchmark::Counter(static_cast<double>(checked), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_CrashStatesChecked)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
