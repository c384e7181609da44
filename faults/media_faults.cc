#include "faults/media_faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
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

// Where aimed damage goes: a byte of one structural range, the role drawn first so that rare
// roles (the FRONT marker, a segment header) weigh as much as the many record headers.
struct Aimed {
  Target target;
  std::uint64_t offset = 0;
  AimedRange::Role role = AimedRange::Role::kRecordHeader;
};

std::optional<Aimed> aim_at_structure(const sim::SimFs& fs, sim::Prng& prng) {
  struct Candidate {
    Target target;
    AimedRange range;
  };
  std::vector<Candidate> candidates;
  for (auto& [path, inode] : sim::visible_files(fs.state())) {
    const sim::Bytes& durable = fs.state().inodes.at(inode).file.durable;
    const std::size_t slash = path.rfind('/');
    const std::string_view name =
        slash == std::string::npos ? std::string_view(path) : std::string_view(path).substr(slash + 1);
    for (const AimedRange& range : structure_of(name, durable)) {
      candidates.push_back({Target{path, inode, durable.size()}, range});
    }
  }
  if (candidates.empty()) return std::nullopt;
  std::vector<AimedRange::Role> roles;
  for (const Candidate& c : candidates) {
    if (std::find(roles.begin(), roles.end(), c.range.role) == roles.end()) {
      roles.push_back(c.range.role);
    }
  }
  std::sort(roles.begin(), roles.end());
  const AimedRange::Role role = roles[prng.below(roles.size())];
  std::vector<const Candidate*> of_role;
  for (const Candidate& c : candidates) {
    if (c.range.role == role) of_role.push_back(&c);
  }
  const Candidate& chosen = *of_role[prng.below(of_role.size())];
  return Aimed{chosen.target, chosen.range.offset + prng.below(chosen.range.length), role};
}

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

// Aimed per `aim`; false: damage a uniform byte instead (also when there is no structure).
bool choose(const sim::SimFs& fs, sim::Prng& prng, MediaAim aim, Aimed& out) {
  if (aim == MediaAim::kStructure || (aim == MediaAim::kMixed && prng.coin())) {
    if (std::optional<Aimed> aimed = aim_at_structure(fs, prng)) {
      out = std::move(*aimed);
      return true;
    }
  }
  return false;
}

std::string role_note(bool aimed, AimedRange::Role role) {
  return aimed ? fmt::format(" ({})", to_string(role)) : std::string();
}

}  // namespace

bool inject_bit_flip(sim::SimFs& fs, sim::Prng& prng, MediaAim aim) {
  Aimed aimed;
  const bool at_structure = choose(fs, prng, aim, aimed);
  if (!at_structure) {
    if (!pick(fs, prng, aimed.target)) return false;
    aimed.offset = prng.below(aimed.target.durable_bytes);
  }
  const Target& target = aimed.target;
  const std::uint64_t offset = aimed.offset;
  const auto bit = static_cast<unsigned>(prng.below(8));
  // Which records it hits, read before the flip (the oracle: media_aim.h).
  const std::optional<LsnSpan> hit =
      lsns_hit(fs.state().inodes.at(target.inode).file.durable, offset, 1);
  fs.flip_durable_bit(target.inode, offset, bit);
  if (sim::Trace* trace = fs.trace()) {
    trace->fault("bit_flip", sim::FsOp::kNone, target.path, offset, 1,
                 fmt::format("bit {}{}{}", bit, role_note(at_structure, aimed.role),
                             describe_lsns_hit(hit)));
  }
  return true;
}

bool inject_latent_sector(sim::SimFs& fs, sim::Prng& prng, MediaAim aim) {
  Aimed aimed;
  const bool at_structure = choose(fs, prng, aim, aimed);
  const std::uint64_t sector_bytes = fs.device().sector_bytes;
  std::uint64_t sector = 0;
  if (at_structure) {
    sector = aimed.offset / sector_bytes;
  } else {
    if (!pick(fs, prng, aimed.target)) return false;
    const std::uint64_t sectors = (aimed.target.durable_bytes + sector_bytes - 1) / sector_bytes;
    sector = prng.below(sectors);
  }
  const Target& target = aimed.target;
  const std::optional<LsnSpan> hit = lsns_hit(fs.state().inodes.at(target.inode).file.durable,
                                              sector * sector_bytes, sector_bytes);
  fs.add_latent_sector(target.inode, sector);
  if (sim::Trace* trace = fs.trace()) {
    trace->fault("latent_sector", sim::FsOp::kNone, target.path, sector * sector_bytes,
                 sector_bytes,
                 fmt::format("sector {}{}{}", sector, role_note(at_structure, aimed.role),
                             describe_lsns_hit(hit)));
  }
  return true;
}

}  // namespace faults
