// A test-only way to make the system under test abort, for the tests of how walsim survives
// it (shrink, replay and run report an abort as a failing verdict): with the environment
// variable WALSIM_TEST_ABORT_AT_WRITE=N, the Nth file write the WAL makes in a run trips
// WAL_ASSERT, exactly as a broken invariant inside the WAL would. No mutant of the bug zoo
// aborts (they all break durability quietly), hence this hook.
//
// Honoured only in test builds (those that carry the bug zoo's fault points, WAL_FIU=ON, as
// harness::mutants_available() says); a release build ignores the variable, so no production
// run can be made to abort by its environment.
#pragma once

#include <vector>

#include "sim/walsim/scenario.h"

namespace walsim {

inline constexpr const char* kTestAbortEnv = "WALSIM_TEST_ABORT_AT_WRITE";

// Wraps each scenario's Fs with the aborting layer when the variable is set (a positive
// integer) and the build is a test build; otherwise leaves them as they are.
void apply_test_abort_hook(std::vector<Scenario>& scenarios);

}  // namespace walsim
