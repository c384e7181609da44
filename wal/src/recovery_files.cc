// Names and small files of a log directory: segment names and the front marker.
#include <cstring>
#include <iterator>

#include <fmt/format.h>

#include "recovery.h"

namespace wal::recovery {
namespace {
constexpr std::string_view kSegmentSuffix = ".wal";
constexpr std::size_t kLsnDigits = 20;  // enough for any u64, so names sort as LSNs do
}  // namespace

std::string segment_name(Lsn first_lsn) {
  std::string name;
  segment_name_into(first_lsn, name);
  return name;
}

void segment_name_into(Lsn first_lsn, std::string& out) {
  out.clear();
  fmt::format_to(std::back_inserter(out), "{:020d}{}", first_lsn, kSegmentSuffix);
}

bool parse_segment_name(std::string_view name, Lsn* first_lsn) {
  if (name.size() != kLsnDigits + kSegmentSuffix.size()) return false;
  if (name.substr(kLsnDigits) != kSegmentSuffix) return false;
  Lsn value = 0;
  for (std::size_t i = 0; i < kLsnDigits; ++i) {
    const char c = name[i];
    if (c < '0' || c > '9') return false;
    const auto digit = static_cast<Lsn>(c - '0');
    if (value > (~Lsn{0} - digit) / 10) return false;  // more than a u64 holds
    value = value * 10 + digit;
  }
  *first_lsn = value;
  return true;
}

std::string_view strip_temp_suffix(std::string_view name) {
  if (name.size() >= kTempSuffix.size() &&
      name.substr(name.size() - kTempSuffix.size()) == kTempSuffix) {
    name.remove_suffix(kTempSuffix.size());
  }
  return name;
}

std::array<std::byte, kFrontMarkerBytes> encode_front_marker(Lsn front_lsn) {
  std::array<std::byte, kFrontMarkerBytes> out{};
  std::memcpy(out.data(), &front_lsn, 8);
  const std::uint32_t crc = format::crc32c(0, std::span<const std::byte>(out.data(), 8));
  std::memcpy(out.data() + 8, &crc, 4);
  std::memcpy(out.data() + 12, &kFrontMarkerMagic, 4);
  return out;
}

std::optional<Lsn> decode_front_marker(std::span<const std::byte> source) {
  if (source.size() != kFrontMarkerBytes) return std::nullopt;
  Lsn front_lsn;
  std::uint32_t crc;
  std::uint32_t magic;
  std::memcpy(&front_lsn, source.data(), 8);
  std::memcpy(&crc, source.data() + 8, 4);
  std::memcpy(&magic, source.data() + 12, 4);
  if (magic != kFrontMarkerMagic) return std::nullopt;
  if (crc != format::crc32c(0, source.first(8))) return std::nullopt;
  return front_lsn;
}

}  // namespace wal::recovery
