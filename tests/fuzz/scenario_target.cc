// Target: the walsim scenario parser (sim/walsim/scenario.h) on arbitrary text. It must answer
// every input with a scenario or with errors (never both, never neither), each error naming a
// line inside the text, and never throw.
#include <fmt/format.h>

#include <algorithm>

#include "fuzz_bytes.h"
#include "sim/walsim/scenario.h"
#include "targets.h"

namespace wal_fuzz {

Violation scenario_parser(std::span<const std::byte> input) {
  const std::string text = to_string(input);
  walsim::ParseResult parsed;
  try {
    parsed = walsim::parse_scenario(text, "fuzz.toml");
  } catch (const std::exception& e) {
    return fmt::format("parse_scenario threw: {}", e.what());
  }
  if (parsed.ok() != parsed.scenario.has_value()) return "a parse result with both or neither";
  const auto lines = static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n') + 1);
  for (const walsim::ScenarioError& error : parsed.errors) {
    if (error.message.empty()) return "an error without a message";
    if (error.line > lines) {
      return fmt::format("an error at line {} of a {}-line text", error.line, lines);
    }
    (void)error.to_string();
  }
  if (parsed.scenario) (void)walsim::check_runnable(*parsed.scenario);
  return std::nullopt;
}

}  // namespace wal_fuzz
