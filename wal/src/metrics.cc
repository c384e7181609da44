#include <wal/metrics.h>

#include <bit>
#include <limits>

#include <fmt/format.h>

namespace wal {
namespace {

std::size_t bucket_of(std::uint64_t value) {
  // std::bit_width(v) is i exactly when 2^(i-1) <= v < 2^i, and 0 for v == 0.
  const std::size_t width = static_cast<std::size_t>(std::bit_width(value));
  return width < kHistogramBuckets ? width : kHistogramBuckets - 1;
}

// Exclusive upper bound of bucket i, as an inclusive Prometheus `le` (integer values).
std::uint64_t bucket_le(std::size_t index) {
  if (index == 0) return 0;
  return (std::uint64_t{1} << index) - 1;
}

void append_counter(std::string& out, std::string_view name, std::string_view help,
                    std::uint64_t value) {
  fmt::format_to(std::back_inserter(out), "# HELP wal_{0}_total {1}\n# TYPE wal_{0}_total counter\n"
                 "wal_{0}_total {2}\n", name, help, value);
}

void append_histogram(std::string& out, std::string_view name, std::string_view help,
                      const HistogramSnapshot& histogram) {
  fmt::format_to(std::back_inserter(out), "# HELP wal_{0} {1}\n# TYPE wal_{0} histogram\n", name,
                 help);
  // Buckets are cumulative in Prometheus; the open-ended last bucket is +Inf.
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i + 1 < kHistogramBuckets; ++i) {
    cumulative += histogram.buckets[i];
    fmt::format_to(std::back_inserter(out), "wal_{}_bucket{{le=\"{}\"}} {}\n", name,
                   bucket_le(i), cumulative);
  }
  fmt::format_to(std::back_inserter(out), "wal_{0}_bucket{{le=\"+Inf\"}} {1}\nwal_{0}_sum {2}\n"
                 "wal_{0}_count {1}\n", name, histogram.count, histogram.sum);
}

}  // namespace

std::uint64_t HistogramSnapshot::quantile_permille(std::uint32_t permille) const {
  if (count == 0) return 0;
  if (permille > 1000) permille = 1000;
  // The smallest rank whose bucket holds the quantile: ceil(count * permille / 1000), at least 1.
  std::uint64_t rank = (count * permille + 999) / 1000;
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kHistogramBuckets; ++i) {
    seen += buckets[i];
    if (seen >= rank) return i + 1 == kHistogramBuckets ? max : bucket_le(i);
  }
  return max;
}

void Histogram::record(std::uint64_t value) {
  buckets_[bucket_of(value)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  std::uint64_t seen = max_.load(std::memory_order_relaxed);
  while (value > seen && !max_.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot out;
  for (std::size_t i = 0; i < kHistogramBuckets; ++i) {
    out.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  out.count = count_.load(std::memory_order_relaxed);
  out.sum = sum_.load(std::memory_order_relaxed);
  out.max = max_.load(std::memory_order_relaxed);
  return out;
}

MetricsSnapshot Metrics::snapshot() const {
  MetricsSnapshot out;
  out.appends = appends.load(std::memory_order_relaxed);
  out.append_bytes = append_bytes.load(std::memory_order_relaxed);
  out.batches = batches.load(std::memory_order_relaxed);
  out.checkpoints = checkpoints.load(std::memory_order_relaxed);
  out.syncs = syncs.load(std::memory_order_relaxed);
  out.sync_failures = sync_failures.load(std::memory_order_relaxed);
  out.dir_syncs = dir_syncs.load(std::memory_order_relaxed);
  out.rotations = rotations.load(std::memory_order_relaxed);
  out.segments_prepared = segments_prepared.load(std::memory_order_relaxed);
  out.rotations_onto_spare = rotations_onto_spare.load(std::memory_order_relaxed);
  out.segments_deleted = segments_deleted.load(std::memory_order_relaxed);
  out.recovery_segments_scanned = recovery_segments_scanned.load(std::memory_order_relaxed);
  out.recovery_records = recovery_records.load(std::memory_order_relaxed);
  out.recovery_bytes_cut = recovery_bytes_cut.load(std::memory_order_relaxed);
  out.recovery_damaged_ranges = recovery_damaged_ranges.load(std::memory_order_relaxed);
  out.sync_latency_us = sync_latency_us.snapshot();
  out.group_size = group_size.snapshot();
  return out;
}

std::string to_prometheus(const MetricsSnapshot& m) {
  std::string out;
  append_counter(out, "appends", "Entries appended (a batch of n counts n).", m.appends);
  append_counter(out, "append_bytes", "Payload bytes appended.", m.append_bytes);
  append_counter(out, "batches", "append_batch calls that succeeded.", m.batches);
  append_counter(out, "checkpoints", "Checkpoint entries appended.", m.checkpoints);
  append_counter(out, "syncs", "fdatasync/fsync calls on segment files.", m.syncs);
  append_counter(out, "sync_failures", "Segment syncs that failed (each poisons the log).",
                 m.sync_failures);
  append_counter(out, "dir_syncs", "fsync calls on the log directory.", m.dir_syncs);
  append_counter(out, "rotations", "Segments finished because the next record did not fit.",
                 m.rotations);
  append_counter(out, "segments_prepared",
                 "Spare segments created and fallocated ahead of need, off the append path.",
                 m.segments_prepared);
  append_counter(out, "rotations_onto_spare",
                 "Rotations that used a prepared spare instead of creating a segment inline.",
                 m.rotations_onto_spare);
  append_counter(out, "segments_deleted", "Segments removed by truncate_front or retention.",
                 m.segments_deleted);
  append_counter(out, "recovery_segments_scanned", "Segments scanned by recovery at open.",
                 m.recovery_segments_scanned);
  append_counter(out, "recovery_records", "Records recovered at open.", m.recovery_records);
  append_counter(out, "recovery_bytes_cut", "Torn-tail bytes cut by recovery at open.",
                 m.recovery_bytes_cut);
  append_counter(out, "recovery_damaged_ranges", "Damaged ranges reported by recovery at open.",
                 m.recovery_damaged_ranges);
  append_histogram(out, "sync_latency_us", "Latency of one segment sync in microseconds.",
                   m.sync_latency_us);
  append_histogram(out, "group_size", "Entries made durable by one sync.", m.group_size);
  return out;
}

}  // namespace wal
