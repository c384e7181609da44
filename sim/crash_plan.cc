#include "sim/crash_plan.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include <wal/assert.h>


namespace sim {
namespace {

// Bytes of [begin, end) (absolute) that the kept ranges of `op` cover.
std::uint64_t kept_within(const PendingOp& op, const OpFate& fate, std::uint64_t begin,
                          std::uint64_t end) {
  std::uint64_t covered = 0;
  for (const ByteRange& range : fate.kept) {
    const std::uint64_t from = std::max(begin, op.offset + range.begin);
    const std::uint64_t to = std::min(end, op.offset + range.end);
    if (from < to) covered += to - from;
  }
  return covered;
}

// Without powersafe overwrite: each sector the write did not finish reads as the fill whole,
// but for the kept bytes, in increasing order (the junk's bytes follow the offsets).
void fill_damaged_sectors(Bytes& image, const PendingOp& op, const OpFate& fate) {
  Filler filler(fate.fill, fate.junk_seed);
  const std::uint64_t sector = fate.damage_sector_bytes;
  for (std::uint64_t begin = op.offset / sector * sector; begin < op.end(); begin += sector) {
    const std::uint64_t end = begin + sector;
    const std::uint64_t wrote = std::min(end, op.end()) - std::max(begin, op.offset);
    if (kept_within(op, fate, begin, end) == wrote) continue;  // the sector was finished
    std::uint64_t at = begin;
    for (const ByteRange& range : fate.kept) {
      const std::uint64_t kept_begin = op.offset + range.begin;
      const std::uint64_t kept_end = op.offset + range.end;
      if (kept_end <= at || kept_begin >= end) continue;
      filler.fill(image, at, std::max(at, kept_begin));
      at = std::max(at, kept_end);
    }
    filler.fill(image, at, end);
  }
}

void apply_torn(Bytes& image, const PendingOp& op, const OpFate& fate) {
  for (const ByteRange& range : fate.kept) {
    WAL_ASSERT(range.begin <= range.end && range.end <= op.length);
    if (range.begin == range.end) continue;
    const std::uint64_t end = op.offset + range.end;
    if (end > image.size()) image.resize(end);
    std::memcpy(image.data() + op.offset + range.begin, op.bytes.data() + range.begin,
                range.end - range.begin);
  }
  if (fate.damage_sector_bytes != 0) {
    fill_damaged_sectors(image, op, fate);
    return;
  }
  // The rest of the write: the sectors the device was writing when the power went. Only the
  // bytes the write covered (a sector it shares with older data keeps that data: the device
  // writes no byte it was not asked to, SQLite's "powersafe overwrite"); past the size the
  // kept bytes left there is nothing to fill, the file did not grow that far.
  Filler filler(fate.fill, fate.junk_seed);
  std::uint64_t at = 0;
  for (const ByteRange& range : fate.kept) {
    WAL_ASSERT(at <= range.begin);
    filler.fill(image, op.offset + at, op.offset + range.begin);
    at = range.end;
  }
  filler.fill(image, op.offset + at, op.end());
}

void apply_garbage(Bytes& image, const PendingOp& op, const OpFate& fate) {
  const std::uint64_t old_size = image.size();
  if (op.end() <= old_size) return;  // nothing grew: the data simply never arrived
  image.resize(op.end());            // zeros
  const TornFill fill = fate.fill == TornFill::kRandom ? TornFill::kRandom : TornFill::kZeros;
  Filler(fill, fate.junk_seed).fill(image, std::max(old_size, op.offset), op.end());
}

CowBytes crash_file(const FileState& file, const std::vector<OpFate>* fates) {
  CowBytes image = file.durable;
  for (std::size_t i = 0; i < file.pending.size(); ++i) {
    const PendingOp& op = file.pending[i];
    const OpFate* fate = fates != nullptr && i < fates->size() ? &(*fates)[i] : nullptr;
    if (op.forced) {
      apply_op(image.mut(), op);
      continue;
    }
    if (fate == nullptr) continue;
    switch (fate->kind) {
      case OpFate::Kind::kDrop:
        break;
      case OpFate::Kind::kKeep:
        apply_op(image.mut(), op);
        break;
      case OpFate::Kind::kTorn:
        WAL_ASSERT(op.kind == PendingOp::Kind::kWrite);
        apply_torn(image.mut(), op, *fate);
        break;
      case OpFate::Kind::kGarbage:
        WAL_ASSERT(op.kind == PendingOp::Kind::kWrite);
        apply_garbage(image.mut(), op, *fate);
        break;
    }
  }
  return image;
}

Entries crash_dir(const DirState& dir, const std::vector<bool>* survive) {
  Entries entries = dir.durable;
  for (std::size_t i = 0; i < dir.pending.size(); ++i) {
    if (survive != nullptr && i < survive->size() && (*survive)[i]) {
      apply_dir_op(entries, dir.pending[i]);
    }
  }
  return entries;
}

template <typename Map>
const typename Map::mapped_type* find_or_null(const Map& map, InodeId id) {
  const auto it = map.find(id);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace

CrashPlan CrashPlan::keep_all(const SimFsState& state) {
  CrashPlan plan;
  for (const auto& [id, inode] : state.inodes) {
    if (inode.is_dir) {
      if (!inode.dir.pending.empty()) plan.dirs[id].assign(inode.dir.pending.size(), true);
    } else if (!inode.file.pending.empty()) {
      plan.files[id].assign(inode.file.pending.size(), OpFate::keep());
    }
  }
  return plan;
}

SimFsState apply_crash(const SimFsState& state, const CrashPlan& plan) {
  SimFsState out;
  out.next_inode = state.next_inode;
  out.inodes.clear();
  // Directories first: only inodes reachable after the crash need their bytes rebuilt.
  for (const auto& [id, inode] : state.inodes) {
    if (!inode.is_dir) continue;
    Inode& dir = out.inodes[id];
    dir.is_dir = true;
    dir.dir.durable = crash_dir(inode.dir, find_or_null(plan.dirs, id));
    dir.dir.visible = dir.dir.durable;
  }
  // Mark from the root over the new durable entries; a file inode is still absent from `out`,
  // so reachable_inodes would not find it: walk here instead.
  std::set<InodeId> live;
  std::vector<InodeId> stack{SimFsState::kRoot};
  while (!stack.empty()) {
    const InodeId id = stack.back();
    stack.pop_back();
    if (!live.insert(id).second) continue;
    const auto it = out.inodes.find(id);
    if (it == out.inodes.end()) continue;  // a file
    for (const auto& [name, child] : it->second.dir.durable) stack.push_back(child);
  }
  for (auto it = out.inodes.begin(); it != out.inodes.end();) {
    it = live.count(it->first) != 0 ? std::next(it) : out.inodes.erase(it);
  }
  for (const InodeId id : live) {
    const Inode& before = state.inodes.at(id);
    if (before.is_dir) continue;
    Inode& file = out.inodes[id];
    file.file.durable = crash_file(before.file, find_or_null(plan.files, id));
    file.file.visible = file.file.durable;
    file.file.latent_sectors = before.file.latent_sectors;
  }
  return out;
}

bool crash_settled(const SimFsState& state) {
  for (const auto& [id, inode] : state.inodes) {
    if (inode.is_dir) {
      const DirState& dir = inode.dir;
      if (!dir.pending.empty() || dir.visible != dir.durable) return false;
      if (!inode.file.pending.empty() || !inode.file.durable.empty() ||
          !inode.file.visible.empty()) {
        return false;
      }
    } else {
      const FileState& file = inode.file;
      if (!file.pending.empty() || file.cache_diverged || !(file.visible == file.durable)) {
        return false;
      }
      if (!inode.dir.visible.empty() || !inode.dir.durable.empty() || !inode.dir.pending.empty()) {
        return false;
      }
    }
  }
  // Every inode reachable through durable entries (a crash drops the others).
  std::set<InodeId> live;
  std::vector<InodeId> stack{SimFsState::kRoot};
  while (!stack.empty()) {
    const InodeId id = stack.back();
    stack.pop_back();
    if (!live.insert(id).second) continue;
    const auto it = state.inodes.find(id);
    if (it == state.inodes.end()) return false;
    if (!it->second.is_dir) continue;
    for (const auto& [name, child] : it->second.dir.durable) stack.push_back(child);
  }
  return live.size() == state.inodes.size();
}

}  // namespace sim
