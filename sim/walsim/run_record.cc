#include "sim/walsim/run_record.h"

#include <chrono>
#include <map>

#include <fmt/format.h>

#include "sim/harness/mutants.h"
#include "sim/walsim/commands.h"
#include "sim/walsim/scenario_swarm.h"
#include "sim/walsim/scenario_toml.h"

namespace walsim {
namespace {

std::optional<harness::CallKind> call_kind(std::string_view subject) {
  for (int k = 0; k <= static_cast<int>(harness::CallKind::kClose); ++k) {
    const auto kind = static_cast<harness::CallKind>(k);
    if (harness::to_string(kind) == subject) return kind;
  }
  return std::nullopt;
}

bool is_append(harness::CallKind kind) {
  return kind == harness::CallKind::kAppend || kind == harness::CallKind::kBatch ||
         kind == harness::CallKind::kCheckpoint;
}

// Reads the runner's notes back: "schedule" notes carry the virtual time, "harness" notes the
// WAL calls (numbered in begin order, as the oracle numbers them), syncs and power losses.
class TraceReader {
 public:
  explicit TraceReader(bool keep_timeline) : keep_(keep_timeline) {}

  void read(const std::vector<sim::Event>& events) {
    for (const sim::Event& e : events) visit(e);
  }
  reports::Histogram latency;
  std::vector<reports::TimelineEvent> timeline;

 private:
  struct Open {
    std::size_t row = SIZE_MAX;  // in timeline, when kept
    std::uint64_t begin_us = 0;
    harness::CallKind kind = harness::CallKind::kOpen;
  };

  void add(reports::TimelineEvent event) {
    if (keep_) timeline.push_back(std::move(event));
  }

  void visit(const sim::Event& e) {
    if (e.kind == sim::EventKind::kNote && e.name == "schedule") {
      now_ = e.offset;
      return;
    }
    if (e.kind == sim::EventKind::kFault) {
      add({now_, 0, e.seq, "fault", e.name,
           fmt::format("{} {} @{}+{}{}{}", sim::to_string(e.op), e.path, e.offset, e.length,
                       e.detail.empty() ? "" : " ", e.detail),
           true});
      return;
    }
    if (e.kind == sim::EventKind::kCrash) {
      add({now_, 0, e.seq, "crash", fmt::format("survivors of {}", e.path),
           fmt::format("{}: {}", e.name, e.detail), false});
      return;
    }
    if (e.kind != sim::EventKind::kNote || e.name != "harness") return;
    if (auto kind = call_kind(e.path)) {
      Open open{SIZE_MAX, now_, *kind};
      const bool recovery = *kind == harness::CallKind::kOpen && crashed_;
      std::string label = *kind == harness::CallKind::kOpen || *kind == harness::CallKind::kClose
                              ? std::string(e.path)
                              : fmt::format("{} w{} op{}", e.path, e.offset, e.length);
      if (keep_) {
        open.row = timeline.size();
        add({now_, 0, e.seq, recovery ? "recovery" : "call", std::move(label), "in flight", false});
      }
      calls_.emplace(next_call_++, open);
      return;
    }
    if (e.path == "return") {
      auto found = calls_.find(e.offset);
      if (found == calls_.end()) return;
      const Open open = found->second;
      calls_.erase(found);
      const std::uint64_t duration = now_ - open.begin_us;
      const auto code = static_cast<wal::Code>(e.length);
      if (is_append(open.kind) && code == wal::Code::kOk) latency.add(duration);
      if (open.row != SIZE_MAX) {
        timeline[open.row].duration_us = duration;
        timeline[open.row].failed = code != wal::Code::kOk;
        timeline[open.row].detail =
            fmt::format("-> {} after {} us", wal::code_name(code), duration);
      }
      return;
    }
    if (e.path == "sync-begin") {
      add({now_, 0, e.seq, "sync", fmt::format("sync #{} begins", e.offset),
           fmt::format("up to LSN {}", e.length), false});
    } else if (e.path == "sync-end") {
      const auto code = static_cast<wal::Code>(e.length);
      add({now_, 0, e.seq, "sync", fmt::format("sync #{} ends", e.offset),
           std::string(wal::code_name(code)), code != wal::Code::kOk});
    } else if (e.path == "power-loss") {
      crashed_ = true;
      add({now_, 0, e.seq, "crash", "power loss",
           fmt::format("after {} ops, {} syncs", e.offset, e.length), false});
    } else if (e.path == "crash-during-recovery") {
      add({now_, 0, e.seq, "crash", "power loss during recovery",
           fmt::format("after {} of {} fs ops", e.offset, e.length), false});
    }
  }

  bool keep_;
  std::uint64_t now_ = 0;
  bool crashed_ = false;
  std::uint64_t next_call_ = 0;
  std::map<std::uint64_t, Open> calls_;
};

}  // namespace

std::string repro_command(const Scenario& scenario, std::uint64_t seed) {
  if (!scenario.swarm || !scenario.file.empty()) {
    return fmt::format("{} replay {} --seed {}", program_name(), scenario.file, seed);
  }
  std::string out = fmt::format("{} replay --swarm --seed {}", program_name(), seed);
  if (scenario.target != "wal") out += " --target " + scenario.target;
  if (scenario.mutant) out += " --mutant " + *scenario.mutant;
  if (scenario.swarm->media_faults) out += " --media-faults";
  return out;
}

reports::ScenarioInfo scenario_info(const Scenario& scenario, std::uint64_t seeds) {
  reports::ScenarioInfo info;
  info.name = scenario.name;
  info.file = scenario.file;
  info.description = scenario.description;
  info.setup = describe_setup(scenario);
  info.expect_pass = scenario.config.expect.pass;
  for (harness::Invariant invariant : scenario.config.expect.invariants) {
    info.expect_invariants.emplace_back(harness::to_string(invariant));
  }
  info.seeds = seeds;
  return info;
}

reports::RunRecord make_record(const Scenario& scenario, const harness::RunResult& result,
                               const sim::Trace& trace, bool with_timeline) {
  reports::RunRecord r;
  r.scenario = scenario.name;
  r.file = scenario.file;
  r.seed = result.seed;
  r.passed = result.passed;
  r.matched = result.matched;
  r.hang = result.hang;
  r.failure = result.failure;
  for (harness::Invariant invariant : result.checks.checked()) {
    r.invariants_checked.emplace_back(harness::to_string(invariant));
  }
  for (harness::Invariant invariant : result.checks.violated()) {
    r.invariants_violated.emplace_back(harness::to_string(invariant));
  }
  for (const harness::Violation& violation : result.checks.violations()) {
    r.violations.push_back(violation.message);
  }
  r.problems = result.problems;
  r.notes = result.notes;
  r.faults_injected = result.faults_injected;
  r.coverage = result.coverage;
  r.crashes = result.crashes;
  // Each crash is one post-crash state recovered and checked (explore counts many per point).
  r.states_explored = result.crashes;
  r.ops = result.ops;
  r.syncs = result.syncs;
  r.steps = result.steps;
  r.virtual_time_us = result.virtual_time_us;
  r.trace_events = result.trace_events;
  r.trace_hash = fmt::format("{:016x}", result.trace_hash);
  r.repro = repro_command(scenario, result.seed);
  TraceReader reader(with_timeline || !result.passed);
  reader.read(trace.events());
  r.append_latency_us = reader.latency;
  if (reader.timeline.size() > kTimelineMax) {
    r.timeline_omitted = reader.timeline.size() - kTimelineMax;
    reader.timeline.erase(reader.timeline.begin(),
                          reader.timeline.begin() + static_cast<std::ptrdiff_t>(r.timeline_omitted));
  }
  r.timeline = std::move(reader.timeline);
  return r;
}

harness::RunResult simulate(const Scenario& scenario, std::uint64_t seed, sim::Trace* trace) {
  std::string error;
  const std::optional<Scenario> concrete = for_seed(scenario, seed, &error);
  if (!concrete) {
    harness::RunResult result;
    result.seed = seed;
    result.failure = error;
    result.problems.push_back(error);
    result.matched = !scenario.config.expect.pass;
    return result;
  }
  std::optional<harness::ScopedMutant> mutant;
  if (concrete->mutant) mutant.emplace(*concrete->mutant);
  harness::RunResult result = harness::run_simulation(concrete->config, seed, trace);
  if (scenario.swarm) result.notes.push_back("swarm configuration: " + describe_setup(*concrete));
  return result;
}

reports::RunRecord run_one(const Scenario& scenario, std::uint64_t seed) {
  const auto start = std::chrono::steady_clock::now();
  sim::Trace trace;
  const harness::RunResult result = simulate(scenario, seed, &trace);
  reports::RunRecord record = make_record(scenario, result, trace);
  record.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                             start)
                       .count();
  return record;
}

}  // namespace walsim
