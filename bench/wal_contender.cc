// Ours: wal::Log through its public API only, with the sync policy each workload calls for:
// kNone + one sync() for W1/W4, kImmediate for W2, kGrouped on 8 threads for W3, and for W5
// wal::verify (the full read-only scan) plus an open + Reader pass over a 1 GiB log.
#include <wal/log.h>
#include <wal/posix_fs.h>

#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "appenders.h"
#include "check.h"
#include "contender.h"
#include "payload.h"
#include "scratch.h"
#include "stopwatch.h"

namespace bench {
namespace {

std::unique_ptr<wal::Log> open_log(const std::string& dir, wal::SyncPolicy policy,
                                   bool background_rotation = true) {
  wal::Options options;
  options.sync = policy;
  options.background_rotation = background_rotation;
  // A/B switch for measuring what the spare segment's background preparation costs or saves.
  if (const char* prepare = std::getenv("WAL_BENCH_PREPARE_SEGMENTS"); prepare != nullptr) {
    options.prepare_segments = std::string_view(prepare) != "0";
  }
  // A/B switch for early writeback (Options::writeback_bytes; 0 turns it off).
  if (const char* writeback = std::getenv("WAL_BENCH_WRITEBACK_BYTES"); writeback != nullptr) {
    const std::string_view text(writeback);
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), options.writeback_bytes);
    if (error != std::errc() || end != text.data() + text.size()) {
      die("WAL_BENCH_WRITEBACK_BYTES", "not a byte count: '" + std::string(text) + "'");
    }
  }
  return take(wal::Log::open(dir, options), "open wal in " + dir);
}

class WalContender final : public Contender {
 public:
  std::string_view name() const override { return "wal"; }

  void prepare_w5(const Config& config) override {
    const std::string dir = config.cache_dir() + "/w5-wal";
    const std::string marker = fmt::format("wal {} {}\n", config.w5_log_bytes, config.w5_entry_bytes);
    if (marker_matches(dir, marker)) return;
    make_fresh_dir(dir);
    const PayloadPool pool(config.w5_entry_bytes);
    {
      std::unique_ptr<wal::Log> log = open_log(dir + "/log", wal::SyncPolicy::kNone);
      for (std::uint64_t i = 0; i < w5_entries(config); ++i) {
        take(log->append(pool.entry(i)), "W5 fill append");
      }
      check(log->close(), "W5 fill close");
    }
    write_marker(dir, marker);
  }

  // W1 and W4 also run with the rotation of format version 1 (the finished segment synced on
  // the append path), in the same round, as the A/B of wal/FORMAT.md 3.2.
  void w1(Run& run) override {
    for (const bool background : {true, false}) {
      unsynced_appends(run, run.config().scaled(run.config().w1_appends),
                       run.config().small_bytes, background);
    }
  }

  void w2(Run& run) override {
    const std::uint64_t n = run.config().scaled(run.config().w2_appends);
    const PayloadPool pool(run.config().small_bytes);
    std::unique_ptr<wal::Log> log = open_log(run.path("log"), wal::SyncPolicy::kImmediate);
    const AppendStats stats = run_appenders(1, n, true, [&](int, std::uint64_t i) {
      take(log->append(pool.entry(i)), "W2 append");
    });
    const std::uint64_t syncs = log->metrics().syncs;
    check(log->close(), "W2 close");
    run.throughput("kImmediate", stats.per_second(), "appends/s");
    run.record("kImmediate", "p50_latency", stats.p50_us, "us");
    run.record("kImmediate", "p99_latency", stats.p99_us, "us");
    run.record("kImmediate", "fdatasyncs", static_cast<double>(syncs), "calls");
  }

  void w3(Run& run) override {
    const int threads = run.config().w3_threads;
    const std::uint64_t per_thread = run.config().scaled(run.config().w3_appends) / static_cast<std::uint64_t>(threads);
    const PayloadPool pool(run.config().small_bytes);
    std::unique_ptr<wal::Log> log = open_log(run.path("log"), wal::SyncPolicy::kGrouped);
    const std::uint64_t syncs_before = log->metrics().syncs;
    const AppendStats stats = run_appenders(threads, per_thread, true, [&](int t, std::uint64_t i) {
      take(log->append(pool.entry(i * static_cast<std::uint64_t>(threads) + static_cast<std::uint64_t>(t))), "W3 append");
    });
    const std::uint64_t syncs = log->metrics().syncs - syncs_before;
    check(log->close(), "W3 close");
    run.throughput("kGrouped", stats.per_second(), "appends/s");
    run.record("kGrouped", "p50_latency", stats.p50_us, "us");
    run.record("kGrouped", "p99_latency", stats.p99_us, "us");
    run.record("kGrouped", "allocs_per_append", stats.allocs_per_append(), "allocs");
    run.record("kGrouped", "fdatasyncs", static_cast<double>(syncs), "calls");
  }

  void w4(Run& run) override {
    for (const bool background : {true, false}) {
      unsynced_appends(run, run.config().scaled(run.config().w4_appends),
                       run.config().large_bytes, background);
    }
  }

  void w5(Run& run) override {
    const std::string dir = run.cache_path("w5-wal") + "/log";
    // The records' bytes, not the files': the last segment keeps its preallocated zero tail.
    const std::uint64_t bytes = w5_data_bytes(run.config());
    warm_page_cache(dir);
    {
      wal::Options options;
      options.read_only = true;
      const Stopwatch watch;
      const wal::RecoveryReport report = take(wal::verify(wal::posix_fs(), dir, options), "W5 verify");
      const double seconds = watch.seconds();
      if (report.records_recovered == 0) die("W5 verify", "no records found");
      run.throughput("verify", static_cast<double>(bytes) / seconds / 1e9, "GB/s");
    }
    {
      // Open (recovery scan) and a full Reader pass, timed apart so a slow one is visible.
      wal::Options options;
      options.read_only = true;
      const Stopwatch watch;
      std::unique_ptr<wal::Log> log = take(wal::Log::open(dir, options), "W5 open");
      const double open_seconds = watch.seconds();
      const Stopwatch read_watch;
      std::unique_ptr<wal::Reader> reader = take(log->reader(1), "W5 reader");
      std::uint64_t entries = 0;
      while (take(reader->next(), "W5 next").has_value()) ++entries;
      const double read_seconds = read_watch.seconds();
      if (entries == 0) die("W5 read", "no entries");
      const auto gb = static_cast<double>(bytes) / 1e9;
      run.throughput("open+read", gb / (open_seconds + read_seconds), "GB/s");
      run.throughput("open", gb / open_seconds, "GB/s");
      run.throughput("reader", gb / read_seconds, "GB/s");
    }
  }

 private:
  // W5's log: as many entries as fill w5_log_bytes with records (40-byte header + payload
  // padded to 8, wal/src/record_format.h), the same count the raw baseline writes.
  static std::uint64_t w5_record_bytes(const Config& config) {
    return (40 + config.w5_entry_bytes + 7) / 8 * 8;
  }
  static std::uint64_t w5_entries(const Config& config) {
    return (config.w5_log_bytes + w5_record_bytes(config) - 1) / w5_record_bytes(config);
  }
  static std::uint64_t w5_data_bytes(const Config& config) {
    return w5_entries(config) * w5_record_bytes(config);
  }

  // W1/W4: kNone, the clock stops when the last append returns; the closing sync is untimed.
  static void unsynced_appends(Run& run, std::uint64_t n, std::size_t entry_bytes,
                               bool background_rotation) {
    const std::string variant = background_rotation ? "kNone" : "kNone-sync-rotation";
    const PayloadPool pool(entry_bytes);
    std::unique_ptr<wal::Log> log = open_log(run.path(background_rotation ? "log" : "log-v1"),
                                             wal::SyncPolicy::kNone, background_rotation);
    // W4's appends are large enough that timing each one costs ~1%; its tail shows rotations.
    const bool large = entry_bytes == run.config().large_bytes;
    const AppendStats stats = run_appenders(1, n, large, [&](int, std::uint64_t i) {
      take(log->append(pool.entry(i)), "append");
    });
    const wal::MetricsSnapshot metrics = log->metrics();
    const std::uint64_t rotations = metrics.rotations;
    const Stopwatch sync_watch;
    check(log->sync(), "final sync");
    const double sync_seconds = sync_watch.seconds();
    check(log->close(), "close");
    if (large) {
      run.throughput(variant, stats.per_second() * static_cast<double>(entry_bytes) / 1e6, "MB/s");
      run.record(variant, "p99_latency", stats.p99_us, "us");
      run.record(variant, "max_latency", stats.max_us, "us");
      run.record(variant, "rotations", static_cast<double>(rotations), "segments");
      // Syncs issued before the one final sync: kNone asks for none.
      run.record(variant, "fdatasyncs", static_cast<double>(metrics.syncs), "calls");
    } else {
      run.throughput(variant, stats.per_second(), "appends/s");
      run.record(variant, "allocs_per_append", stats.allocs_per_append(), "allocs");
      // On the appending thread: 0, rotations onto a prepared spare included. The spare's
      // preparation allocates on Log's background thread, once per segment.
      run.record(variant, "allocs", static_cast<double>(stats.allocations), "allocs");
      run.record(variant, "background_allocs", static_cast<double>(stats.background_allocations),
                 "allocs");
      run.record(variant, "rotations", static_cast<double>(rotations), "segments");
      run.record(variant, "rotations_onto_spare", static_cast<double>(metrics.rotations_onto_spare),
                 "segments");
    }
    run.record(variant, "final_sync", sync_seconds * 1e3, "ms");
  }
};

}  // namespace

std::unique_ptr<Contender> make_wal_contender() { return std::make_unique<WalContender>(); }

}  // namespace bench
