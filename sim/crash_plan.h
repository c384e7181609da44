// The directed crash: the caller decides exactly what survives a power loss, op by op, and
// apply_crash() builds the post-crash state. faults/power_loss.h chooses plans per policy
// (SPEC 3.3) and faults/crash_enumerator.h walks all of them; property tests build plans by hand
// (e.g. keep the first k writes of a file and tear the (k+1)-th at a chosen sector).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "sim/sim_fs_state.h"
#include "sim/torn_fill.h"

namespace sim {

// [begin, end) relative to the start of a pending write.
struct ByteRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

struct OpFate {
  enum class Kind : std::uint8_t {
    kDrop,     // never reached the disk: the old content stays, whatever `fill` says
    kKeep,     // reached the disk whole
    kTorn,     // writes only, in flight at the power loss: the bytes in `kept` reached the
               // disk; the rest of the write reads as `fill`, up to the size the kept bytes
               // left (a write torn before any kept byte past the old end does not grow it)
    kGarbage,  // writes only: the size grew to cover it, the data did not: the part past the
               // old end reads as zeros, or as junk when `fill` is kRandom
  };
  Kind kind = Kind::kDrop;
  std::vector<ByteRange> kept;  // kTorn: sorted, disjoint, within the write
  std::uint64_t junk_seed = 0;  // kTorn, kGarbage with fill kRandom: the junk's seed
  TornFill fill = TornFill::kStale;  // kTorn, kGarbage
  // kTorn: 0, the fill covers only the write's own lost bytes (torn_scope "write": powersafe
  // overwrite); else the device's sector size, and every sector holding a lost byte of the
  // write reads as `fill` whole but for the kept bytes, older data beside the write included
  // (torn_scope "sector"). Nothing past the size the kept bytes left.
  std::uint32_t damage_sector_bytes = 0;

  static OpFate drop() { return {}; }
  static OpFate keep() { return {Kind::kKeep, {}, 0}; }
  static OpFate torn(std::vector<ByteRange> kept, TornFill fill, std::uint64_t junk_seed) {
    return {Kind::kTorn, std::move(kept), junk_seed, fill};
  }
  // Zeros unless fill is kRandom.
  static OpFate garbage(TornFill fill, std::uint64_t junk_seed) {
    return {Kind::kGarbage, {}, junk_seed, fill};
  }
};

struct CrashPlan {
  // Per file inode, one fate per pending op (in order). A file missing here, or a shorter list,
  // drops the unlisted ops. Forced ops survive whatever the plan says.
  std::map<InodeId, std::vector<OpFate>> files;
  // Per directory inode, whether each pending dir op survives. Missing: all dropped.
  std::map<InodeId, std::vector<bool>> dirs;

  // Everything pending survives, whole (a clean shutdown of the page cache).
  static CrashPlan keep_all(const SimFsState& state);
};

// The state after a power loss that kept what `plan` says. Fully durable: no pending op, and
// visible == durable everywhere. Inodes no longer reachable from the root are gone; latent
// sectors stay. Pure.
SimFsState apply_crash(const SimFsState& state, const CrashPlan& plan);

// Whether `state` is one apply_crash() could have made, which it then gives back unchanged:
// nothing pending, every page cache its durable image, every inode reachable from the root
// through durable entries.
bool crash_settled(const SimFsState& state);

}  // namespace sim
