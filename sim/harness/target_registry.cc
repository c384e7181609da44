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

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& [name, info] : registry()) names.push_back(name);
  return names;
}

}  // namespace harness
