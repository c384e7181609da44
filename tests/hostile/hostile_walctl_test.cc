// Every walctl command on every broken log of the hostile corpus (hostile_corpus.h), through the
// built binary: a documented exit code (docs/walctl.md), never a signal or a hang, an error line
// "walctl <command>: ..." for every failure, dump never prints an entry that was not appended,
// nothing but repair changes a byte, and repair keeps every byte it cuts in a side file.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <set>
#include <sstream>

#include "hostile_corpus.h"
#include "run_walctl.h"
#include "testutil/temp_dir.h"

namespace {

using hostile::BaseLogs;
using hostile::Case;

const std::vector<std::string> kModeNames = {"tolerate-tail", "absolute", "point-in-time",
                                             "skip-corrupted"};

std::string base64_decode(const std::string& text) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const std::size_t value = alphabet.find(c);
    if (value == std::string::npos) continue;  // '=' padding
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

class HostileWalctl : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    root_ = std::make_unique<testutil::TempDir>();
    base_ = std::make_unique<BaseLogs>(hostile::build_base_logs(root_->path()));
  }
  static void TearDownTestSuite() {
    base_.reset();
    root_.reset();
  }

  void SetUp() override {
    binary_ = hostile::walctl_binary();
    if (binary_.empty()) GTEST_SKIP() << "walctl not built (set WAL_BUILD_DIR, build target walctl)";
    log_ = tmp_.sub("log");
    std::string skip;
    if (!GetParam().make(*base_, log_, &skip)) GTEST_SKIP() << skip;
  }

  // Runs one command and checks what holds for every command on every input.
  hostile::Run walctl(const std::vector<std::string>& args, const std::set<int>& allowed) {
    const hostile::Run run = hostile::run(binary_, args, tmp_.path());
    std::string line;
    for (const auto& arg : args) line += " " + arg;
    EXPECT_FALSE(run.timed_out) << "walctl" << line << " hung";
    EXPECT_TRUE(run.exited) << "walctl" << line << " died of signal " << run.signal << "\n" << run.err;
    EXPECT_TRUE(allowed.count(run.exit_code)) << "walctl" << line << " exited " << run.exit_code
                                               << "\n" << run.err;
    if (run.exited && run.exit_code >= 2) {
      EXPECT_EQ(run.err.rfind("walctl " + args[0] + ": ", 0), 0u)
          << "walctl" << line << " failed without a clear error line: '" << run.err << "'";
    }
    if (GetParam().not_a_directory) {
      EXPECT_EQ(run.exit_code, 6) << "walctl" << line << ": " << run.err;
    }
    if (GetParam().no_log && args[0] != "append") {
      EXPECT_EQ(run.exit_code, 7) << "walctl" << line << ": " << run.out << run.err;
    }
    return run;
  }

  // Every line of `dump --format json` is an entry that was appended, in LSN order.
  void expect_written(const hostile::Run& run, const std::string& what) {
    std::istringstream lines(run.out);
    std::string text;
    std::uint64_t previous = 0;
    while (std::getline(lines, text)) {
      const nlohmann::json entry = nlohmann::json::parse(text, nullptr, false);
      ASSERT_FALSE(entry.is_discarded()) << what << ": not JSON: " << text;
      const std::uint64_t lsn = entry.at("lsn").get<std::uint64_t>();
      const std::string payload = entry.at("encoding") == "base64"
                                      ? base64_decode(entry.at("payload").get<std::string>())
                                      : entry.at("payload").get<std::string>();
      EXPECT_TRUE(base_->written.holds(lsn, entry.at("type").get<std::string>(), payload))
          << what << " printed lsn " << lsn << " '" << payload << "', which was never appended";
      EXPECT_GT(lsn, previous) << what;
      previous = lsn;
    }
  }

  static std::unique_ptr<testutil::TempDir> root_;
  static std::unique_ptr<BaseLogs> base_;
  testutil::TempDir tmp_;
  std::string binary_;
  std::string log_;
};

std::unique_ptr<testutil::TempDir> HostileWalctl::root_;
std::unique_ptr<BaseLogs> HostileWalctl::base_;

TEST_P(HostileWalctl, ReadOnlyCommandsAnswerAndChangeNothing) {
  const bool clean = GetParam().clean && !GetParam().no_log;
  const auto before = hostile::snapshot(log_);

  const hostile::Run verify = walctl({"verify", log_}, {0, 1, 3, 4, 6, 7});
  if (clean) {
    EXPECT_EQ(verify.exit_code, 0) << verify.out;
  }
  walctl({"verify", log_, "--json"}, {0, 1, 3, 4, 6, 7});
  for (const std::string& mode : kModeNames) {
    walctl({"verify", log_, "--recovery", mode}, {0, 1, 3, 4, 6, 7});
  }
  const hostile::Run stat = walctl({"stat", log_}, {0, 3, 4, 6, 7});
  if (clean) {
    EXPECT_EQ(stat.exit_code, 0);
  }
  walctl({"stat", log_, "--json"}, {0, 3, 4, 6, 7});
  for (const std::string& mode : kModeNames) {
    const hostile::Run dump = walctl({"dump", log_, "--format", "json", "--recovery", mode}, {0, 3, 4, 6, 7});
    if (clean) {
      EXPECT_EQ(dump.exit_code, 0) << dump.err;
    }
    expect_written(dump, "dump --recovery " + mode);
    walctl({"repair", log_, "--dry-run", "--recovery", mode}, {0, 3, 4, 6, 7});
  }
  // Refused for damage, a default dump still prints the entries before the first damage, and
  // only those: what a point-in-time dump (which cuts there) prints.
  const hostile::Run by_default = walctl({"dump", log_, "--format", "json"}, {0, 3, 4, 6, 7});
  if (by_default.exit_code == 4) {
    const hostile::Run cut = walctl({"dump", log_, "--format", "json", "--recovery", "point-in-time"},
                                    {0, 3, 4, 6, 7});
    EXPECT_EQ(by_default.out, cut.out) << "a default dump refused for damage: " << by_default.err;
  }
  walctl({"dump", log_, "--format", "hex"}, {0, 3, 4, 6, 7});
  walctl({"dump", log_, "--format", "text", "--from", "7"}, {0, 2, 3, 4, 6, 7});

  EXPECT_EQ(hostile::snapshot(log_), before) << "a read-only command changed the files";
}

TEST_P(HostileWalctl, RepairKeepsWhatItCutsAndLeavesAReadableLog) {
  for (const std::string mode : {"tolerate-tail", "point-in-time", "skip-corrupted"}) {
    SCOPED_TRACE(mode);
    std::string copy = log_;
    if (!GetParam().not_a_directory) {
      copy = tmp_.sub(std::string("repair-") + mode);
      hostile::copy_dir(log_, copy);
    }
    const auto before = hostile::snapshot(copy);
    const hostile::Run repair = walctl({"repair", copy, "--recovery", mode}, {0, 3, 4, 6, 7});
    const auto after = hostile::snapshot(copy);
    if (repair.exit_code != 0) {
      for (const auto& [name, bytes] : before) {
        EXPECT_EQ(after.count(name) ? after.at(name) : "<gone>", bytes)
            << "repair exited " << repair.exit_code << " yet changed " << name;
      }
      continue;
    }
    const std::optional<std::string> lost = hostile::lost_by_repair(before, after);
    EXPECT_FALSE(lost.has_value()) << *lost;
    // What the repaired log holds reads back in the same mode (skip-corrupted leaves the damage
    // in place, so its reader may still stop at it: exit 4).
    const std::set<int> readable = std::string(mode) == "skip-corrupted" ? std::set<int>{0, 4}
                                                                         : std::set<int>{0};
    const hostile::Run dump = walctl({"dump", copy, "--format", "json", "--recovery", mode}, readable);
    expect_written(dump, std::string("dump after repair in ") + mode);
  }
}

// Repair always has a way forward and is idempotent. Exit 3 is for real I/O errors, and the
// corpus has none: every repair either refuses (4) or succeeds. Point-in-time succeeds on every
// log this build can read (an unreadable entry is moved aside), and after a tolerate-tail or
// point-in-time repair verify says clean. A repair of a repaired log, in the same mode or
// point-in-time after skip-corrupted, exits 0; in the same mode it writes nothing.
TEST_P(HostileWalctl, RepairIsIdempotentAndAlwaysHasAWayForward) {
  if (GetParam().not_a_directory || GetParam().no_log) GTEST_SKIP() << "no log to repair";
  const bool readable = GetParam().name != "future-version";
  for (const std::string mode : {"tolerate-tail", "point-in-time", "skip-corrupted"}) {
    SCOPED_TRACE(mode);
    const std::string copy = tmp_.sub(std::string("twice-") + mode);
    hostile::copy_dir(log_, copy);
    const hostile::Run first = walctl({"repair", copy, "--recovery", mode}, {0, 4});
    if (mode == std::string("point-in-time") && readable) {
      EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
    }
    if (first.exit_code != 0) continue;
    if (mode != std::string("skip-corrupted")) {
      const hostile::Run verify = walctl({"verify", copy}, {0, 1});
      EXPECT_EQ(verify.exit_code, 0) << "after a repair in " << mode << ": " << verify.out;
    }
    const auto repaired = hostile::snapshot(copy);
    const hostile::Run second = walctl({"repair", copy, "--recovery", mode}, {0});
    EXPECT_EQ(hostile::snapshot(copy), repaired)
        << "a second repair in " << mode << " changed files:\n" << second.out;
    if (mode != std::string("skip-corrupted")) continue;

    // Point-in-time after skip-corrupted cuts what skip-corrupted left in place, keeping it.
    const hostile::Run cut = walctl({"repair", copy, "--recovery", "point-in-time"}, {0});
    const auto after = hostile::snapshot(copy);
    const std::optional<std::string> lost = hostile::lost_by_repair(repaired, after);
    EXPECT_FALSE(lost.has_value()) << *lost << "\n" << cut.out;
    EXPECT_EQ(walctl({"verify", copy}, {0, 1}).exit_code, 0);
    walctl({"repair", copy, "--recovery", "point-in-time"}, {0});
    EXPECT_EQ(hostile::snapshot(copy), after) << "a second point-in-time repair changed files";
  }
}

// A directory that holds no log: append starts one only where nothing else is (the files a
// log makes itself, LOCK and *.tmp, do not count), or when told to with --create-in-nonempty;
// either way the other files stay as they were.
TEST_P(HostileWalctl, AppendStartsALogOnlyAmongItsOwnFiles) {
  if (!GetParam().no_log) GTEST_SKIP() << "holds a log";
  const auto before = hostile::snapshot(log_);
  bool foreign = false;
  for (const auto& [name, bytes] : before) foreign |= name != "LOCK" && !name.ends_with(".tmp");
  const hostile::Run refused = walctl({"append", log_}, {0, 7});
  if (foreign) {
    EXPECT_EQ(refused.exit_code, 7) << refused.err;
    EXPECT_NE(refused.err.find("--create-in-nonempty"), std::string::npos) << refused.err;
    EXPECT_EQ(hostile::snapshot(log_), before) << "a refused append changed the directory";
    walctl({"append", log_, "--create-in-nonempty"}, {0});
  } else {
    EXPECT_EQ(refused.exit_code, 0) << refused.err;
  }
  const auto after = hostile::snapshot(log_);
  for (const auto& [name, bytes] : before) {
    if (name == "LOCK" || name.ends_with(".tmp")) continue;
    EXPECT_EQ(after.count(name) ? after.at(name) : "<gone>", bytes) << name;
  }
  // Now it holds a log (the fixture's "no log here" expectation no longer applies).
  const hostile::Run verify = hostile::run(binary_, {"verify", log_}, tmp_.path());
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileWalctl, ::testing::ValuesIn(hostile::cases()),
                         [](const ::testing::TestParamInfo<Case>& c) {
                           std::string name = c.param.name;
                           for (char& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

}  // namespace
