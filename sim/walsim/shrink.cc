#include "sim/walsim/shrink.h"

#include <algorithm>

#include "sim/harness/mutants.h"
#include "sim/walsim/isolated.h"
#include "sim/walsim/shrink_anchor.h"

namespace walsim {
namespace {

// One run's failure signature, in a child process with `mutant` (if any) on: a run in which
// the system under test aborts (a WAL_ASSERT) fails as kAbortSignature, with `reason` set.
std::string isolated_signature(const harness::RunConfig& config, std::uint64_t seed,
                               const std::optional<std::string>& mutant,
                               std::string* reason = nullptr) {
  const ChildOutcome outcome = run_isolated([&] {
    std::optional<harness::ScopedMutant> on;
    if (mutant) on.emplace(*mutant);
    return failure_signature(config, harness::run_simulation(config, seed));
  });
  if (outcome.completed) return outcome.output;
  if (reason != nullptr) *reason = death_reason(outcome);
  return std::string(kAbortSignature);
}

// The run of `seed` in-process, once a child has shown it does not abort (it is deterministic:
// the same run again), for what only a RunResult carries (the executed script).
harness::RunResult run_in_process(const harness::RunConfig& config, std::uint64_t seed,
                                  const std::optional<std::string>& mutant) {
  std::optional<harness::ScopedMutant> on;
  if (mutant) on.emplace(*mutant);
  return harness::run_simulation(config, seed);
}

// A run that aborted left no executed script. The seed's workload, given back as a script
// with the configured crash point (or, for a drawn one, the power going out after the last op,
// or never), stands in for it when it aborts too; the seed's probabilistic faults are lost.
std::optional<harness::Script> script_of_aborting_run(const harness::RunConfig& config,
                                                      std::uint64_t seed,
                                                      const std::optional<std::string>& mutant,
                                                      std::uint64_t& runs) {
  const harness::Workload workload = harness::workload_for(config, seed);
  harness::Script script;
  script.payload_seed = workload.seed;
  script.writers = workload.writers;
  std::vector<harness::CrashAt> crashes;
  const harness::CrashAt::Kind kind = config.crash.at.kind;
  if (kind != harness::CrashAt::Kind::kRandom &&
      kind != harness::CrashAt::Kind::kPersistencePoints &&
      kind != harness::CrashAt::Kind::kInsideOp) {
    crashes.push_back(config.crash.at);
  } else {
    crashes.push_back({harness::CrashAt::Kind::kOp, script.total_ops()});
    crashes.push_back({harness::CrashAt::Kind::kNone, 0});
  }
  for (const harness::CrashAt& crash : crashes) {
    script.crash = crash;
    harness::RunConfig candidate = config;
    candidate.script = script;
    ++runs;
    if (isolated_signature(candidate, seed, mutant) == kAbortSignature) return script;
  }
  return std::nullopt;
}

// A unit is an op (by its place in writer order) or a fault; a candidate keeps some units.
class Shrinker {
 public:
  Shrinker(harness::RunConfig config, std::uint64_t seed, std::uint64_t max_runs,
           std::string target, harness::Script original, std::optional<std::string> mutant)
      : config_(config), seed_(seed), max_runs_(max_runs), target_(std::move(target)),
        original_(std::move(original)), mutant_(std::move(mutant)) {
    for (const harness::ScriptedFault& fault : original_.faults) fault_at_.push_back(fault.at);
    for (std::size_t w = 0; w < original_.writers.size(); ++w) {
      for (std::size_t i = 0; i < original_.writers[w].size(); ++i) ops_.push_back({w, i});
    }
  }

  std::size_t units() const { return ops_.size() + original_.faults.size(); }

  harness::Script build(const std::vector<std::size_t>& keep) const {
    harness::Script script = original_;
    script.crash = crash_;
    for (std::vector<harness::Op>& ops : script.writers) ops.clear();
    script.faults.clear();
    for (std::size_t unit : keep) {
      if (unit < ops_.size()) {
        const auto [w, i] = ops_[unit];
        script.writers[w].push_back(original_.writers[w][i]);
      } else {
        const std::size_t f = unit - ops_.size();
        script.faults.push_back(original_.faults[f]);
        script.faults.back().at = fault_at_[f];
      }
    }
    return script;
  }

  // Whether `script` still fails the same way. Each candidate runs in a child process: a
  // candidate on which the system under test aborts is a verdict, not the end of the shrink.
  bool fails(const harness::Script& script) {
    if (!spend_run()) return false;
    harness::RunConfig config = config_;
    config.script = script;
    if (isolated_signature(config, seed_, mutant_) != target_) return false;
    if (mutant_) {
      ++runs_;
      if (!isolated_signature(config, seed_, std::nullopt).empty()) return false;
    }
    return true;
  }

  // A candidate fails as is, or with an `op:N` crash point moved to where the kept ops put it:
  // without ops that started before the crash, "before the Nth op" lands later than it did.
  // (Ops start roughly in index order, so the kept ops with an index below N stand for those.)
  // Failing that, with its crash point and faults counted in calls put back on the calls they
  // hit (fails_reanchored).
  bool fails(const std::vector<std::size_t>& keep) {
    harness::Script script = build(keep);
    if (fails(script)) {
      accept(std::move(script));
      return true;
    }
    if (script.crash.kind == harness::CrashAt::Kind::kOp) {
      std::uint64_t before = 0;
      for (const std::vector<harness::Op>& ops : script.writers) {
        for (const harness::Op& op : ops) before += op.index < original_.crash.value ? 1 : 0;
      }
      if (before < script.crash.value) {
        script.crash.value = before;
        if (fails(script)) {
          accept(std::move(script));
          return true;
        }
      }
    }
    return fails_reanchored(keep);
  }

  // A crash point counted in Fs operations (fs-op:N) or a fault counted in calls (the Nth
  // write, fsync or read, of its file class if anchored to one) is counted over the whole run:
  // a candidate that dropped ops before it moved it onto another call, and ddmin had to keep
  // the ops that only led up to it (the swarm's catch of unlink-before-front-synced shrank to
  // 16 ops). So, once keep_points_in_place(), a candidate that fails as is no more is tried
  // once again with each put back where it was among the ops (shrink_anchor.h): the same call
  // of the same op, at its new number. Costs a survey of the candidate (and one of the accepted
  // script, kept until the next is accepted), each in a child process like every run, and a
  // run when a point moved.
  bool fails_reanchored(const std::vector<std::size_t>& keep) {
    // Only for a candidate that dropped units from the accepted one: lowering a crash point or
    // a fault (lower) keeps them all and moves the point on purpose.
    if (!in_place_ || keep.size() >= units_kept_) return false;
    bool counted = crash_.kind == harness::CrashAt::Kind::kFsOp;
    for (std::size_t unit : keep) {
      if (unit >= ops_.size() && counted_call(original_.faults[unit - ops_.size()].kind) !=
                                     harness::FsCallKind::kOther) {
        counted = true;
      }
    }
    if (!counted) return false;
    if (!accepted_survey_) {
      if (!spend_run()) return false;
      accepted_survey_ = survey_of(accepted_);
    }
    if (!*accepted_survey_ || !spend_run()) return false;
    harness::Script candidate = build(keep);
    const std::optional<harness::OpSurvey> moved = survey_of(candidate);
    if (!moved) return false;
    const harness::OpSurvey& before = **accepted_survey_;
    bool changed = false;
    const std::optional<harness::CrashAt> crash = crash_reanchored(before, *moved, crash_);
    if (crash && *crash != crash_) {
      candidate.crash = *crash;
      changed = true;
    }
    std::vector<std::pair<std::size_t, std::uint64_t>> refaulted;  // fault, its new `at`
    std::size_t f = 0;  // the kept faults are in candidate.faults in the order of `keep`
    for (std::size_t unit : keep) {
      if (unit < ops_.size()) continue;
      harness::ScriptedFault& fault = candidate.faults[f++];
      const std::optional<std::uint64_t> at = fault_reanchored(before, *moved, fault);
      if (!at || *at == fault.at) continue;
      refaulted.emplace_back(unit - ops_.size(), *at);
      fault.at = *at;
      changed = true;
    }
    if (!changed || !fails(candidate)) return false;
    if (crash) crash_ = *crash;
    for (const auto& [fault, at] : refaulted) fault_at_[fault] = at;
    accept(std::move(candidate));
    return true;
  }

  // From now on candidates get a second chance with their points in place (fails_reanchored).
  void keep_points_in_place() { in_place_ = true; }

  // The script of the last candidate that failed through fails(keep).
  const harness::Script& accepted() const { return accepted_; }

  void accept(harness::Script script) {
    accepted_ = std::move(script);
    accepted_survey_.reset();
    units_kept_ = accepted_.faults.size();
    for (const std::vector<harness::Op>& ops : accepted_.writers) units_kept_ += ops.size();
  }

  // A crash point counted in syncs, Fs operations or virtual time needs as many ops as it takes
  // to get there: bring it as early as the failure allows, so that ddmin can then drop the ops
  // that only led up to it.
  bool earlier_crash(const std::vector<std::size_t>& keep) {
    using Kind = harness::CrashAt::Kind;
    const Kind kind = crash_.kind;
    if (kind != Kind::kFsOp && kind != Kind::kBeforeSync && kind != Kind::kAfterSync &&
        kind != Kind::kTime) {
      return false;
    }
    return lower(crash_.value, 0, keep);
  }

  // The same for each kept fault: the 277th fsync failing needs the ops that issue 276 before
  // it; the first one that still shows the bug needs far fewer (retention-by-count, 99 ops).
  bool earlier_faults(const std::vector<std::size_t>& keep) {
    bool moved = false;
    for (std::size_t unit : keep) {
      if (unit < ops_.size() || budget_hit_) continue;
      moved = lower(fault_at_[unit - ops_.size()], 1, keep) || moved;
    }
    return moved;
  }

  // The configuration, one dimension at a time, back to the plain default where the failure
  // allows: what is left in the saved scenario is what the bug needs (one writer, the default
  // sync policy, checksum, recovery mode, device, crash policy...). Writers merge into one in
  // index order. Returns whether anything changed.
  bool plainer_config() {
    harness::RunConfig plain;  // the defaults (only read)
    bool changed = false;
    // `edit` sets one dimension of a copy to its default and says whether that changed it.
    auto attempt = [&](auto&& edit) {
      harness::RunConfig saved = config_;
      if (budget_hit_ || !edit(config_)) return;
      if (fails(accepted_)) {
        changed = true;
        accepted_survey_.reset();  // of the run under the configuration before
      } else {
        config_ = std::move(saved);
      }
    };
    auto plain_as = [&plain](auto member_of) {
      return [member_of, &plain](harness::RunConfig& c) {
        auto& field = member_of(c);
        const auto& value = member_of(plain);
        if (field == value) return false;
        field = value;
        return true;
      };
    };
    if (live_writers(accepted_) > 1 && !budget_hit_) {
      harness::Script merged = one_writer(accepted_);
      if (fails(merged)) {
        accept(std::move(merged));
        changed = true;
      }
    }
    using C = harness::RunConfig;
    attempt(plain_as([](C& c) -> auto& { return c.wal.sync; }));
    attempt(plain_as([](C& c) -> auto& { return c.wal.sync_interval_us; }));
    attempt(plain_as([](C& c) -> auto& { return c.wal.sync_every_bytes; }));
    attempt(plain_as([](C& c) -> auto& { return c.wal.group_window_us; }));
    attempt(plain_as([](C& c) -> auto& { return c.wal.segment_bytes; }));
    attempt(plain_as([](C& c) -> auto& { return c.wal.buffer_bytes; }));
    attempt(plain_as([](C& c) -> auto& { return c.wal.checksum; }));
    attempt(plain_as([](C& c) -> auto& { return c.wal.recovery; }));
    attempt(plain_as([](C& c) -> auto& { return c.wal.preallocate; }));
    attempt(plain_as([](C& c) -> auto& { return c.wal.max_segments; }));
    attempt(plain_as([](C& c) -> auto& { return c.wal.max_bytes; }));
    attempt(plain_as([](C& c) -> auto& { return c.device; }));
    attempt(plain_as([](C& c) -> auto& { return c.crash.power_loss.policy; }));
    attempt(plain_as([](C& c) -> auto& { return c.crash.power_loss.lose_unsynced_dir_ops; }));
    attempt(plain_as([](C& c) -> auto& { return c.crash.power_loss.torn_scope; }));
    // A sector scope that stays needs its fill: a stale one would be refused when saved.
    if (config_.crash.power_loss.torn_scope == sim::TornScope::kWrite) {
      attempt(plain_as([](C& c) -> auto& { return c.crash.power_loss.torn_fill; }));
    }
    attempt(plain_as([](C& c) -> auto& { return c.faults.fsync_profile; }));
    // A script names its faults' calls: the aim is moot once they are scripted.
    attempt(plain_as([](C& c) -> auto& { return c.faults.target; }));
    return changed;
  }

  const harness::RunConfig& config() const { return config_; }

  // Adjacent appends and batches of one writer as one batch: the same entries in the same
  // order in fewer ops, where ddmin can only drop (resume-over-damage's media seed 6924 stopped
  // at 12 ops, each needed). Kept when the failure stays, also with an `op:N` crash point one
  // op earlier (one op fewer starts before it). Returns whether anything merged.
  bool merged_batches() {
    const auto data = [](const harness::Op& op) {
      return op.kind == harness::OpKind::kAppend || op.kind == harness::OpKind::kBatch;
    };
    bool changed = false;
    for (std::size_t w = 0; w < accepted_.writers.size(); ++w) {
      for (std::size_t i = 0; i + 1 < accepted_.writers[w].size() && !budget_hit_;) {
        const std::vector<harness::Op>& ops = accepted_.writers[w];
        if (!data(ops[i]) || !data(ops[i + 1])) {
          ++i;
          continue;
        }
        harness::Script candidate = accepted_;
        std::vector<harness::Op>& into = candidate.writers[w];
        into[i].kind = harness::OpKind::kBatch;
        into[i].entry_bytes.insert(into[i].entry_bytes.end(), into[i + 1].entry_bytes.begin(),
                                   into[i + 1].entry_bytes.end());
        into.erase(into.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        bool merged = fails(candidate);
        if (!merged && candidate.crash.kind == harness::CrashAt::Kind::kOp &&
            candidate.crash.value > 0) {
          --candidate.crash.value;
          merged = fails(candidate);
        }
        if (merged) {
          crash_ = candidate.crash;
          accept(std::move(candidate));
          changed = true;
        } else {
          ++i;
        }
      }
    }
    return changed;
  }

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

 private:
  // Counts a run (or a survey) against the budget; false when it is spent.
  bool spend_run() {
    if (runs_ >= max_runs_) {
      budget_hit_ = true;
      return false;
    }
    ++runs_;
    return true;
  }

  std::optional<harness::OpSurvey> survey_of(const harness::Script& script) const {
    harness::RunConfig config = config_;
    config.script = script;
    return isolated_survey(config, seed_, mutant_);
  }

  // Brings `value` down toward `floor` (halving the step, then one at a time) while the
  // candidate `keep` still fails; `value` ends at the lowest that did.
  bool lower(std::uint64_t& value, std::uint64_t floor, const std::vector<std::size_t>& keep) {
    const std::uint64_t before = value;
    std::uint64_t good = value;
    std::uint64_t step = std::max<std::uint64_t>((good - std::min(good, floor)) / 2, 1);
    while (good > floor && !budget_hit_) {
      const std::uint64_t next = good - std::min(step, good - floor);
      value = next;
      if (fails(keep)) {
        good = next;
      } else {
        if (step == 1) break;
        step = std::max<std::uint64_t>(step / 2, 1);
      }
    }
    value = good;  // accepted_ is already the candidate at `good`: the last one that failed
    return good != before;
  }

  static std::size_t live_writers(const harness::Script& script) {
    return static_cast<std::size_t>(std::count_if(
        script.writers.begin(), script.writers.end(),
        [](const std::vector<harness::Op>& ops) { return !ops.empty(); }));
  }

  static harness::Script one_writer(const harness::Script& script) {
    harness::Script out = script;
    std::vector<harness::Op> all;
    for (const std::vector<harness::Op>& ops : script.writers) {
      all.insert(all.end(), ops.begin(), ops.end());
    }
    std::sort(all.begin(), all.end(),
              [](const harness::Op& a, const harness::Op& b) { return a.index < b.index; });
    for (harness::Op& op : all) op.writer = 0;
    out.writers.assign(1, std::move(all));
    return out;
  }

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

  harness::RunConfig config_;
  std::uint64_t seed_;
  std::uint64_t max_runs_;
  std::string target_;
  harness::Script original_;
  std::optional<std::string> mutant_;
  std::vector<std::pair<std::size_t, std::size_t>> ops_;
  std::uint64_t runs_ = 0;
  bool budget_hit_ = false;
  harness::Script accepted_;
  bool in_place_ = false;       // fails_reanchored is on
  std::size_t units_kept_ = 0;  // accepted_'s ops and faults: a candidate with as many drops none
  // accepted_'s survey, once a candidate needed it (an inner nullopt: the run aborted there).
  std::optional<std::optional<harness::OpSurvey>> accepted_survey_;
  harness::CrashAt crash_ = original_.crash;  // the candidates' crash point (earlier_crash)
  std::vector<std::uint64_t> fault_at_;       // each fault's `at` in the candidates
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
  std::string reason;
  out.target = isolated_signature(config, seed, mutant, &reason);
  out.runs = 1;
  out.failed = !out.target.empty();
  if (!out.failed) return out;
  if (out.target == kAbortSignature) {
    out.aborted = true;
    out.failure = reason;
    std::optional<harness::Script> script = script_of_aborting_run(config, seed, mutant, out.runs);
    if (!script) {
      out.replayable = false;
      return out;
    }
    out.original = std::move(*script);
  } else {
    const harness::RunResult first = run_in_process(config, seed, mutant);
    ++out.runs;
    out.failure = first.failure;
    out.original = first.script;
  }
  // Each write, sync or read fault counted among the calls on its own file (script.h): once ops
  // before it go, "the 277th fsync" lands elsewhere, "the 3rd fsync of FRONT.tmp" does not.
  harness::Script anchored = out.original;
  for (harness::ScriptedFault& fault : anchored.faults) fault = harness::anchored_to_file(fault);
  bool anchoring = anchored.faults != out.original.faults;
  out.minimal = anchoring ? anchored : out.original;
  out.config = config;
  // Ops and faults (ddmin); then the crash point and the faults' positions as early as they go,
  // with ddmin again after each move; then the configuration's dimensions. A plainer
  // configuration may let more ops go: once more from there.
  for (int pass = 0; pass < 3; ++pass) {
    const std::uint64_t left = max_runs > out.runs ? max_runs - out.runs : 0;
    Shrinker shrinker(out.config, seed, left, out.target, out.minimal, mutant);
    std::vector<std::size_t> all(shrinker.units());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    // The executed script must fail on its own before anything is cut (it replays the run).
    if (!shrinker.fails(all)) {
      out.runs += shrinker.runs();
      if (pass == 0 && anchoring) {  // the same calls, counted differently: should not happen
        anchoring = false;
        out.minimal = out.original;
        --pass;
        continue;
      }
      if (pass == 0) {
        out.replayable = false;
        return out;
      }
      break;
    }
    std::vector<std::size_t> kept = shrinker.ddmin(all);
    // Then again with each call-counted crash point and fault kept on the call of the op it
    // hit, so that the ops that only led up to it go (unlink-before-front-synced's swarm seed
    // 3031: 4 ops, where drifting alone left 16). Not from the start: a point left to drift
    // onto other calls while ops go in big chunks finds other ways to fail, and a candidate
    // costs a run, not two surveys and a run. Kept in place from the start, trust-record-lsn's
    // seed 318 ended at 7 ops + 2 faults under the default 64 MiB segments, whose runs took 11
    // minutes; this way it ends at 5 ops + 2 faults in 15 seconds.
    shrinker.keep_points_in_place();
    kept = shrinker.ddmin(kept);
    for (int round = 0; round < 4; ++round) {
      const bool crash_moved = shrinker.earlier_crash(kept);
      const bool faults_moved = shrinker.earlier_faults(kept);
      if (!crash_moved && !faults_moved) break;
      kept = shrinker.ddmin(kept);
    }
    const bool plainer = shrinker.plainer_config();
    const bool merged = shrinker.merged_batches();
    out.config = shrinker.config();
    out.minimal = shrinker.accepted();
    const bool last = (!plainer && !merged) || shrinker.budget_hit() || pass == 2;
    if (last) out.minimal = shrinker.smaller_entries(out.minimal);
    out.runs += shrinker.runs();
    out.budget_hit = shrinker.budget_hit();
    if (last) break;
  }
  out.config.script.reset();
  // The failure of the minimal script, for the saved scenario's description.
  harness::RunConfig final_config = out.config;
  final_config.script = out.minimal;
  ++out.runs;
  if (isolated_signature(final_config, seed, mutant, &reason) == kAbortSignature) {
    out.failure = reason;
  } else {
    out.failure = run_in_process(final_config, seed, mutant).failure;
  }
  return out;
}

}  // namespace walsim
