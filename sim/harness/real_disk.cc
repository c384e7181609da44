#include "sim/harness/real_disk.h"

#include <memory>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <wal/clock.h>
#include <wal/log.h>
#include <wal/log_core.h>
#include <wal/posix_fs.h>

#include "sim/harness/read_back.h"
#include "sim/harness/real_disk_internal.h"
#include "sim/prng.h"

namespace harness {
namespace real_disk_internal {

wal::Options options_for(const RunConfig& config, std::uint64_t seed, wal::Fs* fs) {
  wal::Options options = config.wal;
  options.fs = fs;
  options.clock = nullptr;
  options.salt = sim::Prng(seed ^ 0x5a17).next_u64() | 1;
  return options;
}

wal::EntryType entry_type(OpKind kind) {
  return kind == OpKind::kBatch        ? wal::EntryType::kBatch
         : kind == OpKind::kCheckpoint ? wal::EntryType::kCheckpoint
                                       : wal::EntryType::kData;
}

bool issues_entries(OpKind kind) {
  return kind == OpKind::kAppend || kind == OpKind::kBatch || kind == OpKind::kCheckpoint;
}

wal::Lsn truncation_point(wal::Log& log, const Op& op) {
  const wal::Lsn durable = log.durable_lsn();
  if (durable == wal::kNoLsn) return wal::kNoLsn;
  return 1 + (durable - 1) * op.position_ppm / kMillion;
}

Outcome execute(wal::Log& log, const Op& op, const Workload& workload, wal::Lsn truncate_at) {
  std::vector<std::vector<std::byte>> payloads;
  for (std::uint32_t part = 0; part < op.entry_bytes.size(); ++part) {
    payloads.push_back(workload.payload(op, part));
  }
  switch (op.kind) {
    case OpKind::kAppend: {
      wal::Result<wal::Lsn> lsn = log.append(payloads[0]);
      if (!lsn) return {lsn.error(), {}};
      return {wal::Status::ok(), {*lsn, *lsn}};
    }
    case OpKind::kBatch: {
      std::vector<std::span<const std::byte>> views(payloads.begin(), payloads.end());
      wal::Result<wal::LsnRange> range = log.append_batch(views);
      if (!range) return {range.error(), {}};
      return {wal::Status::ok(), *range};
    }
    case OpKind::kCheckpoint: {
      wal::Result<wal::Lsn> lsn = log.checkpoint(payloads[0]);
      if (!lsn) return {lsn.error(), {}};
      return {wal::Status::ok(), {*lsn, *lsn}};
    }
    case OpKind::kSync:
      return {log.sync(), {}};
    case OpKind::kTruncate:
      if (truncate_at == wal::kNoLsn) return {wal::Status::ok(), {}};
      return {log.truncate_front(truncate_at), {}};
    case OpKind::kRead:
    case OpKind::kReopen:
      break;
  }
  return {wal::Status::ok(), {}};
}

wal::Status status_of(wal::Code code, std::string_view what) {
  const std::string message = fmt::format("{} (reported by the workload process)", what);
  switch (code) {
    case wal::Code::kOk: return wal::Status::ok();
    case wal::Code::kPoisoned: return wal::Status::poisoned(message);
    case wal::Code::kNoSpace: return wal::Status::no_space(message);
    case wal::Code::kClosed: return wal::Status::closed(message);
    default: return wal::Status::io_error(message);
  }
}

CheckResult recover_and_check(const RunConfig& config, std::uint64_t seed, const std::string& dir,
                              History& history) {
  const wal::Options options = options_for(config, seed, &wal::posix_fs());
  auto recover = [&](bool from_checkpoint) {
    Recovery r;
    wal::Result<std::unique_ptr<wal::LogCore>> core =
        wal::LogCore::open(wal::posix_fs(), wal::system_clock(), dir, options);
    if (!core) {
      r.open_status = core.error();
      return r;
    }
    read_recovery(**core, from_checkpoint, r);
    (*core)->close().ignore_error("only read back");
    return r;
  };
  const Recovery first = recover(true);
  CheckInput input;
  input.oracle = &history.oracle();
  input.mode = config.wal.recovery;
  input.retention = config.wal.max_segments != 0 || config.wal.max_bytes != 0;
  input.recovery = &first;
  input.repeats.push_back(recover(false));
  input.step = history.step();
  CheckResult checks = check(input);
  for (const Violation& lost : history.lost()) {
    checks[Invariant::kDurability].checked = true;
    checks[Invariant::kDurability].violations.push_back(lost);
  }
  return checks;
}

void finish(RealResult& result) {
  if (result.failure.empty() && !result.problems.empty()) result.failure = result.problems.front();
  if (result.failure.empty() && !result.checks.passed()) {
    result.failure = result.checks.violations().front().message;
  }
  result.passed = result.problems.empty() && result.checks.passed();
}

}  // namespace real_disk_internal

std::string RealResult::describe() const {
  std::string text = fmt::format("{}: ops {} started, {} returned{}{}\n", passed ? "pass" : "FAIL",
                                 ops_started, ops_returned, killed ? ", killed" : "",
                                 failure.empty() ? "" : ": " + failure);
  for (const std::string& problem : problems) text += "  problem: " + problem + "\n";
  for (const auto& [kind, count] : faults_injected) text += fmt::format("  {} x{}\n", kind, count);
  return text + checks.summary();
}

}  // namespace harness
