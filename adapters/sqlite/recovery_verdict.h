// How the sqlite target's oracle reads a recovered database, whatever gives it the expected
// states (the model of the generated workload, sqlite_model.h, or a script's reference database,
// script_oracle.h): the integrity check, how many of the transactions since the last check the
// documented rule (durability_rules.h) requires a recovery to keep, and the violation or
// allowed-loss note a prefix match (harness::match_prefix) amounts to. Written once, so that
// both workloads are judged alike and say so in the same words.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sqlite/durability_rules.h"
#include "sim/harness/invariants.h"
#include "sim/harness/prefix_match.h"

namespace sqlite_adapter {

// PRAGMA integrity_check on `db`: "" when it answers "ok", else what it (or its failure) said.
std::string integrity_problem(sqlite3* db);

// " (documented: <why>)" when the documentation allows the mode to corrupt, else "".
std::string documented(const DurabilityRule& rule);

// A recovered database that is corrupt or cannot be read (`problem`): sqlite-integrity.
harness::Violation integrity_violation(std::string_view problem, const DurabilityRule& rule);

// How many leading transactions of `txns` (each with .committed and .wrote) a recovery must
// keep when the last `may_lose` acknowledged commits that changed the database (and whatever
// came after the earliest of them) may be lost.
template <typename Txns>
std::size_t must_keep(const Txns& txns, std::uint64_t may_lose) {
  std::size_t must = txns.size();
  // A failed one may be lost anyway; one that changed nothing makes nothing before it durable
  // (it wrote no journal and no page).
  while (must > 0 && (!txns[must - 1].committed || !txns[must - 1].wrote)) --must;
  if (may_lose == DurabilityRule::kAny) return 0;
  for (std::uint64_t lost = 0; lost < may_lose && must > 0;) {
    --must;
    if (txns[must].committed && txns[must].wrote) ++lost;
  }
  return must;
}

// The acknowledged commits that changed the database among the first `k` of `txns`: the only
// ones a recovery can lose.
template <typename Txns>
std::size_t acknowledged(const Txns& txns, std::size_t k) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < k; ++i) count += txns[i].committed && txns[i].wrote ? 1 : 0;
  return count;
}

// The messages, one per verdict (judge_prefix below picks).
harness::Violation durability_violation(std::size_t kept, std::size_t transactions,
                                        std::string_view lost, const DurabilityRule& rule,
                                        bool power_lost);
// `expected`: whose states they are ("the model", "the reference database").
harness::Violation atomicity_violation(std::size_t recovered_rows, std::string_view expected,
                                       std::size_t transactions, std::string_view difference,
                                       const DurabilityRule& rule);
std::string allowed_loss_note(std::size_t kept, std::size_t committed,
                              const DurabilityRule& rule);

// What `match` of the recovered state against the prefixes of `txns` amounts to: a
// sqlite-durability violation (an early prefix), a sqlite-atomicity one (no prefix; its
// `difference` from the state after them all, computed only then), or a note of an allowed
// loss (a prefix the rule lets fall short).
template <typename Txns, typename Difference>
void judge_prefix(const harness::PrefixMatch& match, const Txns& txns, std::string_view expected,
                  std::size_t recovered_rows, Difference difference, const DurabilityRule& rule,
                  bool power_lost, std::vector<harness::Violation>& out,
                  std::vector<std::string>& notes) {
  if (match.early) {
    out.push_back(durability_violation(*match.early, txns.size(), txns[*match.early].describe(),
                                       rule, power_lost));
  } else if (!match.match) {
    out.push_back(
        atomicity_violation(recovered_rows, expected, txns.size(), difference(), rule));
  } else if (const std::size_t kept = acknowledged(txns, *match.match);
             kept < acknowledged(txns, txns.size())) {
    notes.push_back(allowed_loss_note(kept, acknowledged(txns, txns.size()), rule));
  }
}

}  // namespace sqlite_adapter
