// [sqlite] script and checks, tried out when a scenario is read (harness::TargetInfo::validate),
// so that a bad script stops walsim before any run, at the key's line, with SQLite's words. The
// file must load (sql_script.h) and run as the target runs it, on an in-memory database: the
// set-up as one transaction, then each transaction in turn, twice over (ops cycle through
// them: script_oracle.h), with parameters drawn; each check must be one read-only query of one
// column (script_checks.h), true after the set-up and after every transaction. A run can still
// draw parameters that make a transaction fail: that run then fails, naming it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sim/harness/target.h"

namespace sqlite_adapter {

std::vector<harness::TargetKeyProblem> validate_script_keys(
    const std::map<std::string, std::string, std::less<>>& settings);

}  // namespace sqlite_adapter
