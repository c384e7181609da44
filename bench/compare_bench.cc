// compare_bench: our WAL against the raw syscall limit, RocksDB and LevelDB, in one run.
//
//   compare_bench [--rounds 3] [--scale 1] [--works W1,..] [--systems wal,raw,..] [--out DIR]
//
// One warm-up round (measured, printed, discarded: the first touch of fresh memory and files
// is several times slower here), then N rounds; in each round every workload runs once per
// system, in an order rotated every round, so a noisy neighbour hits all systems alike.
// Writes DIR/results.json (every sample) and DIR/table.md (medians, ranges, ratios).
#include <sys/statfs.h>

#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench_config.h"
#include "check.h"
#include "contender.h"
#include "report.h"
#include "sample.h"
#include "scratch.h"

namespace bench {

void Run::record(std::string_view variant, std::string_view metric, double value,
                 std::string_view unit) {
  fmt::print("  {:<6} {:<3} {:<8} {:<12} {:<18} {:>14.6g} {}\n",
             round_ == 0 ? "warmup" : fmt::format("r{}", round_), work_, system_,
             variant.empty() ? "-" : variant, metric, value, unit);
  std::fflush(stdout);
  if (round_ == 0) return;
  sink_->push_back(Sample{work_, system_, std::string(variant), std::string(metric), value,
                          std::string(unit), round_});
}

namespace {

constexpr long kTmpfsMagic = 0x01021994;

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

void refuse_tmpfs(const std::string& dir) {
  struct statfs info {};
  check_errno(::statfs(dir.c_str(), &info), "statfs " + dir);
  if (info.f_type == kTmpfsMagic) {
    die(dir, "is on tmpfs, where fsync is free: durability figures would prove nothing");
  }
}

std::vector<std::unique_ptr<Contender>> contenders(const Config& config) {
  std::vector<std::unique_ptr<Contender>> all;
  all.push_back(make_wal_contender());
  all.push_back(make_raw_contender());
#ifdef BENCH_HAVE_ROCKSDB
  all.push_back(make_rocksdb_contender());
#endif
#ifdef BENCH_HAVE_LEVELDB
  all.push_back(make_leveldb_contender());
#endif
  std::vector<std::unique_ptr<Contender>> chosen;
  for (auto& contender : all) {
    if (config.systems.count(std::string(contender->name())) != 0) chosen.push_back(std::move(contender));
  }
  return chosen;
}

void run_work(Contender& contender, Run& run, const std::string& work) {
  if (work == "W1") contender.w1(run);
  if (work == "W2") contender.w2(run);
  if (work == "W3") contender.w3(run);
  if (work == "W4") contender.w4(run);
  if (work == "W5") contender.w5(run);
}

int main_impl(int argc, char** argv) {
  const Config config = parse_args(argc, argv);
  make_fresh_dir(config.scratch_dir());
  refuse_tmpfs(config.scratch_dir());
  std::vector<std::unique_ptr<Contender>> systems = contenders(config);

  fmt::print("compare_bench: {} cores, load {}, out {}\n", std::thread::hardware_concurrency(),
             load_average(), config.out_dir);
  if (config.works.count("W5") != 0) {
    for (auto& system : systems) {
      fmt::print("preparing the W5 dataset of {} (once; cached in {})\n", system->name(), config.cache_dir());
      std::fflush(stdout);
      system->prepare_w5(config);
    }
  }

  std::vector<Sample> samples;
  for (int round = 0; round <= config.rounds; ++round) {
    for (const char* work : {"W1", "W2", "W3", "W4", "W5"}) {
      if (config.works.count(work) == 0) continue;
      for (std::size_t k = 0; k < systems.size(); ++k) {
        Contender& contender = *systems[(k + static_cast<std::size_t>(round)) % systems.size()];
        settle_disk();
        const std::string dir = fmt::format("{}/{}-{}", config.scratch_dir(), work, contender.name());
        make_fresh_dir(dir);
        Run run(config, work, std::string(contender.name()), round, dir, &samples);
        run_work(contender, run, work);
        remove_dir(dir);
      }
    }
  }
  settle_disk();

  write_json(samples, config.out_dir + "/results.json");
  const std::string report = render_report(samples, config.rounds);
  std::ofstream(config.out_dir + "/table.md") << report;
  fmt::print("\nload at the end: {}\n\n{}", load_average(), report);
  return 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) { return bench::main_impl(argc, argv); }
