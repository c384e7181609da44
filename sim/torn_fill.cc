#include "sim/torn_fill.h"

#include <algorithm>

namespace sim {

std::string_view to_string(TornFill fill) {
  switch (fill) {
    case TornFill::kStale: return "stale";
    case TornFill::kZeros: return "zeros";
    case TornFill::kRandom: return "random";
  }
  return "?";
}

std::optional<TornFill> parse_torn_fill(std::string_view text) {
  for (TornFill fill : {TornFill::kStale, TornFill::kZeros, TornFill::kRandom}) {
    if (to_string(fill) == text) return fill;
  }
  return std::nullopt;
}

std::string_view to_string(TornScope scope) {
  switch (scope) {
    case TornScope::kWrite: return "write";
    case TornScope::kSector: return "sector";
  }
  return "?";
}

std::optional<TornScope> parse_torn_scope(std::string_view text) {
  for (TornScope scope : {TornScope::kWrite, TornScope::kSector}) {
    if (to_string(scope) == text) return scope;
  }
  return std::nullopt;
}

void Filler::fill(Bytes& image, std::uint64_t begin, std::uint64_t end) {
  end = std::min<std::uint64_t>(end, image.size());
  for (std::uint64_t i = begin; i < end; ++i) {
    switch (fill_) {
      case TornFill::kStale: return;
      case TornFill::kZeros: image[i] = std::byte{0}; break;
      case TornFill::kRandom: image[i] = static_cast<std::byte>(junk_.next_u64()); break;
    }
  }
}

}  // namespace sim
