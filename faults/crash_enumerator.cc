#include "faults/crash_enumerator.h"

#include <set>
#include <vector>

#include "sim/hash_mix.h"

namespace faults {
namespace {

using sim::OpFate;
using sim::PendingOp;

// One group of choices that together decide one thing of the plan.
struct Slot {
  enum class Kind : std::uint8_t { kFilePrefix, kOp, kTornWrite, kGarbageWrite, kDirOp };
  Kind kind = Kind::kOp;
  sim::InodeId inode = 0;
  std::size_t index = 0;                // op index (kOp, kTornWrite, kGarbageWrite, kDirOp)
  std::vector<sim::ByteRange> pieces;   // kTornWrite
  std::size_t first_digit = 0;
  std::size_t digits = 1;
};

struct Layout {
  std::vector<Slot> slots;
  std::vector<std::uint32_t> radix;  // one per digit

  void add(Slot slot, std::size_t digits, std::uint32_t base) {
    slot.first_digit = radix.size();
    slot.digits = digits;
    radix.insert(radix.end(), digits, base);
    slots.push_back(std::move(slot));
  }
};

Layout build_layout(const sim::SimFsState& state, const sim::DeviceModel& device,
                    const EnumerateOptions& options) {
  Layout layout;
  if (options.policy == CrashPolicy::kDropUnsynced) return layout;
  for (const auto& [id, inode] : state.inodes) {
    if (inode.is_dir) {
      if (!options.lose_unsynced_dir_ops) continue;
      for (std::size_t i = 0; i < inode.dir.pending.size(); ++i) {
        layout.add(Slot{Slot::Kind::kDirOp, id, i, {}, 0, 0}, 1, 2);
      }
      continue;
    }
    const auto& pending = inode.file.pending;
    if (options.policy == CrashPolicy::kPrefix) {
      std::size_t unforced = 0;
      for (const PendingOp& op : pending) unforced += op.forced ? 0 : 1;
      if (unforced > 0) {
        layout.add(Slot{Slot::Kind::kFilePrefix, id, 0, {}, 0, 0}, 1,
                   static_cast<std::uint32_t>(unforced + 1));
      }
      continue;
    }
    for (std::size_t i = 0; i < pending.size(); ++i) {
      const PendingOp& op = pending[i];
      if (op.forced) continue;
      const bool write = op.kind == PendingOp::Kind::kWrite;
      if (write && options.policy == CrashPolicy::kTorn) {
        Slot slot{Slot::Kind::kTornWrite, id, i, sector_pieces(op, device), 0, 0};
        const std::size_t digits = slot.pieces.size();
        const std::uint32_t base = device.atomic_sector ? 2 : 3;
        layout.add(std::move(slot), digits, base);
        // Filled pieces: every piece lost is not the write lost. The first piece's extra
        // value is the write never issued (the other digits then repeat one plan).
        if (options.torn_fill != sim::TornFill::kStale) {
          layout.radix[layout.slots.back().first_digit] = base + 1;
        }
      } else if (write && options.policy == CrashPolicy::kGarbageTail) {
        layout.add(Slot{Slot::Kind::kGarbageWrite, id, i, {}, 0, 0}, 1, 3);
      } else {
        layout.add(Slot{Slot::Kind::kOp, id, i, {}, 0, 0}, 1, 2);
      }
    }
  }
  return layout;
}

OpFate torn_fate(const Slot& slot, const std::vector<std::uint32_t>& digits,
                 const sim::DeviceModel& device, const EnumerateOptions& options) {
  const sim::TornFill fill = options.torn_fill;
  const std::uint32_t never_issued = device.atomic_sector ? 2 : 3;  // torn_fill != stale
  if (digits[slot.first_digit] == never_issued) return OpFate::drop();
  // Junk of its own per write, the same in every plan: a plan is all the enumerator varies.
  OpFate fate = OpFate::torn({}, fill, fill == sim::TornFill::kRandom
                                           ? sim::mix64(sim::fold64(slot.inode, slot.index)) | 1
                                           : 0);
  if (options.torn_scope == sim::TornScope::kSector) {
    fate.damage_sector_bytes = device.sector_bytes;
  }
  bool all = true;
  for (std::size_t p = 0; p < slot.pieces.size(); ++p) {
    const sim::ByteRange piece = slot.pieces[p];
    switch (digits[slot.first_digit + p]) {
      case 0:
        all = false;
        break;
      case 1:
        fate.kept.push_back(piece);
        break;
      default:
        all = false;
        if (piece.end - piece.begin > 1) {
          fate.kept.push_back({piece.begin, piece.begin + (piece.end - piece.begin) / 2});
        }
        break;
    }
  }
  if (all) return OpFate::keep();
  // Stale: a write torn with nothing kept left what a lost one leaves.
  if (fate.kept.empty() && fill == sim::TornFill::kStale) return OpFate::drop();
  return fate;
}

sim::CrashPlan build_plan(const sim::SimFsState& state, const sim::DeviceModel& device,
                          const Layout& layout, const EnumerateOptions& options,
                          const std::vector<std::uint32_t>& digits) {
  sim::CrashPlan plan;
  if (options.policy != CrashPolicy::kDropUnsynced && !options.lose_unsynced_dir_ops) {
    for (const auto& [id, inode] : state.inodes) {
      if (inode.is_dir && !inode.dir.pending.empty()) {
        plan.dirs[id].assign(inode.dir.pending.size(), true);
      }
    }
  }
  for (const Slot& slot : layout.slots) {
    const std::uint32_t digit = digits[slot.first_digit];
    if (slot.kind == Slot::Kind::kDirOp) {
      auto& survive = plan.dirs[slot.inode];
      survive.resize(state.inodes.at(slot.inode).dir.pending.size(), false);
      survive[slot.index] = digit == 1;
      continue;
    }
    const auto& pending = state.inodes.at(slot.inode).file.pending;
    auto& fates = plan.files[slot.inode];
    fates.resize(pending.size());
    switch (slot.kind) {
      case Slot::Kind::kFilePrefix: {
        std::uint32_t left = digit;  // unforced ops to keep, from the front
        for (std::size_t i = 0; i < pending.size() && left > 0; ++i) {
          if (pending[i].forced) continue;
          fates[i] = OpFate::keep();
          --left;
        }
        break;
      }
      case Slot::Kind::kOp:
        fates[slot.index] = digit == 1 ? OpFate::keep() : OpFate::drop();
        break;
      case Slot::Kind::kTornWrite:
        fates[slot.index] = torn_fate(slot, digits, device, options);
        break;
      case Slot::Kind::kGarbageWrite:
        if (digit == 1) fates[slot.index] = OpFate::keep();
        if (digit == 2) fates[slot.index] = OpFate::garbage(sim::TornFill::kZeros, 0);
        break;
      case Slot::Kind::kDirOp:
        break;
    }
  }
  return plan;
}

// Odometer step, first digit fastest. False once every combination was produced.
bool advance(std::vector<std::uint32_t>& digits, const std::vector<std::uint32_t>& radix) {
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (++digits[i] < radix[i]) return true;
    digits[i] = 0;
  }
  return false;
}

}  // namespace

EnumerationResult enumerate_crash_states(const sim::SimFsState& state,
                                         const sim::DeviceModel& device,
                                         const EnumerateOptions& options,
                                         const StateVisitor& visit) {
  const Layout layout = build_layout(state, device, options);
  std::vector<std::uint32_t> digits(layout.radix.size(), 0);
  std::set<std::uint64_t> seen;
  EnumerationResult result;
  for (;;) {
    const sim::CrashPlan plan = build_plan(state, device, layout, options, digits);
    const sim::SimFsState after = sim::apply_crash(state, plan);
    ++result.plans;
    const std::uint64_t hash = sim::durable_hash(after);
    if (seen.insert(hash).second) {
      ++result.distinct;
      if (visit && !visit(after, plan, hash)) return result;
    }
    if (!advance(digits, layout.radix)) break;
    if (result.distinct >= options.max_states || result.plans >= options.max_plans) return result;
  }
  result.complete = true;
  return result;
}

}  // namespace faults
