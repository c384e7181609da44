// A `walsim crashes` result as the report every walsim run writes (reports/): one "scenario"
// (the trace), one failing record per vulnerability (its explanation as the failure, the trace
// calls around it as the timeline, its repro command) and one passing record per state the
// checker accepted (folded into the summary as every passing seed is).
#pragma once

#include <string>

#include "crashes/crashes.h"
#include "reports/run_record.h"
#include "systrace/trace_file.h"

namespace walsim {

reports::Sweep crashes_sweep(const systrace::Trace& trace, const std::string& trace_path,
                             const crashes::CrashesResult& result, const std::string& setup,
                             const std::string& repro_prefix);

// The lines of the trace around a vulnerability's calls: the calls it names and a few on each
// side, and the crash point.
std::vector<reports::TimelineEvent> vulnerability_timeline(const systrace::Trace& trace,
                                                           const crashes::Vulnerability& found);

}  // namespace walsim
