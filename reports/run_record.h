// What a report is made of: one record per (scenario, seed) run and one description per
// scenario. Plain values with no harness types in them, so a report can be rebuilt from
// summary.json alone (walsim merge) on a machine that ran nothing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

// Microseconds in power-of-two buckets: bucket 0 holds 0, bucket i >= 1 holds [2^(i-1), 2^i).
class Histogram {
 public:
  void add(std::uint64_t value, std::uint64_t count = 1);
  void merge(const Histogram& other);

  std::uint64_t total() const;
  // The upper bound of the bucket holding quantile q in [0, 1]; 0 when empty.
  std::uint64_t quantile_upper(double q) const;
  const std::vector<std::uint64_t>& counts() const { return counts_; }
  void set_counts(std::vector<std::uint64_t> counts);

  static std::uint64_t bucket_low(std::size_t bucket);
  static std::uint64_t bucket_high(std::size_t bucket);  // exclusive

  friend bool operator==(const Histogram&, const Histogram&) = default;

 private:
  std::vector<std::uint64_t> counts_;  // no trailing zero buckets
};

// One line of a failure's timeline, in virtual time.
struct TimelineEvent {
  std::uint64_t time_us = 0;
  std::uint64_t duration_us = 0;  // calls: until they returned
  std::uint64_t step = 0;         // trace sequence number
  std::string kind;               // call | fs | log | fault | crash | sync | recovery
  std::string label;              // "append w0 op12", "write /wal/1.wal", "fsync_eio", a path
  std::string detail;             // outcome, byte range, what survived (in words)
  bool failed = false;            // a call that returned an error, or an injected fault

  friend bool operator==(const TimelineEvent&, const TimelineEvent&) = default;
};

struct RunRecord {
  std::string scenario;  // the scenario's name
  std::string file;      // its file, as given to walsim
  std::uint64_t seed = 0;
  bool passed = false;
  bool matched = false;  // passed == expect (for expect "fail": a failing seed matches)
  bool hang = false;
  std::string failure;  // the first problem, one line; "" when passed
  std::vector<std::string> invariants_checked;
  std::vector<std::string> invariants_violated;
  std::vector<std::string> violations;  // messages, in invariant order
  std::vector<std::string> problems;    // failures that are not invariant violations
  std::vector<std::string> notes;
  std::map<std::string, std::uint64_t> faults_injected;  // by kind
  // Coverage matrix cells reached ("crash/<op>/<at>/<policy>", "fault/<kind>/<mode>"), with
  // how often (sim/harness/coverage_matrix.h).
  std::map<std::string, std::uint64_t> coverage;
  std::uint64_t crashes = 0;
  std::uint64_t states_explored = 0;  // crash states recovered and checked
  std::uint64_t ops = 0;
  std::uint64_t syncs = 0;
  std::uint64_t steps = 0;
  std::uint64_t virtual_time_us = 0;
  std::uint64_t trace_events = 0;
  std::string trace_hash;  // 16 lower-case hex digits
  Histogram append_latency_us;  // virtual time from call to return, appends and batches
  std::string repro;            // "walsim replay FILE --seed S"
  std::string shrunk;           // path of a shrunk scenario, when one was saved
  std::vector<TimelineEvent> timeline;  // kept for failures only
  std::uint64_t timeline_omitted = 0;   // earlier events left out of a long timeline
  // Why it failed, one or two sentences found by shrinking its crash state
  // (sim/harness/crash_diagnosis.h); only for failures whose timeline is kept, else "".
  std::string diagnosis;
  // The determinism check of the same failures: the seed run once more gave this trace hash
  // ("" when not checked). Equal to trace_hash: the verdict replays bit for bit.
  std::string replay_hash;
  double wall_ms = 0;  // the only field that differs between two runs of the same seed

  friend bool operator==(const RunRecord&, const RunRecord&) = default;
};

struct ScenarioInfo {
  std::string name;
  std::string file;
  std::string description;
  std::string setup;  // one line: sync policy, crash point and policy, faults
  bool expect_pass = true;
  std::vector<std::string> expect_invariants;  // empty: all
  std::uint64_t seeds = 0;                      // seeds planned for this scenario

  friend bool operator==(const ScenarioInfo&, const ScenarioInfo&) = default;
};

inline constexpr std::size_t kTimelinesKept = 3;

// A coverage cell's tally: hits in all, and how many runs reached it.
struct CellTally {
  std::uint64_t hits = 0;
  std::uint64_t runs = 0;

  friend bool operator==(const CellTally&, const CellTally&) = default;
};

// The passing runs of one scenario, folded into what the summaries add up. summary.json keeps
// per-seed detail for failing seeds only (a chaos suite's 20,000 passing seeds made it 23 MB);
// `--full-summary` keeps every seed. Everything here is a sum, so folding commutes with merging
// shards.
// A run note in which a target reports a loss its documentation allows ("sqlite: allowed loss:
// ..."; harness::Target::take_notes): no violation, but counted per scenario in the reports.
bool allowed_loss_note(std::string_view note);
std::uint64_t allowed_losses_in(const std::vector<std::string>& notes);  // 0 or 1 per run

struct PassedRuns {
  std::string file;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seeds;  // closed ranges, sorted, disjoint
  std::uint64_t runs = 0;
  std::uint64_t crashes = 0;
  std::uint64_t states_explored = 0;
  std::uint64_t ops = 0;
  std::map<std::string, std::uint64_t> faults_injected;
  std::map<std::string, CellTally> coverage;
  Histogram append_latency_us;
  std::uint64_t allowed_losses = 0;  // runs with an allowed-loss note (allowed_loss_note)
  // The XOR over the runs of a mix of (seed, trace hash): order-free, so shards merge into the
  // same digest, and two sweeps whose passing seeds hashed alike have equal digests.
  std::uint64_t trace_digest = 0;
  double wall_ms = 0;  // a host fact: summary.json keeps it under "host"

  void add(const RunRecord& run);
  void merge(const PassedRuns& other);

  friend bool operator==(const PassedRuns&, const PassedRuns&) = default;
};

// Everything one `walsim run` (or a merge of shards) produced.
struct Sweep {
  std::vector<ScenarioInfo> scenarios;  // by file
  std::vector<RunRecord> runs;          // by (file, seed)
  // Host facts: they differ between equivalent runs, so they live apart in summary.json.
  std::string command;
  std::vector<std::string> shards;  // "I/N" of each part; empty: not sharded
  std::uint32_t jobs = 1;
  double wall_ms = 0;
  // Every cell of the coverage matrix the scenarios can reach, reached or not, in the matrix's
  // order (sim/harness/coverage_matrix.h): what makes an unreached cell visible.
  std::vector<std::string> coverage_cells;
  // Passing runs no longer listed in `runs` (a sweep read back from a summary.json written
  // without --full-summary), one per scenario file.
  std::vector<PassedRuns> folded;

  // Moves every passing run of `runs` into `folded`.
  void fold_passing();

  // Sorts scenarios and runs into their canonical order, dropping duplicates (of coverage
  // cells too, which keep their order), and keeps the timelines (and diagnoses) of only the
  // first kTimelinesKept failing seeds of each scenario (a sweep may fail thousands of times;
  // those first ones are what the report shows). The first k failing seeds of a union of
  // shards are among each shard's first k, so merging shards gives the same. Folded runs of the
  // same file are merged into one.
  void normalize();
};

// A scenario's runs, added up.
struct ScenarioSummary {
  const ScenarioInfo* info = nullptr;
  std::uint64_t runs = 0;
  std::uint64_t passed = 0;
  std::uint64_t failed = 0;
  bool matched = true;  // expect pass: no failing seed; expect fail: at least one
  std::optional<std::uint64_t> first_failing_seed;
  std::string first_failure;
  std::map<std::string, std::uint64_t> invariants_violated;  // runs violating each
  std::map<std::string, std::uint64_t> faults_injected;
  std::uint64_t crashes = 0;
  std::uint64_t states_explored = 0;
  std::uint64_t ops = 0;
  Histogram append_latency_us;
  std::uint64_t allowed_losses = 0;  // runs in which the target reported a loss it allows
  double wall_ms = 0;
};

struct Totals {
  std::uint64_t scenarios = 0;
  std::uint64_t scenarios_matched = 0;
  std::uint64_t runs = 0;
  std::uint64_t passed = 0;
  std::uint64_t failed = 0;
  std::uint64_t faults_injected = 0;
  std::uint64_t crashes = 0;
  std::uint64_t states_explored = 0;
  bool ok() const { return scenarios_matched == scenarios; }
};

std::vector<ScenarioSummary> summarize(const Sweep& sweep);
Totals totals(const std::vector<ScenarioSummary>& summaries);

}  // namespace reports
