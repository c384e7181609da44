// The public harness API (docs/harness-api.md): crash-test your own storage code.
//
// A Target is a store written on a wal::Fs (usually through wal::Log or wal::LogCore). You
// implement five calls; the harness gives you everything else: the simulated disk (SimFs) and
// its durability model, the [faults] stack, deterministic threads on virtual time, crash points
// (random, op:N, fs-op:N, inside-op, time:US, persistence points through wal::Listener, none),
// power loss under every crash policy, crashes during recovery, crash epochs, media faults,
// scripts and shrinking, and walsim's reports. A scenario selects it by name (`target = "kv"`).
// The WAL itself is the built-in target "wal" (wal_run.h): the same run loop (run_loop.h)
// drives every one of them.
//
// What a run does with a target (every call on a simulated thread):
//   1. open() on the run's Fs, clock and runtime (a new, empty directory);
//   2. for each workload op (workload.h, or a scenario's [script]): apply(op, choices) on that
//      writer's thread, one op at a time (a store is one application thread; its own threads,
//      such as wal::Log's syncer, run beside it); the target maps the generic op kinds onto its
//      own operations and reports each one's acknowledgement (Ack). kReopen ops are the
//      harness's: close(), open(), check(false);
//   3. at the crash point the power is cut: from then on nothing reaches the disk and a call
//      that returns returns to nobody; then crash() (the process dies: drop the store; with the
//      power cut, even a destructor that closes reaches nothing) and the power loss on the disk.
//      An op that reported kFailed is a process that gave up: the same, right after it;
//   4. open() again (recovery; with crash.count > 1 power is cut during the first ones), then
//      check(true): the target compares what it recovered with what it acknowledged;
//   5. close(), open(), check(false), close(): recovering twice must give the same state.
// Without a crash point (`none`) step 3-4 are a clean close() and open(), checked with
// check(false). With crash.epochs > 1 a checked image is opened again and the ops go on.
//
// Determinism: everything a target decides must come from the op and `choices` (a PRNG seeded
// from the run's payload seed and the op's index, so a shrunk script keeps every kept op's
// choices). Never read the wall clock, never use another random source, and start threads,
// locks and waits only through TargetEnv::runtime (never std::thread or std::mutex): a thread
// blocked on anything the scheduler does not own stalls the run, which then ends with exit
// code 70 and names the thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <wal/clock.h>
#include <wal/fs.h>
#include <wal/options.h>
#include <wal/runtime.h>
#include <wal/status.h>

#include "sim/device_model.h"
#include "sim/harness/invariants.h"
#include "sim/harness/mutants.h"
#include "sim/harness/workload.h"
#include "sim/prng.h"

namespace harness {

// What the store told its caller about one operation (SPEC 4.2, at the application's level).
enum class Ack : std::uint8_t {
  kDurable,  // acknowledged durable: must survive any crash
  kPending,  // accepted, not yet durable: a crash may keep or lose it (with what came after)
  kFailed,   // returned an error: may or may not have taken effect. The run treats the store
             // as a process that gave up: it crashes right after this op and recovers.
};
std::string_view to_string(Ack ack);

// What a target runs on. Pointers stay valid until the next open() (the Fs changes when a crash
// point cuts the power in the middle of an op, or during recovery).
struct TargetEnv {
  wal::Fs* fs = nullptr;
  wal::Clock* clock = nullptr;      // virtual time
  wal::Runtime* runtime = nullptr;  // the store's threads, mutexes and condition variables
  std::string dir;                  // the store's directory inside the Fs
  // The scenario's [wal] table, with fs, clock, runtime and listener set to the run's: give it
  // to wal::Log::open as it is (or to wal::LogCore::open) and the Log's threads run on the
  // scheduler, and its sync tickets are the run's persistence points (before-sync:K).
  wal::Options options;
  // The target's own table of the scenario ([<target name>], keys declared in TargetInfo::keys):
  // every declared key, the scenario's value or the key's default, as text.
  std::map<std::string, std::string, std::less<>> settings;
  // The run's seed, for what the target must draw once per run rather than per op (a seed for
  // a library's own random generator).
  std::uint64_t seed = 0;
  // The scenario's [device]: its sector size and what it claims (a VFS reports both to the
  // library above it, as SQLite's xSectorSize and xDeviceCharacteristics).
  sim::DeviceModel device;
  // crash.policy = "process": every crash of this run kills the process and keeps the page
  // cache. check(true) still follows it; a store that promises more across a process crash
  // than across a power loss (LevelDB: unsynced writes survive) holds itself to that here.
  bool process_crash = false;
};

struct Applied {
  Ack ack = Ack::kDurable;
  wal::Status status;  // kFailed: the error the store returned
  // Problems the target saw while the store was live (e.g. a read that disagrees with its model).
  std::vector<Violation> violations;
};

// One of the target's own invariants. Reported under a SPEC 4.3 category, so scenarios,
// expect.invariants, reports and the shrinker treat it like the WAL's own; every message starts
// with the target invariant's name ("kv-state: ...").
struct TargetInvariant {
  std::string_view name;
  Invariant category = Invariant::kDurability;
  std::string_view checks;  // one line
};

class Target {
 public:
  virtual ~Target() = default;

  virtual std::vector<TargetInvariant> invariants() const = 0;

  // Opens the store in env.dir, recovering what is there. An error after an injected fault or
  // media damage is honest (the run notes it); any other error fails the run.
  [[nodiscard]] virtual wal::Status open(const TargetEnv& env) = 0;
  // One workload op. `choices` is this op's own PRNG.
  virtual Applied apply(const Op& op, sim::Prng& choices) = 0;
  // A clean close.
  [[nodiscard]] virtual wal::Status close() = 0;
  // The process dies: drop the store without closing or syncing anything. Also called after
  // an open() that failed, and on a store that is not open (then it does nothing).
  virtual void crash() = 0;
  // Right after a successful open(): compares the recovered state with what was acknowledged
  // since the last check, then takes the recovered state as the truth from here on.
  // `power_lost`: a crash may have lost pending ops; false (a clean reopen): nothing may be lost.
  virtual std::vector<Violation> check(bool power_lost) = 0;
  // Lines for the run's notes since the last call (after each check): what the target saw that
  // is no violation but should be told. A loss the store's documentation allows is written
  // "<target>: allowed loss: <what and why>": the reports count those runs per scenario.
  virtual std::vector<std::string> take_notes() { return {}; }
};

// What a target key's value is. kScalar: a word from `words`, or, with no words, an integer in
// [min, max] (a power of two when `power_of_two`). kFile: a string naming a file, relative to the
// scenario file's folder; the setting holds the path resolved (relative to the working directory
// when the scenario's was), and a scenario written elsewhere (a shrunk one) names it relative to
// its own folder. kTexts: an array of strings, held encoded (encode_texts below).
enum class TargetKeyType : std::uint8_t { kScalar, kFile, kTexts };

// One key of a target's own scenario table ([sqlite] for target "sqlite").
struct TargetKey {
  std::string name = {};
  TargetKeyType type = TargetKeyType::kScalar;
  std::vector<std::string> words = {};
  std::int64_t min = 0;
  std::int64_t max = 0;
  bool power_of_two = false;
  std::string default_value = {};
  std::string doc = {};  // one line, for `walsim keys` and docs/scenarios.md
};

// A bad value of a target's table found by TargetInfo::validate.
struct TargetKeyProblem {
  std::string key;         // the key's name in the table ("script")
  std::string message;     // the whole sentence, naming the key
  bool unreadable = false;  // a file the key names cannot be read (walsim's I/O exit code)
};

// A kTexts setting: each text as its length, ':' and the text, so that no character of a text
// (a query's ';' or newline) can split it.
std::string encode_texts(const std::vector<std::string>& texts);
// The texts back; nullopt if `encoded` is not what encode_texts makes.
std::optional<std::vector<std::string>> decode_texts(std::string_view encoded);

// A registered target: how to make one, its scenario table, and the bugs planted in it for the
// bug zoo (each a libfiu point named like the mutant, switched on by a scenario's `mutant` key).
struct TargetInfo {
  std::string name;
  std::string description;
  std::function<std::unique_ptr<Target>()> make;
  std::vector<Mutant> planted;  // name = the libfiu point, e.g. "examples/kv/double-apply"
  std::vector<TargetKey> keys = {};  // the [<name>] table; none: the target has no table
  // Every call into the store runs on the caller's thread (no threads of its own from
  // TargetEnv::runtime): `walsim real --diff` can then run it on PosixFs and compare.
  bool single_threaded = false;
  // Checks the table as a whole once a scenario is read (a file a key names, keys that depend
  // on each other): each problem is a scenario error at its key's line, so a bad value stops
  // `walsim` before any run. None: every value a key accepts is fine.
  std::function<std::vector<TargetKeyProblem>(
      const std::map<std::string, std::string, std::less<>>& settings)>
      validate = {};
};

// Each op's own choices (Target::apply's `choices`): a function of the payload seed and the op's
// index only, so dropping other ops from a script (shrinking) leaves this op's choices as they
// were, and the differential gives both sides the same ones.
inline sim::Prng op_choices(std::uint64_t payload_seed, std::uint32_t index) {
  return sim::Prng(payload_seed ^ (0x9e3779b97f4a7c15ull * (std::uint64_t{index} + 1)));
}

// `info`'s keys at their defaults, overridden by `set` (a scenario's [<name>] table).
std::map<std::string, std::string, std::less<>> target_settings(
    const TargetInfo& info, const std::map<std::string, std::string, std::less<>>& set);

// Registers a target by name (from a static initializer, or main before any run). Names are
// unique; "wal" is the WAL itself and cannot be registered.
bool register_target(TargetInfo info);
const TargetInfo* find_target(std::string_view name);
std::vector<std::string> target_names();  // registered ones, sorted; "wal" not included


}  // namespace harness
