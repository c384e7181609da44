// The model of kv_model.h. The prefix search is incremental: it keeps the set of keys on
// which the state after k writes differs from the recovery, so judging n writes costs the
// writes' changes, not n copies of the map.
#include "adapters/kv/kv_model.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace kv {
namespace {

using Value = std::optional<std::string>;

Value lookup(const KvMap& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? Value{} : Value{it->second};
}

void apply_write(KvMap& map, const KvWrite& write) {
  for (const auto& [key, value] : write.changes) {
    if (value) {
      map[key] = *value;
    } else {
      map.erase(key);
    }
  }
}

// Values are "op<index>-<letters>": the head names the write, enough for a message.
std::string show(const Value& value) {
  if (!value) return "nothing";
  return fmt::format("\"{}\"", value->substr(0, std::min<std::size_t>(value->size(), 12)));
}

bool contains(const std::vector<Value>& values, const Value& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

void KvModel::accepted(KvWrite write, bool durable) {
  apply_write(live_, write);
  writes_.push_back(std::move(write));
  ++accepted_;
  if (durable) must_ = writes_.size();  // a sync write makes every earlier one durable too
}

void KvModel::failed(KvWrite write) {
  // It may have landed: the live view cannot tell, and the store stops here anyway.
  writes_.push_back(std::move(write));
}

std::optional<std::string> KvModel::live(const std::string& key) const {
  return lookup(live_, key);
}

void KvModel::forget() {
  base_known_ = false;
  writes_.clear();
  accepted_ = 0;
  must_ = 0;
}

ModelVerdict KvModel::judge(const KvMap& recovered, bool all_required) {
  const std::size_t must = all_required ? accepted_ : must_;
  ModelVerdict verdict;
  if (base_known_) {
    KvMap state = base_;
    std::set<std::string> differ;
    for (const auto& [key, value] : state) {
      if (lookup(recovered, key) != Value{value}) differ.insert(key);
    }
    for (const auto& [key, value] : recovered) {
      if (!state.contains(key)) differ.insert(key);
    }
    std::optional<std::size_t> early;
    std::optional<std::size_t> match;
    for (std::size_t k = 0;; ++k) {
      if (differ.empty() && k >= must) {
        match = k;
        break;
      }
      if (differ.empty()) early = k;
      if (k == writes_.size()) break;
      apply_write(state, writes_[k]);
      for (const auto& change : writes_[k].changes) {
        const std::string& key = change.first;
        if (lookup(state, key) == lookup(recovered, key)) {
          differ.erase(key);
        } else {
          differ.insert(key);
        }
      }
    }
    if (match) {
      verdict.prefix = *match;
    } else if (early) {
      verdict.verdict = Verdict::kDurability;
      verdict.detail = fmt::format(
          "the recovery is the state after {} of {} writes, {} were durable (through op {})",
          *early, writes_.size(), must, writes_[must - 1].op);
    } else {
      verdict = classify(recovered, must);
    }
  }
  base_ = recovered;
  base_known_ = true;
  live_ = recovered;
  writes_.clear();
  accepted_ = 0;
  must_ = 0;
  return verdict;
}

ModelVerdict KvModel::classify(const KvMap& recovered, std::size_t must) const {
  // Per key: every value it ever held, and the ones the durable prefix still allows (its value
  // after `must` writes, and each written later).
  std::map<std::string, std::vector<Value>> ever;
  std::map<std::string, std::vector<Value>> later;  // written at or after the prefix's end
  KvMap at_must = base_;
  for (const auto& [key, value] : base_) ever[key].push_back(value);
  for (std::size_t k = 0; k < writes_.size(); ++k) {
    if (k < must) apply_write(at_must, writes_[k]);
    for (const auto& [key, value] : writes_[k].changes) {
      ever[key].push_back(value);
      if (k >= must) later[key].push_back(value);
    }
  }
  std::vector<std::string> phantom;
  std::vector<std::string> lost;
  std::set<std::string> keys;
  for (const auto& entry : ever) keys.insert(entry.first);
  for (const auto& entry : recovered) keys.insert(entry.first);
  for (const std::string& key : keys) {
    const Value got = lookup(recovered, key);
    std::vector<Value> once = ever.contains(key) ? ever.at(key) : std::vector<Value>{};
    // A key absent from the base was absent to begin with.
    if (!base_.contains(key)) once.push_back(Value{});
    std::vector<Value> may = later.contains(key) ? later.at(key) : std::vector<Value>{};
    may.insert(may.begin(), lookup(at_must, key));
    if (!contains(once, got)) {
      phantom.push_back(fmt::format("{} holds {}, never written", key, show(got)));
    } else if (!contains(may, got)) {
      lost.push_back(fmt::format("{} holds {}, the durable prefix has {}", key, show(got),
                                 show(may.front())));
    }
  }
  ModelVerdict verdict;
  const auto first = [](const std::vector<std::string>& lines) {
    std::string text;
    for (std::size_t i = 0; i < lines.size() && i < 3; ++i) text += (i ? "; " : "") + lines[i];
    if (lines.size() > 3) text += fmt::format("; and {} more keys", lines.size() - 3);
    return text;
  };
  if (!phantom.empty()) {
    verdict.verdict = Verdict::kPhantom;
    verdict.detail = first(phantom);
  } else if (!lost.empty()) {
    verdict.verdict = Verdict::kDurability;
    verdict.detail = fmt::format("{} of {} writes were durable (through op {}), yet {}", must,
                                 writes_.size(), must ? writes_[must - 1].op : 0, first(lost));
  } else {
    verdict.verdict = Verdict::kPrefix;
    verdict.detail = fmt::format(
        "each key holds a value of the writes since the durable prefix ({} of {}), but no "
        "prefix of them gives the whole database: {}",
        must, writes_.size(), out_of_order(recovered, must));
  }
  return verdict;
}

std::string KvModel::out_of_order(const KvMap& recovered, std::size_t must) const {
  // The first write after the durable prefix that the recovery does not show (a key it changed
  // holds neither its value nor a later one), then the last write after it that it does show
  // (a key holds the value only that write gave).
  std::optional<std::size_t> lost;
  std::string lost_key;
  for (std::size_t i = must; i < writes_.size() && !lost; ++i) {
    for (const auto& [key, value] : writes_[i].changes) {
      const Value got = lookup(recovered, key);
      bool shown = got == value;
      for (std::size_t j = i + 1; j < writes_.size() && !shown; ++j) {
        for (const auto& later : writes_[j].changes) {
          shown |= later.first == key && later.second == got;
        }
      }
      if (!shown) {
        lost = i;
        lost_key = key;
        break;
      }
    }
  }
  if (!lost) return "no single write is missing (a batch split?)";
  for (std::size_t j = writes_.size(); j-- > *lost + 1;) {
    for (const auto& [key, value] : writes_[j].changes) {
      if (value && lookup(recovered, key) == value) {
        return fmt::format("op {}'s write is lost ({} holds {}), op {}'s later write survived "
                           "({} holds {})",
                           writes_[*lost].op, lost_key, show(lookup(recovered, lost_key)),
                           writes_[j].op, key, show(value));
      }
    }
  }
  return fmt::format("op {}'s write is lost ({} holds {})", writes_[*lost].op, lost_key,
                     show(lookup(recovered, lost_key)));
}

}  // namespace kv
