// A chaos scenario (SPEC 5): a TOML file read into a harness::RunConfig plus what only walsim
// needs (how many seeds, what it hunts). The parser is strict: an unknown key, a value of the
// wrong type or out of range is an error naming the key and its line, so a typo never silently
// turns into a default.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/harness/run_config.h"

namespace walsim {

// Each kind maps to its own exit code (exit_codes.h), so scripts can tell them apart.
enum class ErrorKind : std::uint8_t {
  kSyntax,       // not TOML
  kUnknownKey,   // a key or table the format does not have
  kType,         // a value of the wrong type
  kRange,        // a value out of range, or not one of the allowed words
  kMissing,      // a required key is absent
  kUnavailable,  // valid, but this build cannot run it (e.g. a mutant)
  kIo,           // the file cannot be read
};

std::string_view to_string(ErrorKind kind);

struct ScenarioError {
  ErrorKind kind = ErrorKind::kSyntax;
  std::string file;
  std::uint32_t line = 0;  // 1-based; 0 when there is none (I/O)
  std::string key;         // dotted: "workload.ops"
  std::string message;     // without the file:line prefix

  // "scenarios/x.toml:12: unknown key 'workload.opz'"
  std::string to_string() const;
};

// One key of the scenario format as the parser checks it: the key reference (docs/scenarios.md,
// `walsim keys`) is made from these, so it cannot drift from what the parser accepts.
struct ScenarioKey {
  std::string key;            // dotted: "workload.ops"; a table is its name ("workload")
  std::string type;           // "integer", "string", "probability", "table", ...
  std::string range;          // the accepted values, as the parser checks them
  std::string default_value;  // the value a file that leaves the key out gets
};

// Every key, in the parser's order (tables before their keys).
std::vector<ScenarioKey> describe_scenario_keys();

// The space a swarm scenario draws each seed's configuration from (scenario_swarm.h): the
// [swarm] table of a scenario file, or `walsim swarm`'s own.
struct SwarmSpace {
  std::uint64_t ops_max = 160;        // each seed runs 1..ops_max workload ops (log-uniform)
  std::uint32_t writers_max = 6;
  std::uint32_t crash_count_max = 3;  // crash.count 1..this (crashes during recovery)
  std::uint32_t epochs_max = 3;
  bool io_faults = true;              // fsync/write/read errors, short writes, ENOSPC
  // Bit flips, latent sectors, misdirected writes. Off unless asked for until the last of the
  // oracle's media false positives are triaged (docs/swarm.md, "Known limits": 3 in 5,000).
  bool media_faults = false;
  // crash.torn_fill drawn (stale, zeros, random) for seeds that draw the torn policy, from a
  // stream of its own (docs/swarm.md, "torn_fill"). On since the WAL's open stopped rewriting
  // its unproven tail in place (wal/FORMAT.md 3.1); `torn_fill = false` keeps the stale fill.
  bool torn_fill = true;
  // crash.torn_scope drawn (write, sector) for seeds that draw a zeros or random fill (so not
  // with torn_fill = false). Off unless asked for: the WAL appends into sectors that hold synced records, so
  // on a device without powersafe overwrite it loses them (docs/swarm.md, "torn_scope").
  bool torn_scope = false;
};

struct Scenario {
  std::string file;  // as given on the command line
  std::string name;
  std::string description;
  std::uint64_t seeds = 200;
  // `walsim run` runs seeds first_seed .. first_seed + seeds - 1 (a shrunk scenario pins its one).
  std::uint64_t first_seed = 1;
  std::string target = "wal";
  // Reserved for the bug zoo: the name of a deliberately broken WAL variant to run.
  std::optional<std::string> mutant;
  bool lying_fsync = false;  // [device] lying_fsync: the planted bug of lying_device.h
  harness::RunConfig config;  // config.name == name
  // Set: a swarm scenario; each seed runs the configuration it draws (scenario_swarm.h), and
  // `config` only holds what the swarm does not draw (target, expect).
  std::optional<SwarmSpace> swarm;
};

struct ParseResult {
  std::optional<Scenario> scenario;  // set iff errors is empty
  std::vector<ScenarioError> errors;  // in line order

  bool ok() const { return errors.empty(); }
};

// `file` names the source in errors and is kept in Scenario::file.
ParseResult parse_scenario(std::string_view text, std::string_view file);
ParseResult load_scenario(const std::string& path);

// Whether this build can run the scenario (targets, mutants); the error says why not.
std::optional<ScenarioError> check_runnable(const Scenario& scenario);

}  // namespace walsim
