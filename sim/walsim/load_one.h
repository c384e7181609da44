// The one scenario file a single-seed subcommand (replay, shrink, explore) runs.
#pragma once

#include <optional>
#include <string>

#include "sim/walsim/scenario.h"

namespace walsim {

// Loaded as this build runs it (test_abort_hook.h applied), its errors printed to stderr;
// nullopt with `exit_code` set (exit_codes.h) when it cannot run.
std::optional<Scenario> load_one(const std::string& file, int& exit_code);

}  // namespace walsim
