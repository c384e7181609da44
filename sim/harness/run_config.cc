#include "sim/harness/run_config.h"

#include <charconv>
#include <cmath>

namespace harness {
namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<CrashAt> CrashAt::parse(std::string_view text) {
  if (text == "random") return CrashAt{Kind::kRandom, 0};
  if (text == "persistence-points") return CrashAt{Kind::kPersistencePoints, 0};
  if (text == "none") return CrashAt{Kind::kNone, 0};
  for (auto [prefix, kind] : {std::pair{std::string_view("op:"), Kind::kOp},
                              std::pair{std::string_view("time:"), Kind::kTime}}) {
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
    case Kind::kOp: return "op:" + std::to_string(value);
    case Kind::kTime: return "time:" + std::to_string(value);
    case Kind::kNone: return "none";
  }
  return "?";
}

bool FaultConfig::any() const {
  for (const sim::Ratio& ratio : {fsync_eio, write_eio, write_short, read_eio, bit_flip,
                                  latent_sector, misdirected_write}) {
    if (ratio.numerator != 0) return true;
  }
  return enospc_after_bytes != 0;
}

sim::Ratio ratio_from_probability(double probability) {
  constexpr std::uint64_t kDenominator = 1'000'000'000;
  if (!(probability > 0)) return {0, 1};
  if (probability >= 1) return {1, 1};
  return {static_cast<std::uint64_t>(std::llround(probability * kDenominator)), kDenominator};
}

}  // namespace harness
