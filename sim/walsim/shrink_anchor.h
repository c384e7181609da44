// Where a scripted crash point or fault landed among a run's ops, for walsim shrink (shrink.h).
// A crash at fs-op:N, and a fault at the Nth write, sync or read (of its file class, when it is
// anchored to one), are counted over the whole run (script.h): a candidate that drops ops before
// one moves it onto another call, so ddmin had to keep the ops that only led up to it. An Anchor
// names the call in terms that dropping other ops leaves alone: the ordinal-th call of its kind
// on its file class inside the op with Op::index `index`. A survey of the candidate
// (harness::survey_ops) then tells that call's new number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/harness/runner.h"

namespace walsim {

// harness::survey_ops in a child process (isolated.h), like every candidate's run, with
// `mutant` (if any) on; nullopt if the system under test aborts there.
std::optional<harness::OpSurvey> isolated_survey(const harness::RunConfig& config,
                                                 std::uint64_t seed,
                                                 const std::optional<std::string>& mutant);

struct Anchor {
  std::uint32_t index = 0;  // Op::index of the op that made the call
  harness::FsCallKind call = harness::FsCallKind::kOther;
  std::string file;          // the class of the file it was on ("" for none)
  std::uint64_t ordinal = 0;  // 1-based among the op's calls of that kind on that class
};

// The Anchor of Fs operation `operation` (1-based): in the innermost op running, the one that
// started last among those it fell in. nullopt outside every op (the first open) or beyond
// the survey.
std::optional<Anchor> anchor_of(const harness::OpSurvey& survey, std::uint64_t operation);

// The number `anchor`'s call has in `survey`; nullopt if its op is gone or no longer makes it.
std::optional<std::uint64_t> place(const harness::OpSurvey& survey, const Anchor& anchor);

// The kind of call a scripted fault's `at` counts; kOther for those not counted in calls (the
// ENOSPC budget, media damage after a power loss).
harness::FsCallKind counted_call(harness::FaultKind kind);

// `crash` (fs-op:N) on the same call of the same op in the run `after` that it refused in the
// run `before`; nullopt when it is not counted in Fs operations or cannot be placed.
std::optional<harness::CrashAt> crash_reanchored(const harness::OpSurvey& before,
                                                 const harness::OpSurvey& after,
                                                 const harness::CrashAt& crash);

// The same for a fault counted in calls: its new `at`.
std::optional<std::uint64_t> fault_reanchored(const harness::OpSurvey& before,
                                              const harness::OpSurvey& after,
                                              const harness::ScriptedFault& fault);

}  // namespace walsim
