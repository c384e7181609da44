// Counters and histograms a WAL operator watches. Updating them never allocates: counters are
// relaxed atomics and histograms have fixed log2 buckets.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace wal {

// Bucket i counts values v with 2^(i-1) <= v < 2^i (bucket 0 counts v == 0); the last bucket
// is open-ended.
inline constexpr std::size_t kHistogramBuckets = 40;

struct HistogramSnapshot {
  std::array<std::uint64_t, kHistogramBuckets> buckets{};
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  std::uint64_t max = 0;
  // Upper bound of the bucket holding the given quantile (0..1000 per mille); 0 when empty.
  std::uint64_t quantile_permille(std::uint32_t permille) const;
};

class Histogram {
 public:
  void record(std::uint64_t value);
  HistogramSnapshot snapshot() const;

 private:
  std::array<std::atomic<std::uint64_t>, kHistogramBuckets> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> max_{0};
};

struct MetricsSnapshot {
  std::uint64_t appends = 0;          // entries (a batch of n counts n)
  std::uint64_t append_bytes = 0;     // payload bytes
  std::uint64_t batches = 0;
  std::uint64_t checkpoints = 0;
  std::uint64_t syncs = 0;            // fdatasync/fsync calls on segments
  std::uint64_t sync_failures = 0;
  std::uint64_t dir_syncs = 0;
  std::uint64_t rotations = 0;
  std::uint64_t segments_prepared = 0;     // spare segments made ready off the append path
  std::uint64_t rotations_onto_spare = 0;  // rotations that used one (no inline creation)
  std::uint64_t segments_deleted = 0;
  std::uint64_t recovery_segments_scanned = 0;
  std::uint64_t recovery_records = 0;
  std::uint64_t recovery_bytes_cut = 0;
  std::uint64_t recovery_damaged_ranges = 0;
  HistogramSnapshot sync_latency_us;
  HistogramSnapshot group_size;       // entries made durable per sync
};

class Metrics {
 public:
  std::atomic<std::uint64_t> appends{0};
  std::atomic<std::uint64_t> append_bytes{0};
  std::atomic<std::uint64_t> batches{0};
  std::atomic<std::uint64_t> checkpoints{0};
  std::atomic<std::uint64_t> syncs{0};
  std::atomic<std::uint64_t> sync_failures{0};
  std::atomic<std::uint64_t> dir_syncs{0};
  std::atomic<std::uint64_t> rotations{0};
  std::atomic<std::uint64_t> segments_prepared{0};
  std::atomic<std::uint64_t> rotations_onto_spare{0};
  std::atomic<std::uint64_t> segments_deleted{0};
  std::atomic<std::uint64_t> recovery_segments_scanned{0};
  std::atomic<std::uint64_t> recovery_records{0};
  std::atomic<std::uint64_t> recovery_bytes_cut{0};
  std::atomic<std::uint64_t> recovery_damaged_ranges{0};
  Histogram sync_latency_us;
  Histogram group_size;

  MetricsSnapshot snapshot() const;
};

// Prometheus text exposition format (version 0.0.4), metric names prefixed "wal_".
std::string to_prometheus(const MetricsSnapshot& metrics);

}  // namespace wal
