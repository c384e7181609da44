// The four report files of SPEC 7, each from a Sweep: summary.json (summary_json.h),
// junit.xml (one testcase per scenario, for CI dashboards), summary.md (for a CI job summary)
// and index.html (one self-contained page: no network, inline CSS and SVG).
#pragma once

#include <string>

#include "reports/run_record.h"

namespace reports {

std::string write_junit_xml(const Sweep& sweep);
std::string write_summary_md(const Sweep& sweep);
// "  Replayed bit for bit (...)." or "  NOT deterministic: ...", with its newline; "" when the
// run was not replayed (RunRecord::replay_hash).
std::string replay_line(const RunRecord& run);
std::string write_index_html(const Sweep& sweep);

// Writes all four into `dir` (created if missing). Returns "" or what went wrong. every_seed:
// summary.json lists passing seeds one by one too (summary_json.h).
std::string write_report(const Sweep& sweep, const std::string& dir, bool every_seed = false);

}  // namespace reports
