// One sentence on why a failing run failed, found by shrinking its crash state.
//
// A power loss keeps some pending writes and directory ops and loses (or tears) the others; the
// failure text says which check broke, not which lost item broke it. The diagnosis re-runs the
// seed with the first power loss leaving other states (RunConfig::power_loss_hook): everything
// durable (does the failure depend on the crash at all?), then greedily each lost item made
// durable, first a file's or directory's items together, then one by one, keeping an item lost
// only when making it durable makes the run pass. What is left is a small set of lost items that
// still fails the check, said in words with the steps (trace seqs) of the calls behind it:
//
//   "The power loss dropped the rename /wal/00000000000000000001.wal.tmp ->
//    00000000000000000001.wal (#8): no sync_dir of /wal followed it, yet 9 writes or syncs
//    returned OK after it (the first: append w0 op0 at #25). Keeping it durable makes the run
//    pass (1 of 4 lost items matters; 6 re-runs)."
//
// It costs re-runs, so walsim computes it only for the failing seeds whose timeline a report
// keeps. A failure with no power loss, or one that stays when everything survives, is said to
// depend on no crash state.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sim/harness/run_config.h"
#include "sim/harness/runner.h"
#include "sim/trace.h"

namespace harness {

// Runs the failing seed again with `config` (the caller's config plus a hook), as the caller ran
// it (a mutant switched on, a swarm seed's drawn configuration), into `trace`.
using Rerun = std::function<RunResult(const RunConfig& config, sim::Trace& trace)>;

struct CrashDiagnosis {
  std::string text;         // one or two sentences; "" when the run did not fail again
  std::uint64_t reruns = 0;  // simulations it took
};

// REQUIRES: `rerun(config)` failed (the caller's own run did). At most `max_reruns` re-runs.
CrashDiagnosis diagnose_failure(const RunConfig& config, const Rerun& rerun,
                                std::uint64_t max_reruns = 64);

}  // namespace harness
