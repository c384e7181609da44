// One simulated run: a system under test on SimFs and deterministic threads on virtual time,
// crashed at the configured point, recovered and checked. Every system runs in the one loop of
// run_loop.h: the WAL (target "wal") is the production wal::Log (wal_run.h), every other a
// registered harness::Target (target.h, target_run.h).
//
// Crash points (crash.at, crash_at.h): `op:N` before the Nth workload op starts (0-based,
// global order);
// `random` the same at a seeded N; `persistence-points` just before or just after a seeded
// sync's fdatasync (explicitly: `before-sync:K`, `after-sync:K`); `fs-op:N` after the run's
// first N Fs operations, wherever that falls (inside an append, a sync, a reopen, the first
// open); `time:US` at virtual time US; `none` no power loss: the log is closed and
// reopened cleanly instead. A crash point the workload never reaches becomes a crash after the
// last op. After the power loss (crash.policy), the log is recovered; with crash.count > 1 the
// first count - 1 recoveries lose power again after a seeded number of Fs operations. With
// crash.epochs > 1, a recovery that passes its checks is not the end: the application opens the
// crash image again (recovery is a function of the image, so it gets the log just checked; the
// checking recoveries close the log, and a close trims what the application's log still holds)
// and the writers go on with their remaining ops, the oracle's history and the LSNs continuing,
// until the power goes out after a seeded number of ops (drawn within workload.ops, so dropping
// an op moves no later crash point it does not reach); each recovery is checked.
//
// Faults: RunConfig::faults through the gated decorator stack of fault_stack.h, or the explicit
// schedule of RunConfig::script. Every fault is tagged in the trace with its SPEC 3.4 key, fed to
// the WAL's oracle in order with its calls, and counted by kind in RunResult::faults_injected.
//
// Everything comes from the seed (and the script, if any): the same (config, seed) gives the same
// trace hash.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/harness/crash_aim.h"
#include "sim/harness/invariants.h"
#include "sim/harness/run_config.h"
#include "sim/harness/script.h"
#include "sim/trace.h"

namespace harness {

struct RunResult {
  std::uint64_t seed = 0;
  bool passed = false;       // no expected invariant violated, no hang, no Fs contract violation
  bool matched = false;      // passed == config.expect.pass
  bool hang = false;         // step bound hit, or tasks parked with nothing left to wake them
  std::string failure;       // the first problem, one line ("" when passed)
  std::vector<std::string> problems;  // every problem that is not an invariant violation
  std::vector<std::string> notes;     // informational (e.g. fault kinds not injectable yet)
  CheckResult checks;
  std::map<std::string, std::uint64_t> faults_injected;  // by SPEC 3.4 key (oracle's count)
  std::uint32_t crashes = 0;
  std::uint64_t ops = 0;            // workload ops started
  std::uint64_t syncs = 0;          // sync tickets run
  std::uint64_t virtual_time_us = 0;
  std::uint64_t steps = 0;          // scheduler steps
  std::uint64_t trace_hash = 0;
  std::uint64_t trace_events = 0;
  // The coverage matrix cells this run reached (coverage_matrix.h), with how often: one per
  // power loss at its crash site, and per fault kind that fired, its count.
  std::map<std::string, std::uint64_t> coverage;
  // What this run executed, explicitly (script.h): give it back as RunConfig::script with the
  // same seed to replay the run bit for bit, or edit it to shrink a failure.
  Script script;
};

// Decides a finished run's verdict from what it collected, the same way for every target: Fs
// contract violations become problems, live violations join the checks, only the invariants
// `expect` names count (all when it names none), and the first of them (or the first problem)
// becomes result.failure.
void settle_verdict(RunResult& result, const ExpectConfig& expect,
                    std::vector<Violation> live_violations,
                    const std::vector<std::string>& contract_violations);

// `trace` may be null (the run keeps its own); pass one to keep the timeline.
RunResult run_simulation(const RunConfig& config, std::uint64_t seed, sim::Trace* trace = nullptr);

// The seed's run without a power cut, up to the end of its first epoch's workload, for every
// target: which Fs operations each op made and what each operation was (crash_aim.h). The run
// with a crash is the same up to its crash, so this tells where crash.at = "inside-op" can aim,
// and where a scripted crash or fault lands among the ops (walsim shrink). The crash point of
// the config (or of its script) is ignored. An unknown target: an empty survey.
OpSurvey survey_ops(const RunConfig& config, std::uint64_t seed);

}  // namespace harness
