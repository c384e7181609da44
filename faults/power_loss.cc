#include "faults/power_loss.h"

#include <algorithm>

#include <fmt/format.h>

#include "faults/crash_words.h"

namespace faults {
namespace {

using sim::OpFate;
using sim::PendingOp;

OpFate torn_write(const PendingOp& op, const sim::DeviceModel& device,
                  const PowerLossOptions& options, sim::Prng& prng) {
  const sim::TornFill fill = options.torn_fill;
  const std::vector<sim::ByteRange> pieces = sector_pieces(op, device);
  OpFate fate = OpFate::torn({}, fill, 0);
  // No draw: the same seed tears the same pieces under either scope, only the damage grows.
  if (options.torn_scope == sim::TornScope::kSector) {
    fate.damage_sector_bytes = device.sector_bytes;
  }
  const std::uint64_t choices = device.atomic_sector ? 2 : 3;
  for (const sim::ByteRange& piece : pieces) {
    switch (prng.below(choices)) {
      case 0:
        break;
      case 1:
        fate.kept.push_back(piece);
        break;
      default: {
        const std::uint64_t length = piece.end - piece.begin;
        if (length > 1) fate.kept.push_back({piece.begin, piece.begin + prng.range(1, length - 1)});
        break;
      }
    }
  }
  // Drawn last and only for junk, so the stale and zeros crashes of a seed tear alike.
  if (fill == sim::TornFill::kRandom) fate.junk_seed = prng.next_u64() | 1;
  return fate;
}

OpFate choose_fate(const PendingOp& op, const sim::DeviceModel& device,
                   const PowerLossOptions& options, sim::Prng& prng) {
  if (!prng.coin()) return OpFate::drop();
  if (op.kind != PendingOp::Kind::kWrite || !prng.coin()) return OpFate::keep();
  if (options.policy == CrashPolicy::kTorn) {
    return torn_write(op, device, options, prng);
  }
  if (options.policy == CrashPolicy::kGarbageTail) {
    // Its own mix of zeros and junk, whatever torn_fill says (there is no stale content past
    // the old end).
    if (prng.coin()) return OpFate::garbage(sim::TornFill::kZeros, 0);
    return OpFate::garbage(sim::TornFill::kRandom, prng.next_u64() | 1);
  }
  return OpFate::keep();
}

std::vector<OpFate> choose_file(const sim::FileState& file, const sim::DeviceModel& device,
                                const PowerLossOptions& options, sim::Prng& prng) {
  const std::size_t count = file.pending.size();
  std::vector<OpFate> fates(count);
  switch (options.policy) {
    case CrashPolicy::kDropUnsynced:
      break;
    case CrashPolicy::kProcess:
      for (std::size_t i = 0; i < count; ++i) fates[i] = OpFate::keep();
      break;
    case CrashPolicy::kPrefix: {
      const std::uint64_t kept = prng.range(0, count);
      for (std::uint64_t i = 0; i < kept; ++i) fates[i] = OpFate::keep();
      break;
    }
    case CrashPolicy::kReorder:
    case CrashPolicy::kTorn:
    case CrashPolicy::kGarbageTail:
      for (std::size_t i = 0; i < count; ++i) {
        fates[i] = choose_fate(file.pending[i], device, options, prng);
      }
      break;
  }
  return fates;
}

}  // namespace

std::string_view to_string(CrashPolicy policy) {
  switch (policy) {
    case CrashPolicy::kDropUnsynced: return "drop-unsynced";
    case CrashPolicy::kPrefix: return "prefix";
    case CrashPolicy::kReorder: return "reorder";
    case CrashPolicy::kTorn: return "torn";
    case CrashPolicy::kGarbageTail: return "garbage-tail";
    case CrashPolicy::kProcess: return "process";
  }
  return "?";
}

std::optional<CrashPolicy> parse_crash_policy(std::string_view text) {
  for (CrashPolicy policy : {CrashPolicy::kDropUnsynced, CrashPolicy::kPrefix,
                             CrashPolicy::kReorder, CrashPolicy::kTorn, CrashPolicy::kGarbageTail,
                             CrashPolicy::kProcess}) {
    if (to_string(policy) == text) return policy;
  }
  return std::nullopt;
}

std::vector<sim::ByteRange> sector_pieces(const PendingOp& write, const sim::DeviceModel& device) {
  std::vector<sim::ByteRange> pieces;
  const std::uint64_t sector = device.sector_bytes;
  std::uint64_t at = write.offset;
  while (at < write.end()) {
    const std::uint64_t boundary = std::min(write.end(), (at / sector + 1) * sector);
    pieces.push_back({at - write.offset, boundary - write.offset});
    at = boundary;
  }
  return pieces;
}

sim::CrashPlan choose_crash_plan(const sim::SimFsState& state, const sim::DeviceModel& device,
                                 const PowerLossOptions& options, sim::Prng& prng) {
  sim::CrashPlan plan;
  for (const auto& [id, inode] : state.inodes) {
    if (inode.is_dir) {
      if (inode.dir.pending.empty() || options.policy == CrashPolicy::kDropUnsynced) continue;
      std::vector<bool>& survive = plan.dirs[id];
      const bool all = !options.lose_unsynced_dir_ops || options.policy == CrashPolicy::kProcess;
      for (std::size_t i = 0; i < inode.dir.pending.size(); ++i) {
        survive.push_back(all || prng.coin());
      }
    } else if (!inode.file.pending.empty()) {
      plan.files[id] = choose_file(inode.file, device, options, prng);
    }
  }
  return plan;
}

sim::SimFsState power_loss(const sim::SimFsState& state, const sim::DeviceModel& device,
                           const PowerLossOptions& options, sim::Prng& prng) {
  if (options.policy == CrashPolicy::kProcess) return state;  // the page cache survives
  return sim::apply_crash(state, choose_crash_plan(state, device, options, prng));
}

void crash(sim::SimFs& fs, const PowerLossOptions& options, sim::Prng& prng) {
  crash_with_plan(fs, choose_crash_plan(fs.state(), fs.device(), options, prng), options.policy);
}

void crash_with_plan(sim::SimFs& fs, const sim::CrashPlan& plan, CrashPolicy policy) {
  if (policy == CrashPolicy::kProcess) {
    // Nothing is lost: the plan (everything kept) would also make the pending writes durable
    // and drop data a failed fsync left readable but clean; the page cache keeps both as is.
    fs.kill_process(to_string(policy));
    return;
  }
  if (sim::Trace* trace = fs.trace()) {
    // In words and by path (crash_words.h): what the report's timeline shows of the crash.
    for (const CrashLine& line : describe_crash(fs.state(), plan)) {
      trace->crash(to_string(policy), line.path, line.words);
    }
  }
  fs.crash(plan, to_string(policy));
}

}  // namespace faults
