#include <wal/options.h>

namespace wal {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> parse_name(std::string_view text, const std::pair<Enum, std::string_view> (&names)[N]) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view name_of(Enum value, const std::pair<Enum, std::string_view> (&names)[N]) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "unknown";
}

constexpr std::pair<SyncPolicy, std::string_view> kSyncNames[] = {
    {SyncPolicy::kNone, "none"},
    {SyncPolicy::kImmediate, "immediate"},
    {SyncPolicy::kPeriodic, "periodic"},
    {SyncPolicy::kGrouped, "grouped"},
};
constexpr std::pair<ChecksumKind, std::string_view> kChecksumNames[] = {
    {ChecksumKind::kCrc32c, "crc32c"},
    {ChecksumKind::kCrc64, "crc64"},
    {ChecksumKind::kXxh3, "xxh3"},
};
constexpr std::pair<RecoveryMode, std::string_view> kRecoveryNames[] = {
    {RecoveryMode::kTolerateTail, "tolerate-tail"},
    {RecoveryMode::kAbsolute, "absolute"},
    {RecoveryMode::kPointInTime, "point-in-time"},
    {RecoveryMode::kSkipCorrupted, "skip-corrupted"},
};

}  // namespace

std::string_view to_string(SyncPolicy policy) { return name_of(policy, kSyncNames); }
std::string_view to_string(ChecksumKind kind) { return name_of(kind, kChecksumNames); }
std::string_view to_string(RecoveryMode mode) { return name_of(mode, kRecoveryNames); }
std::optional<SyncPolicy> parse_sync_policy(std::string_view text) {
  return parse_name(text, kSyncNames);
}
std::optional<ChecksumKind> parse_checksum_kind(std::string_view text) {
  return parse_name(text, kChecksumNames);
}
std::optional<RecoveryMode> parse_recovery_mode(std::string_view text) {
  return parse_name(text, kRecoveryNames);
}

}  // namespace wal
