#include "sim/walsim/shrink.h"

#include <algorithm>

#include "sim/harness/mutants.h"

namespace walsim {
namespace {

// A unit is an op (by its place in writer order) or a fault; a candidate keeps some units.
class Shrinker {
 public:
  Shrinker(const harness::RunConfig& config, std::uint64_t seed, std::uint64_t max_runs,
           std::string target, harness::Script original, std::optional<std::string> mutant)
      : config_(config), seed_(seed), max_runs_(max_runs), target_(std::move(target)),
        original_(std::move(original)), mutant_(std::move(mutant)) {
    for (std::size_t w = 0; w < original_.writers.size(); ++w) {
      for (std::size_t i = 0; i < original_.writers[w].size(); ++i) ops_.push_back({w, i});
    }
  }

  std::size_t units() const { return ops_.size() + original_.faults.size(); }

  harness::Script build(const std::vector<std::size_t>& keep) const {
    harness::Script script = original_;
    for (std::vector<harness::Op>& ops : script.writers) ops.clear();
    script.faults.clear();
    for (std::size_t unit : keep) {
      if (unit < ops_.size()) {
        const auto [w, i] = ops_[unit];
        script.writers[w].push_back(original_.writers[w][i]);
      } else {
        script.faults.push_back(original_.faults[unit - ops_.size()]);
      }
    }
    return script;
  }

  // Whether `script` still fails the same way; remembers the last failing run.
  bool fails(const harness::Script& script) {
    if (runs_ >= max_runs_) {
      budget_hit_ = true;
      return false;
    }
    ++runs_;
    harness::RunConfig config = config_;
    config.script = script;
    std::optional<harness::ScopedMutant> on;
    if (mutant_) on.emplace(*mutant_);
    harness::RunResult result = harness::run_simulation(config, seed_);
    if (failure_signature(config_, result) != target_) return false;
    if (mutant_) {
      on.reset();
      ++runs_;
      if (!harness::run_simulation(config, seed_).passed) return false;
    }
    last_ = std::move(result);
    return true;
  }

  // A candidate fails as is, or with an `op:N` crash point moved to where the kept ops put it:
  // without ops that started before the crash, "before the Nth op" lands later than it did.
  // (Ops start roughly in index order, so the kept ops with an index below N stand for those.)
  bool fails(const std::vector<std::size_t>& keep) {
    harness::Script script = build(keep);
    if (fails(script)) {
      accepted_ = std::move(script);
      return true;
    }
    if (script.crash.kind != harness::CrashAt::Kind::kOp) return false;
    std::uint64_t before = 0;
    for (const std::vector<harness::Op>& ops : script.writers) {
      for (const harness::Op& op : ops) before += op.index < original_.crash.value ? 1 : 0;
    }
    if (before >= script.crash.value) return false;
    script.crash.value = before;
    if (!fails(script)) return false;
    accepted_ = std::move(script);
    return true;
  }

  // The script of the last candidate that failed through fails(keep).
  const harness::Script& accepted() const { return accepted_; }

  // Zeller's ddmin: try each chunk alone, then each complement, refining the granularity.
  std::vector<std::size_t> ddmin(std::vector<std::size_t> current) {
    std::size_t n = 2;
    while (current.size() >= 2 && !budget_hit_) {
      const std::vector<std::vector<std::size_t>> chunks = split(current, n);
      bool reduced = false;
      for (const std::vector<std::size_t>& chunk : chunks) {
        if (fails(chunk)) {
          current = chunk;
          n = 2;
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        for (std::size_t c = 0; c < chunks.size() && chunks.size() > 2; ++c) {
          std::vector<std::size_t> complement;
          for (std::size_t d = 0; d < chunks.size(); ++d) {
            if (d != c) complement.insert(complement.end(), chunks[d].begin(), chunks[d].end());
          }
          std::sort(complement.begin(), complement.end());
          if (fails(complement)) {
            current = std::move(complement);
            n = std::max<std::size_t>(n - 1, 2);
            reduced = true;
            break;
          }
        }
      }
      if (!reduced) {
        if (n >= current.size()) break;
        n = std::min(n * 2, current.size());
      }
    }
    // A last pass one unit at a time, so no single unit can go (1-minimal within the budget).
    for (std::size_t i = 0; i < current.size() && !budget_hit_;) {
      std::vector<std::size_t> without = current;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
      if (!without.empty() && fails(without)) {
        current = std::move(without);
      } else {
        ++i;
      }
    }
    return current;
  }

  // Entries as small as they can be while the failure stays (one byte, then halves).
  harness::Script smaller_entries(harness::Script script) {
    for (std::vector<harness::Op>& ops : script.writers) {
      for (harness::Op& op : ops) {
        for (std::uint32_t& bytes : op.entry_bytes) {
          while (bytes > 1 && !budget_hit_) {
            const std::uint32_t before = bytes;
            bytes = before / 2;
            if (!fails(script)) {
              bytes = before;
              break;
            }
          }
        }
      }
    }
    return script;
  }

  std::uint64_t runs() const { return runs_; }
  bool budget_hit() const { return budget_hit_; }
  harness::RunResult& last() { return last_; }

 private:
  static std::vector<std::vector<std::size_t>> split(const std::vector<std::size_t>& units,
                                                     std::size_t n) {
    std::vector<std::vector<std::size_t>> chunks;
    const std::size_t size = units.size();
    std::size_t start = 0;
    for (std::size_t c = 0; c < n && start < size; ++c) {
      const std::size_t end = start + (size - start) / (n - c);
      chunks.emplace_back(units.begin() + static_cast<std::ptrdiff_t>(start),
                          units.begin() + static_cast<std::ptrdiff_t>(std::max(end, start + 1)));
      start = std::max(end, start + 1);
    }
    return chunks;
  }

  const harness::RunConfig& config_;
  std::uint64_t seed_;
  std::uint64_t max_runs_;
  std::string target_;
  harness::Script original_;
  std::optional<std::string> mutant_;
  std::vector<std::pair<std::size_t, std::size_t>> ops_;
  std::uint64_t runs_ = 0;
  bool budget_hit_ = false;
  harness::RunResult last_;
  harness::Script accepted_;
};

}  // namespace

std::string failure_signature(const harness::RunConfig& config, const harness::RunResult& result) {
  if (result.passed) return "";
  for (harness::Invariant invariant : result.checks.violated()) {
    if (config.expect.invariants.empty() || config.expect.invariants.count(invariant) != 0) {
      return std::string(harness::to_string(invariant));
    }
  }
  return result.hang ? "hang" : "problem";
}

ShrinkResult shrink(const harness::RunConfig& config, std::uint64_t seed, std::uint64_t max_runs,
                    const std::optional<std::string>& mutant) {
  ShrinkResult out;
  std::optional<harness::ScopedMutant> on;
  if (mutant) on.emplace(*mutant);
  harness::RunResult first = harness::run_simulation(config, seed);
  on.reset();
  out.runs = 1;
  out.target = failure_signature(config, first);
  out.failed = !out.target.empty();
  out.original = first.script;
  out.minimal = first.script;
  out.last = std::move(first);
  if (!out.failed) return out;
  Shrinker shrinker(config, seed, max_runs, out.target, out.original, mutant);
  std::vector<std::size_t> all(shrinker.units());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  // The executed script must fail on its own before anything is cut (it replays the run).
  if (!shrinker.fails(all)) {
    out.replayable = false;
    out.runs += shrinker.runs();
    return out;
  }
  shrinker.ddmin(all);
  out.minimal = shrinker.smaller_entries(shrinker.accepted());
  // The last failing run is of the minimal script: smaller_entries ends on a failing run or
  // restores the sizes of the last one that failed; run it once more to be exact.
  harness::RunConfig final_config = config;
  final_config.script = out.minimal;
  if (mutant) on.emplace(*mutant);
  out.last = harness::run_simulation(final_config, seed);
  out.runs += shrinker.runs() + 1;
  out.budget_hit = shrinker.budget_hit();
  return out;
}

}  // namespace walsim
