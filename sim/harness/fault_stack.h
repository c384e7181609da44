// The [faults] table (SPEC 3.4) as a stack of faults/ decorators over the run's SimFs, for the
// runner. Each fault kind's decorator sits under a gate that decides, call by call, whether the
// call goes through the decorator (which then always fires) or around it, straight to the layer
// below. The gate decides by the kind's probability (a forked PRNG stream per kind) or, for a
// scripted run, by the schedule; a counter at the top numbers the WAL's calls per op class, so
// "the 7th write_at" means the same call whatever other faults are in the stack. Either way the
// stack records each fault that fired as a ScriptedFault, which is what makes a run's faults
// replayable (script.h).
//
//   top -> counter -> close_eio -> read_short -> write_eio -> write_short
//       -> enospc_after_bytes (budget) -> misdirected_write -> fsync_eio -> read_eio
//       -> [RunConfig::decorate_fs] -> SimFs
// Only active kinds get a layer (the two newest on top, so the older kinds' streams stay put).
// `faults.target` aims them: a call on a file whose base name the glob does not match goes
// around every decorator without a draw (and the disk-full budget neither counts nor refuses
// its blocks); a scripted run ignores it, its schedule names the calls.
// Media faults on durable data (bit_flip, latent_sector) are not
// layers: after_power_loss() applies them to the SimFs between a crash and its recovery, with
// one chance per workload op since the previous one (the scenario's "probability per op").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <wal/fs.h>

#include "faults/fault_trigger.h"
#include "sim/harness/run_config.h"
#include "sim/harness/script.h"
#include "sim/prng.h"
#include "sim/sim_fs.h"

namespace harness {

// The WAL's calls so far, per op class, counted at the top of the stack. 1-based once counted:
// a gate reading it during a call sees that call's number.
struct OpCounts {
  std::uint64_t writes = 0;  // write_at
  std::uint64_t syncs = 0;   // sync_data, sync
  std::uint64_t reads = 0;   // read_at
  std::uint64_t closes = 0;  // close
};
struct CallCounts : OpCounts {
  // The same per file class (script.h file_class), for faults anchored to a file. A std::map:
  // its nodes stay put, so each open file keeps a reference to its class's counts.
  std::map<std::string, OpCounts, std::less<>> by_file;
};

class FaultStack {
 public:
  // `base`: the Fs to decorate (the SimFs, or decorate_fs's wrapper over it). `sim`: the SimFs
  // at the bottom (page-cache effects, media faults). `schedule` non-null: scripted faults only,
  // the probabilities in `config` are ignored.
  FaultStack(wal::Fs& base, sim::SimFs& sim, const FaultConfig& config,
             const std::vector<ScriptedFault>* schedule, sim::Prng prng);
  ~FaultStack();
  FaultStack(const FaultStack&) = delete;
  FaultStack& operator=(const FaultStack&) = delete;

  wal::Fs& top() { return *top_; }
  const CallCounts& counts() const { return counts_; }

  // Power loss number `crash` (1-based) just happened; `ops_since` workload ops ran since the
  // previous one. Applies the media faults due now.
  void after_power_loss(std::uint32_t crash, std::uint64_t ops_since);

  // Every fault that fired so far, in firing order (enospc_after_bytes once, with its budget).
  std::vector<ScriptedFault> fired() const;

 private:
  class Gate;
  class Counter;
  void add_gated(FaultKind kind, sim::Ratio probability,
                 const std::function<std::unique_ptr<wal::Fs>(wal::Fs& below, sim::Prng)>& make);
  bool active(FaultKind kind, sim::Ratio probability) const;
  void inject_media(FaultKind kind, std::uint32_t crash, std::uint64_t choice_seed);

  sim::SimFs& sim_;
  FaultConfig config_;
  const std::vector<ScriptedFault>* schedule_;
  sim::Prng prng_;
  sim::Prng media_prng_;
  CallCounts counts_;
  std::vector<std::unique_ptr<wal::Fs>> layers_;  // bottom first
  std::unique_ptr<wal::Fs> top_;
  std::vector<ScriptedFault> fired_;
  const faults::Trigger* enospc_ = nullptr;
  std::uint64_t enospc_budget_ = 0;
};

}  // namespace harness
