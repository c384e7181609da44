// The longest-chain choice of recovery_resync.h: one pass from the last candidate back, with a
// Fenwick tree of the best chain so far per first LSN, so a segment of a million records costs
// a million steps of log(n), not n squared.
#include "recovery_resync.h"

#include <algorithm>

namespace wal::recovery {

void rank_chains(std::vector<ResyncCandidate>& candidates) {
  std::vector<Lsn> firsts;
  firsts.reserve(candidates.size());
  for (const ResyncCandidate& candidate : candidates) firsts.push_back(candidate.first);
  std::sort(firsts.begin(), firsts.end());
  firsts.erase(std::unique(firsts.begin(), firsts.end()), firsts.end());
  const std::size_t ranks = firsts.size();
  // Prefix maxima over ranks counted from the highest first LSN down: prefix [0, k) is "every
  // candidate already seen whose first LSN is among the k highest".
  std::vector<std::uint32_t> tree(ranks + 1, 0);
  auto best_among_highest = [&](std::size_t k) {
    std::uint32_t best = 0;
    for (; k > 0; k &= k - 1) best = std::max(best, tree[k]);
    return best;
  };
  auto record = [&](std::size_t k, std::uint32_t chain) {  // k: 1-based, from the highest
    for (; k <= ranks; k += k & (~k + 1)) tree[k] = std::max(tree[k], chain);
  };
  for (std::size_t i = candidates.size(); i-- > 0;) {
    ResyncCandidate& candidate = candidates[i];
    const std::size_t above =  // first LSNs above this candidate's last
        static_cast<std::size_t>(firsts.end() -
                                 std::upper_bound(firsts.begin(), firsts.end(), candidate.last));
    candidate.chain = 1 + best_among_highest(above);
    const std::size_t rank = static_cast<std::size_t>(
        std::lower_bound(firsts.begin(), firsts.end(), candidate.first) - firsts.begin());
    record(ranks - rank, candidate.chain);
  }
}

const ResyncCandidate* pick_resync(const std::vector<ResyncCandidate>& candidates,
                                   std::uint64_t from, Lsn expected) {
  auto before = [](const ResyncCandidate& candidate, std::uint64_t offset) {
    return candidate.offset < offset;
  };
  auto it = std::lower_bound(candidates.begin(), candidates.end(), from, before);
  const ResyncCandidate* best = nullptr;
  for (; it != candidates.end(); ++it) {
    if (it->first < expected) continue;
    if (!best || it->chain > best->chain) best = &*it;
  }
  return best;
}

}  // namespace wal::recovery
