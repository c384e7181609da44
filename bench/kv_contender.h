// RocksDB and LevelDB run the same workloads through one template: each append is a Put of a
// 16-byte key and the rest of the entry as value (so every system stores the same user bytes),
// through the store's own write-ahead log; sync=false for W1/W4 with one synced write at the
// end, sync=true for W2/W3 (the store's own group commit on 8 threads). W5 is recovery: the
// time to open a store whose log holds ~1 GiB that the memtable must replay.
//
// A Store adapter provides:
//   Store(const std::string& dir, StoreUse use);
//   void put(std::span<const char> key, std::span<const std::byte> value, bool sync);
//   void sync_log();                 // makes every earlier put durable
//   std::uint64_t log_syncs() const; // syncs of the store's log so far (kDurable)
//   static constexpr const char* kName, kLogSuffix;
//   static constexpr std::uint64_t kMaxFillBytes;  // the most log one memtable can replay
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <span>

#include "appenders.h"
#include "check.h"
#include "contender.h"
#include "payload.h"
#include "scratch.h"
#include "stopwatch.h"

namespace bench {

enum class StoreUse {
  kBuffered,  // W1/W4: the store's defaults
  kDurable,   // W2/W3: the same, and count the log's syncs
  kFill,      // building the W5 dataset: a memtable big enough that nothing is flushed
  kRecover,   // W5: the same, and nothing flushed when the replay is done
};

template <typename Store>
class KvContender final : public Contender {
 public:
  std::string_view name() const override { return Store::kName; }

  void prepare_w5(const Config& config) override {
    const std::string dir = config.cache_dir() + "/w5-" + Store::kName;
    const std::string marker = fmt::format("{} {} {}\n", Store::kName, config.w5_log_bytes, config.w5_entry_bytes);
    if (marker_matches(dir, marker)) return;
    make_fresh_dir(dir);
    const PayloadPool pool(config.w5_entry_bytes);
    {
      Store store(dir + "/db", StoreUse::kFill);
      const std::uint64_t fill = std::min<std::uint64_t>(config.w5_log_bytes, Store::kMaxFillBytes);
      for (std::uint64_t i = 0; i * config.w5_entry_bytes < fill; ++i) {
        put(store, pool, 0, i, false);
      }
      store.sync_log();
    }
    write_marker(dir, marker);
  }

  void w1(Run& run) override {
    unsynced_puts(run, run.config().scaled(run.config().w1_appends), run.config().small_bytes);
  }

  void w2(Run& run) override {
    const std::uint64_t n = run.config().scaled(run.config().w2_appends);
    const PayloadPool pool(run.config().small_bytes);
    Store store(run.path("db"), StoreUse::kDurable);
    const std::uint64_t syncs_before = store.log_syncs();
    const AppendStats stats = run_appenders(1, n, true, [&](int, std::uint64_t i) {
      put(store, pool, 0, i, true);
    });
    run.throughput("", stats.per_second(), "appends/s");
    run.record("", "p50_latency", stats.p50_us, "us");
    run.record("", "p99_latency", stats.p99_us, "us");
    run.record("", "fdatasyncs", static_cast<double>(store.log_syncs() - syncs_before), "calls");
  }

  void w3(Run& run) override {
    const int threads = run.config().w3_threads;
    const std::uint64_t per_thread = run.config().scaled(run.config().w3_appends) / static_cast<std::uint64_t>(threads);
    const PayloadPool pool(run.config().small_bytes);
    Store store(run.path("db"), StoreUse::kDurable);
    const std::uint64_t syncs_before = store.log_syncs();
    const AppendStats stats = run_appenders(threads, per_thread, true, [&](int t, std::uint64_t i) {
      put(store, pool, static_cast<std::uint64_t>(t), i, true);
    });
    run.throughput("", stats.per_second(), "appends/s");
    run.record("", "p50_latency", stats.p50_us, "us");
    run.record("", "p99_latency", stats.p99_us, "us");
    run.record("", "allocs_per_append", stats.allocs_per_append(), "allocs");
    run.record("", "fdatasyncs", static_cast<double>(store.log_syncs() - syncs_before), "calls");
  }

  void w4(Run& run) override {
    unsynced_puts(run, run.config().scaled(run.config().w4_appends), run.config().large_bytes);
  }

  void w5(Run& run) override {
    const std::string dir = run.cache_path(std::string("w5-") + Store::kName) + "/db";
    const std::uint64_t bytes = dir_bytes(dir, Store::kLogSuffix);
    warm_page_cache(dir);
    const Stopwatch watch;
    auto store = std::make_unique<Store>(dir, StoreUse::kRecover);
    const double seconds = watch.seconds();
    store.reset();
    run.throughput("recovery", static_cast<double>(bytes) / seconds / 1e9, "GB/s");
  }

 private:
  static void put(Store& store, const PayloadPool& pool, std::uint64_t writer, std::uint64_t i,
                  bool sync) {
    char key[kKeyBytes];
    make_key(writer, i, key);
    const std::span<const std::byte> entry = pool.entry(writer * 1'000'003 + i);
    store.put(std::span<const char>(key, kKeyBytes), entry.subspan(kKeyBytes), sync);
  }

  static void unsynced_puts(Run& run, std::uint64_t n, std::size_t entry_bytes) {
    const PayloadPool pool(entry_bytes);
    Store store(run.path("db"), StoreUse::kBuffered);
    const bool large = entry_bytes == run.config().large_bytes;
    const AppendStats stats = run_appenders(1, n, large, [&](int, std::uint64_t i) {
      put(store, pool, 0, i, false);
    });
    const Stopwatch sync_watch;
    store.sync_log();
    const double sync_seconds = sync_watch.seconds();
    if (large) {
      run.throughput("", stats.per_second() * static_cast<double>(entry_bytes) / 1e6, "MB/s");
      run.record("", "p99_latency", stats.p99_us, "us");
      run.record("", "max_latency", stats.max_us, "us");
    } else {
      run.throughput("", stats.per_second(), "appends/s");
      run.record("", "allocs_per_append", stats.allocs_per_append(), "allocs");
    }
    run.record("", "final_sync", sync_seconds * 1e3, "ms");
  }
};

}  // namespace bench
