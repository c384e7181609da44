// `walsim run`'s engine: every (scenario, seed) of a sweep, in J forked worker processes that
// send their results back as JSON lines. The harness is single-threaded and deterministic per
// run, so processes give parallelism and isolation (a seed that aborts the process is reported
// as that seed's failure, and the sweep goes on). Results are put in (scenario, seed) order
// whatever J is, so the report does not depend on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/run_record.h"
#include "sim/walsim/scenario.h"

namespace walsim {

struct Shard {
  std::uint32_t index = 0;  // I of I/N
  std::uint32_t count = 1;  // N
  // "I/N" with I < N; nullopt when malformed.
  static std::optional<Shard> parse(const std::string& text);
  std::string to_string() const;
};

struct SweepOptions {
  std::optional<std::uint64_t> seeds;  // --seeds: overrides every scenario's `seeds`
  std::optional<std::uint64_t> seed;   // --seed: only this seed
  // Exactly these seeds, in this order (a steered swarm's pick, already one shard's share).
  std::optional<std::vector<std::uint64_t>> only_seeds;
  std::uint32_t jobs = 1;
  std::optional<Shard> shard;          // seed number k (0-based in the list) runs iff k % N == I
  bool fail_fast = false;              // stop at the first run that did not match
  bool progress = false;               // a progress line on stderr
};

// The seeds a scenario runs: --seed S alone, else only_seeds, else first_seed, first_seed + 1, ... (`seeds` of
// them, or --seeds), less those of other shards.
std::vector<std::uint64_t> seed_list(const Scenario& scenario, const SweepOptions& options);

reports::Sweep run_sweep(const std::vector<Scenario>& scenarios, const SweepOptions& options);

}  // namespace walsim
