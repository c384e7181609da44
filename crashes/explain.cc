#include "crashes/explain.h"

#include <algorithm>

#include <fmt/format.h>

namespace crashes {
namespace {

using sim::OpFate;

constexpr std::size_t kOutputShown = 40;  // bytes of an acknowledgement quoted in a sentence

bool lost_or_torn(const OpFate& fate) { return fate.kind != OpFate::Kind::kKeep; }
bool torn(const OpFate& fate) {
  return fate.kind == OpFate::Kind::kTorn || fate.kind == OpFate::Kind::kGarbage;
}

std::string name_of(const systrace::Trace& trace, const OpRef& ref) {
  const std::string syscall = ref.call >= 1 && ref.call <= trace.calls.size()
                                  ? trace.calls[ref.call - 1].syscall
                                  : std::string("call");
  return fmt::format("the {} at call {} ({})", syscall.empty() ? "call" : syscall, ref.call,
                     ref.what);
}

std::string names(const systrace::Trace& trace, const std::vector<OpRef>& refs) {
  std::vector<std::string> parts;
  for (const OpRef& ref : refs) parts.push_back(name_of(trace, ref));
  return fmt::format("{}", fmt::join(parts, " and "));
}

std::string calls_key(const std::vector<OpRef>& refs) {
  std::vector<std::string> parts;
  for (const OpRef& ref : refs) {
    parts.push_back(fmt::format("{}{}", ref.call, ref.torn ? "t" : ""));
  }
  return fmt::format("{}", fmt::join(parts, ","));
}

// Removes members of `set` (chunks of halving size) while `still_fails(without them)` holds:
// what is left is 1-minimal when the budget lasts.
std::vector<std::size_t> shrink(std::vector<std::size_t> set,
                                const std::function<bool(const std::vector<std::size_t>&)>& fails,
                                const std::function<bool()>& budget_left, bool allow_empty) {
  std::size_t chunk = std::max<std::size_t>(1, set.size() / 2);
  for (;;) {
    for (std::size_t start = 0; start < set.size() && budget_left();) {
      std::vector<std::size_t> candidate;
      for (std::size_t i = 0; i < set.size(); ++i) {
        if (i < start || i >= start + chunk) candidate.push_back(set[i]);
      }
      if ((!candidate.empty() || allow_empty) && fails(candidate)) {
        set = std::move(candidate);
      } else {
        start += chunk;
      }
    }
    if (chunk == 1 || !budget_left()) return set;
    chunk = (chunk + 1) / 2;
  }
}

}  // namespace

std::string_view to_string(Assumption assumption) {
  switch (assumption) {
    case Assumption::kIntermediate: return "intermediate";
    case Assumption::kTorn: return "torn";
    case Assumption::kDurability: return "durability";
    case Assumption::kOrder: return "order";
  }
  return "?";
}

Explanation explain(const systrace::Trace& trace, std::size_t point,
                    const std::vector<PendingItem>& items, const std::vector<OpFate>& failing,
                    const Probe& fails, std::uint64_t max_probes) {
  Explanation out;
  out.point = point;
  const auto budget_left = [&] {
    if (out.probes < max_probes) return true;
    out.minimal = false;
    return false;
  };
  const auto probe = [&](const std::vector<OpFate>& fates) {
    ++out.probes;
    return fails(fates);
  };
  const std::vector<OpFate> keep_all(items.size(), OpFate::keep());
  std::vector<std::size_t> needed;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (lost_or_torn(failing[i])) needed.push_back(i);
  }
  const auto intermediate = [&] {
    out.assumption = Assumption::kIntermediate;
    out.key = fmt::format("intermediate:{}", point);
    out.group = out.key;
    const systrace::Call* call =
        point >= 1 && point <= trace.calls.size() ? &trace.calls[point - 1] : nullptr;
    if (call != nullptr && call->kind == systrace::CallKind::kOutput) {
      // Nothing was lost, yet what the program had printed is not there: it acknowledged
      // before it wrote.
      out.sentence = fmt::format(
          "the output at call {} ({}) acknowledges what the program has not yet written: "
          "a crash right after it fails with every call durable",
          point, systrace::escaped(call->data, kOutputShown));
      return out;
    }
    out.sentence = fmt::format(
        "a crash right after call {} ({}) fails with every call durable: the state it leaves "
        "is not consistent on its own (call {} and the calls after it must happen atomically)",
        point, call != nullptr ? call->syscall : std::string("start"), point);
    return out;
  };
  if (needed.empty() || probe(keep_all)) return intermediate();

  // 2. The lost and torn ops the failure needs.
  std::vector<OpFate> current = failing;
  const auto with_lost = [&](const std::vector<std::size_t>& set) {
    std::vector<OpFate> fates = keep_all;
    for (const std::size_t i : set) fates[i] = current[i];
    return fates;
  };
  needed = shrink(
      needed, [&](const std::vector<std::size_t>& set) { return probe(with_lost(set)); },
      budget_left, false);
  for (const std::size_t i : needed) {
    if (!torn(current[i]) || !budget_left()) continue;
    std::vector<OpFate> dropped = with_lost(needed);
    dropped[i] = OpFate::drop();
    if (probe(dropped)) current[i] = OpFate::drop();
  }
  const auto ref = [&](std::size_t i) {
    return OpRef{items[i].call, items[i].what, torn(current[i])};
  };
  for (const std::size_t i : needed) out.lost.push_back(ref(i));
  const bool all_torn = std::all_of(needed.begin(), needed.end(),
                                    [&](std::size_t i) { return torn(current[i]); });

  // 3. Durability or order: does the failure need a later op that reached the disk?
  const std::size_t first = *std::min_element(needed.begin(), needed.end());
  std::vector<std::size_t> later;
  for (std::size_t i = first + 1; i < items.size(); ++i) {
    if (std::find(needed.begin(), needed.end(), i) == needed.end()) later.push_back(i);
  }
  const auto with_later = [&](const std::vector<std::size_t>& kept_later) {
    std::vector<OpFate> fates = with_lost(needed);
    for (const std::size_t i : later) fates[i] = OpFate::drop();
    for (const std::size_t i : kept_later) fates[i] = OpFate::keep();
    return fates;
  };
  bool order = false;
  if (!later.empty() && budget_left() && !probe(with_later({}))) {
    order = true;
    const std::vector<std::size_t> survived = shrink(
        later, [&](const std::vector<std::size_t>& set) { return probe(with_later(set)); },
        budget_left, false);
    for (const std::size_t i : survived) out.survived.push_back(ref(i));
  }

  std::size_t last_call = 0;
  for (const OpRef& lost : out.lost) last_call = std::max(last_call, lost.call);
  for (std::size_t c = last_call + 1; c <= point && c <= trace.calls.size(); ++c) {
    const systrace::Call& call = trace.calls[c - 1];
    if (call.kind == systrace::CallKind::kOutput && call.result >= 0 && !call.data.empty()) {
      out.acknowledged_by = c;
      break;
    }
  }

  if (order) {
    out.assumption = Assumption::kOrder;
    out.key = fmt::format("order:{}>{}", calls_key(out.survived), calls_key(out.lost));
    out.group = fmt::format("order:{}", calls_key(out.survived));
    out.sentence = fmt::format("{} must not become durable before {}{}",
                               names(trace, out.survived), names(trace, out.lost),
                               all_torn ? " is written whole" : "");
  } else if (all_torn) {
    out.assumption = Assumption::kTorn;
    out.key = fmt::format("torn:{}", calls_key(out.lost));
    out.group = out.key;
    out.sentence = fmt::format(
        "{} must be atomic: a power loss that tears it (only some of its sectors written) "
        "leaves a state the checker rejects, while losing it whole does not",
        names(trace, out.lost));
  } else {
    out.assumption = Assumption::kDurability;
    out.key = fmt::format("durability:{}", calls_key(out.lost));
    out.group = out.key;
    bool dir = false;
    bool file = false;
    for (const std::size_t i : needed) (items[i].dir ? dir : file) = true;
    const std::string remedy = dir && file ? "an fsync of the file and of its directory"
                               : dir       ? "a directory fsync"
                                           : "an fsync of the file";
    const std::string anchor =
        out.acknowledged_by != 0
            ? fmt::format("the output at call {} ({})", out.acknowledged_by,
                          systrace::escaped(trace.calls[out.acknowledged_by - 1].data,
                                            kOutputShown))
            : fmt::format("the crash after call {}", point);
    out.sentence = fmt::format("{} {} {} before {}", names(trace, out.lost),
                               out.lost.size() > 1 ? "need" : "needs", remedy, anchor);
  }
  return out;
}

std::string group_sentence(const systrace::Trace& trace,
                           const std::vector<const Explanation*>& members) {
  if (members.size() == 1 || members.front()->assumption != Assumption::kOrder) {
    return members.front()->sentence;
  }
  std::vector<std::string> before;
  for (const Explanation* member : members) before.push_back(names(trace, member->lost));
  return fmt::format("{} must not become durable before any of: {}",
                     names(trace, members.front()->survived), fmt::join(before, "; "));
}

bool breaks(const Explanation& known, std::size_t point, const std::vector<PendingItem>& items,
            const std::vector<OpFate>& fates) {
  if (known.assumption == Assumption::kIntermediate) {
    return known.point == point &&
           std::none_of(fates.begin(), fates.end(), lost_or_torn);
  }
  // A durability assumption is about what had been acknowledged: before that output, losing the
  // same ops may fail for another reason.
  if (known.assumption == Assumption::kDurability && point < known.acknowledged_by) return false;
  const auto find = [&](const OpRef& ref) -> const OpFate* {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].call == ref.call && items[i].what == ref.what) return &fates[i];
    }
    return nullptr;
  };
  for (const OpRef& ref : known.lost) {
    const OpFate* fate = find(ref);
    if (fate == nullptr || !lost_or_torn(*fate) || torn(*fate) != ref.torn) return false;
  }
  for (const OpRef& ref : known.survived) {
    const OpFate* fate = find(ref);
    if (fate == nullptr || fate->kind != OpFate::Kind::kKeep) return false;
  }
  return true;
}

}  // namespace crashes
