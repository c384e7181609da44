#include "reports/coverage.h"

#include <map>

namespace reports {

std::vector<std::string> cell_parts(const std::string& cell) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const std::size_t slash = cell.find('/', start);
    parts.push_back(cell.substr(start, slash == std::string::npos ? slash : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

CoverageSummary summarize_coverage(const Sweep& sweep) {
  std::map<std::string, CoverageCell> reached;
  for (const RunRecord& run : sweep.runs) {
    for (const auto& [cell, hits] : run.coverage) {
      CoverageCell& c = reached[cell];
      c.hits += hits;
      ++c.runs;
    }
  }
  for (const PassedRuns& f : sweep.folded) {
    for (const auto& [cell, tally] : f.coverage) {
      CoverageCell& c = reached[cell];
      c.hits += tally.hits;
      c.runs += tally.runs;
    }
  }
  CoverageSummary out;
  for (const std::string& cell : sweep.coverage_cells) {
    CoverageCell c;
    if (auto found = reached.find(cell); found != reached.end()) {
      c = found->second;
      reached.erase(found);
    }
    c.cell = cell;
    c.listed = true;
    const bool hit = c.runs != 0;
    const bool crash = cell.rfind("crash/", 0) == 0;
    ++out.listed;
    out.reached += hit ? 1 : 0;
    (crash ? out.crash_listed : out.fault_listed) += 1;
    (crash ? out.crash_reached : out.fault_reached) += hit ? 1 : 0;
    out.cells.push_back(std::move(c));
  }
  for (auto& [cell, c] : reached) {
    c.cell = cell;
    ++out.unlisted_reached;
    out.cells.push_back(std::move(c));
  }
  return out;
}

}  // namespace reports
