// SimFs throughput for a WAL-like mix (appends, fdatasync, reads) and power-loss state
// generation. A simulated run should spend its time in the WAL, not here.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "faults/crash_enumerator.h"
#include "faults/power_loss.h"
#include "sim/sim_fs.h"

namespace {

constexpr std::uint64_t kSegmentBytes = 1 << 20;

// A preallocated segment written in `entry` byte appends, fdatasync every 8, a read every 16;
// a new segment (create, allocate, sync, sync_dir, unlink the old one) when full.
void BM_WalLikeMix(benchmark::State& state) {
  const auto entry = static_cast<std::size_t>(state.range(0));
  const bool traced = state.range(1) != 0;
  sim::Trace trace(/*keep_events=*/false);
  sim::SimFs fs({}, traced ? &trace : nullptr);
  fs.make_durable_dirs("wal");
  std::vector<std::byte> data(entry, std::byte{0x5a});
  std::vector<std::byte> buffer(entry);
  std::unique_ptr<wal::File> file;
  std::uint64_t offset = kSegmentBytes;
  std::uint64_t segment = 0;
  std::uint64_t ops = 0;
  for (auto _ : state) {
    if (offset + entry > kSegmentBytes) {
      if (file) {
        (void)file->close().is_ok();
        (void)fs.unlink("wal/" + std::to_string(segment - 1)).is_ok();
      }
      file = fs.open("wal/" + std::to_string(segment++), wal::OpenMode::kCreate).value();
      (void)file->allocate(0, kSegmentBytes).is_ok();
      (void)file->sync().is_ok();
      (void)fs.sync_dir("wal").is_ok();
      offset = 0;
      ops += 5;
    }
    (void)file->write_at(offset, data).is_ok();
    ++ops;
    if ((offset / entry) % 8 == 7) {
      (void)file->sync_data().is_ok();
      ++ops;
    }
    if ((offset / entry) % 16 == 15) {
      benchmark::DoNotOptimize(file->read_at(offset, buffer).is_ok());
      ++ops;
    }
    offset += entry;
  }
  state.counters["fs_ops/s"] = benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * entry));
}
BENCHMARK(BM_WalLikeMix)->Args({256, 0})->Args({4096, 0})->Args({256, 1})->Args({4096, 1});

// Appends past the end + sync() (no preallocation): the pending list is folded at every sync.
void BM_AppendAndSync(benchmark::State& state) {
  sim::SimFs fs;
  auto file = fs.open("f", wal::OpenMode::kCreate).value();
  std::vector<std::byte> data(512, std::byte{1});
  std::uint64_t offset = 0;
  for (auto _ : state) {
    if (offset >= kSegmentBytes) {
      (void)file->truncate(0).is_ok();
      offset = 0;
    }
    (void)file->write_at(offset, data).is_ok();
    (void)file->sync().is_ok();
    offset += data.size();
  }
  state.counters["fs_ops/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * 2), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AppendAndSync);

// A WAL-sized state: a 64 KiB durable segment, `pending` 1 KiB appends not yet synced.
std::unique_ptr<sim::SimFs> crash_input(int pending) {
  auto fs = std::make_unique<sim::SimFs>();
  fs->make_durable_dirs("wal");
  auto file = fs->open("wal/1", wal::OpenMode::kCreate).value();
  std::vector<std::byte> data(1024, std::byte{7});
  std::uint64_t offset = 0;
  for (; offset < 64 * 1024; offset += data.size()) (void)file->write_at(offset, data).is_ok();
  (void)file->sync().is_ok();
  (void)fs->sync_dir("wal").is_ok();
  for (int i = 0; i < pending; ++i, offset += data.size()) {
    (void)file->write_at(offset, data).is_ok();
  }
  (void)file->close().is_ok();
  return fs;
}

void BM_PowerLoss(benchmark::State& state) {
  const auto fs = crash_input(static_cast<int>(state.range(0)));
  const faults::PowerLossOptions options{faults::CrashPolicy::kTorn, true};
  sim::Prng prng(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(faults::power_loss(fs->state(), fs->device(), options, prng));
  }
  state.counters["crash_states/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PowerLoss)->Arg(4)->Arg(16);

// Exhaustive torn states of 4 pending 1 KiB writes (2 sectors each: 256 plans).
void BM_EnumerateTorn(benchmark::State& state) {
  const auto fs = crash_input(4);
  std::uint64_t states = 0;
  for (auto _ : state) {
    const faults::EnumerationResult result = faults::enumerate_crash_states(
        fs->state(), fs->device(), faults::EnumerateOptions{faults::CrashPolicy::kTorn, true});
    states += result.distinct;
  }
  state.counters["crash_states/s"] =
      benchmark::Counter(static_cast<double>(states), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EnumerateTorn);

}  // namespace

BENCHMARK_MAIN();
