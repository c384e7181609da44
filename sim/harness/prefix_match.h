// The check every store's oracle makes after a recovery: is the recovered state the model after
// some prefix of the operations since the last check, and is that prefix long enough? Written
// once so that the kv example and the SQLite target (and a user's target) judge alike.
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

namespace harness {

struct PrefixMatch {
  // The shortest prefix k >= must whose model state equals the recovered one; none: either a
  // durability loss (`early` is set) or a state after no prefix at all.
  std::optional<std::size_t> match;
  // With no match: the longest k < must whose state equals it (the first lost op is op k).
  std::optional<std::size_t> early;
};

// `state`: the state the last check accepted; `ops`: the operations since, in order;
// `apply(state, op)`: the model's own arithmetic. With no match, `model_after_all` gets the
// model after every op (for the message).
template <typename State, typename Ops, typename Apply>
PrefixMatch match_prefix(State state, const Ops& ops, const State& recovered, std::size_t must,
                         Apply apply, State* model_after_all = nullptr) {
  PrefixMatch result;
  for (std::size_t k = 0;; ++k) {
    if (state == recovered) {
      if (k >= must) {
        result.match = k;
        break;
      }
      result.early = k;
    }
    if (k == ops.size()) break;
    apply(state, ops[k]);
  }
  if (result.match) result.early.reset();
  if (model_after_all != nullptr) *model_after_all = std::move(state);
  return result;
}

}  // namespace harness
