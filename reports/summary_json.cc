#include "reports/summary_json.h"

#include <cstdlib>

#include <fmt/format.h>

#include "reports/coverage.h"

namespace reports {
namespace {

using nlohmann::json;

json histogram_to_json(const Histogram& h) {
  json buckets = json::array();
  for (std::size_t i = 0; i < h.counts().size(); ++i) {
    if (h.counts()[i] == 0) continue;
    buckets.push_back({{"low_us", Histogram::bucket_low(i)},
                       {"high_us", Histogram::bucket_high(i)},
                       {"count", h.counts()[i]}});
  }
  return {{"count", h.total()},
          {"p50_us", h.quantile_upper(0.5)},
          {"p99_us", h.quantile_upper(0.99)},
          {"max_us", h.quantile_upper(1.0)},
          {"buckets", buckets}};
}

json timeline_to_json(const std::vector<TimelineEvent>& timeline) {
  json out = json::array();
  for (const TimelineEvent& e : timeline) {
    out.push_back({{"time_us", e.time_us},
                   {"duration_us", e.duration_us},
                   {"step", e.step},
                   {"kind", e.kind},
                   {"label", e.label},
                   {"detail", e.detail},
                   {"failed", e.failed}});
  }
  return out;
}

std::vector<TimelineEvent> timeline_from_json(const json& j) {
  std::vector<TimelineEvent> out;
  for (const json& e : j) {
    out.push_back({e.at("time_us").get<std::uint64_t>(), e.at("duration_us").get<std::uint64_t>(),
                   e.at("step").get<std::uint64_t>(), e.at("kind").get<std::string>(),
                   e.at("label").get<std::string>(), e.at("detail").get<std::string>(),
                   e.at("failed").get<bool>()});
  }
  return out;
}

json passed_runs_to_json(const PassedRuns& f) {
  json seeds = json::array();
  for (const auto& [first, last] : f.seeds) seeds.push_back({first, last});
  json coverage = json::object();
  for (const auto& [cell, tally] : f.coverage) coverage[cell] = {tally.hits, tally.runs};
  return {{"runs", f.runs},
          {"seeds", seeds},
          {"crashes", f.crashes},
          {"states_explored", f.states_explored},
          {"ops", f.ops},
          {"faults_injected", f.faults_injected},
          {"coverage", coverage},
          {"append_latency_us", f.append_latency_us.counts()},
          {"allowed_losses", f.allowed_losses},
          {"trace_digest", fmt::format("{:016x}", f.trace_digest)}};
}

PassedRuns passed_runs_from_json(const std::string& file, const json& j) {
  PassedRuns f;
  f.file = file;
  f.runs = j.at("runs").get<std::uint64_t>();
  for (const json& range : j.at("seeds")) {
    f.seeds.emplace_back(range.at(0).get<std::uint64_t>(), range.at(1).get<std::uint64_t>());
  }
  f.crashes = j.at("crashes").get<std::uint64_t>();
  f.states_explored = j.at("states_explored").get<std::uint64_t>();
  f.ops = j.at("ops").get<std::uint64_t>();
  f.faults_injected = j.at("faults_injected").get<std::map<std::string, std::uint64_t>>();
  for (const auto& [cell, tally] : j.at("coverage").items()) {
    f.coverage[cell] = {tally.at(0).get<std::uint64_t>(), tally.at(1).get<std::uint64_t>()};
  }
  f.append_latency_us.set_counts(j.at("append_latency_us").get<std::vector<std::uint64_t>>());
  f.allowed_losses = j.value("allowed_losses", std::uint64_t{0});  // absent before session 11
  f.trace_digest = std::strtoull(j.at("trace_digest").get<std::string>().c_str(), nullptr, 16);
  return f;
}

json scenario_to_json(const ScenarioSummary& s, const Sweep& sweep) {
  const ScenarioInfo& info = *s.info;
  json results = json::array();
  for (const RunRecord& run : sweep.runs) {
    if (run.file == info.file) results.push_back(run_to_json(run, false));
  }
  json passed = nullptr;
  for (const PassedRuns& f : sweep.folded) {
    if (f.file == info.file) passed = passed_runs_to_json(f);
  }
  return {
      {"name", info.name},
      {"file", info.file},
      {"description", info.description},
      {"setup", info.setup},
      {"expect",
       {{"verdict", info.expect_pass ? "pass" : "fail"},
        {"invariants", info.expect_invariants.empty() ? json("all")
                                                      : json(info.expect_invariants)}}},
      {"seeds", info.seeds},
      {"runs", s.runs},
      {"passed", s.passed},
      {"allowed_losses", s.allowed_losses},
      {"failed", s.failed},
      {"matched", s.matched},
      {"first_failing_seed", s.first_failing_seed ? json(*s.first_failing_seed) : json(nullptr)},
      {"first_failure", s.first_failure},
      {"invariants_violated", s.invariants_violated},
      {"faults_injected", s.faults_injected},
      {"crashes", s.crashes},
      {"states_explored", s.states_explored},
      {"ops", s.ops},
      {"append_latency_us", histogram_to_json(s.append_latency_us)},
      {"results", results},
      {"passed_runs", passed},
  };
}

ScenarioInfo scenario_from_json(const json& j) {
  ScenarioInfo info;
  info.name = j.at("name").get<std::string>();
  info.file = j.at("file").get<std::string>();
  info.description = j.at("description").get<std::string>();
  info.setup = j.at("setup").get<std::string>();
  info.expect_pass = j.at("expect").at("verdict").get<std::string>() == "pass";
  const json& invariants = j.at("expect").at("invariants");
  if (invariants.is_array()) info.expect_invariants = invariants.get<std::vector<std::string>>();
  info.seeds = j.at("seeds").get<std::uint64_t>();
  return info;
}

json coverage_to_json(const CoverageSummary& coverage) {
  json cells = json::array();
  for (const CoverageCell& c : coverage.cells) {
    cells.push_back({{"cell", c.cell}, {"listed", c.listed}, {"hits", c.hits}, {"runs", c.runs}});
  }
  return {{"listed", coverage.listed},
          {"reached", coverage.reached},
          {"crash_sites", {{"listed", coverage.crash_listed}, {"reached", coverage.crash_reached}}},
          {"faults", {{"listed", coverage.fault_listed}, {"reached", coverage.fault_reached}}},
          {"unlisted_reached", coverage.unlisted_reached},
          {"cells", cells}};
}

}  // namespace

json run_to_json(const RunRecord& run, bool with_wall_time) {
  json j = {
      {"scenario", run.scenario},
      {"file", run.file},
      {"seed", run.seed},
      {"verdict", run.passed ? "pass" : "fail"},
      {"matched", run.matched},
      {"hang", run.hang},
      {"failure", run.failure},
      {"invariants",
       {{"checked", run.invariants_checked},
        {"violated", run.invariants_violated},
        {"violations", run.violations}}},
      {"problems", run.problems},
      {"notes", run.notes},
      {"faults_injected", run.faults_injected},
      {"coverage", run.coverage},
      {"crashes", run.crashes},
      {"states_explored", run.states_explored},
      {"ops", run.ops},
      {"syncs", run.syncs},
      {"steps", run.steps},
      {"virtual_time_us", run.virtual_time_us},
      {"trace_events", run.trace_events},
      {"trace_hash", run.trace_hash},
      // Per run only the bucket counts (bucket i: [2^(i-1), 2^i) us; bucket 0: 0 us).
      {"append_latency_us", run.append_latency_us.counts()},
      {"repro", run.repro},
      {"shrunk", run.shrunk},
      {"timeline", timeline_to_json(run.timeline)},
      {"timeline_omitted", run.timeline_omitted},
      {"diagnosis", run.diagnosis},
      {"replay_hash", run.replay_hash},
  };
  if (with_wall_time) j["wall_ms"] = run.wall_ms;
  return j;
}

RunRecord run_from_json(const json& j) {
  RunRecord run;
  run.scenario = j.at("scenario").get<std::string>();
  run.file = j.at("file").get<std::string>();
  run.seed = j.at("seed").get<std::uint64_t>();
  run.passed = j.at("verdict").get<std::string>() == "pass";
  run.matched = j.at("matched").get<bool>();
  run.hang = j.at("hang").get<bool>();
  run.failure = j.at("failure").get<std::string>();
  const json& inv = j.at("invariants");
  run.invariants_checked = inv.at("checked").get<std::vector<std::string>>();
  run.invariants_violated = inv.at("violated").get<std::vector<std::string>>();
  run.violations = inv.at("violations").get<std::vector<std::string>>();
  run.problems = j.at("problems").get<std::vector<std::string>>();
  run.notes = j.at("notes").get<std::vector<std::string>>();
  run.faults_injected = j.at("faults_injected").get<std::map<std::string, std::uint64_t>>();
  // Absent in summaries written before the coverage matrix: nothing reached.
  if (j.contains("coverage")) {
    run.coverage = j.at("coverage").get<std::map<std::string, std::uint64_t>>();
  }
  run.crashes = j.at("crashes").get<std::uint64_t>();
  run.states_explored = j.at("states_explored").get<std::uint64_t>();
  run.ops = j.at("ops").get<std::uint64_t>();
  run.syncs = j.at("syncs").get<std::uint64_t>();
  run.steps = j.at("steps").get<std::uint64_t>();
  run.virtual_time_us = j.at("virtual_time_us").get<std::uint64_t>();
  run.trace_events = j.at("trace_events").get<std::uint64_t>();
  run.trace_hash = j.at("trace_hash").get<std::string>();
  run.append_latency_us.set_counts(j.at("append_latency_us").get<std::vector<std::uint64_t>>());
  run.repro = j.at("repro").get<std::string>();
  run.shrunk = j.at("shrunk").get<std::string>();
  run.timeline = timeline_from_json(j.at("timeline"));
  run.timeline_omitted = j.at("timeline_omitted").get<std::uint64_t>();
  // Absent in summaries written before diagnoses: none.
  if (j.contains("diagnosis")) run.diagnosis = j.at("diagnosis").get<std::string>();
  if (j.contains("replay_hash")) run.replay_hash = j.at("replay_hash").get<std::string>();
  if (j.contains("wall_ms")) run.wall_ms = j.at("wall_ms").get<double>();
  return run;
}

json summary_to_json(const Sweep& full_sweep, bool every_seed) {
  Sweep folded_sweep;
  if (!every_seed) {
    folded_sweep = full_sweep;
    folded_sweep.fold_passing();
  }
  const Sweep& sweep = every_seed ? full_sweep : folded_sweep;
  const std::vector<ScenarioSummary> summaries = summarize(sweep);
  const Totals t = totals(summaries);
  json scenarios = json::array();
  for (const ScenarioSummary& s : summaries) scenarios.push_back(scenario_to_json(s, sweep));
  json run_wall = json::array();
  for (const RunRecord& run : sweep.runs) {
    run_wall.push_back({{"file", run.file}, {"seed", run.seed}, {"wall_ms", run.wall_ms}});
  }
  json passed_wall = json::object();
  for (const PassedRuns& f : sweep.folded) passed_wall[f.file] = f.wall_ms;
  return {
      {"schema", kSummarySchema},
      {"ok", t.ok()},
      {"totals",
       {{"scenarios", t.scenarios},
        {"scenarios_matched", t.scenarios_matched},
        {"runs", t.runs},
        {"passed", t.passed},
        {"failed", t.failed},
        {"faults_injected", t.faults_injected},
        {"crashes", t.crashes},
        {"states_explored", t.states_explored}}},
      {"scenarios", scenarios},
      {"coverage", coverage_to_json(summarize_coverage(sweep))},
      {"host",
       {{"command", sweep.command},
        {"jobs", sweep.jobs},
        {"shards", sweep.shards},
        {"wall_ms", sweep.wall_ms},
        {"runs", run_wall},
        {"passed_runs_wall_ms", passed_wall}}},
  };
}

std::string write_summary_json(const Sweep& sweep, bool every_seed) {
  // Compact: a sweep holds thousands of runs. `python3 -m json.tool` pretty-prints it.
  return summary_to_json(sweep, every_seed).dump() + "\n";
}

bool read_summary_json(const std::string& text, Sweep& out, std::string& error) {
  try {
    const json j = json::parse(text);
    const std::string schema = j.at("schema").get<std::string>();
    // Version 1 listed every seed and had no passed_runs: it reads as version 2 with nothing
    // folded.
    if (schema != kSummarySchema && schema != kSummarySchemaV1) {
      error = fmt::format("schema is '{}', expected '{}' (or '{}')", schema, kSummarySchema,
                          kSummarySchemaV1);
      return false;
    }
    Sweep sweep;
    std::map<std::pair<std::string, std::uint64_t>, double> walls;
    const json& host = j.at("host");
    for (const json& w : host.at("runs")) {
      walls[{w.at("file").get<std::string>(), w.at("seed").get<std::uint64_t>()}] =
          w.at("wall_ms").get<double>();
    }
    for (const json& s : j.at("scenarios")) {
      sweep.scenarios.push_back(scenario_from_json(s));
      for (const json& r : s.at("results")) {
        RunRecord run = run_from_json(r);
        auto wall = walls.find({run.file, run.seed});
        if (wall != walls.end()) run.wall_ms = wall->second;
        sweep.runs.push_back(std::move(run));
      }
      if (s.contains("passed_runs") && !s.at("passed_runs").is_null()) {
        PassedRuns f = passed_runs_from_json(s.at("file").get<std::string>(), s.at("passed_runs"));
        const json* folded_walls = host.contains("passed_runs_wall_ms")
                                       ? &host.at("passed_runs_wall_ms")
                                       : nullptr;
        if (folded_walls != nullptr && folded_walls->contains(f.file)) {
          f.wall_ms = folded_walls->at(f.file).get<double>();
        }
        sweep.folded.push_back(std::move(f));
      }
    }
    // Absent before the coverage matrix: nothing listed.
    if (j.contains("coverage")) {
      for (const json& c : j.at("coverage").at("cells")) {
        if (c.at("listed").get<bool>()) sweep.coverage_cells.push_back(c.at("cell").get<std::string>());
      }
    }
    sweep.command = host.at("command").get<std::string>();
    sweep.jobs = host.at("jobs").get<std::uint32_t>();
    sweep.shards = host.at("shards").get<std::vector<std::string>>();
    sweep.wall_ms = host.at("wall_ms").get<double>();
    out = std::move(sweep);
    return true;
  } catch (const nlohmann::json::exception& e) {
    error = e.what();
    return false;
  }
}

}  // namespace reports
