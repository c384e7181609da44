// Runs an append loop on N threads that start together, and measures it: wall time from the
// start signal to the last append's return, heap allocations in that window (the appending
// threads' apart from everyone else's), and optionally
// the latency of every append. Threads are created, and latency buffers sized, before the
// window opens, so neither is counted.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "alloc_counter.h"
#include "latency_log.h"
#include "stopwatch.h"

namespace bench {

struct AppendStats {
  std::uint64_t appends = 0;
  double seconds = 0;
  std::uint64_t allocations = 0;             // by the appending threads
  std::uint64_t background_allocations = 0;  // by any other thread of the process meanwhile
  double p50_us = 0;
  double p99_us = 0;
  double max_us = 0;

  double per_second() const { return static_cast<double>(appends) / seconds; }
  double allocs_per_append() const {
    return static_cast<double>(allocations) / static_cast<double>(appends);
  }
};

// `append(thread_index, i)` is called per_thread times on each of `threads` threads.
template <typename Append>
AppendStats run_appenders(int threads, std::uint64_t per_thread, bool timed_appends,
                          Append&& append) {
  std::vector<LatencyLog> logs;
  logs.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) logs.emplace_back(timed_appends ? per_thread : 0);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  auto body = [&](int t) {
    LatencyLog& log = logs[static_cast<std::size_t>(t)];
    mark_appender_thread();
    ready.fetch_add(1);
    while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
    for (std::uint64_t i = 0; i < per_thread; ++i) {
      if (timed_appends) {
        const std::uint64_t start = now_ns();
        append(t, i);
        log.add(now_ns() - start);
      } else {
        append(t, i);
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) pool.emplace_back(body, t);
  while (ready.load() < threads) std::this_thread::yield();

  AppendStats stats;
  const std::uint64_t allocations_before = allocations();
  const std::uint64_t appender_allocations_before = appender_allocations();
  const Stopwatch watch;
  go.store(true, std::memory_order_release);
  // Joining, not spinning, so the waiting thread takes no core from the appenders; a thread's
  // exit costs microseconds against runs of seconds.
  for (std::thread& thread : pool) thread.join();
  stats.seconds = watch.seconds();
  stats.allocations = appender_allocations() - appender_allocations_before;
  stats.background_allocations = allocations() - allocations_before - stats.allocations;
  stats.appends = per_thread * static_cast<std::uint64_t>(threads);
  if (timed_appends) {
    stats.p50_us = quantile_us(logs, 0.50);
    stats.p99_us = quantile_us(logs, 0.99);
    stats.max_us = quantile_us(logs, 1.0);
  }
  return stats;
}

}  // namespace bench
