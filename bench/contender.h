// A system under test, and the context of one measured repetition of one workload.
//
// Each workload method runs the workload once in run.dir (fresh, empty, on the ext4 disk under
// the repo, removed afterwards) and records what it measured through run.record(). Setup
// (opening, preallocating, generating payloads) happens before the clock starts; the clock
// stops when the last append returns (W1/W4: before the one final sync, which is untimed).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench_config.h"
#include "sample.h"

namespace bench {

class Run {
 public:
  Run(const Config& config, std::string work, std::string system, int round, std::string dir,
      std::vector<Sample>* sink)
      : config_(config), work_(std::move(work)), system_(std::move(system)), round_(round),
        dir_(std::move(dir)), sink_(sink) {}

  const Config& config() const { return config_; }
  const std::string& dir() const { return dir_; }
  std::string path(std::string_view name) const { return dir_ + "/" + std::string(name); }
  // Where a system keeps its W5 dataset between runs (created once, reused).
  std::string cache_path(std::string_view name) const {
    return config_.cache_dir() + "/" + std::string(name);
  }

  // Round 0 is the warm-up: measured, printed, never recorded.
  void record(std::string_view variant, std::string_view metric, double value,
              std::string_view unit);
  // The headline figure: appends/s, MB/s or GB/s of `variant`.
  void throughput(std::string_view variant, double value, std::string_view unit) {
    record(variant, "throughput", value, unit);
  }

 private:
  const Config& config_;
  std::string work_;
  std::string system_;
  int round_;
  std::string dir_;
  std::vector<Sample>* sink_;
};

class Contender {
 public:
  virtual ~Contender() = default;
  virtual std::string_view name() const = 0;
  // Builds the W5 dataset under config.cache_dir() unless a complete one is there already.
  virtual void prepare_w5(const Config& config) = 0;
  virtual void w1(Run& run) = 0;  // 1M x 100 B appends, one sync at the end
  virtual void w2(Run& run) = 0;  // 20k x 100 B appends, each durable before the next
  virtual void w3(Run& run) = 0;  // 8 threads x 100 B appends, each durable, group commit
  virtual void w4(Run& run) = 0;  // 200k x 4 KiB appends, one sync at the end
  virtual void w5(Run& run) = 0;  // open/verify the 1 GiB dataset, warm page cache
};

std::unique_ptr<Contender> make_wal_contender();
std::unique_ptr<Contender> make_raw_contender();
// Built only when the library was found (BENCH_HAVE_ROCKSDB, BENCH_HAVE_LEVELDB).
std::unique_ptr<Contender> make_rocksdb_contender();
std::unique_ptr<Contender> make_leveldb_contender();

}  // namespace bench
