#include "reports/run_record.h"

#include <algorithm>
#include <bit>
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
  }
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
      for (const std::string& invariant : run.invariants_violated) ++s.invariants_violated[invariant];
      for (const auto& [kind, count] : run.faults_injected) s.faults_injected[kind] += count;
      s.crashes += run.crashes;
      s.states_explored += run.states_explored;
      s.ops += run.ops;
      s.append_latency_us.merge(run.append_latency_us);
      s.wall_ms += run.wall_ms;
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
