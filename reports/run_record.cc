#include "reports/run_record.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <set>
#include <tuple>

namespace reports {

void Histogram::add(std::uint64_t value, std::uint64_t count) {
  if (count == 0) return;
  const auto bucket = static_cast<std::size_t>(std::bit_width(value));
  if (counts_.size() <= bucket) counts_.resize(bucket + 1, 0);
  counts_[bucket] += count;
}

void Histogram::merge(const Histogram& other) {
  if (counts_.size() < other.counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
}

std::uint64_t Histogram::total() const {
  std::uint64_t sum = 0;
  for (std::uint64_t c : counts_) sum += c;
  return sum;
}

std::uint64_t Histogram::quantile_upper(double q) const {
  const std::uint64_t all = total();
  if (all == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(all - 1)) + 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return bucket_high(i);
  }
  return bucket_high(counts_.size() - 1);
}

void Histogram::set_counts(std::vector<std::uint64_t> counts) {
  while (!counts.empty() && counts.back() == 0) counts.pop_back();
  counts_ = std::move(counts);
}

std::uint64_t Histogram::bucket_low(std::size_t bucket) {
  return bucket == 0 ? 0 : std::uint64_t{1} << (bucket - 1);
}

std::uint64_t Histogram::bucket_high(std::size_t bucket) { return std::uint64_t{1} << bucket; }

namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The sums a scenario's summary takes from a run or from a scenario's folded passing runs.
template <typename Part>
void add_sums(ScenarioSummary& s, const Part& part) {
  if constexpr (requires { part.allowed_losses; }) {
    s.allowed_losses += part.allowed_losses;
  } else {
    s.allowed_losses += allowed_losses_in(part.notes);
  }
  for (const auto& [kind, count] : part.faults_injected) s.faults_injected[kind] += count;
  s.crashes += part.crashes;
  s.states_explored += part.states_explored;
  s.ops += part.ops;
  s.append_latency_us.merge(part.append_latency_us);
  s.wall_ms += part.wall_ms;
}

// One PassedRuns per file, in file order (merge sorts and joins the seed ranges).
void merge_by_file(std::vector<PassedRuns>& folded) {
  std::map<std::string, PassedRuns> by_file;
  for (const PassedRuns& f : folded) {
    PassedRuns& into = by_file[f.file];
    into.file = f.file;
    into.merge(f);
  }
  folded.clear();
  for (auto& [file, f] : by_file) folded.push_back(std::move(f));
}

}  // namespace

void Sweep::normalize() {
  std::stable_sort(scenarios.begin(), scenarios.end(),
                   [](const ScenarioInfo& a, const ScenarioInfo& b) { return a.file < b.file; });
  scenarios.erase(std::unique(scenarios.begin(), scenarios.end(),
                              [](const ScenarioInfo& a, const ScenarioInfo& b) {
                                return a.file == b.file;
                              }),
                  scenarios.end());
  std::stable_sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) {
    return std::tie(a.file, a.seed) < std::tie(b.file, b.seed);
  });
  runs.erase(std::unique(runs.begin(), runs.end(),
                         [](const RunRecord& a, const RunRecord& b) {
                           return a.file == b.file && a.seed == b.seed;
                         }),
             runs.end());
  merge_by_file(folded);
  std::sort(shards.begin(), shards.end());
  std::set<std::string> seen;
  std::erase_if(coverage_cells, [&](const std::string& cell) { return !seen.insert(cell).second; });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i == 0 || runs[i].file != runs[i - 1].file) kept = 0;
    if (runs[i].passed || runs[i].timeline.empty()) continue;
    if (kept++ < kTimelinesKept) continue;
    runs[i].timeline.clear();
    runs[i].timeline_omitted = 0;
    runs[i].diagnosis.clear();
    runs[i].replay_hash.clear();  // checked with the diagnosis, for the kept failures only
  }
}

bool allowed_loss_note(std::string_view note) {
  return note.find(": allowed loss: ") != std::string_view::npos;
}

std::uint64_t allowed_losses_in(const std::vector<std::string>& notes) {
  return std::any_of(notes.begin(), notes.end(), allowed_loss_note) ? 1 : 0;
}

void PassedRuns::add(const RunRecord& run) {
  if (!seeds.empty() && seeds.back().second + 1 == run.seed) {
    seeds.back().second = run.seed;
  } else {
    seeds.emplace_back(run.seed, run.seed);
  }
  ++runs;
  crashes += run.crashes;
  states_explored += run.states_explored;
  ops += run.ops;
  for (const auto& [kind, count] : run.faults_injected) faults_injected[kind] += count;
  for (const auto& [cell, hits] : run.coverage) {
    coverage[cell].hits += hits;
    ++coverage[cell].runs;
  }
  append_latency_us.merge(run.append_latency_us);
  allowed_losses += allowed_losses_in(run.notes);
  trace_digest ^= mix(run.seed ^ mix(std::strtoull(run.trace_hash.c_str(), nullptr, 16)));
  wall_ms += run.wall_ms;
}

void PassedRuns::merge(const PassedRuns& other) {
  seeds.insert(seeds.end(), other.seeds.begin(), other.seeds.end());
  std::sort(seeds.begin(), seeds.end());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> joined;
  for (const auto& range : seeds) {
    if (!joined.empty() && range.first <= joined.back().second + 1) {
      joined.back().second = std::max(joined.back().second, range.second);
    } else {
      joined.push_back(range);
    }
  }
  seeds = std::move(joined);
  runs += other.runs;
  crashes += other.crashes;
  states_explored += other.states_explored;
  ops += other.ops;
  for (const auto& [kind, count] : other.faults_injected) faults_injected[kind] += count;
  for (const auto& [cell, tally] : other.coverage) {
    coverage[cell].hits += tally.hits;
    coverage[cell].runs += tally.runs;
  }
  append_latency_us.merge(other.append_latency_us);
  allowed_losses += other.allowed_losses;
  trace_digest ^= other.trace_digest;
  wall_ms += other.wall_ms;
}

void Sweep::fold_passing() {
  std::map<std::string, PassedRuns> by_file;
  for (const RunRecord& run : runs) {
    if (!run.passed) continue;
    PassedRuns& f = by_file[run.file];
    f.file = run.file;
    f.add(run);
  }
  std::erase_if(runs, [](const RunRecord& run) { return run.passed; });
  for (auto& [file, f] : by_file) folded.push_back(std::move(f));
  merge_by_file(folded);
}

std::vector<ScenarioSummary> summarize(const Sweep& sweep) {
  std::vector<ScenarioSummary> out;
  for (const ScenarioInfo& info : sweep.scenarios) {
    ScenarioSummary s;
    s.info = &info;
    for (const RunRecord& run : sweep.runs) {
      if (run.file != info.file) continue;
      ++s.runs;
      (run.passed ? s.passed : s.failed) += 1;
      if (!run.passed && !s.first_failing_seed) {
        s.first_failing_seed = run.seed;
        s.first_failure = run.failure;
      }
      for (const std::string& invariant : run.invariants_violated) {
        ++s.invariants_violated[invariant];
      }
      add_sums(s, run);
    }
    for (const PassedRuns& f : sweep.folded) {
      if (f.file != info.file) continue;
      s.runs += f.runs;
      s.passed += f.runs;
      add_sums(s, f);
    }
    s.matched = info.expect_pass ? s.failed == 0 : s.failed > 0;
    out.push_back(std::move(s));
  }
  return out;
}

Totals totals(const std::vector<ScenarioSummary>& summaries) {
  Totals t;
  for (const ScenarioSummary& s : summaries) {
    ++t.scenarios;
    t.scenarios_matched += s.matched ? 1 : 0;
    t.runs += s.runs;
    t.passed += s.passed;
    t.failed += s.failed;
    for (const auto& [kind, count] : s.faults_injected) t.faults_injected += count;
    t.crashes += s.crashes;
    t.states_explored += s.states_explored;
  }
  return t;
}

}  // namespace reports
