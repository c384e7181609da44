// junit.xml: one <testcase> per scenario; a scenario that did not match its expect.verdict is
// a <failure> whose text lists the failing seeds with their repro commands.
#include <fmt/format.h>

#include "reports/escape.h"
#include "reports/writers.h"

namespace reports {

std::string write_junit_xml(const Sweep& sweep) {
  const std::vector<ScenarioSummary> summaries = summarize(sweep);
  const Totals t = totals(summaries);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"walsim\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                     t.scenarios, t.scenarios - t.scenarios_matched, sweep.wall_ms / 1000);
  out += fmt::format("  <testsuite name=\"walsim\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
                     "skipped=\"0\" time=\"{:.3f}\">\n",
                     t.scenarios, t.scenarios - t.scenarios_matched, sweep.wall_ms / 1000);
  for (const ScenarioSummary& s : summaries) {
    const ScenarioInfo& info = *s.info;
    out += fmt::format("    <testcase classname=\"walsim.{}\" name=\"{}\" file=\"{}\" "
                       "time=\"{:.3f}\">\n",
                       xml_escape(info.file.substr(0, info.file.rfind('/') == std::string::npos
                                                          ? 0
                                                          : info.file.rfind('/'))),
                       xml_escape(info.name), xml_escape(info.file), s.wall_ms / 1000);
    std::string detail;
    for (const RunRecord& run : sweep.runs) {
      if (run.file != info.file || run.passed) continue;
      detail += fmt::format("seed {}: {}\n{}  repro: {}\n", run.seed, run.failure,
                            run.diagnosis.empty() ? "" : "  diagnosis: " + run.diagnosis + "\n",
                            run.repro);
    }
    if (!s.matched) {
      const std::string message =
          info.expect_pass
              ? fmt::format("{} of {} seeds failed; first: seed {}: {}", s.failed, s.runs,
                            s.first_failing_seed.value_or(0), s.first_failure)
              : fmt::format("expected a failure (bug zoo) but all {} seeds passed", s.runs);
      out += fmt::format("      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                         info.expect_pass ? "invariant-violated" : "bug-not-caught",
                         xml_escape(message), xml_escape(detail));
    }
    out += fmt::format("      <system-out>{}expect {}: {} runs, {} passed, {} failed, {} faults, "
                       "{} crashes\n{}</system-out>\n",
                       xml_escape(info.description.empty() ? "" : info.description + "\n"),
                       info.expect_pass ? "pass" : "fail", s.runs, s.passed, s.failed,
                       [&] {
                         std::uint64_t n = 0;
                         for (const auto& [kind, count] : s.faults_injected) n += count;
                         return n;
                       }(),
                       s.crashes, s.matched ? xml_escape(detail) : "");
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace reports
