// Every numeric option of every walsim subcommand, given a negative, an overflowing, a float or
// an out-of-range number: exit 2 (usage) with a message that names the option and states the
// range in plain integers, before anything runs. CLI11 alone ran `--seed -1` as seed 2^64-1,
// `--max-states -5` unbounded and accepted `--shard 0/99999999999999999999999`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "testutil/temp_dir.h"
#include "walsim/walsim_process.h"

namespace {

namespace fs = std::filesystem;
using walsim_test::run;

struct BadFlag {
  const char* command;  // the subcommand and its other arguments; FILE is a valid scenario
  const char* flag;     // the option, e.g. "--seed"
  const char* value;
};

class BadNumberTest : public testing::TestWithParam<BadFlag> {
 protected:
  void SetUp() override {
    if (walsim_test::walsim_binary().empty()) GTEST_SKIP() << "no walsim binary: set WALSIM";
    file_ = (fs::path(dir_.path()) / "s.toml").string();
    std::ofstream(file_) << "name = \"s\"\nseeds = 2\n[workload]\nops = 5\n";
  }
  testutil::TempDir dir_;
  std::string file_;
};

std::string replace_file(std::string command, const std::string& file) {
  if (const std::size_t at = command.find("FILE"); at != std::string::npos) {
    command.replace(at, 4, file);
  }
  return command;
}

TEST_P(BadNumberTest, ExitsTwoNamingTheOption) {
  const BadFlag& bad = GetParam();
  const std::string args =
      replace_file(bad.command, file_) + " " + bad.flag + " '" + bad.value + "'";
  const walsim_test::Output o = run(args);
  EXPECT_EQ(o.code, 2) << args << "\n" << o.out;
  EXPECT_NE(o.out.find(bad.flag), std::string::npos) << args << "\n" << o.out;
  EXPECT_NE(o.out.find(bad.value), std::string::npos) << args << "\n" << o.out;
  EXPECT_NE(o.out.find("walsim --help"), std::string::npos) << args << "\n" << o.out;
  // Ranges in integers, never CLI11's float rendering ("0.000000 to 1.79e308").
  EXPECT_EQ(o.out.find("e+"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find(".000000"), std::string::npos) << o.out;
  // Nothing ran: no verdict, no report.
  EXPECT_EQ(o.out.find("verdict"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("scenarios matched"), std::string::npos) << o.out;
}

// Each option with each class of bad number.
std::vector<BadFlag> every_bad_number() {
  const std::vector<std::pair<const char*, const char*>> options = {
      {"run FILE --no-progress --report ''", "--seeds"},
      {"run FILE --no-progress --report ''", "--seed"},
      {"run FILE --no-progress --report ''", "--jobs"},
      {"replay FILE", "--seed"},
      {"shrink FILE --seed 1", "--max-runs"},
      {"explore FILE", "--seed"},
      {"explore FILE", "--max-states"},
      {"real FILE --diff", "--seeds"},
      {"real FILE --diff", "--seed"},
  };
  const char* values[] = {"-1", "-5", "99999999999999999999999", "18446744073709551616", "1e3",
                          "1.5", "0x10", "+3", "", "seven"};
  std::vector<BadFlag> out;
  for (const auto& [command, flag] : options) {
    for (const char* value : values) out.push_back({command, flag, value});
  }
  // shrink's required --seed comes alone.
  for (const char* value : values) out.push_back({"shrink FILE --max-runs 5", "--seed", value});
  // Out of the option's own range.
  out.push_back({"run FILE --no-progress", "--jobs", "0"});
  out.push_back({"run FILE --no-progress", "--jobs", "257"});
  out.push_back({"run FILE --no-progress", "--seeds", "0"});
  out.push_back({"run FILE --no-progress", "--seeds", "1099511627777"});
  out.push_back({"explore FILE", "--max-states", "0"});
  out.push_back({"shrink FILE --seed 1", "--max-runs", "0"});
  out.push_back({"real FILE --diff", "--seeds", "1048577"});
  // --shard I/N: each part an integer, 0 <= I < N <= 2^32-1.
  for (const char* shard : {"0/99999999999999999999999", "-1/3", "0/-3", "1/4294967296", "3/3",
                            "0/0", "1.5/3", "1/", "/3", "1", "1/3/5", "a/b"}) {
    out.push_back({"run FILE --no-progress", "--shard", shard});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(EveryNumericOption, BadNumberTest,
                         testing::ValuesIn(every_bad_number()));

TEST_F(BadNumberTest, TheLargestSeedIsStillASeed) {
  const walsim_test::Output o = run("replay " + file_ + " --seed 18446744073709551615");
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("seed:       18446744073709551615"), std::string::npos) << o.out;
}

}  // namespace
