// Everything one simulated run needs: the SPEC 5 scenario tables as plain values, plus a seed.
// A scenario parser fills it; the runner reads nothing else, so a run is a pure function of
// (RunConfig, seed).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <wal/options.h>

#include "faults/media_aim.h"
#include "faults/power_loss.h"
#include "sim/device_model.h"
#include "sim/harness/crash_at.h"
#include "sim/harness/invariants.h"
#include "sim/harness/script.h"
#include "sim/harness/workload.h"
#include "sim/prng.h"
#include "sim/sim_fs.h"

namespace harness {

struct CrashConfig {
  CrashAt at;               // crash_at.h
  std::uint32_t count = 1;  // > 1: crash again during recovery, count - 1 times
  // > 1: after a recovery that passes its checks, the workload goes on on the recovered log
  // (same history, LSNs continue) and loses power again after a seeded number of ops;
  // every recovery is checked. The first crash follows `at`.
  std::uint32_t epochs = 1;
  // policy ("torn"), lose_unsynced_dir_ops (true), torn_fill ("stale"), torn_scope ("write")
  faults::PowerLossOptions power_loss;
};

// [faults]: each a probability per operation, except enospc_after_bytes (0 = off).
struct FaultConfig {
  sim::Ratio fsync_eio{0, 1};
  std::string fsync_profile = "ext4";  // ext4 | xfs | btrfs
  sim::Ratio write_eio{0, 1};
  sim::Ratio write_short{0, 1};
  std::uint64_t enospc_after_bytes = 0;
  sim::Ratio read_eio{0, 1};
  sim::Ratio bit_flip{0, 1};
  sim::Ratio latent_sector{0, 1};
  sim::Ratio misdirected_write{0, 1};
  sim::Ratio read_short{0, 1};  // a read returns fewer bytes than asked, no error
  sim::Ratio close_eio{0, 1};   // close() fails with EIO (faults/close_eio_fs.h: the model)
  // A glob on the base name ("MANIFEST-*", faults/file_glob.h): the I/O faults (every kind but
  // bit_flip and latent_sector) hit only matching files; empty: every file. A [script] names
  // its faults' calls itself, so a scripted run ignores it.
  std::string target;
  // Where bit flips and latent sectors land (faults/media_aim.h): any byte, or the log's
  // structure (record headers, segment headers, FRONT, seams, the last record), or both.
  faults::MediaAim media_aim = faults::MediaAim::kUniform;

  bool any() const;
};

struct ExpectConfig {
  bool pass = true;                // verdict: "pass" | "fail"
  std::set<Invariant> invariants;  // empty: all
};

// Watches the first power loss of a run (crash_diagnosis.h): the disk just before it and what
// the crash policy chose to keep; may leave another state instead. The PRNG draws of the run
// stay the same either way, so what follows the power loss is the run's own.
class PowerLossHook {
 public:
  virtual ~PowerLossHook() = default;
  // The state to leave instead of applying `plan`, or nothing to apply it.
  virtual std::optional<sim::SimFsState> first_power_loss(const sim::SimFsState& before,
                                                          const sim::CrashPlan& plan) = 0;
};

struct RunConfig {
  std::string name;
  // The system under test: "wal" (the WAL itself, wal_run.h) or a registered harness::Target
  // (target.h; e.g. the examples "kv" and "queue").
  std::string target = "wal";
  // The target's own table ([<target>] in a scenario: TargetInfo::keys), as set there.
  std::map<std::string, std::string, std::less<>> target_settings;
  wal::Options wal;  // [wal]: segment_bytes, sync, sync_interval_us, sync_every_bytes,
                     // group_window_us, checksum, recovery, preallocate, max_segments
  WorkloadConfig workload;
  sim::DeviceModel device;
  CrashConfig crash;
  FaultConfig faults;
  ExpectConfig expect;
  std::uint64_t max_steps = 2'000'000;  // scheduler bound: beyond it the run is a hang
  std::string dir = "/wal";             // the log directory inside SimFs
  // Wraps the SimFs the WAL sees: fault decorators (faults/), test doubles. Called once per run
  // with the run's SimFs and a PRNG stream of its own; null: the WAL sees SimFs itself. Faults
  // it injects must be tagged in fs.trace() (Trace::fault) so the oracle sees them.
  // The faults/ stack built from `faults` (fault_stack.h) goes on top of it.
  std::function<std::unique_ptr<wal::Fs>(sim::SimFs& fs, sim::Prng& prng)> decorate_fs;
  // Set: replaces the generated workload, the [faults] probabilities and crash.at (script.h).
  std::optional<Script> script;
  // Not owned; null: none. Not part of what a run is (no scenario sets it).
  PowerLossHook* power_loss_hook = nullptr;
};

// A probability given as a decimal in a scenario (0.05) as an exact-enough integer ratio, and
// back (for messages and for writing a scenario out).
sim::Ratio ratio_from_probability(double probability);
inline double probability_of(sim::Ratio r) {
  return static_cast<double>(r.numerator) / static_cast<double>(r.denominator);
}

// The workload of `seed` as the real-disk modes (kill, libfiu, differential) run it: the
// config's script, or one drawn from the seed.
Workload workload_for(const RunConfig& config, std::uint64_t seed);

}  // namespace harness
