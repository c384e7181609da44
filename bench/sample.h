// One measured number. results.json is an array of these; the ratio table is computed from
// them. `variant` tells apart the ways one system runs one workload (raw W2 on a growing file
// or a fallocated one); `metric` is "throughput" for the headline figure of the workload.
#pragma once

#include <string>
#include <vector>

namespace bench {

struct Sample {
  std::string work;     // "W1".."W5"
  std::string system;   // "wal" | "raw" | "rocksdb" | "leveldb"
  std::string variant;  // "" for the system's one way of running the workload
  std::string metric;   // "throughput", "allocs_per_append", "p50_latency", "fdatasyncs", ...
  double value = 0;
  std::string unit;
  int round = 0;        // 1..rounds; the warm-up round is never recorded
};

// Writes the samples as a JSON array (one object per line).
void write_json(const std::vector<Sample>& samples, const std::string& path);

}  // namespace bench
