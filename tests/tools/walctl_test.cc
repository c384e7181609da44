// walctl end to end: the built binary run on real directories (posix_spawn, stdin/stdout/stderr
// through files). Every run must end with a documented exit code, never a signal.
#include <sys/resource.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <string>
#include <vector>

#include <wal/posix_fs.h>

#include "record_format.h"
#include "tools/walctl_fixture.h"

namespace {

using namespace walctl_test;


TEST_F(Walctl, TwentyThousandLinesRoundTripThroughAppendAndDump) {
  std::string input;
  std::string expected_dump;
  for (int i = 1; i <= 20000; ++i) {
    std::string line = "entry " + std::to_string(i);
    std::string escaped = line;
    if (i % 1000 == 0) {  // a few lines with bytes the text format must escape
      line += "\ttab\\slash\x01";
      escaped += "\\ttab\\\\slash\\x01";
    }
    input += line + "\n";
    expected_dump += std::to_string(i) + "\tdata\t" + escaped + "\n";
  }
  const Outcome appended = run({"append", log_, "--sync", "none", "--segment-bytes", "262144"}, input);
  ASSERT_EQ(appended.exit_code, 0) << appended.err;
  EXPECT_EQ(appended.out, lsn_lines(1, 20000));

  const Outcome dumped = run({"dump", log_});
  ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
  EXPECT_EQ(dumped.out, expected_dump);

  const Outcome tail = run({"dump", log_, "--from", "19999", "--format", "json"});
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  std::istringstream json_lines(tail.out);
  std::string line;
  std::vector<nlohmann::json> objects;
  while (std::getline(json_lines, line)) objects.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0]["lsn"], 19999);
  EXPECT_EQ(objects[0]["type"], "data");
  EXPECT_EQ(objects[0]["payload"], "entry 19999");
  EXPECT_EQ(objects[1]["bytes"], std::string("entry 20000\ttab\\slash\x01").size());
  EXPECT_EQ(objects[1]["encoding"], "base64");
}

TEST_F(Walctl, GroupedAppendContinuesTheLogAndFramedCarriesBinary) {
  Outcome appended = run({"append", log_, "--segment-bytes", "65536"}, "a\nb\nlast-without-newline");
  ASSERT_EQ(appended.exit_code, 0) << appended.err;
  EXPECT_EQ(appended.out, lsn_lines(1, 3));

  std::string framed;
  for (const std::string& payload : {std::string("\0\xff\n", 3), std::string()}) {
    const auto n = static_cast<std::uint32_t>(payload.size());
    for (int i = 0; i < 4; ++i) framed += static_cast<char>((n >> (8 * i)) & 0xff);
    framed += payload;
  }
  appended = run({"append", log_, "--framed", "--sync", "immediate"}, framed);
  ASSERT_EQ(appended.exit_code, 0) << appended.err;
  EXPECT_EQ(appended.out, lsn_lines(4, 5));

  const Outcome dumped = run({"dump", log_, "--from", "3"});
  ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
  EXPECT_EQ(dumped.out, "3\tdata\tlast-without-newline\n4\tdata\t\\x00\\xff\\n\n5\tdata\t\n");

  const Outcome hex = run({"dump", log_, "--from", "4", "--format", "hex"});
  ASSERT_EQ(hex.exit_code, 0) << hex.err;
  EXPECT_NE(hex.out.find("00 ff 0a"), std::string::npos) << hex.out;

  // A frame cut short is bad input: refused with exit 2, nothing after the last whole frame.
  const Outcome cut = run({"append", log_, "--framed"}, std::string("\x05\0\0\0ab", 6));
  EXPECT_EQ(cut.exit_code, 2) << cut.err;
  EXPECT_NE(cut.err.find("frame"), std::string::npos) << cut.err;
}

TEST_F(Walctl, TruncatedLastSegmentIsATornTailThatRepairKeepsAside) {
  const Outcome appended = run({"append", log_, "--sync", "none", "--segment-bytes", "65536"}, lines(1, 50, "record-"));
  ASSERT_EQ(appended.exit_code, 0) << appended.err;
  const std::vector<std::string> names = segments();
  ASSERT_FALSE(names.empty());
  const std::string segment = log_ + "/" + names.back();
  const std::string original = read_file(segment);
  // Cut the file 5 bytes short of the end of its last record (the file may be longer than the
  // data: preallocation).
  const Outcome stat = run({"stat", log_, "--json"});
  ASSERT_EQ(stat.exit_code, 0) << stat.err;
  const std::uint64_t used = nlohmann::json::parse(stat.out)["segments"].back()["used_bytes"];
  ASSERT_GT(used, 5u);
  const std::size_t torn_size = used - 5;
  fs::resize_file(segment, torn_size);

  const auto before = snapshot();
  const Outcome verified = run({"verify", log_});
  EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("torn tail"), std::string::npos) << verified.out;
  const Outcome json = run({"verify", log_, "--json"});
  EXPECT_EQ(json.exit_code, 1);
  const nlohmann::json report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["status"], "torn-tail") << json.out;
  ASSERT_EQ(report["damage"].size(), 1u) << json.out;
  EXPECT_EQ(report["damage"][0]["segment"], names.back());
  const std::uint64_t offset = report["damage"][0]["offset"];
  EXPECT_EQ(run({"stat", log_}).exit_code, 0);
  EXPECT_EQ(run({"dump", log_}).out, [] {
    std::string expected;
    for (int i = 1; i <= 49; ++i) expected += std::to_string(i) + "\tdata\trecord-" + std::to_string(i) + "\n";
    return expected;
  }());
  const Outcome dry = run({"repair", log_, "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would drop"), std::string::npos) << dry.out;
  EXPECT_EQ(snapshot(), before) << "verify, dump, stat and repair --dry-run must change nothing";

  const Outcome repaired = run({"repair", log_});
  ASSERT_EQ(repaired.exit_code, 0) << repaired.out << repaired.err;
  const std::string side = segment + ".cut-" + std::to_string(offset);
  ASSERT_TRUE(fs::exists(side)) << repaired.out;
  EXPECT_EQ(read_file(side), original.substr(offset, torn_size - offset));

  const Outcome after = run({"verify", log_});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  const Outcome dumped = run({"dump", log_, "--from", "49"});
  EXPECT_EQ(dumped.out, "49\tdata\trecord-49\n");
  const Outcome next = run({"append", log_}, "again\n");
  EXPECT_EQ(next.out, "50\n");
}

// While alive, files this process and the walctl it spawns write may not grow past `bytes`:
// fallocate and ftruncate beyond it fail with EFBIG (SIGXFSZ is ignored, so it does not kill).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{bytes, saved_.rlim_max};
    applied_ = setrlimit(RLIMIT_FSIZE, &limit) == 0;
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  bool applied() const { return applied_; }

 private:
  rlimit saved_{};
  void (*previous_)(int) = SIG_DFL;
  bool applied_ = false;
};

// The fuzzer's finding (tests/fuzz/regressions/walctl/repair-preallocates-a-capacity-the-fs-
// cannot-hold): the repair's open re-preallocated the segment to the capacity its header plans,
// after the cut, only for its close to trim it again; where the filesystem cannot hold that
// capacity the repair cut the tail and then exited 3. A repair needs no room for the capacity.
TEST_F(Walctl, RepairOfATornTailNeedsNoRoomForTheSegmentsCapacity) {
  constexpr rlim_t kCapacity = 4 << 20;
  const Outcome appended =
      run({"append", log_, "--segment-bytes", std::to_string(kCapacity)}, lines(1, 50, "record-"));
  ASSERT_EQ(appended.exit_code, 0) << appended.err;
  const std::vector<std::string> names = segments();
  ASSERT_EQ(names.size(), 1u);
  const std::string segment = log_ + "/" + names[0];
  const std::string original = read_file(segment);
  const Outcome stat = run({"stat", log_, "--json"});
  ASSERT_EQ(stat.exit_code, 0) << stat.err;
  const std::uint64_t used = nlohmann::json::parse(stat.out)["segments"].back()["used_bytes"];
  // Torn 5 bytes short of the end of the last record, the preallocated zeros gone with them.
  const std::size_t torn_size = used - 5;
  fs::resize_file(segment, torn_size);
  const Outcome json = run({"verify", log_, "--json"});
  ASSERT_EQ(json.exit_code, 1) << json.out;
  const std::uint64_t offset = nlohmann::json::parse(json.out)["damage"][0]["offset"];

  {
    FileSizeLimit limit(kCapacity / 4);
    ASSERT_TRUE(limit.applied());
    const Outcome repaired = run({"repair", log_});
    EXPECT_EQ(repaired.exit_code, 0) << repaired.out << repaired.err;
    // The limit is real: an append's open preallocates the segment, and fails on it.
    const Outcome refused = run({"append", log_}, "again\n");
    EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  }
  const std::string side = segment + ".cut-" + std::to_string(offset);
  ASSERT_TRUE(fs::exists(side));
  EXPECT_EQ(read_file(side), original.substr(offset, torn_size - offset));
  EXPECT_EQ(read_file(segment), original.substr(0, offset));
  EXPECT_EQ(run({"verify", log_}).exit_code, 0);
  EXPECT_EQ(run({"append", log_}, "again\n").out, "50\n");
}

TEST_F(Walctl, FlippedByteInTheMiddleIsCorruptionWithSegmentOffsetAndLsn) {
  // immediate: every entry is durable, so the records after the damage prove it is not a tail.
  const std::string payload = "payload-payload-";  // 16 bytes: every record is the same size
  std::string input;
  for (int i = 0; i < 12; ++i) input += payload + "\n";
  const Outcome appended = run({"append", log_, "--sync", "immediate", "--segment-bytes", "65536"}, input);
  ASSERT_EQ(appended.exit_code, 0) << appended.err;
  const std::vector<std::string> names = segments();
  ASSERT_EQ(names.size(), 1u);
  const std::string segment = log_ + "/" + names[0];
  std::string bytes = read_file(segment);
  const std::size_t record = wal::format::record_bytes(payload.size());
  const std::size_t damaged_offset = wal::format::kSegmentHeaderBytes + 5 * record;  // LSN 6
  bytes[damaged_offset + wal::format::kRecordHeaderBytes + 3] ^= 0x40;
  write_file(segment, bytes);

  const auto before = snapshot();
  const Outcome verified = run({"verify", log_});
  EXPECT_EQ(verified.exit_code, 1) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("corrupt"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find(names[0]), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("offset " + std::to_string(damaged_offset)), std::string::npos)
      << verified.out;
  EXPECT_NE(verified.out.find("lsn 6"), std::string::npos) << verified.out;

  const Outcome json = run({"verify", log_, "--json"});
  EXPECT_EQ(json.exit_code, 1);
  const nlohmann::json report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["status"], "corrupt") << json.out;
  ASSERT_FALSE(report["damage"].empty());
  EXPECT_EQ(report["damage"][0]["segment"], names[0]);
  EXPECT_EQ(report["damage"][0]["offset"], damaged_offset);
  EXPECT_EQ(report["damage"][0]["lsn"], 6);

  // The outside testers' finding: a default dump printed nothing and exited 4. It prints the
  // entries before the damage, then reports it (exit 4); nothing from LSN 6 on.
  const Outcome dumped = run({"dump", log_});
  EXPECT_EQ(dumped.exit_code, 4) << dumped.err;
  EXPECT_EQ(dumped.out, [&] {
    std::string expected;
    for (int lsn = 1; lsn <= 5; ++lsn) expected += std::to_string(lsn) + "\tdata\t" + payload + "\n";
    return expected;
  }());
  EXPECT_NE(dumped.err.find("Corruption"), std::string::npos) << dumped.err;
  EXPECT_NE(dumped.err.find("LSN 6"), std::string::npos) << dumped.err;
  EXPECT_EQ(run({"dump", log_, "--from", "5", "--format", "json"}).out.find("\"lsn\":6"), std::string::npos);

  // Not a torn tail: repair refuses (exit 4) and touches nothing.
  const Outcome refused = run({"repair", log_});
  EXPECT_EQ(refused.exit_code, 4) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("refusing"), std::string::npos) << refused.err;
  EXPECT_EQ(snapshot(), before);

  // Salvage on request: the log ends before the damage, LSNs 6..12 are kept in the side file.
  const Outcome salvaged = run({"repair", log_, "--recovery", "point-in-time"});
  ASSERT_EQ(salvaged.exit_code, 0) << salvaged.out << salvaged.err;
  const std::string side = segment + ".cut-" + std::to_string(damaged_offset);
  ASSERT_TRUE(fs::exists(side)) << salvaged.out;
  EXPECT_EQ(read_file(side), bytes.substr(damaged_offset, 7 * record));
  EXPECT_EQ(run({"verify", log_}).exit_code, 0);
  EXPECT_EQ(run({"dump", log_, "--from", "5"}).out, "5\tdata\t" + payload + "\n");
}

TEST_F(Walctl, ALockedLogIsBusy) {
  ASSERT_EQ(run({"append", log_, "--segment-bytes", "65536"}, "x\n").exit_code, 0);
  auto lock = wal::posix_fs().lock(log_ + "/LOCK");
  ASSERT_TRUE(lock.is_ok()) << lock.status().to_string();
  const Outcome repair = run({"repair", log_});
  EXPECT_EQ(repair.exit_code, 5) << repair.err;
  EXPECT_NE(repair.err.find("locked"), std::string::npos) << repair.err;
  EXPECT_EQ(run({"append", log_}, "y\n").exit_code, 5);
  // Read-only commands take no lock.
  EXPECT_EQ(run({"verify", log_}).exit_code, 0);
  EXPECT_EQ(run({"dump", log_}).out, "1\tdata\tx\n");
}

TEST_F(Walctl, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"append"},
           {"append", log_, "--sync", "sometimes"},
           {"dump", log_, "--format", "xml"},
           {"dump", log_, "--from", "abc"},
           {"verify", log_, "--recovery", "optimistic"},
           {"stat", log_, "--no-such-flag"}}) {
    const Outcome result = run(args);
    std::string joined;
    for (const std::string& arg : args) joined += arg + " ";
    EXPECT_EQ(result.exit_code, 2) << joined << "\n" << result.err;
    EXPECT_NE(result.err.find("walctl"), std::string::npos) << joined << result.err;
  }
  const Outcome help = run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos) << help.out;
  EXPECT_EQ(run({"repair", "--help"}).exit_code, 0);
}

// Every numeric flag: a negative number, an overflow, a non-number, a fraction and an
// out-of-range value are usage errors (exit 2) whose message names the flag and speaks in
// integers (CLI11's range check printed "Value 0 not in range 0.000000 to 1797693...", took
// "nan" seconds, and clamped an overflowing LSN to the largest u64).
TEST_F(Walctl, EveryNumericFlagRefusesBadValuesByName) {
  ASSERT_EQ(run({"append", log_}, "x\n").exit_code, 0);
  struct Bad {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Bad> bad = {
      {{"dump", log_, "--from", "0"}, "--from: 0 is not an LSN (LSNs start at 1)"},
      {{"dump", log_, "--from", "-1"}, "--from: '-1' is not an LSN"},
      {{"dump", log_, "--from", "99999999999999999999999"}, "--from: 99999999999999999999999 is too large"},
      {{"dump", log_, "--from", "abc"}, "--from: 'abc' is not an LSN"},
      {{"dump", log_, "--from", "1.5"}, "--from: '1.5' is not an LSN"},
      {{"append", log_, "--segment-bytes", "0"}, "--segment-bytes: 0 is too small"},
      {{"append", log_, "--segment-bytes", "-4096"}, "--segment-bytes: '-4096' is not"},
      {{"append", log_, "--segment-bytes", "99999999999999999999999"}, "--segment-bytes: 99999999999999999999999 is too large"},
      {{"append", log_, "--segment-bytes", "2199023255552"}, "--segment-bytes: 2199023255552 is too large"},
      {{"append", log_, "--segment-bytes", "lots"}, "--segment-bytes: 'lots' is not"},
      {{"bench", tmp_.sub("bench"), "--seconds", "-1"}, "--seconds: -1 is not a number of seconds"},
      {{"bench", tmp_.sub("bench"), "--seconds", "nan"}, "--seconds: nan is not"},
      {{"bench", tmp_.sub("bench"), "--seconds", "1e400"}, "--seconds: 1e400 is not"},
      {{"bench", tmp_.sub("bench"), "--seconds", "soon"}, "--seconds: 'soon' is not"},
  };
  for (const Bad& b : bad) {
    const Outcome result = run(b.args, "y\n");
    std::string joined;
    for (const std::string& arg : b.args) joined += arg + " ";
    EXPECT_EQ(result.exit_code, 2) << joined << "\n" << result.err;
    EXPECT_NE(result.err.find(b.says), std::string::npos) << joined << "\n" << result.err;
    EXPECT_EQ(result.err.find("0.000000"), std::string::npos) << joined << "\n" << result.err;
  }
  // Nothing refused was appended, and a good value still works.
  EXPECT_EQ(run({"dump", log_, "--from", "1"}).out, "1\tdata\tx\n");
}

// `walctl --version` names the version and the git revision the build was configured from
// ("unknown" outside a git checkout), and exits 0 without needing a subcommand.
TEST_F(Walctl, VersionNamesTheGitRevision) {
  const Outcome version = run({"--version"});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  const std::string prefix = "walctl ";
  ASSERT_EQ(version.out.rfind(prefix, 0), 0u) << version.out;
  const std::size_t git = version.out.find(" (git ");
  ASSERT_NE(git, std::string::npos) << version.out;
  const std::string number = version.out.substr(prefix.size(), git - prefix.size());
  EXPECT_EQ(std::count(number.begin(), number.end(), '.'), 2) << version.out;
  const std::string revision = version.out.substr(git + 6);
  EXPECT_GT(revision.size(), 2u) << version.out;  // something, then ")\n"
  EXPECT_TRUE(revision.ends_with(")\n")) << version.out;
}

TEST_F(Walctl, MissingOrNonDirectoryLogIsNotFound) {
  for (const char* command : {"verify", "dump", "stat", "repair"}) {
    const Outcome missing = run({command, tmp_.sub("nope")});
    EXPECT_EQ(missing.exit_code, 6) << command << missing.err;
    EXPECT_NE(missing.err.find("no such log directory"), std::string::npos) << missing.err;
  }
  write_file(tmp_.sub("file"), "not a directory");
  for (const char* command : {"verify", "dump", "stat", "repair", "append"}) {
    const Outcome file = run({command, tmp_.sub("file")}, "x\n");
    EXPECT_EQ(file.exit_code, 6) << command << file.err;
    EXPECT_NE(file.err.find("not a log directory"), std::string::npos) << file.err;
  }
  EXPECT_EQ(run({"append", tmp_.sub("missing-parent/log")}, "x\n").exit_code, 6);
}

TEST_F(Walctl, GarbageNamedLikeSegmentsGetsAClearMessageNotACrash) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty segment file", ""},
      {"short garbage", "hello"},
      {"long garbage", std::string(4096, '\xab')},
      {"zeros", std::string(8192, '\0')},
      {"magic then garbage", std::string("WALSEGMT") + std::string(200, '\x7f')},
  };
  for (const auto& [label, content] : cases) {
    fs::remove_all(log_);
    fs::create_directories(log_);
    write_file(log_ + "/00000000000000000001.wal", content);
    write_file(log_ + "/00000000000000000009.wal", std::string(100, '\x01'));
    const auto before = snapshot();
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"verify", log_}, {"verify", log_, "--json"}, {"dump", log_}, {"stat", log_},
             {"repair", log_, "--dry-run"}}) {
      const Outcome result = run(args);
      EXPECT_GE(result.exit_code, 0) << label << ": " << args[0] << " died of a signal";
      EXPECT_LE(result.exit_code, 6) << label << ": " << args[0];
      if (args[0] == "verify") {
        EXPECT_TRUE(result.exit_code == 1 || result.exit_code == 4)
            << label << ": verify exit " << result.exit_code << "\n" << result.out << result.err;
      }
      if (result.exit_code != 0) {
        EXPECT_FALSE(result.out.empty() && result.err.empty())
            << label << ": " << args[0] << " failed without saying why";
      }
    }
    EXPECT_EQ(snapshot(), before) << label << ": a read-only command changed the files";
  }
}

}  // namespace
