#include "sim/walsim/scenario_limits.h"

#include <algorithm>

#include <fmt/format.h>

namespace walsim::limits {
namespace {

void check_workload(const harness::RunConfig& c, std::vector<CrossKeyProblem>& out) {
  const harness::WorkloadConfig& w = c.workload;
  double ratio_sum = 0;
  for (const sim::Ratio& r :
       {w.batch_ratio, w.sync_ratio, w.read_ratio, w.truncate_ratio, w.reopen_ratio}) {
    ratio_sum += harness::probability_of(r);
  }
  if (ratio_sum > 1.0 + 1e-9) {
    out.push_back({{"workload"},
                   fmt::format("'workload': batch_ratio + sync_ratio + read_ratio + "
                               "truncate_ratio + reopen_ratio = {} exceeds 1",
                               ratio_sum)});
  }
  if (w.on_error != harness::OnError::kStop && c.target == "wal") {
    out.push_back({{"workload.on_error", "target"},
                   "'workload.on_error' = \"carry-on\" is for registered targets: the wal "
                   "target's application always goes on calling, and wal::Log refuses every "
                   "call after its first I/O error (fail-stop)"});
  }
}

// Every entry the workload draws must be one the WAL accepts, and fit a segment: otherwise
// every append of a big entry fails with InvalidArgument and the run blames the WAL.
void check_entry_size(const harness::RunConfig& c, std::uint32_t largest, const char* key,
                      std::vector<CrossKeyProblem>& out) {
  if (largest > c.wal.max_entry_bytes) {
    out.push_back({{key, "wal.max_entry_bytes"},
                   fmt::format("'{}' up to {} exceeds 'wal.max_entry_bytes' = {}: the WAL "
                               "rejects such appends",
                               key, largest, c.wal.max_entry_bytes)});
  }
  const std::uint64_t needed = kSegmentHeaderBytes + record_bytes(largest);
  if (needed > c.wal.segment_bytes) {
    out.push_back({{"wal.segment_bytes", key},
                   fmt::format("'wal.segment_bytes' = {} cannot hold an entry of {} bytes "
                               "({}): it needs {} bytes with its headers",
                               c.wal.segment_bytes, largest, key, needed)});
  }
}

void check_entries(const harness::RunConfig& c, std::vector<CrossKeyProblem>& out) {
  const harness::WorkloadConfig& w = c.workload;
  if (c.script) {
    // A [script] replaces the drawn workload: its own largest entry is the one to check.
    std::uint32_t largest_scripted = 0;
    for (const std::vector<harness::Op>& ops : c.script->writers) {
      for (const harness::Op& op : ops) {
        for (std::uint32_t bytes : op.entry_bytes) {
          largest_scripted = std::max(largest_scripted, bytes);
        }
      }
    }
    check_entry_size(c, largest_scripted, "script.ops", out);
    return;
  }
  check_entry_size(c, w.entry_bytes_max, "workload.entry_bytes", out);
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
  // Only a torn write has a part that did not arrive: elsewhere the key would change nothing,
  // and a scenario that sets it believes it tests what it does not.
  if (c.crash.power_loss.torn_fill != sim::TornFill::kStale &&
      c.crash.power_loss.policy != faults::CrashPolicy::kTorn) {
    out.push_back({{"crash.torn_fill", "crash.policy"},
                   fmt::format("'crash.torn_fill' = \"{}\" needs 'crash.policy' = \"torn\", not "
                               "\"{}\"",
                               sim::to_string(c.crash.power_loss.torn_fill),
                               faults::to_string(c.crash.power_loss.policy))});
  }
  // The sector scope spreads the fill; a stale fill leaves the old bytes, so nothing would show
  // and the scenario would believe it tests a device without powersafe overwrite.
  const faults::PowerLossOptions& loss = c.crash.power_loss;
  if (loss.torn_scope == sim::TornScope::kSector) {
    if (loss.policy != faults::CrashPolicy::kTorn) {
      out.push_back({{"crash.torn_scope", "crash.policy"},
                     fmt::format("'crash.torn_scope' = \"sector\" needs 'crash.policy' = "
                                 "\"torn\", not \"{}\"",
                                 faults::to_string(loss.policy))});
    } else if (loss.torn_fill == sim::TornFill::kStale) {
      out.push_back({{"crash.torn_scope", "crash.torn_fill"},
                     "'crash.torn_scope' = \"sector\" needs 'crash.torn_fill' = \"zeros\" or "
                     "\"random\": a stale fill leaves every byte as it was, so the damaged "
                     "sectors would not show"});
    }
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
