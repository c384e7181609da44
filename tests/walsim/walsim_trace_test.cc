// `walsim trace` and `walsim trace show` end to end (SPEC 9.4, docs/trace.md): the built binary,
// its output and its exit codes (exit_codes.h): 0 written, 2 usage, 3 malformed trace, 8 no
// ptrace here, 9 unwritable or unreadable file, 10 a call walsim cannot model.
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testutil/temp_dir.h"
#include "walsim/walsim_process.h"

namespace {

namespace fs = std::filesystem;

class WalsimTraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (walsim_test::walsim_binary().empty()) GTEST_SKIP() << "no walsim binary: set WALSIM";
    fs::create_directories(dir_);
  }
  // `walsim trace ARGS`, skipping the test where ptrace is not permitted (exit 8).
  walsim_test::Output trace(const std::string& args) {
    walsim_test::Output o = walsim_test::run("trace " + args);
    if (o.code == 8) ptrace_refused_ = o.out;
    return o;
  }

  testutil::TempDir tmp_;
  std::string dir_ = tmp_.sub("d");
  std::string out_ = tmp_.sub("t.trace");
  std::string ptrace_refused_;
};

#define SKIP_WITHOUT_PTRACE() \
  if (!ptrace_refused_.empty()) GTEST_SKIP() << ptrace_refused_;

TEST_F(WalsimTraceTest, RecordsForwardsTheOutputAndShowsTheTrace) {
  const auto o = trace("--dir " + dir_ + " --out " + out_ +
                       " -- sh -c 'echo hello; echo data > \"$0\"/f; exit 3' " + dir_);
  SKIP_WITHOUT_PTRACE();
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("hello\n"), std::string::npos) << o.out;  // forwarded
  EXPECT_NE(o.out.find("walsim trace: 5 calls (11 bytes of data) recorded in " + out_ +
                       "; the program exited with status 3\n"),
            std::string::npos)
      << o.out;
  const auto shown = walsim_test::run("trace show " + out_);
  ASSERT_EQ(shown.code, 0) << shown.out;
  EXPECT_TRUE(
      shown.out.starts_with("walsim trace, format version 1\ndir: " + fs::canonical(dir_).string() +
                            "\ncommand: sh -c 'echo hello; "
                            "echo data > \"$0\"/f; exit 3' " +
                            dir_ + "\ncalls: 5\n"))
      << shown.out;
  EXPECT_NE(shown.out.find("write(fd 1 -> stdout, 6 bytes \"hello\\n\") = 6\n"), std::string::npos)
      << shown.out;
  // The descriptor's number is the shell's: the lowest free one, which ctest's may push up.
  EXPECT_TRUE(std::regex_search(
      shown.out, std::regex(R"(   2 pid [0-9]+ openat\("f", O_WRONLY\|O_CREAT\|O_TRUNC, 0666\) = )"
                            R"([0-9]+ \(file #1, created\)\n)")))
      << shown.out;
  EXPECT_TRUE(shown.out.ends_with("   5 exit status 3\n")) << shown.out;
}

TEST_F(WalsimTraceTest, WritesWalsimTraceInTheCurrentDirectoryByDefault) {
  const auto o = walsim_test::run("trace --dir " + dir_ + " -- true", "cd " + tmp_.path() + " &&");
  if (o.code == 8) GTEST_SKIP() << o.out;
  ASSERT_EQ(o.code, 0) << o.out;
  EXPECT_TRUE(fs::exists(tmp_.sub("walsim.trace")));
}

TEST_F(WalsimTraceTest, UsageErrorsExitTwo) {
  for (const std::string& args : std::vector<std::string>{
           "--dir " + dir_ + " true", "--dir " + dir_ + " --", "-- true",
           "--dir " + tmp_.sub("missing") + " -- true", "--dir " + dir_ + " sh -- true"}) {
    const auto o = trace(args);
    EXPECT_EQ(o.code, 2) << args << "\n" << o.out;
    EXPECT_NE(o.out.find("walsim"), std::string::npos) << args << "\n" << o.out;
  }
  std::ofstream(tmp_.sub("file")) << "x";
  const auto file = trace("--dir " + tmp_.sub("file") + " -- true");
  EXPECT_EQ(file.code, 2) << file.out;
  EXPECT_NE(file.out.find("not a directory"), std::string::npos) << file.out;
}

TEST_F(WalsimTraceTest, AProgramThatCannotBeExecutedExitsTwo) {
  const auto o = trace("--dir " + dir_ + " -- /nonexistent/program");
  SKIP_WITHOUT_PTRACE();
  EXPECT_EQ(o.code, 2) << o.out;
  EXPECT_NE(o.out.find("cannot execute '/nonexistent/program': No such file or directory"),
            std::string::npos)
      << o.out;
}

TEST_F(WalsimTraceTest, AnUnwritableTraceExitsNine) {
  const auto o = trace("--dir " + dir_ + " --out " + tmp_.sub("no/such/dir/t") + " -- true");
  SKIP_WITHOUT_PTRACE();
  EXPECT_EQ(o.code, 9) << o.out;
  EXPECT_NE(o.out.find("cannot write the trace"), std::string::npos) << o.out;
}

TEST_F(WalsimTraceTest, AnUnmodellableCallExitsTenNamingItAndWritesNoTrace) {
  // dd's oflag=direct opens its output with O_DIRECT.
  const auto o = trace("--dir " + dir_ + " --out " + out_ + " -- dd if=/dev/zero of=" + dir_ +
                       "/x bs=4096 count=1 oflag=direct");
  SKIP_WITHOUT_PTRACE();
  if (o.code == 0 && o.out.find("Invalid argument") != std::string::npos) {
    GTEST_SKIP() << "no O_DIRECT on this file system";
  }
  EXPECT_EQ(o.code, 10) << o.out;
  EXPECT_NE(o.out.find("openat(\"x\", O_WRONLY|O_CREAT|O_TRUNC|O_DIRECT)"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("O_DIRECT I/O"), std::string::npos) << o.out;
  EXPECT_FALSE(fs::exists(out_));
}

TEST_F(WalsimTraceTest, ShowTellsAnUnreadableFileFromAMalformedOne) {
  const auto missing = walsim_test::run("trace show " + tmp_.sub("missing"));
  EXPECT_EQ(missing.code, 9) << missing.out;
  EXPECT_NE(missing.out.find("No such file or directory"), std::string::npos) << missing.out;
  const auto directory = walsim_test::run("trace show " + dir_);
  EXPECT_EQ(directory.code, 9) << directory.out;
  std::ofstream(out_) << "WALTRACE\x02";
  const auto malformed = walsim_test::run("trace show " + out_);
  EXPECT_EQ(malformed.code, 3) << malformed.out;
  EXPECT_NE(malformed.out.find(out_ + ": byte 8: format version: 4 bytes needed, 1 remain"),
            std::string::npos)
      << malformed.out;
}

TEST_F(WalsimTraceTest, HelpListsTraceAndItsExitCode) {
  const auto o = walsim_test::run("--help");
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_NE(o.out.find("trace"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(" 10  trace, crashes: the program made a call walsim cannot model"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find(" 11  crashes: the checker rejects the state"), std::string::npos)
      << o.out;
  const auto sub = walsim_test::run("trace --help");
  EXPECT_EQ(sub.code, 0) << sub.out;
  EXPECT_NE(sub.out.find("--dir"), std::string::npos) << sub.out;
  EXPECT_NE(sub.out.find("show"), std::string::npos) << sub.out;
}

}  // namespace
