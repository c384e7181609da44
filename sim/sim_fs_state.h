// The whole persistent state of a SimFs, as plain data: what a crash takes as input and gives as
// output (SPEC 3.2, 3.3). Files and directories are inodes, so a rename or unlink of an open
// file behaves as on POSIX (the handle keeps its inode).
//
// A file keeps its durable image (bytes; its length is the durable size), the ordered list of
// pending operations (write, truncate, allocate) not yet durable, and the visible image (the
// page cache: durable + pending applied in order). A directory keeps its visible and durable
// entries and the ordered list of pending entry operations.
//
// A pending op may be `forced`: sync_data() made it durable, but it could not be folded into the
// durable image because an earlier, still-pending op does not commute with it (e.g. an earlier
// truncate). Every crash keeps forced ops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/cow_bytes.h"

namespace sim {

using InodeId = std::uint64_t;

struct PendingOp {
  enum class Kind : std::uint8_t { kWrite, kTruncate, kAllocate };
  Kind kind = Kind::kWrite;
  bool forced = false;
  std::uint64_t offset = 0;  // write, allocate: where; truncate: the new size
  std::uint64_t length = 0;  // write: bytes.size(); allocate: the length; truncate: 0
  Bytes bytes;               // write only
  // The trace seq of the call that made it (0 without a trace): crash descriptions and the
  // failure diagnosis name it, so a reader finds the call in the timeline.
  std::uint64_t seq = 0;

  std::uint64_t end() const { return offset + length; }
};

struct FileState {
  CowBytes durable;  // shared with copies of the state until changed (cow_bytes.h)
  std::vector<PendingOp> pending;
  CowBytes visible;
  // A failed fsync (ext4/xfs profile) dropped pending data that the page cache still shows:
  // visible is then no longer durable + pending.
  bool cache_diverged = false;
  std::set<std::uint64_t> latent_sectors;  // sector indexes whose reads fail (media fault)
};

struct DirOp {
  enum class Kind : std::uint8_t {
    kLink,    // name -> inode (create, mkdir, the target side of a cross-directory rename)
    kUnlink,  // name removed (unlink, the source side of a cross-directory rename)
    kRename,  // name -> target within this directory, atomic
  };
  Kind kind = Kind::kLink;
  std::string name;
  std::string target;  // kRename only
  InodeId inode = 0;   // kLink, kRename
  std::uint64_t seq = 0;  // as PendingOp::seq
};

// Name -> inode; std::less<> so lookups take a string_view without a copy.
using Entries = std::map<std::string, InodeId, std::less<>>;

struct DirState {
  Entries visible;
  Entries durable;
  std::vector<DirOp> pending;
};

struct Inode {
  bool is_dir = false;
  FileState file;  // !is_dir
  DirState dir;    // is_dir
};

struct SimFsState {
  static constexpr InodeId kRoot = 1;
  std::map<InodeId, Inode> inodes{{kRoot, Inode{true, {}, {}}}};
  InodeId next_inode = kRoot + 1;
};

// Applies one pending op to an image (zero-filling any gap).
void apply_op(Bytes& image, const PendingOp& op);
// Applies one directory op to a map of entries.
void apply_dir_op(Entries& entries, const DirOp& op);

// What survives every crash of this file: the durable image with the forced ops applied.
CowBytes durable_floor(const FileState& file);

// A stable hash of what a reader could observe after a crash of `state` made fully durable:
// the tree of durable names from the root and each reachable file's durable bytes and latent
// sectors. Two states with the same hash look the same to recovery.
std::uint64_t durable_hash(const SimFsState& state);

// Every reachable path (visible tree), depth first in name order, with its inode.
std::vector<std::pair<std::string, InodeId>> visible_files(const SimFsState& state);

}  // namespace sim

namespace sim {

// Inodes reachable from the root. kDurable: through durable entries only (what a crash keeps);
// kAny: through visible or durable entries or pending dir ops (what a running fs must keep).
enum class Reach : std::uint8_t { kDurable, kAny };
std::set<InodeId> reachable_inodes(const SimFsState& state, Reach reach);

}  // namespace sim
