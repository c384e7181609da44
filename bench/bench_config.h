// What one run of compare_bench measures: workload sizes, rounds, which workloads and systems.
// The defaults are the workloads; --scale shrinks every count for a quick look.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

namespace bench {

struct Config {
  std::string out_dir = "bench/out";  // results.json, table.md; scratch and caches below it
  int rounds = 3;                     // measured rounds, after one discarded warm-up round
  double scale = 1.0;                 // multiplies every append count (not entry sizes)

  std::uint64_t w1_appends = 1'000'000;
  std::uint64_t w2_appends = 20'000;
  int w3_threads = 8;
  std::uint64_t w3_appends = 48'000;  // in total, over all threads
  std::uint64_t w4_appends = 200'000;
  std::size_t small_bytes = 100;      // W1-W3 entry size
  std::size_t large_bytes = 4096;     // W4 entry size
  std::uint64_t w5_log_bytes = 1ull << 30;
  std::size_t w5_entry_bytes = 1024;

  std::set<std::string> works = {"W1", "W2", "W3", "W4", "W5"};
  std::set<std::string> systems = {"wal", "raw", "rocksdb", "leveldb"};

  std::string scratch_dir() const { return out_dir + "/work"; }
  std::string cache_dir() const { return out_dir + "/cache"; }
  std::uint64_t scaled(std::uint64_t count) const;
};

// Parses argv; prints usage and exits on --help or a bad flag.
Config parse_args(int argc, char** argv);

}  // namespace bench
