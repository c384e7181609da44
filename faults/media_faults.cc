#include "faults/media_faults.h"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

namespace faults {
namespace {

struct Target {
  std::string path;
  sim::InodeId inode = 0;
  std::uint64_t durable_bytes = 0;
};

bool pick(const sim::SimFs& fs, sim::Prng& prng, Target& target) {
  std::vector<Target> candidates;
  for (auto& [path, inode] : sim::visible_files(fs.state())) {
    const std::uint64_t size = fs.state().inodes.at(inode).file.durable.size();
    if (size > 0) candidates.push_back(Target{std::move(path), inode, size});
  }
  if (candidates.empty()) return false;
  target = std::move(candidates[prng.below(candidates.size())]);
  return true;
}

}  // namespace

bool inject_bit_flip(sim::SimFs& fs, sim::Prng& prng) {
  Target target;
  if (!pick(fs, prng, target)) return false;
  const std::uint64_t offset = prng.below(target.durable_bytes);
  const auto bit = static_cast<unsigned>(prng.below(8));
  fs.flip_durable_bit(target.inode, offset, bit);
  if (sim::Trace* trace = fs.trace()) {
    trace->fault("bit_flip", sim::FsOp::kNone, target.path, offset, 1, fmt::format("bit {}", bit));
  }
  return true;
}

bool inject_latent_sector(sim::SimFs& fs, sim::Prng& prng) {
  Target target;
  if (!pick(fs, prng, target)) return false;
  const std::uint64_t sector_bytes = fs.device().sector_bytes;
  const std::uint64_t sectors = (target.durable_bytes + sector_bytes - 1) / sector_bytes;
  const std::uint64_t sector = prng.below(sectors);
  fs.add_latent_sector(target.inode, sector);
  if (sim::Trace* trace = fs.trace()) {
    trace->fault("latent_sector", sim::FsOp::kNone, target.path, sector * sector_bytes,
                 sector_bytes, fmt::format("sector {}", sector));
  }
  return true;
}

}  // namespace faults
