// The scenario key reference (docs/scenarios.md, `walsim keys`): each key's type, range and
// default come from the parser itself (describe_scenario_keys in scenario.h); only the meaning
// is written here, and a test checks that this table names exactly the parser's keys.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace walsim {

struct KeyMeaning {
  std::string_view key;
  std::string_view meaning;
};

std::span<const KeyMeaning> scenario_key_meanings();

// The reference as a Markdown table, one row per key in the parser's order; a key without a
// meaning here says so in its row (the test fails on it).
std::string scenario_keys_markdown();

}  // namespace walsim
