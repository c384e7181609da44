#include "sim/walsim/scenario_limits.h"

#include <algorithm>

#include <fmt/format.h>

namespace walsim::limits {
namespace {

double probability(sim::Ratio r) {
  return static_cast<double>(r.numerator) / static_cast<double>(r.denominator);
}

void check_workload(const harness::RunConfig& c, std::vector<CrossKeyProblem>& out) {
  const harness::WorkloadConfig& w = c.workload;
  double ratio_sum = 0;
  for (const sim::Ratio& r :
       {w.batch_ratio, w.sync_ratio, w.read_ratio, w.truncate_ratio, w.reopen_ratio}) {
    ratio_sum += probability(r);
  }
  if (ratio_sum > 1.0 + 1e-9) {
    out.push_back({{"workload"},
                   fmt::format("'workload': batch_ratio + sync_ratio + read_ratio + "
                               "truncate_ratio + reopen_ratio = {} exceeds 1",
                               ratio_sum)});
  }
}

// Every entry the workload draws must be one the WAL accepts, and fit a segment: otherwise
// every append of a big entry fails with InvalidArgument and the run blames the WAL.
void check_entries(const harness::RunConfig& c, std::vector<CrossKeyProblem>& out) {
  const harness::WorkloadConfig& w = c.workload;
  if (w.entry_bytes_max > c.wal.max_entry_bytes) {
    out.push_back({{"workload.entry_bytes", "wal.max_entry_bytes"},
                   fmt::format("'workload.entry_bytes' up to {} exceeds 'wal.max_entry_bytes' "
                               "= {}: the WAL rejects such appends",
                               w.entry_bytes_max, c.wal.max_entry_bytes)});
  }
  const std::uint64_t largest = kSegmentHeaderBytes + record_bytes(w.entry_bytes_max);
  if (largest > c.wal.segment_bytes) {
    out.push_back({{"wal.segment_bytes", "workload.entry_bytes"},
                   fmt::format("'wal.segment_bytes' = {} cannot hold an entry of {} bytes "
                               "(workload.entry_bytes): it needs {} bytes with its headers",
                               c.wal.segment_bytes, w.entry_bytes_max, largest)});
  }
}

void check_device(const harness::RunConfig& c, std::vector<CrossKeyProblem>& out) {
  const sim::DeviceModel& d = c.device;
  if (d.sector_bytes > d.page_bytes) {
    out.push_back({{"device.sector_bytes", "device.page_bytes"},
                   fmt::format("'device.sector_bytes' = {} is larger than 'device.page_bytes' "
                               "= {}: a page holds whole sectors",
                               d.sector_bytes, d.page_bytes)});
  }
}

void check_crash(const harness::RunConfig& c, std::vector<CrossKeyProblem>& out) {
  if (c.crash.count > 1 && c.crash.at.kind == harness::CrashAt::Kind::kNone) {
    out.push_back({{"crash.count", "crash.at"},
                   "'crash.count' > 1 needs a crash: crash.at is \"none\""});
  }
  if (c.wal.sync == wal::SyncPolicy::kPeriodic && c.wal.sync_interval_us == 0 &&
      c.wal.sync_every_bytes == 0) {
    out.push_back({{"wal.sync_interval_us", "wal.sync_every_bytes", "wal.sync"},
                   "'wal.sync_interval_us' and 'wal.sync_every_bytes' are both 0: sync = "
                   "\"periodic\" needs one of them above 0"});
  }
}

}  // namespace

std::vector<CrossKeyProblem> check_cross_keys(const harness::RunConfig& config) {
  std::vector<CrossKeyProblem> out;
  check_workload(config, out);
  check_entries(config, out);
  check_device(config, out);
  check_crash(config, out);
  return out;
}

}  // namespace walsim::limits
