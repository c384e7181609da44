// walctl bench: a quick look at what this disk gives the WAL: appends/s of 100-byte entries
// under three sync policies, and the latency of a bare 4 KiB write + fdatasync.
#include <fmt/format.h>
#include <wal/log.h>
#include <wal/posix_fs.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "commands.h"
#include "exit_codes.h"
#include "log_dir.h"

namespace walctl {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kEntryBytes = 100;
constexpr std::size_t kBlockBytes = 4096;
constexpr std::uint64_t kLatencyFileBytes = 4u << 20;

struct Throughput {
  std::uint64_t appends = 0;
  double seconds = 0;
};

// A fresh directory under `dir` for one case, removed when done.
class Scratch {
 public:
  Scratch(const std::string& dir, std::string_view name)
      : path_(wal::join_path(dir, fmt::format("walctl-bench-{}", name))) {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

wal::Result<Throughput> measure_appends(const std::string& dir, wal::SyncPolicy policy,
                                        int threads, double seconds) {
  Scratch scratch(dir, wal::to_string(policy));
  wal::Options options;
  options.sync = policy;
  options.segment_bytes = 16u << 20;
  auto opened = wal::Log::open(scratch.path(), options);
  if (!opened) return opened.error();
  wal::Log& log = **opened;

  const std::vector<std::byte> payload(kEntryBytes, std::byte{'x'});
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::atomic<std::uint64_t> appends{0};
  std::vector<wal::Status> failures(static_cast<std::size_t>(threads));
  auto writer = [&](std::size_t index) {
    while (Clock::now() < deadline) {
      wal::Result<wal::Lsn> lsn = log.append(payload);
      if (!lsn) {
        failures[index] = lsn.error();
        return;
      }
      appends.fetch_add(1, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(writer, static_cast<std::size_t>(i));
  writer(0);
  for (std::thread& thread : pool) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  for (const wal::Status& failure : failures) {
    if (!failure.is_ok()) return failure;
  }
  WAL_RETURN_IF_ERROR(log.close());
  return Throughput{appends.load(), elapsed};
}

struct Latency {
  std::uint64_t samples = 0;
  double p50_us = 0;
  double p99_us = 0;
};

wal::Result<Latency> measure_fdatasync(const std::string& dir, double seconds) {
  Scratch scratch(dir, "fdatasync");
  wal::Fs& fs = wal::posix_fs();
  WAL_RETURN_IF_ERROR(fs.mkdir(scratch.path()));
  auto file = fs.open(wal::join_path(scratch.path(), "probe"), wal::OpenMode::kCreateExclusive);
  if (!file) return file.error();
  // Preallocated and synced first, so each sample is a data sync, not a size change.
  wal::Status allocated = (*file)->allocate(0, kLatencyFileBytes);
  if (allocated.code() == wal::Code::kUnsupported) allocated = (*file)->truncate(kLatencyFileBytes);
  WAL_RETURN_IF_ERROR(allocated);
  WAL_RETURN_IF_ERROR((*file)->sync());

  const std::vector<std::byte> block(kBlockBytes, std::byte{0x5a});
  std::vector<double> samples_us;
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  for (std::uint64_t i = 0; Clock::now() < deadline || samples_us.size() < 10; ++i) {
    const auto begin = Clock::now();
    WAL_RETURN_IF_ERROR((*file)->write_at(i * kBlockBytes % kLatencyFileBytes, block));
    WAL_RETURN_IF_ERROR((*file)->sync_data());
    samples_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - begin).count());
  }
  WAL_RETURN_IF_ERROR((*file)->close());
  std::sort(samples_us.begin(), samples_us.end());
  auto at = [&](double q) {
    return samples_us[std::min(samples_us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(samples_us.size())))];
  };
  return Latency{samples_us.size(), at(0.50), at(0.99)};
}

}  // namespace

int run_bench(const BenchArgs& args) {
  if (auto code = check_log_dir(wal::posix_fs(), "bench", args.dir, /*may_create=*/true)) {
    return *code;
  }
  if (!wal::posix_fs().stat(args.dir).is_ok()) {
    if (wal::Status made = wal::posix_fs().mkdir(args.dir); !made.is_ok()) {
      return report_failure("bench", made);
    }
  }
  struct Case {
    const char* label;
    wal::SyncPolicy policy;
    int threads;
  };
  const Case cases[] = {{"none", wal::SyncPolicy::kNone, 1},
                        {"immediate", wal::SyncPolicy::kImmediate, 1},
                        {"grouped x8", wal::SyncPolicy::kGrouped, 8}};
  fmt::print("{:<22} {:>12} {:>14}\n", "case (100 B entries)", "appends", "appends/s");
  for (const Case& c : cases) {
    wal::Result<Throughput> result = measure_appends(args.dir, c.policy, c.threads, args.seconds_per_case);
    if (!result) return report_failure("bench", result.error());
    fmt::print("{:<22} {:>12} {:>14.0f}\n", c.label, result->appends,
               static_cast<double>(result->appends) / result->seconds);
    std::fflush(stdout);
  }
  wal::Result<Latency> latency = measure_fdatasync(args.dir, args.seconds_per_case);
  if (!latency) return report_failure("bench", latency.error());
  fmt::print("\n4 KiB write + fdatasync: {} samples, p50 {:.0f} us, p99 {:.0f} us\n",
             latency->samples, latency->p50_us, latency->p99_us);
  return kExitOk;
}

}  // namespace walctl
