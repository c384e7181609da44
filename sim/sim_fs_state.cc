#include "sim/sim_fs_state.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include <wal/assert.h>
#include <xxhash.h>

#include "sim/hash_mix.h"

namespace sim {
namespace {


// File images are most of what explore() hashes (every post-crash state, twice), so bytes go
// through XXH3 rather than word-by-word through fold64().
std::uint64_t fold_bytes(std::uint64_t hash, const std::byte* data, std::size_t size) {
  return fold64(fold64(hash, size), XXH3_64bits(data, size));
}

// The same as fold_bytes of its bytes; the hash is kept with them (cow_bytes.h).
std::uint64_t fold_bytes(std::uint64_t hash, const CowBytes& bytes) {
  return fold64(fold64(hash, bytes.size()), bytes.hash());
}

std::uint64_t fold_string(std::uint64_t hash, std::string_view text) {
  return fold_bytes(hash, reinterpret_cast<const std::byte*>(text.data()), text.size());
}

std::uint64_t hash_tree(const SimFsState& state, InodeId id, std::set<InodeId>& seen,
                        std::uint64_t hash) {
  if (!seen.insert(id).second) return fold64(hash, 0xc1c1e);  // a cycle: never from the fs itself
  const Inode& inode = state.inodes.at(id);
  hash = fold64(hash, inode.is_dir ? 1 : 2);
  if (inode.is_dir) {
    hash = fold64(hash, inode.dir.durable.size());
    for (const auto& [name, child] : inode.dir.durable) {
      hash = fold_string(hash, name);
      hash = hash_tree(state, child, seen, hash);
    }
    return hash;
  }
  const bool forced = std::any_of(inode.file.pending.begin(), inode.file.pending.end(),
                                  [](const PendingOp& op) { return op.forced; });
  if (forced) {
    hash = fold_bytes(hash, durable_floor(inode.file));
  } else {  // the floor is the durable image: no copy to hash it
    hash = fold_bytes(hash, inode.file.durable);
  }
  hash = fold64(hash, inode.file.latent_sectors.size());
  for (std::uint64_t sector : inode.file.latent_sectors) hash = fold64(hash, sector);
  return hash;
}

void walk_visible(const SimFsState& state, InodeId dir, const std::string& prefix,
                  std::set<InodeId>& seen, std::vector<std::pair<std::string, InodeId>>& out) {
  if (!seen.insert(dir).second) return;
  for (const auto& [name, child] : state.inodes.at(dir).dir.visible) {
    std::string path = prefix.empty() ? name : prefix + "/" + name;
    if (state.inodes.at(child).is_dir) {
      walk_visible(state, child, path, seen, out);
    } else {
      out.emplace_back(std::move(path), child);
    }
  }
}

}  // namespace

void apply_op(Bytes& image, const PendingOp& op) {
  switch (op.kind) {
    case PendingOp::Kind::kWrite:
      if (op.end() > image.size()) image.resize(op.end());
      if (!op.bytes.empty()) std::memcpy(image.data() + op.offset, op.bytes.data(), op.length);
      return;
    case PendingOp::Kind::kTruncate:
      image.resize(op.offset);
      return;
    case PendingOp::Kind::kAllocate:
      if (op.end() > image.size()) image.resize(op.end());
      return;
  }
}

void apply_dir_op(Entries& entries, const DirOp& op) {
  switch (op.kind) {
    case DirOp::Kind::kLink:
      entries[op.name] = op.inode;
      return;
    case DirOp::Kind::kUnlink:
      entries.erase(op.name);
      return;
    case DirOp::Kind::kRename:
      entries.erase(op.name);
      entries[op.target] = op.inode;
      return;
  }
}

CowBytes durable_floor(const FileState& file) {
  CowBytes image = file.durable;
  for (const PendingOp& op : file.pending) {
    if (op.forced) apply_op(image.mut(), op);
  }
  return image;
}

std::uint64_t durable_hash(const SimFsState& state) {
  std::set<InodeId> seen;
  return hash_tree(state, SimFsState::kRoot, seen, 0x51'4d'46'53ull);
}

std::vector<std::pair<std::string, InodeId>> visible_files(const SimFsState& state) {
  std::vector<std::pair<std::string, InodeId>> out;
  std::set<InodeId> seen;
  walk_visible(state, SimFsState::kRoot, "", seen, out);
  return out;
}

std::set<InodeId> reachable_inodes(const SimFsState& state, Reach reach) {
  std::set<InodeId> seen;
  std::vector<InodeId> stack{SimFsState::kRoot};
  while (!stack.empty()) {
    const InodeId id = stack.back();
    stack.pop_back();
    if (!seen.insert(id).second) continue;
    const auto it = state.inodes.find(id);
    WAL_ASSERT(it != state.inodes.end());
    if (!it->second.is_dir) continue;
    const DirState& dir = it->second.dir;
    for (const auto& [name, child] : dir.durable) stack.push_back(child);
    if (reach == Reach::kDurable) continue;
    for (const auto& [name, child] : dir.visible) stack.push_back(child);
    for (const DirOp& op : dir.pending) {
      if (op.kind != DirOp::Kind::kUnlink) stack.push_back(op.inode);
    }
  }
  return seen;
}

}  // namespace sim
