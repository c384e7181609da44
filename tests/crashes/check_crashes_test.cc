// walsim crashes end to end on hand-written traces with real checker processes: the unsafe
// replace is found and explained, the careful one is clean, a checker that rejects the
// uncrashed state is refused, and the result does not depend on the number of jobs.
#include "crashes/crashes.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "crashes/trace_builder.h"

namespace {

using crashes_test::TraceBuilder;

std::string work_dir(const std::string& name) {
  const char* build = std::getenv("WAL_BUILD_DIR");
  return (std::filesystem::path(build != nullptr ? build : "/tmp") / "crashes-test" / name)
      .string();
}

crashes::CrashesOptions options(const std::string& name, const std::string& checker) {
  crashes::CrashesOptions out;
  out.checker = checker;
  out.work_dir = work_dir(name);
  out.timeout_ms = 20'000;
  return out;
}

// The config must hold one whole line, old or new.
const char* kConfigChecker =
    "c=$(cat {dir}/config 2>/dev/null) && { [ \"$c\" = old-config ] || [ \"$c\" = new-config ]; }";

TEST(CheckCrashes, AReplaceWithoutFsyncIsAnOrderingVulnerability) {
  const crashes::CrashesResult result =
      crashes::check_crashes(crashes_test::replace_file(false), options("unsafe", kConfigChecker));
  ASSERT_EQ(result.problem, crashes::Problem::kNone) << result.error;
  EXPECT_GT(result.failed, 0u);
  ASSERT_EQ(result.vulnerabilities.size(), 1u);
  const crashes::Explanation& why = result.vulnerabilities[0].explanation;
  EXPECT_EQ(why.assumption, crashes::Assumption::kOrder) << why.sentence;
  ASSERT_EQ(why.survived.size(), 1u);
  EXPECT_EQ(why.survived[0].call, 4u);  // the rename
  ASSERT_EQ(why.lost.size(), 1u);
  EXPECT_EQ(why.lost[0].call, 3u);      // the write
  EXPECT_EQ(why.sentence,
            "the rename at call 4 (rename \"config.tmp\" -> \"config\") must not become durable "
            "before the write at call 3 (write \"config.tmp\" bytes 0-11)");
  EXPECT_TRUE(why.minimal);
}

TEST(CheckCrashes, TheCarefulReplaceIsClean) {
  const crashes::CrashesResult result =
      crashes::check_crashes(crashes_test::replace_file(true), options("safe", kConfigChecker));
  ASSERT_EQ(result.problem, crashes::Problem::kNone) << result.error;
  EXPECT_TRUE(result.search.complete);
  EXPECT_GT(result.checked, 3u);
  EXPECT_EQ(result.failed, 0u);
  EXPECT_TRUE(result.vulnerabilities.empty());
}

TEST(CheckCrashes, AnAcknowledgedLineWithoutFsyncIsADurabilityVulnerability) {
  TraceBuilder b;
  b.open("log", 1, true).write(1, 0, "a\n").output("a\n");
  // Every line the program printed must be in the log.
  const crashes::CrashesResult result = crashes::check_crashes(
      b.trace(), options("acked", "touch {dir}/log && grep -q -F -x -f {output} {dir}/log || "
                                  "[ ! -s {output} ]"));
  ASSERT_EQ(result.problem, crashes::Problem::kNone) << result.error;
  ASSERT_FALSE(result.vulnerabilities.empty());
  const crashes::Explanation& why = result.vulnerabilities[0].explanation;
  EXPECT_EQ(why.assumption, crashes::Assumption::kDurability) << why.sentence;
  EXPECT_EQ(why.acknowledged_by, 3u);
  EXPECT_NE(why.sentence.find("before the output at call 3"), std::string::npos) << why.sentence;
}

TEST(CheckCrashes, ACheckerThatRejectsTheUncrashedStateIsRefused) {
  const crashes::CrashesResult result =
      crashes::check_crashes(crashes_test::replace_file(true), options("broken", "exit 3"));
  EXPECT_EQ(result.problem, crashes::Problem::kChecker);
  EXPECT_NE(result.error.find("exit 3"), std::string::npos) << result.error;
  EXPECT_EQ(result.checked, 0u);
}

TEST(CheckCrashes, OneStateIsReproducedAndKept) {
  crashes::CrashesOptions opts = options("unsafe-state", kConfigChecker);
  const systrace::Trace trace = crashes_test::replace_file(false);
  const crashes::CrashesResult all = crashes::check_crashes(trace, opts);
  ASSERT_FALSE(all.vulnerabilities.empty());
  opts.only_state = all.vulnerabilities[0].first.state.number;
  const crashes::CrashesResult one = crashes::check_crashes(trace, opts);
  ASSERT_TRUE(one.only.has_value()) << one.error;
  EXPECT_FALSE(one.only->run.passed);
  EXPECT_EQ(one.only->plan, all.vulnerabilities[0].first.plan);
  EXPECT_TRUE(std::filesystem::exists(one.only_dir + "/config"));
  opts.only_state = 100000;
  EXPECT_EQ(crashes::check_crashes(trace, opts).problem, crashes::Problem::kNoSuchState);
}

}  // namespace

namespace {

TEST(CheckCrashes, AnInPlaceOverwriteReliesOnAnAtomicWrite) {
  TraceBuilder b;
  b.init_file("page", 1, std::string(8192, 'o'));
  b.open("page", 1, false).write(1, 0, std::string(8192, 'n')).fsync(1);
  // Whole old or whole new: a page half overwritten is the failure.
  const crashes::CrashesResult result = crashes::check_crashes(
      b.trace(), options("torn", "n=$(tr -d o < {dir}/page | wc -c); [ $n = 0 ] || [ $n = 8192 ]"));
  ASSERT_EQ(result.problem, crashes::Problem::kNone) << result.error;
  ASSERT_EQ(result.vulnerabilities.size(), 1u);
  const crashes::Explanation& why = result.vulnerabilities[0].explanation;
  EXPECT_EQ(why.assumption, crashes::Assumption::kTorn) << why.sentence;
  ASSERT_EQ(why.lost.size(), 1u);
  EXPECT_EQ(why.lost[0].call, 3u);
  EXPECT_TRUE(why.lost[0].torn);
}

TEST(CheckCrashes, TwoFilesThatMustAppearTogetherAreAnIntermediateState) {
  TraceBuilder b;
  b.open("a", 1, true).write(1, 0, "a").fsync(1).fsync_dir("");
  b.open("b", 2, true).write(2, 0, "b").fsync(2).fsync_dir("");
  const crashes::CrashesResult result = crashes::check_crashes(
      b.trace(), options("pair", "{ [ -e {dir}/a ] && [ -e {dir}/b ]; } || "
                                 "{ [ ! -e {dir}/a ] && [ ! -e {dir}/b ]; }"));
  ASSERT_EQ(result.problem, crashes::Problem::kNone) << result.error;
  bool intermediate = false;
  for (const crashes::Vulnerability& found : result.vulnerabilities) {
    if (found.explanation.assumption == crashes::Assumption::kIntermediate) intermediate = true;
  }
  EXPECT_TRUE(intermediate);
}

TEST(CheckCrashes, AFileCreatedWithoutADirectoryFsyncNeedsOne) {
  TraceBuilder b;
  b.open("data", 1, true).write(1, 0, "x").fsync(1).output("saved\n");
  const crashes::CrashesResult result = crashes::check_crashes(
      b.trace(), options("dirsync", "[ ! -s {output} ] || [ -s {dir}/data ]"));
  ASSERT_EQ(result.problem, crashes::Problem::kNone) << result.error;
  ASSERT_EQ(result.vulnerabilities.size(), 1u);
  const crashes::Explanation& why = result.vulnerabilities[0].explanation;
  EXPECT_EQ(why.assumption, crashes::Assumption::kDurability) << why.sentence;
  ASSERT_EQ(why.lost.size(), 1u);
  EXPECT_EQ(why.lost[0].call, 1u);  // the creation's directory entry
  EXPECT_NE(why.sentence.find("needs a directory fsync before the output at call 4"),
            std::string::npos)
      << why.sentence;
}

}  // namespace

namespace {

TEST(CheckCrashes, ARenameThatMustWaitForTwoWritesIsOneVulnerability) {
  TraceBuilder b;
  b.init_file("config", 1, "old-config\n");
  b.open("config.tmp", 2, true).write(2, 0, "new-").write(2, 4, "config\n");
  b.rename("config.tmp", "config").output("replaced\n");
  const crashes::CrashesResult result =
      crashes::check_crashes(b.trace(), options("two-writes", kConfigChecker));
  ASSERT_EQ(result.problem, crashes::Problem::kNone) << result.error;
  ASSERT_EQ(result.vulnerabilities.size(), 1u);
  const crashes::Vulnerability& found = result.vulnerabilities[0];
  EXPECT_EQ(found.explanation.assumption, crashes::Assumption::kOrder);
  EXPECT_EQ(found.explanation.group, "order:5");
  EXPECT_FALSE(found.more.empty()) << found.sentence;
  EXPECT_NE(found.sentence.find("must not become durable before any of: "), std::string::npos)
      << found.sentence;
}

}  // namespace

namespace {

TEST(CheckCrashes, AnAcknowledgementBeforeTheWriteIsOneVulnerabilityUntilTheWrite) {
  TraceBuilder b;
  b.output("1\n").open("log", 1, true).write(1, 0, "1\n").fsync(1).fsync_dir("");
  const crashes::CrashesResult result = crashes::check_crashes(
      b.trace(), options("ack-early", "[ ! -s {output} ] || grep -q -x 1 {dir}/log"));
  ASSERT_EQ(result.problem, crashes::Problem::kNone) << result.error;
  ASSERT_FALSE(result.vulnerabilities.empty());
  const crashes::Vulnerability& early = result.vulnerabilities[0];
  EXPECT_EQ(early.explanation.assumption, crashes::Assumption::kIntermediate);
  EXPECT_EQ(early.explanation.group, "intermediate:1");
  EXPECT_NE(early.sentence.find("the output at call 1 (\"1\\n\") acknowledges"),
            std::string::npos)
      << early.sentence;
  // After the output and after the creation: both crash points, one vulnerability.
  EXPECT_GE(early.points.size(), 2u);
  for (std::size_t i = 1; i < result.vulnerabilities.size(); ++i) {
    EXPECT_NE(result.vulnerabilities[i].explanation.assumption,
              crashes::Assumption::kIntermediate)
        << result.vulnerabilities[i].sentence;
  }
}

}  // namespace
