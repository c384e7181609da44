#include "sim/walsim/crashes_report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace walsim {
namespace {

constexpr std::size_t kContext = 2;  // calls shown on each side of a named one

std::string stem(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

}  // namespace

std::vector<reports::TimelineEvent> vulnerability_timeline(const systrace::Trace& trace,
                                                           const crashes::Vulnerability& found) {
  const crashes::Explanation& why = found.explanation;
  std::map<std::size_t, std::string> named;  // call -> its role
  for (const crashes::OpRef& ref : why.lost) named[ref.call] = ref.torn ? "torn" : "lost";
  for (const crashes::Explanation& more : found.more) {
    for (const crashes::OpRef& ref : more.lost) named[ref.call] = ref.torn ? "torn" : "lost";
  }
  for (const crashes::OpRef& ref : why.survived) named[ref.call] = "reached the disk";
  if (why.acknowledged_by != 0) named[why.acknowledged_by] = "acknowledged";
  const std::size_t point = found.first.state.point;
  std::vector<std::size_t> shown;
  const auto show_around = [&](std::size_t call) {
    const std::size_t from = call > kContext ? call - kContext : 1;
    for (std::size_t c = from; c <= call + kContext && c <= trace.calls.size(); ++c) {
      shown.push_back(c);
    }
  };
  for (const auto& [call, role] : named) show_around(call);
  if (point >= 1) show_around(point);
  std::sort(shown.begin(), shown.end());
  shown.erase(std::unique(shown.begin(), shown.end()), shown.end());
  const reports::TimelineEvent power_loss{0, 0, point, "crash",
                                          fmt::format("power loss after call {}", point),
                                          found.first.plan, true};
  std::vector<reports::TimelineEvent> out;
  for (const std::size_t c : shown) {
    if (c > point && (out.empty() || out.back().kind != "crash")) out.push_back(power_loss);
    const systrace::Call& call = trace.calls[c - 1];
    const auto role = named.find(c);
    reports::TimelineEvent event;
    event.step = c;
    event.kind = call.kind == systrace::CallKind::kOutput ? "output" : "call";
    event.label = systrace::show_call(call, c);
    event.detail = role == named.end() ? std::string() : role->second;
    event.failed = role != named.end() && role->second != "acknowledged";
    out.push_back(std::move(event));
  }
  if (out.empty() || (out.back().kind != "crash" && out.back().step <= point)) {
    out.push_back(power_loss);
  }
  return out;
}

reports::Sweep crashes_sweep(const systrace::Trace& trace, const std::string& trace_path,
                             const crashes::CrashesResult& result, const std::string& setup,
                             const std::string& repro_prefix) {
  reports::Sweep sweep;
  reports::ScenarioInfo info;
  info.name = stem(trace_path);
  info.file = trace_path;
  info.description = fmt::format("crash states of `{}` (walsim crashes)",
                                 fmt::join(trace.command, " "));
  info.setup = setup;
  info.expect_pass = true;
  info.seeds = result.checked;
  sweep.scenarios.push_back(info);
  for (const std::uint64_t number : result.passed_states) {
    reports::RunRecord run;
    run.scenario = info.name;
    run.file = trace_path;
    run.seed = number;
    run.passed = true;
    run.matched = true;
    run.invariants_checked = {"checker"};
    run.crashes = 1;
    run.states_explored = 1;
    sweep.runs.push_back(std::move(run));
  }
  // A scenario of its own per vulnerability, so that each keeps its timeline in the report
  // (a scenario keeps the first reports::kTimelinesKept).
  std::size_t index = 0;
  for (const crashes::Vulnerability& found : result.vulnerabilities) {
    reports::ScenarioInfo own = info;
    own.name = fmt::format("{} vulnerability {}", info.name, ++index);
    own.file = fmt::format("{}#{}", trace_path, index);
    own.description = fmt::format("[{}] {}", crashes::to_string(found.explanation.assumption),
                                  found.sentence);
    own.seeds = found.states;
    sweep.scenarios.push_back(own);
    reports::RunRecord run;
    run.scenario = own.name;
    run.file = own.file;
    run.seed = found.first.state.number;
    run.failure = fmt::format("[{}] {}", crashes::to_string(found.explanation.assumption),
                              found.sentence);
    run.invariants_checked = {"checker"};
    run.invariants_violated = {"checker"};
    run.violations = {found.sentence};
    run.notes.push_back(fmt::format("{} failing states break this assumption, at {} crash "
                                    "points; the first: state {} after call {}",
                                    found.states, found.points.size(),
                                    found.first.state.number, found.first.state.point));
    run.notes.push_back(fmt::format("state {}: {}", found.first.state.number, found.first.plan));
    run.notes.push_back(fmt::format("checker: {}: {}", found.first.run.verdict(),
                                    found.first.run.output));
    if (!found.explanation.minimal) {
      run.notes.push_back("the explanation may not be minimal: the probe budget ran out");
    }
    run.crashes = 1;
    run.states_explored = 1;
    run.repro = fmt::format("{} --state {}", repro_prefix, found.first.state.number);
    run.timeline = vulnerability_timeline(trace, found);
    run.diagnosis = found.sentence;
    sweep.runs.push_back(std::move(run));
  }
  sweep.normalize();
  return sweep;
}

}  // namespace walsim
