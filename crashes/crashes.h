// `walsim crashes`: a recorded program's crash states (crash_states.h), each written to a real
// directory (materialize.h) and judged by the user's checker (checker.h); every failing state
// explained (explain.h) and grouped by its explanation into vulnerabilities.
//
// Before any crash state, the checker must accept the state the program left with nothing lost
// (the end of the trace, made durable): a checker that rejects it cannot judge crashes, and the
// run stops there. States are checked in search order in batches, `jobs` checkers at a time;
// the explanations run one after another in state order, so the same trace, options and checker
// give the same states, verdicts, vulnerabilities and report whatever `jobs` is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crashes/checker.h"
#include "crashes/crash_states.h"
#include "crashes/explain.h"
#include "systrace/trace_file.h"

namespace crashes {

struct CrashesOptions {
  std::string checker;  // the command, with {dir} and {output}
  std::vector<faults::CrashPolicy> policies;  // empty: all
  std::uint64_t max_states = 10'000;
  std::uint64_t max_plans = 200'000;
  std::uint32_t jobs = 1;
  std::uint64_t timeout_ms = 10'000;
  std::uint32_t sector_bytes = 4096;
  std::uint64_t seed = 1;          // the junk of random fills (crash_states.h)
  std::uint64_t max_probes = 500;  // checker runs per explanation
  std::string work_dir;            // scratch directories go here (created)
  // Check only this state (1-based, search order) and keep its directory: the repro.
  std::optional<std::uint64_t> only_state;
};

struct FailedState {
  CrashState state;
  std::string plan;  // what it lost or tore, in words
  CheckerRun run;
};

struct Vulnerability {
  Explanation explanation;     // the first state's
  // More explanations of the same group (explain.h: kOrder ops that must wait for other lost
  // ops than the first's), in the order they were found.
  std::vector<Explanation> more;
  std::string sentence;        // the whole group's assumption in words
  FailedState first;           // the first state that showed it
  std::uint64_t states = 0;    // failing states it explains
  std::vector<std::size_t> points;  // crash points it was seen at (ascending, distinct)
};

enum class Problem : std::uint8_t { kNone, kReplay, kChecker, kIo, kNoSuchState };

struct CrashesResult {
  SearchResult search;
  std::uint64_t checked = 0;
  std::uint64_t failed = 0;
  std::uint64_t probes = 0;   // checker runs spent explaining
  std::vector<Vulnerability> vulnerabilities;  // in order of first appearance
  std::vector<std::uint64_t> passed_states;    // numbers of the states that passed
  Problem problem = Problem::kNone;
  std::string error;          // what the problem is
  std::optional<FailedState> only;  // --state: that state and its verdict (failed or not)
  std::string only_dir;       // --state: where it was written
};

CrashesResult check_crashes(const systrace::Trace& trace, const CrashesOptions& options);

}  // namespace crashes
