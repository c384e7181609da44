// The scenario key reference cannot drift: docs/scenarios.md's table is what the parser itself
// describes (WAL_UPDATE_DOCS=1 rewrites it), every key the parser reads has a meaning and every
// meaning a key, and every integer range in the table is the one a scenario file meets.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "sim/walsim/scenario.h"
#include "sim/walsim/scenario_key_docs.h"
#include "walsim/walsim_process.h"

namespace walsim {
namespace {

constexpr std::string_view kBegin = "<!-- walsim keys: begin -->\n";
constexpr std::string_view kEnd = "<!-- walsim keys: end -->";

TEST(ScenarioKeysDoc, TheDocsTableIsTheParsersOwn) {
  const std::string source = walsim_test::source_dir();
  if (source.empty()) GTEST_SKIP() << "no source dir: set WAL_SOURCE_DIR";
  const std::string path = source + "/docs/scenarios.md";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  const std::size_t begin = text.find(kBegin);
  const std::size_t end = text.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << path;
  ASSERT_NE(end, std::string::npos) << path;
  const std::size_t from = begin + kBegin.size();
  const std::string table = scenario_keys_markdown();
  if (const char* update = std::getenv("WAL_UPDATE_DOCS"); update && std::string(update) == "1") {
    text.replace(from, end - from, table);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    GTEST_SKIP() << "rewrote " << path;
  }
  EXPECT_EQ(text.substr(from, end - from), table)
      << path << " is not the parser's table: run this test with WAL_UPDATE_DOCS=1 and commit";
}

TEST(ScenarioKeysDoc, EveryKeyHasAMeaningAndEveryMeaningAKey) {
  std::set<std::string> parsed;
  for (const ScenarioKey& k : describe_scenario_keys()) {
    EXPECT_FALSE(k.type.empty()) << k.key;
    parsed.insert(k.key);
  }
  EXPECT_GE(parsed.size(), 60u);
  std::set<std::string> meant;
  for (const KeyMeaning& m : scenario_key_meanings()) {
    EXPECT_TRUE(meant.insert(std::string(m.key)).second) << "twice: " << m.key;
    EXPECT_TRUE(parsed.count(std::string(m.key))) << "no such key: " << m.key;
  }
  for (const std::string& key : parsed) EXPECT_TRUE(meant.count(key)) << "no meaning: " << key;
}

// `name = "x"` and the key set to `value`, in its table.
std::string scenario_with(const std::string& key, const std::string& value) {
  const std::size_t dot = key.find('.');
  if (dot == std::string::npos) return fmt::format("name = \"x\"\n{} = {}\n", key, value);
  return fmt::format("name = \"x\"\n[{}]\n{} = {}\n", key.substr(0, dot), key.substr(dot + 1),
                     value);
}

bool out_of_range(const ParseResult& result, const std::string& key) {
  for (const ScenarioError& e : result.errors) {
    if (e.key == key && e.kind == ErrorKind::kRange &&
        e.message.find("out of range") != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(ScenarioKeysDoc, EveryIntegerRangeIsTheOneAFileMeets) {
  const std::regex range(R"(\[(\d+), (\d+|2\^63-1|2\^32-1)\].*)");
  int checked = 0;
  for (const ScenarioKey& k : describe_scenario_keys()) {
    std::smatch m;
    if (k.type != "integer" || !std::regex_match(k.range, m, range)) continue;
    const std::uint64_t lo = std::stoull(m[1]);
    const std::string hi_text = m[2];
    const std::uint64_t hi = hi_text == "2^63-1"   ? std::uint64_t{INT64_MAX}
                             : hi_text == "2^32-1" ? std::uint64_t{UINT32_MAX}
                                                   : std::stoull(hi_text);
    ++checked;
    EXPECT_FALSE(out_of_range(parse_scenario(scenario_with(k.key, std::to_string(lo)), "t"),
                              k.key))
        << k.key << " = " << lo;
    EXPECT_FALSE(out_of_range(parse_scenario(scenario_with(k.key, std::to_string(hi)), "t"),
                              k.key))
        << k.key << " = " << hi;
    const std::string below = lo == 0 ? "-1" : std::to_string(lo - 1);
    EXPECT_TRUE(out_of_range(parse_scenario(scenario_with(k.key, below), "t"), k.key))
        << k.key << " = " << below;
    if (hi < std::uint64_t{INT64_MAX}) {
      EXPECT_TRUE(out_of_range(parse_scenario(scenario_with(k.key, std::to_string(hi + 1)), "t"),
                               k.key))
          << k.key << " above " << hi;
    }
  }
  EXPECT_GE(checked, 15);  // 19 today: the test must not pass by checking nothing
}

}  // namespace
}  // namespace walsim
