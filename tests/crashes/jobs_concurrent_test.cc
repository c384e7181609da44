// walsim crashes runs `jobs` checkers at once on threads of its own: the verdicts, the states
// and the vulnerabilities must not depend on how many (and TSan, which runs this file in
// concurrency_tests, checks the threads share nothing unguarded).
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "crashes/crashes.h"
#include "crashes/trace_builder.h"

namespace crashes_jobs_test {

crashes::CrashesOptions with_jobs(std::uint32_t jobs) {
  crashes::CrashesOptions out;
  out.checker =
      "c=$(cat {dir}/config 2>/dev/null) && { [ \"$c\" = old-config ] || [ \"$c\" = new-config ]; }";
  const char* build = std::getenv("WAL_BUILD_DIR");
  out.work_dir = (std::filesystem::path(build != nullptr ? build : "/tmp") / "crashes-jobs" /
                  std::to_string(jobs))
                     .string();
  out.jobs = jobs;
  out.timeout_ms = 60'000;
  return out;
}

TEST(CrashesJobs, OneJobOrThreeGiveTheSameResult) {
  const systrace::Trace trace = crashes_test::replace_file(false);
  const crashes::CrashesResult a = crashes::check_crashes(trace, with_jobs(1));
  const crashes::CrashesResult b = crashes::check_crashes(trace, with_jobs(3));
  ASSERT_EQ(a.problem, crashes::Problem::kNone) << a.error;
  ASSERT_EQ(b.problem, crashes::Problem::kNone) << b.error;
  EXPECT_EQ(a.checked, b.checked);
  EXPECT_EQ(a.passed_states, b.passed_states);
  ASSERT_EQ(a.vulnerabilities.size(), b.vulnerabilities.size());
  ASSERT_FALSE(a.vulnerabilities.empty());
  for (std::size_t i = 0; i < a.vulnerabilities.size(); ++i) {
    EXPECT_EQ(a.vulnerabilities[i].explanation.key, b.vulnerabilities[i].explanation.key);
    EXPECT_EQ(a.vulnerabilities[i].sentence, b.vulnerabilities[i].sentence);
    EXPECT_EQ(a.vulnerabilities[i].states, b.vulnerabilities[i].states);
    EXPECT_EQ(a.vulnerabilities[i].first.state.number, b.vulnerabilities[i].first.state.number);
  }
}

}  // namespace crashes_jobs_test
