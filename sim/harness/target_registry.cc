#include <algorithm>
#include <map>

#include <wal/assert.h>

#include "sim/harness/target.h"

namespace harness {
namespace {

// By name; nodes never move, so find_target's pointers stay valid.
std::map<std::string, TargetInfo, std::less<>>& registry() {
  static std::map<std::string, TargetInfo, std::less<>> targets;
  return targets;
}

}  // namespace

std::string_view to_string(Ack ack) {
  switch (ack) {
    case Ack::kDurable:
      return "durable";
    case Ack::kPending:
      return "pending";
    case Ack::kFailed:
      return "failed";
  }
  return "?";
}

bool register_target(TargetInfo info) {
  WAL_ASSERT(info.name != "wal" && !info.name.empty() && info.make);
  const std::string name = info.name;
  return registry().emplace(name, std::move(info)).second;
}

const TargetInfo* find_target(std::string_view name) {
  auto found = registry().find(name);
  return found == registry().end() ? nullptr : &found->second;
}

std::map<std::string, std::string, std::less<>> target_settings(
    const TargetInfo& info, const std::map<std::string, std::string, std::less<>>& set) {
  std::map<std::string, std::string, std::less<>> settings;
  for (const TargetKey& key : info.keys) {
    auto found = set.find(key.name);
    settings[key.name] = found == set.end() ? key.default_value : found->second;
  }
  return settings;
}

std::string encode_texts(const std::vector<std::string>& texts) {
  std::string out;
  for (const std::string& text : texts) out += std::to_string(text.size()) + ":" + text;
  return out;
}

std::optional<std::vector<std::string>> decode_texts(std::string_view encoded) {
  std::vector<std::string> texts;
  while (!encoded.empty()) {
    const std::size_t colon = encoded.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon > 9) return std::nullopt;
    std::size_t size = 0;
    for (const char digit : encoded.substr(0, colon)) {
      if (digit < '0' || digit > '9') return std::nullopt;
      size = size * 10 + static_cast<std::size_t>(digit - '0');
    }
    if (size > encoded.size() - colon - 1) return std::nullopt;
    texts.emplace_back(encoded.substr(colon + 1, size));
    encoded.remove_prefix(colon + 1 + size);
  }
  return texts;
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& [name, info] : registry()) names.push_back(name);
  return names;
}

}  // namespace harness
