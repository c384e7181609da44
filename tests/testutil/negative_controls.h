// An engine's negative controls (tests/leveldb, tests/rocksdb): each control scenario passes on
// fixed seeds, and each bug it guards against, planted back in the adapter (a libfiu mutant),
// is caught by the hunt as a database that will not open. A control no planted bug fails would
// prove nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

#include "sim/harness/mutants.h"
#include "sim/harness/runner.h"

namespace testutil {

inline void expect_controls_pass_and_fail_with_their_bug_back(
    const std::function<harness::RunConfig(const std::string&)>& config_of,
    std::initializer_list<const char*> controls, std::initializer_list<const char*> mutants,
    const std::string& open_invariant) {
  for (const char* file : controls) {
    const harness::RunConfig config = config_of(file);
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      const harness::RunResult result = harness::run_simulation(config, seed);
      EXPECT_TRUE(result.passed) << file << " seed " << seed << ": " << result.failure;
    }
  }
  if (!harness::mutants_available()) GTEST_SKIP() << "a build without libfiu points";
  for (const char* name : mutants) {
    const harness::Mutant* mutant = harness::find_mutant(name);
    ASSERT_NE(mutant, nullptr) << name;
    const harness::Hunt hunt = harness::hunt(*mutant, 1, 12);
    ASSERT_TRUE(hunt.caught.has_value()) << name << " survived " << hunt.seeds_run << " seeds";
    EXPECT_NE(hunt.caught->failure.find(open_invariant), std::string::npos)
        << hunt.caught->failure;
    EXPECT_TRUE(hunt.failing_without_mutant.empty()) << name;
  }
}

}  // namespace testutil
