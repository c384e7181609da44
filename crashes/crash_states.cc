#include "crashes/crash_states.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "sim/hash_mix.h"

namespace crashes {
namespace {

using sim::OpFate;

// Every inode of the visible tree by path ("" is D); an inode under two names keeps the first.
std::map<sim::InodeId, std::string> paths_of(const sim::SimFsState& state) {
  std::map<sim::InodeId, std::string> out{{sim::SimFsState::kRoot, ""}};
  std::vector<std::pair<sim::InodeId, std::string>> stack{{sim::SimFsState::kRoot, ""}};
  while (!stack.empty()) {
    auto [dir, prefix] = std::move(stack.back());
    stack.pop_back();
    for (const auto& [name, child] : state.inodes.at(dir).dir.visible) {
      std::string path = prefix.empty() ? name : prefix + "/" + name;
      if (!out.emplace(child, path).second) continue;
      if (state.inodes.at(child).is_dir) stack.emplace_back(child, std::move(path));
    }
  }
  return out;
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

PlanSpec spec(Family family, std::uint32_t keep = 0, std::uint32_t omit = 0,
              std::uint64_t mask = 0, sim::TornFill fill = sim::TornFill::kStale) {
  PlanSpec out;
  out.family = family;
  out.keep = keep;
  out.omit = omit;
  out.mask = mask;
  out.fill = fill;
  return out;
}

std::uint64_t junk_seed(std::uint64_t seed, const PendingItem& item) {
  return sim::mix64(sim::fold64(sim::fold64(seed, item.inode), item.call)) | 1;
}

// The plans of one family at one crash point, in a fixed order. `emit` returns false to stop.
bool each_spec(faults::CrashPolicy policy, const std::vector<PendingItem>& items,
               const std::function<bool(PlanSpec)>& emit) {
  const auto n = static_cast<std::uint32_t>(items.size());
  switch (policy) {
    case faults::CrashPolicy::kProcess:
      return true;  // a process crash loses nothing: no state beyond the recorded one
    case faults::CrashPolicy::kDropUnsynced:
      return emit(spec(Family::kDropAll));
    case faults::CrashPolicy::kPrefix:
      for (std::uint32_t j = n + 1; j-- > 0;) {
        if (!emit(spec(Family::kPrefix, j))) return false;
      }
      return true;
    case faults::CrashPolicy::kReorder:
      if (n <= kSubsetLimit) {
        for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << n); ++mask) {
          if (!emit(spec(Family::kSubset, 0, 0, mask))) return false;
        }
        return true;
      }
      for (std::uint32_t j = 2; j <= n; ++j) {
        for (std::uint32_t omit = 0; omit + 1 < j; ++omit) {
          if (!emit(spec(Family::kOmitOne, j, omit))) return false;
        }
      }
      return true;
    case faults::CrashPolicy::kTorn:
      for (const sim::TornFill fill :
           {sim::TornFill::kStale, sim::TornFill::kZeros, sim::TornFill::kRandom}) {
        for (std::uint32_t j = 0; j < n; ++j) {
          if (!items[j].write) continue;
          const std::size_t p = items[j].pieces.size();
          const std::uint64_t all = p >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << p) - 1;
          std::vector<std::uint64_t> masks;
          if (p <= 4) {
            for (std::uint64_t mask = 0; mask < all; ++mask) masks.push_back(mask);
          } else {
            const std::size_t q_max = std::min<std::size_t>(p, 63);
            for (std::size_t q = 0; q < q_max; ++q) masks.push_back((std::uint64_t{1} << q) - 1);
            for (std::size_t q = 0; q < q_max; ++q) masks.push_back(all & ~(std::uint64_t{1} << q));
          }
          for (const std::uint64_t mask : masks) {
            if (!emit(spec(Family::kTorn, j, 0, mask, fill))) return false;
          }
        }
      }
      return true;
    case faults::CrashPolicy::kGarbageTail:
      for (const sim::TornFill fill : {sim::TornFill::kZeros, sim::TornFill::kRandom}) {
        for (std::uint32_t j = 0; j < n; ++j) {
          if (!items[j].write || !items[j].grows) continue;
          if (!emit(spec(Family::kGarbage, j, 0, 0, fill))) return false;
        }
      }
      return true;
  }
  return true;
}

}  // namespace

std::vector<PendingItem> pending_items(const sim::SimFsState& state, const Replay& replay) {
  const std::map<sim::InodeId, std::string> paths = paths_of(state);
  const auto path_of = [&](sim::InodeId inode) {
    const auto it = paths.find(inode);
    return it == paths.end() ? std::string("(unlinked)") : it->second;
  };
  std::vector<std::pair<std::uint64_t, PendingItem>> keyed;
  for (const auto& [id, inode] : state.inodes) {
    if (inode.is_dir) {
      const std::string dir = path_of(id);
      for (std::size_t i = 0; i < inode.dir.pending.size(); ++i) {
        const sim::DirOp& op = inode.dir.pending[i];
        PendingItem item;
        item.dir = true;
        item.inode = id;
        item.index = i;
        item.call = replay.call_of(op.seq);
        item.path = dir;
        switch (op.kind) {
          case sim::DirOp::Kind::kLink:
            item.what = fmt::format("entry \"{}\" created", join(dir, op.name));
            break;
          case sim::DirOp::Kind::kUnlink:
            item.what = fmt::format("entry \"{}\" removed", join(dir, op.name));
            break;
          case sim::DirOp::Kind::kRename:
            item.what = fmt::format("rename \"{}\" -> \"{}\"", join(dir, op.name),
                                    join(dir, op.target));
            break;
        }
        keyed.emplace_back(op.seq, std::move(item));
      }
      continue;
    }
    for (std::size_t i = 0; i < inode.file.pending.size(); ++i) {
      const sim::PendingOp& op = inode.file.pending[i];
      if (op.forced) continue;
      PendingItem item;
      item.inode = id;
      item.index = i;
      item.call = replay.call_of(op.seq);
      // The name the program wrote it under, not where later renames took it.
      std::string path = replay.path_at(item.call);
      if (path.empty()) path = path_of(id);
      item.path = path;
      switch (op.kind) {
        case sim::PendingOp::Kind::kWrite:
          item.write = true;
          item.grows = op.end() > inode.file.durable.size();
          item.pieces = faults::sector_pieces(op, replay.device());
          item.what = fmt::format("write \"{}\" bytes {}-{}", path, op.offset, op.end());
          break;
        case sim::PendingOp::Kind::kTruncate:
          item.what = fmt::format("truncate \"{}\" to {}", path, op.offset);
          break;
        case sim::PendingOp::Kind::kAllocate:
          item.what = fmt::format("allocate \"{}\" bytes {}-{}", path, op.offset, op.end());
          break;
      }
      keyed.emplace_back(op.seq, std::move(item));
    }
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<PendingItem> items;
  items.reserve(keyed.size());
  for (auto& [seq, item] : keyed) items.push_back(std::move(item));
  return items;
}

std::vector<OpFate> fates_of(const std::vector<PendingItem>& items, const PlanSpec& spec) {
  std::vector<OpFate> fates(items.size(), OpFate::drop());
  for (std::size_t i = 0; i < items.size(); ++i) {
    bool keep = false;
    switch (spec.family) {
      case Family::kDropAll: break;
      case Family::kPrefix: keep = i < spec.keep; break;
      case Family::kOmitOne: keep = i < spec.keep && i != spec.omit; break;
      case Family::kSubset: keep = i < 64 && ((spec.mask >> i) & 1) != 0; break;
      case Family::kTorn:
      case Family::kGarbage: keep = i < spec.keep; break;
    }
    if (keep) fates[i] = OpFate::keep();
  }
  if ((spec.family == Family::kTorn || spec.family == Family::kGarbage) &&
      spec.keep < items.size()) {
    const PendingItem& item = items[spec.keep];
    const std::uint64_t seed = spec.fill == sim::TornFill::kRandom ? junk_seed(spec.seed, item) : 0;
    if (spec.family == Family::kGarbage) {
      fates[spec.keep] = OpFate::garbage(spec.fill, seed);
    } else {
      std::vector<sim::ByteRange> kept;
      for (std::size_t p = 0; p < item.pieces.size() && p < 64; ++p) {
        if (((spec.mask >> p) & 1) != 0) kept.push_back(item.pieces[p]);
      }
      fates[spec.keep] = kept.empty() && spec.fill == sim::TornFill::kStale
                             ? OpFate::drop()
                             : OpFate::torn(std::move(kept), spec.fill, seed);
    }
  }
  return fates;
}

sim::CrashPlan plan_of(const sim::SimFsState& state, const std::vector<PendingItem>& items,
                       const std::vector<OpFate>& fates) {
  sim::CrashPlan plan;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const PendingItem& item = items[i];
    const sim::Inode& inode = state.inodes.at(item.inode);
    if (item.dir) {
      auto& survive = plan.dirs[item.inode];
      survive.resize(inode.dir.pending.size(), false);
      survive[item.index] = fates[i].kind == OpFate::Kind::kKeep;
    } else {
      auto& list = plan.files[item.inode];
      list.resize(inode.file.pending.size());
      list[item.index] = fates[i];
    }
  }
  return plan;
}

std::string describe(const std::vector<PendingItem>& items, const std::vector<OpFate>& fates) {
  std::vector<std::string> lost;
  std::vector<std::string> torn;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string what = fmt::format("call {} {}", items[i].call, items[i].what);
    switch (fates[i].kind) {
      case OpFate::Kind::kKeep: break;
      case OpFate::Kind::kDrop: lost.push_back(what); break;
      case OpFate::Kind::kTorn:
        torn.push_back(fmt::format("{} ({} of {} sectors written, rest {})", what,
                                   fates[i].kept.size(), items[i].pieces.size(),
                                   sim::to_string(fates[i].fill)));
        break;
      case OpFate::Kind::kGarbage:
        torn.push_back(fmt::format("{} (size grew, data {})", what,
                                   sim::to_string(fates[i].fill)));
        break;
    }
  }
  std::string out;
  const auto add = [&](const char* label, const std::vector<std::string>& list) {
    if (list.empty()) return;
    if (!out.empty()) out += "; ";
    out += fmt::format("{}: {}", label, fmt::join(list, ", "));
  };
  add("lost", lost);
  add("torn", torn);
  return out.empty() ? std::string("nothing lost") : out;
}

std::string replay_to(Replay& replay, std::size_t point) {
  if (std::string problem = replay.start(); !problem.empty()) return problem;
  while (replay.applied() < point && !replay.done()) {
    if (std::string problem = replay.step(); !problem.empty()) return problem;
  }
  return {};
}

// The crash points of a trace (the start, then each call that changed something).
std::uint64_t count_points(const systrace::Trace& trace, const sim::DeviceModel& device,
                           std::string& error) {
  Replay replay(trace, device);
  if (error = replay.start(); !error.empty()) return 0;
  std::uint64_t points = 1;
  while (!replay.done()) {
    if (error = replay.step(); !error.empty()) return 0;
    points += replay.changed() ? 1 : 0;
  }
  return points;
}

SearchResult search(const systrace::Trace& trace, const sim::DeviceModel& device,
                    const SearchOptions& options, const StateSink& sink) {
  std::vector<faults::CrashPolicy> policies = options.policies;
  if (policies.empty()) {
    policies = {faults::CrashPolicy::kDropUnsynced, faults::CrashPolicy::kPrefix,
                faults::CrashPolicy::kReorder, faults::CrashPolicy::kTorn,
                faults::CrashPolicy::kGarbageTail};
  }
  SearchResult result;
  result.points = count_points(trace, device, result.error);
  if (!result.error.empty()) return result;
  std::set<std::pair<std::uint64_t, std::size_t>> seen;
  bool stop = false;
  for (std::size_t round = 0; round < policies.size() && !stop; ++round) {
    // The plans left are shared by the policies still to run, and a policy's share by its
    // crash points, so that neither a policy nor an early point with many ops pending starves
    // the rest (a program that syncs nothing has thousands of prefixes at its last points).
    const std::uint64_t round_budget =
        (options.max_plans - result.plans) / (policies.size() - round);
    const std::uint64_t point_budget = std::max<std::uint64_t>(
        kMinPlansPerPoint, round_budget / std::max<std::uint64_t>(1, result.points));
    const std::uint64_t round_end = result.plans + round_budget;
    Replay replay(trace, device);
    if (std::string problem = replay.start(); !problem.empty()) {
      result.error = std::move(problem);
      return result;
    }
    for (bool first = true; !stop; first = false) {
      if (!first) {
        if (replay.done()) break;
        if (std::string problem = replay.step(); !problem.empty()) {
          result.error = std::move(problem);
          return result;
        }
        if (!replay.changed()) continue;
      }
      if (result.plans >= round_end) {
        result.complete = false;
        result.plans_bound = true;
        break;
      }
      const std::uint64_t point_end = std::min(round_end, result.plans + point_budget);
      const sim::SimFsState& state = replay.state();
      const std::vector<PendingItem> items = pending_items(state, replay);
      const std::size_t output = options.output_matters ? replay.output().size() : 0;
      each_spec(policies[round], items, [&](PlanSpec spec) {
        spec.seed = options.seed;
        if (result.states >= options.max_states) {
          result.complete = false;
          stop = true;
          return false;
        }
        if (result.plans >= point_end) {
          result.complete = false;
          result.plans_bound = true;
          return false;
        }
        ++result.plans;
        const sim::SimFsState after = sim::apply_crash(state, plan_of(state, items,
                                                                      fates_of(items, spec)));
        const std::uint64_t hash = sim::durable_hash(after);
        if (!seen.emplace(hash, output).second) return true;
        ++result.states;
        const CrashState crash{result.states, replay.applied(), spec, hash,
                               replay.output().size()};
        if (!sink(crash, after, replay, items)) {
          stop = true;
          return false;
        }
        return true;
      });
    }
  }
  return result;
}

}  // namespace crashes
