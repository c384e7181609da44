// Why a crash state fails, as ALICE states it: the smallest set of lost, torn or reordered calls
// that still makes the checker fail, found by shrinking the state's plan, turned into the
// persistence assumption the program relies on. One crash point's pending ops are fixed; a probe
// builds the state a plan leaves and runs the checker on it.
//
//  1. Nothing lost and it fails: the state right after the call is inconsistent on its own (the
//     program needs that call and the next ones to happen together): "intermediate".
//  2. Else every lost or torn op that is not needed is given back (delta debugging, halves
//     first), and a torn write is tried lost whole: if that passes, the write's atomicity is
//     the assumption ("torn").
//  3. If the failure survives losing everything from the first needed op on (a prefix of the
//     program's calls), the ops are not durable when they must be ("durability": a missing
//     fsync of the file, or of the directory for an entry). Else some later op that reached
//     the disk is part of it: the smallest set of those is found, and the assumption is an
//     order ("order": the later op must not become durable before the lost one).
// The key names the calls involved, so every state that breaks the same assumption is one
// vulnerability however many crash points and plans showed it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crashes/crash_states.h"
#include "sim/crash_plan.h"
#include "systrace/trace_file.h"

namespace crashes {

enum class Assumption : std::uint8_t { kIntermediate, kTorn, kDurability, kOrder };
std::string_view to_string(Assumption assumption);

// An op by what a reader of the trace knows it by: the call that made it and the change.
struct OpRef {
  std::size_t call = 0;
  std::string what;
  bool torn = false;  // torn (or grown with garbage) rather than lost
  friend bool operator==(const OpRef&, const OpRef&) = default;
  friend auto operator<=>(const OpRef&, const OpRef&) = default;
};

struct Explanation {
  Assumption assumption = Assumption::kIntermediate;
  std::vector<OpRef> lost;      // lost or torn: the failure needs every one of them
  std::vector<OpRef> survived;  // kOrder: later ops that reached the disk, needed too
  std::size_t point = 0;        // kIntermediate: the call after which the crash came
  std::size_t acknowledged_by = 0;  // kDurability: the first output call after the ops, or 0
  std::string sentence;         // the assumption in words
  std::string key;              // what it is: the assumption and every call named
  // The vulnerability it belongs to: the key, but for kOrder only the ops that reached the disk
  // early (a rename that must wait for several writes is one vulnerability, as ALICE counts it).
  std::string group;
  std::uint64_t probes = 0;     // checker runs it took
  bool minimal = true;          // false: the probe budget ran out before the end
};

// true: the checker fails on the state these fates leave.
using Probe = std::function<bool(const std::vector<sim::OpFate>&)>;

Explanation explain(const systrace::Trace& trace, std::size_t point,
                    const std::vector<PendingItem>& items,
                    const std::vector<sim::OpFate>& failing, const Probe& fails,
                    std::uint64_t max_probes);

// One sentence for the explanations of one group (explain's sentence when there is one).
std::string group_sentence(const systrace::Trace& trace,
                           const std::vector<const Explanation*>& members);

// Whether the state `fates` leaves at this point breaks `known`'s assumption the same way (its
// lost ops lost or torn here, its survived ops kept): a state the shrinking need not run for.
bool breaks(const Explanation& known, std::size_t point, const std::vector<PendingItem>& items,
            const std::vector<sim::OpFate>& fates);

}  // namespace crashes
