// The coverage matrix of a sweep (sim/harness/coverage_matrix.h names the cells): every listed
// cell with the runs that reached it, so the unreached ones are explicit, and the cells runs
// reached that the list does not hold (a stale table, a mutant's extra Fs calls).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reports/run_record.h"

namespace reports {

struct CoverageCell {
  std::string cell;          // "crash/<op>/<at>/<policy>" or "fault/<kind>/<mode>"
  bool listed = false;       // in Sweep::coverage_cells
  std::uint64_t hits = 0;    // power losses there, or faults fired
  std::uint64_t runs = 0;    // runs that reached it
};

struct CoverageSummary {
  std::vector<CoverageCell> cells;  // listed ones in the matrix's order, then unlisted ones
  std::uint64_t listed = 0;
  std::uint64_t reached = 0;           // listed cells reached
  std::uint64_t crash_listed = 0;
  std::uint64_t crash_reached = 0;
  std::uint64_t fault_listed = 0;
  std::uint64_t fault_reached = 0;
  std::uint64_t unlisted_reached = 0;  // reached, not listed
};

CoverageSummary summarize_coverage(const Sweep& sweep);

// "crash/append/write/torn" -> {"crash", "append", "write", "torn"}.
std::vector<std::string> cell_parts(const std::string& cell);

// The index.html section: the crash-site matrix (activities x positions, a mark per crash
// policy), the fault x recovery-mode table, and the unreached cells listed.
std::string coverage_section_html(const CoverageSummary& coverage);

}  // namespace reports
