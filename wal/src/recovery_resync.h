// Where recovery's walk resumes after damage (FORMAT.md 6). Every intact record of the log met
// past the damage is a candidate; the walk goes on at the one that begins the longest chain of
// candidates in file order whose LSNs go upward, the earliest such on a tie.
//
// Why a chain and not simply the first or the lowest LSN: the writer lays records out in LSN
// order, so the records of the log past the damage form one increasing chain, and an intact
// record off that chain is out of place (a misdirected write put a copy of another record
// there). The first candidate may be such a copy of a later record, and taking it would skip
// every intact record up to its LSN while leaving them on disk, for a later flip in the copy to
// bring back (swarm seed 930085). The lowest LSN may be a copy of an earlier record that landed
// past later ones, and taking it would skip those (seed 3079378). The longest chain keeps the
// most records in either case, and damage to an out-of-place copy never changes the choice.
#pragma once

#include <cstdint>
#include <vector>

#include <wal/types.h>

namespace wal::recovery {

struct ResyncCandidate {
  std::uint64_t offset = 0;  // where the intact record starts
  Lsn first = kNoLsn;        // its LSNs
  Lsn last = kNoLsn;
  std::uint32_t chain = 0;   // set by rank_chains
};

// Sets each candidate's `chain`: how many candidates a walk from it keeps, itself included,
// taking later candidates (by offset) whose first LSN is above the last one kept. `candidates`
// are in offset order.
void rank_chains(std::vector<ResyncCandidate>& candidates);

// The candidate at or after `from` with a first LSN at or above `expected` whose chain is the
// longest, the earliest on a tie; nullptr if there is none.
const ResyncCandidate* pick_resync(const std::vector<ResyncCandidate>& candidates,
                                   std::uint64_t from, Lsn expected);

}  // namespace wal::recovery
