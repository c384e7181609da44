#include "sim/harness/crash_at.h"

#include <charconv>
#include <utility>

namespace harness {
namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

constexpr std::pair<std::string_view, CrashAt::Kind> kWithValue[] = {
    {"op:", CrashAt::Kind::kOp},
    {"time:", CrashAt::Kind::kTime},
    {"before-sync:", CrashAt::Kind::kBeforeSync},
    {"after-sync:", CrashAt::Kind::kAfterSync},
    {"fs-op:", CrashAt::Kind::kFsOp},
};

}  // namespace

std::optional<CrashAt> CrashAt::parse(std::string_view text) {
  if (text == "random") return CrashAt{Kind::kRandom, 0};
  if (text == "persistence-points") return CrashAt{Kind::kPersistencePoints, 0};
  if (text == "inside-op") return CrashAt{Kind::kInsideOp, 0};
  if (text == "none") return CrashAt{Kind::kNone, 0};
  for (const auto& [prefix, kind] : kWithValue) {
    if (text.substr(0, prefix.size()) != prefix) continue;
    const std::optional<std::uint64_t> value = parse_number(text.substr(prefix.size()));
    if (!value) return std::nullopt;
    return CrashAt{kind, *value};
  }
  return std::nullopt;
}

std::string CrashAt::to_string() const {
  switch (kind) {
    case Kind::kRandom: return "random";
    case Kind::kPersistencePoints: return "persistence-points";
    case Kind::kInsideOp: return "inside-op";
    case Kind::kNone: return "none";
    default: break;
  }
  for (const auto& [prefix, with_value] : kWithValue) {
    if (with_value == kind) return std::string(prefix) + std::to_string(value);
  }
  return "?";
}

}  // namespace harness
